"""Shape changes without weights: Flatten, Reshape, RepeatVector, Permute, padding,
cropping and up-sampling."""

from __future__ import annotations

from math import prod
from typing import Any, ClassVar

from rnncalc.errors import SpecError
from rnncalc.layers.arguments import (
    LAYER_BASE_ARGS,
    Arg,
    choice,
    int_tuple,
    is_int,
    optional,
    positive_int,
    show,
)
from rnncalc.layers.base import Layer, require_rank
from rnncalc.layers.shapes import Shape, format_shape, known_prod
from rnncalc.layers.torch_modules import TorchModule

DATA_FORMAT = Arg("data_format", optional(choice("channels_last", "channels_first")), None)


class Flatten(Layer):
    """Collapses all non-batch axes into one."""

    kind = "Flatten"
    ARGS = (DATA_FORMAT,)

    def output_shapes(self, inputs: list[Shape]) -> list[Shape]:
        x = inputs[0]
        if len(x) == 1:
            return [(x[0], 1)]
        return [(x[0], known_prod(x[1:]))]

    def forward(self, inputs: list[Any], weights: dict[str, Any], mask: Any = None) -> list[Any]:
        import numpy as np

        x = inputs[0]
        if self.config["data_format"] == "channels_first" and x.ndim > 2:
            x = np.moveaxis(x, 1, -1)    # Keras flattens channels-last order
        return [x.reshape(x.shape[0], -1)]


