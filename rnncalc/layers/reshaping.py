"""Shape changes without weights: Flatten, Reshape, RepeatVector, Permute, padding,
cropping and up-sampling."""

from __future__ import annotations

from math import prod
from typing import Any

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


def _pairs(value: Any) -> tuple[tuple[int, int], tuple[int, int]]:
    """ZeroPadding2D's padding: int, (rows, cols), or ((top, bottom), (left, right))."""
    if is_int(value):
        value = [value, value]
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        raise SpecError("expected an integer, a list of 2 integers or a list of 2 pairs "
                        f"((top, bottom), (left, right)), got {show(value)}")
    rows = _pair("top, bottom")(value[0])
    cols = _pair("left, right")(value[1])
    return rows, cols


def _torch_layout_note(data_format: str | None, module: str) -> tuple[str, ...]:
    if data_format == "channels_first":
        return ()
    return (f"{module} pads channels-first tensors: permute the channels-last input "
            "(channels to axis 1) and the output back",)


class ZeroPadding1D(Layer):
    """Zeros added before and after the time axis: ``padding`` (before, after)."""

    kind = "ZeroPadding1D"
    ACCEPTED_UNUSED = LAYER_BASE_ARGS
    ARGS = (Arg("padding", _pair("before, after"), (1, 1)), DATA_FORMAT)

    def _axis(self) -> int:
        return 2 if self.config["data_format"] == "channels_first" else 1

    def output_shapes(self, inputs: list[Shape]) -> list[Shape]:
        x = inputs[0]
        require_rank(x, 3, "(batch, steps, channels)")
        out = list(x)
        a = self._axis()
        out[a] = None if x[a] is None else x[a] + sum(self.config["padding"])
        return [tuple(out)]

    def forward(self, inputs: list[Any], weights: dict[str, Any], mask: Any = None) -> list[Any]:
        import numpy as np

        pads = [(0, 0)] * 3
        pads[self._axis()] = self.config["padding"]
        return [np.pad(inputs[0], pads)]

    def torch_modules(self, inputs: list[Shape]) -> list[TorchModule]:
        left, right = self.config["padding"]
        return [TorchModule(f"nn.ZeroPad1d(({left}, {right}))", (),
                            _torch_layout_note(self.config["data_format"], "nn.ZeroPad1d"))]


class ZeroPadding2D(Layer):
    """Zero rows and columns around an image: ``((top, bottom), (left, right))``."""

    kind = "ZeroPadding2D"
    ACCEPTED_UNUSED = LAYER_BASE_ARGS
    ARGS = (Arg("padding", _pairs, ((1, 1), (1, 1))), DATA_FORMAT)

    def _axes(self) -> tuple[int, int]:
        return (2, 3) if self.config["data_format"] == "channels_first" else (1, 2)

    def output_shapes(self, inputs: list[Shape]) -> list[Shape]:
        x = inputs[0]
        require_rank(x, 4, "(batch, rows, cols, channels)")
        out = list(x)
        for a, pad in zip(self._axes(), self.config["padding"]):
            out[a] = None if x[a] is None else x[a] + sum(pad)
        return [tuple(out)]

    def forward(self, inputs: list[Any], weights: dict[str, Any], mask: Any = None) -> list[Any]:
        import numpy as np

        pads = [(0, 0)] * 4
        for a, pad in zip(self._axes(), self.config["padding"]):
            pads[a] = pad
        return [np.pad(inputs[0], pads)]

    def torch_modules(self, inputs: list[Shape]) -> list[TorchModule]:
        (top, bottom), (left, right) = self.config["padding"]
        return [TorchModule(f"nn.ZeroPad2d(({left}, {right}, {top}, {bottom}))", (),
                            _torch_layout_note(self.config["data_format"], "nn.ZeroPad2d"))]


class Cropping1D(Layer):
    """Drops ``cropping`` (before, after) steps of the time axis (axis 1)."""

    kind = "Cropping1D"
    ACCEPTED_UNUSED = LAYER_BASE_ARGS
    ARGS = (Arg("cropping", _pair("before, after"), (1, 1)),)

    def output_shapes(self, inputs: list[Shape]) -> list[Shape]:
        x = inputs[0]
        require_rank(x, 3, "(batch, steps, features)")
        if x[1] is None:
            return [x]
        length = x[1] - sum(self.config["cropping"])
        if length <= 0:
            raise SpecError(f"argument 'cropping': {list(self.config['cropping'])} must leave "
                            f"at least one of the {x[1]} steps of input {format_shape(x)}")
        return [(x[0], length, x[2])]

    def forward(self, inputs: list[Any], weights: dict[str, Any], mask: Any = None) -> list[Any]:
        before, after = self.config["cropping"]
        x = inputs[0]
        return [x[:, before:x.shape[1] - after]]

    def torch_modules(self, inputs: list[Shape]) -> list[TorchModule]:
        before, after = self.config["cropping"]
        return [TorchModule("(slicing)", (), (f"torch.nn has no cropping layer: slice "
                                              f"x[:, {before}:T−{after}]",))]


class UpSampling1D(Layer):
    """Repeats each timestep ``size`` times."""

    kind = "UpSampling1D"
    ACCEPTED_UNUSED = LAYER_BASE_ARGS
    ARGS = (Arg("size", positive_int, 2),)

    def output_shapes(self, inputs: list[Shape]) -> list[Shape]:
        x = inputs[0]
        require_rank(x, 3, "(batch, steps, features)")
        return [(x[0], None if x[1] is None else x[1] * self.config["size"], x[2])]

    def forward(self, inputs: list[Any], weights: dict[str, Any], mask: Any = None) -> list[Any]:
        import numpy as np

        return [np.repeat(inputs[0], self.config["size"], axis=1)]

    def torch_modules(self, inputs: list[Shape]) -> list[TorchModule]:
        return [TorchModule(f"nn.Upsample(scale_factor={self.config['size']}, mode='nearest')",
                            (), ("nn.Upsample works on (B, C, T): permute the (B, T, C) input "
                                 "and the output back",))]