class Reshape(Layer):
    """Reshapes the non-batch axes to ``target_shape`` (one ``-1`` allowed)."""

    kind = "Reshape"
    ARGS = (Arg("target_shape", int_tuple(allow=(-1,))),)

    @classmethod
    def check_config(cls, config: dict) -> None:
        if list(config["target_shape"]).count(-1) > 1:
            raise SpecError("argument 'target_shape': at most one dim may be -1, got "
                            f"{list(config['target_shape'])}")

    def output_shapes(self, inputs: list[Shape]) -> list[Shape]:
        x = inputs[0]
        target = tuple(self.config["target_shape"])
        size = known_prod(x[1:])
        if -1 in target:
            rest = prod(d for d in target if d != -1)
            if size is None:
                return [(x[0], *(None if d == -1 else d for d in target))]
            if size % rest:
                raise SpecError(f"cannot reshape input {format_shape(x)} to "
                                f"{format_shape(target)}: {size} values do not divide by {rest}")
            return [(x[0], *(size // rest if d == -1 else d for d in target))]
        if size is not None and size != prod(target):
            raise SpecError(f"cannot reshape input {format_shape(x)} ({size} values per sample) "
                            f"to {format_shape(target)} ({prod(target)} values)")
        return [(x[0], *target)]

    def forward(self, inputs: list[Any], weights: dict[str, Any], mask: Any = None) -> list[Any]:
        x = inputs[0]
        return [x.reshape(x.shape[0], *self.config["target_shape"])]


class RepeatVector(Layer):
    """(batch, features) -> (batch, n, features)."""

    kind = "RepeatVector"
    ARGS = (Arg("n", positive_int),)

    def output_shapes(self, inputs: list[Shape]) -> list[Shape]:
        x = inputs[0]
        require_rank(x, 2, "(batch, features)")
        return [(x[0], self.config["n"], x[1])]

    def forward(self, inputs: list[Any], weights: dict[str, Any], mask: Any = None) -> list[Any]:
        import numpy as np

        return [np.repeat(inputs[0][:, None, :], self.config["n"], axis=1)]


class Permute(Layer):
    """Reorders non-batch axes; ``dims`` are 1-based as in Keras."""

    kind = "Permute"
    ARGS = (Arg("dims", int_tuple(scalar_ok=False)),)

    def output_shapes(self, inputs: list[Shape]) -> list[Shape]:
        x = inputs[0]
        order = self.config["dims"]
        if sorted(order) != list(range(1, len(x))):
            raise SpecError(f"argument 'dims': expected a permutation of "
                            f"{list(range(1, len(x)))} for input {format_shape(x)}, "
                            f"got {list(order)}")
        return [(x[0], *(x[d] for d in order))]

    def forward(self, inputs: list[Any], weights: dict[str, Any], mask: Any = None) -> list[Any]:
        return [inputs[0].transpose(0, *self.config["dims"])]


def _pair(what: str) -> Any:
    """Keras' ``standardize_tuple(value, 2, allow_zero=True)``: int -> (v, v)."""

    def check(value: Any) -> tuple[int, int]:
        items = [value, value] if is_int(value) else value
        if (not isinstance(items, (list, tuple)) or len(items) != 2
                or not all(is_int(i) and i >= 0 for i in items)):
            raise SpecError(f"expected a non-negative integer or a list of 2 non-negative "
                            f"integers ({what}), got {show(value)}")
        return (items[0], items[1])

    return check


def _edges(rank: int) -> Any:
    """(before, after) per spatial axis: ``int``, ``rank`` ints or ``rank`` pairs.

    Rank 1 (ZeroPadding1D, Cropping1D) takes one (before, after) pair directly.
    """
    if rank == 1:
        return _pair("before, after")

    def check(value: Any) -> tuple[tuple[int, int], ...]:
        if is_int(value):
            value = [value] * rank
        if not isinstance(value, (list, tuple)) or len(value) != rank:
            raise SpecError(f"expected an integer, a list of {rank} integers or a list of "
                            f"{rank} (before, after) pairs, got {show(value)}")
        return tuple(_pair(f"axis {i + 1}: before, after")(v) for i, v in enumerate(value))

    return check


def _spatial(rank: int, data_format: str | None) -> tuple[int, ...]:
    return tuple(range(2, rank + 2)) if data_format == "channels_first" else tuple(
        range(1, rank + 1))


_SPATIAL_TEXT = {1: "(batch, steps, channels)", 2: "(batch, rows, cols, channels)",
                 3: "(batch, depth, rows, cols, channels)"}


def _torch_layout_note(data_format: str | None, module: str) -> tuple[str, ...]:
    if data_format == "channels_first":
        return ()
    return (f"{module} works on channels-first tensors: permute the channels-last input "
            "(channels to axis 1) and the output back",)


class _Edges(Layer):
    """(before, after) pairs per spatial axis, stored as Keras writes them back."""

    RANK: ClassVar[int] = 1
    EDGES: ClassVar[str] = ""
    IGNORED_ARGS = LAYER_BASE_ARGS

    def edges(self) -> tuple[tuple[int, int], ...]:
        value = self.config[self.EDGES]
        return (value,) if self.RANK == 1 else value


class ZeroPadding(_Edges):
    """Zeros before and after each spatial axis (``ZeroPadding1D/2D/3D``)."""

    EDGES = "padding"

    @classmethod
    def make_args(cls) -> tuple[Arg, ...]:
        default = (1, 1) if cls.RANK == 1 else ((1, 1),) * cls.RANK
        return (Arg("padding", _edges(cls.RANK), default), DATA_FORMAT)

    def output_shapes(self, inputs: list[Shape]) -> list[Shape]:
        x = inputs[0]
        fmt = self.config["data_format"]
        require_rank(x, self.RANK + 2, _SPATIAL_TEXT[self.RANK])
        out = list(x)
        for a, pad in zip(_spatial(self.RANK, fmt), self.edges()):
            out[a] = None if x[a] is None else x[a] + sum(pad)
        return [tuple(out)]

    def forward(self, inputs: list[Any], weights: dict[str, Any], mask: Any = None) -> list[Any]:
        import numpy as np

        pads = [(0, 0)] * (self.RANK + 2)
        for a, pad in zip(_spatial(self.RANK, self.config["data_format"]),
                          self.edges()):
            pads[a] = pad
        return [np.pad(inputs[0], pads)]

    def torch_modules(self, inputs: list[Shape]) -> list[TorchModule]:
        # torch lists (before, after) from the last axis back: (left, right, top, bottom, ...)
        flat = [n for pad in reversed(self.edges()) for n in pad]
        module = f"nn.ZeroPad{self.RANK}d"
        return [TorchModule(f"{module}({tuple(flat)})", (),
                            _torch_layout_note(self.config["data_format"], module))]


class ZeroPadding1D(ZeroPadding):
    """Zeros added before and after the time axis: ``padding`` (before, after)."""

    kind = "ZeroPadding1D"


class ZeroPadding2D(ZeroPadding):
    """Zero rows and columns around an image: ``((top, bottom), (left, right))``."""

    kind = "ZeroPadding2D"
    RANK = 2


class ZeroPadding3D(ZeroPadding):
    """Zeros around a volume: one (before, after) pair per spatial axis."""

    kind = "ZeroPadding3D"
    RANK = 3


class Cropping(_Edges):
    """Drops (before, after) positions of each spatial axis (``Cropping1D/2D/3D``)."""

    EDGES = "cropping"

    @classmethod
    def make_args(cls) -> tuple[Arg, ...]:
        # Keras' defaults: Cropping1D (1, 1), Cropping2D zeros, Cropping3D ones
        default = {1: (1, 1), 2: ((0, 0),) * 2, 3: ((1, 1),) * 3}[cls.RANK]
        edges = Arg("cropping", _edges(cls.RANK), default)
        return (edges,) if cls.RANK == 1 else (edges, DATA_FORMAT)  # Cropping1D: time axis

    def _axes(self) -> tuple[int, ...]:
        return _spatial(self.RANK, self.config.get("data_format"))

    def output_shapes(self, inputs: list[Shape]) -> list[Shape]:
        x = inputs[0]
        require_rank(x, self.RANK + 2, _SPATIAL_TEXT[self.RANK])
        out = list(x)
        for a, crop in zip(self._axes(), self.edges()):
            if x[a] is None:
                continue
            if x[a] - sum(crop) <= 0:
                raise SpecError(f"argument 'cropping': {list(crop)} must leave at least one "
                                f"of the {x[a]} positions of axis {a} of input "
                                f"{format_shape(x)}")
            out[a] = x[a] - sum(crop)
        return [tuple(out)]

    def forward(self, inputs: list[Any], weights: dict[str, Any], mask: Any = None) -> list[Any]:
        x = inputs[0]
        index = [slice(None)] * x.ndim
        for a, (before, after) in zip(self._axes(), self.edges()):
            index[a] = slice(before, x.shape[a] - after)
        return [x[tuple(index)]]

    def torch_modules(self, inputs: list[Shape]) -> list[TorchModule]:
        spans = ", ".join(f"{b}:−{e}" if e else f"{b}:" for b, e in self.edges())
        return [TorchModule("(slicing)", (), (f"torch.nn has no cropping layer: slice the "
                                              f"spatial axes [{spans}]",))]


class Cropping1D(Cropping):
    """Drops ``cropping`` (before, after) steps of the time axis (axis 1)."""

    kind = "Cropping1D"


class Cropping2D(Cropping):
    """Drops rows and columns: ``((top, bottom), (left, right))``."""

    kind = "Cropping2D"
    RANK = 2


class Cropping3D(Cropping):
    """Drops (before, after) positions of each of the three spatial axes."""

    kind = "Cropping3D"
    RANK = 3


class UpSampling(Layer):
    """Repeats every position ``size`` times along each spatial axis (nearest neighbour)."""

    RANK: ClassVar[int] = 1
    IGNORED_ARGS = LAYER_BASE_ARGS

    def sizes(self) -> tuple[int, ...]:
        size = self.config["size"]
        return (size,) if is_int(size) else tuple(size)

    def _axes(self) -> tuple[int, ...]:
        return _spatial(self.RANK, self.config.get("data_format"))

    def output_shapes(self, inputs: list[Shape]) -> list[Shape]:
        x = inputs[0]
        require_rank(x, self.RANK + 2, _SPATIAL_TEXT[self.RANK])
        out = list(x)
        for a, n in zip(self._axes(), self.sizes()):
            out[a] = None if x[a] is None else x[a] * n
        return [tuple(out)]

    def forward(self, inputs: list[Any], weights: dict[str, Any], mask: Any = None) -> list[Any]:
        import numpy as np

        mode = self.config.get("interpolation", "nearest")
        if mode not in ("nearest", "bilinear"):
            raise SpecError(f"argument 'interpolation': rnncalc runs 'nearest' and 'bilinear' "
                            f"(shapes and counts are exact for {mode!r}, whose kernel differs "
                            "between Keras backends)")
        y = inputs[0]
        for a, n in zip(self._axes(), self.sizes()):
            y = np.repeat(y, n, axis=a) if mode == "nearest" else _linear_upsample(y, a, n)
        return [y]

    def torch_modules(self, inputs: list[Shape]) -> list[TorchModule]:
        sizes = self.sizes()
        factor = sizes[0] if len(sizes) == 1 else sizes
        mode = self.config.get("interpolation", "nearest")
        return [TorchModule(f"nn.Upsample(scale_factor={factor}, mode='{mode}')", (),
                            _torch_layout_note(self.config.get("data_format"),
                                               "nn.Upsample"))]


def _linear_upsample(x: Any, axis: int, factor: int) -> Any:
    """Linear interpolation by ``factor`` along one axis, with half-pixel centres and edge
    clamping: the separable half of a bilinear resize (TensorFlow's and torch's alike)."""
    import numpy as np

    n = x.shape[axis]
    src = np.maximum((np.arange(n * factor) + 0.5) / factor - 0.5, 0.0)
    low = np.floor(src).astype(np.int64)
    high = np.minimum(low + 1, n - 1)
    frac = (src - low).astype(x.dtype)
    shape = [1] * x.ndim
    shape[axis] = -1
    frac = frac.reshape(shape)
    a, b = np.take(x, low, axis=axis), np.take(x, high, axis=axis)
    return a + (b - a) * frac


class UpSampling1D(UpSampling):
    """Repeats each timestep ``size`` times."""

    kind = "UpSampling1D"
    ARGS = (Arg("size", positive_int, 2),)


class UpSampling2D(UpSampling):
    """Repeats rows and columns, or interpolates them (``bilinear``; other interpolations:
    shapes only)."""

    kind = "UpSampling2D"
    RANK = 2
    ARGS = (Arg("size", lambda v: _sizes(2)(v), (2, 2)), DATA_FORMAT,
            Arg("interpolation", lambda v: _interp(v), "nearest"))


class UpSampling3D(UpSampling):
    """Repeats positions along depth, rows and columns."""

    kind = "UpSampling3D"
    RANK = 3
    ARGS = (Arg("size", lambda v: _sizes(3)(v), (2, 2, 2)), DATA_FORMAT)


def _sizes(rank: int) -> Any:
    def check(value: Any) -> tuple[int, ...]:
        items = [value] * rank if is_int(value) else value
        if (not isinstance(items, (list, tuple)) or len(items) != rank
                or not all(is_int(i) and i >= 1 for i in items)):
            raise SpecError(f"expected a positive integer or a list of {rank} positive "
                            f"integers, got {show(value)}")
        return tuple(items)

    return check


_interp = choice("nearest", "bilinear", "bicubic", "lanczos3", "lanczos5", "area")


for _cls in (ZeroPadding1D, ZeroPadding2D, ZeroPadding3D):
    _cls.ARGS = _cls.make_args()
for _cls in (Cropping1D, Cropping2D, Cropping3D):
    _cls.ARGS = _cls.make_args()
