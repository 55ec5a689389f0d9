"""Convolutions (1-D to 3-D, depthwise, separable) and the window poolings.

One shape rule (:func:`conv_length` per spatial axis), one padding rule
(:func:`same_pads`) and one window sweep (:func:`_windows`) serve every rank,
so ``Conv1D``, ``Conv2D``, ``Conv3D``, the depthwise/separable forms and the
max/average poolings differ only in what they declare: their rank, weights
and the reduction over a window.
"""

from __future__ import annotations

from itertools import product
from math import prod
from typing import Any, ClassVar

from rnncalc.errors import SpecError
from rnncalc.layers.activations import activation
from rnncalc.layers.arguments import (
    LAYER_BASE_ARGS,
    REQUIRED,
    Arg,
    anything,
    boolean,
    choice,
    is_int,
    optional,
    positive_int,
    show,
)
from rnncalc.layers.base import Layer, Weight, require_known, require_rank
from rnncalc.layers.counting import (
    ACT,
    ADD,
    CMP,
    MAC,
    MUL,
    CostTerm,
    describe_dims,
    positions,
    size,
)
from rnncalc.layers.initializers import init_arg
from rnncalc.layers.reshaping import DATA_FORMAT
from rnncalc.layers.shapes import Dim, Shape, format_shape
from rnncalc.layers.torch_modules import TorchModule, TorchParam

#: Per-axis size arguments: equal entries may be written as one int (``kernel_size=3``).
WINDOW_ARGS = ("kernel_size", "strides", "dilation_rate", "pool_size")

_AXES = {1: ("steps",), 2: ("rows", "cols"), 3: ("depth", "rows", "cols")}


def sizes(rank: int, *, zero_ok: bool = False) -> Any:
    """Keras' ``standardize_tuple``: an int (repeated ``rank`` times) or ``rank`` ints."""

    def check(value: Any) -> tuple[int, ...]:
        items = [value] * rank if is_int(value) else value
        low = 0 if zero_ok else 1
        what = "non-negative" if zero_ok else "positive"
        if (not isinstance(items, (list, tuple)) or len(items) != rank
                or not all(is_int(i) and i >= low for i in items)):
            want = f"a {what} integer" + (f" or a list of {rank} {what} integers"
                                          if rank > 1 else "")
            raise SpecError(f"expected {want}, got {show(value)}")
        return tuple(items)

    return check


def size_arg(name: str, rank: int, default: Any = REQUIRED) -> Arg:
    """A per-spatial-axis size argument (kernel_size, strides, ...), stored as a tuple."""
    return Arg(name, sizes(rank), default if default is REQUIRED or default is None
               else (default,) * rank)


# Keras arguments that change neither shapes, counts nor inference.
def ignored(*names: str) -> tuple[Arg, ...]:
    """Regularizers, constraints and seeds a layer takes: accepted, no effect here."""
    return tuple(Arg(n, anything, None, positional=False) for n in names)


CONV_IGNORED = ignored("kernel_regularizer", "bias_regularizer", "activity_regularizer",
                       "kernel_constraint", "bias_constraint")


def padding_choice(*options: str) -> Any:
    """Keras' ``standardize_padding``: one of ``options``, any letter case."""
    check = choice(*options)
    return lambda value: check(value.lower() if isinstance(value, str) else value)


def conv_length(length: Dim, window: int, stride: int, padding: str, dilation: int = 1) -> Dim:
    """Output length of a window sweep along one axis, as Keras computes it."""
    if length is None:
        return None
    if padding in ("same", "causal"):
        return (length + stride - 1) // stride
    span = dilation * (window - 1) + 1
    out = (length - span) // stride + 1
    if out < 1:
        raise SpecError(f"a window of {span} does not fit in input length {length} "
                        "with padding 'valid' (Keras: computed output size would be zero "
                        "or negative)")
    return out


def same_pads(length: int, span: int, stride: int, padding: str) -> tuple[int, int]:
    """(before, after) padding of one axis, as TF/Keras place it (extra one after)."""
    if padding == "causal":
        return span - 1, 0
    if padding != "same":
        return 0, 0
    out = -(-length // stride)
    total = max((out - 1) * stride + span - length, 0)
    return total // 2, total - total // 2


def spatial_axes(rank: int, data_format: str | None) -> tuple[tuple[int, ...], int]:
    """(spatial axes, channel axis) of a rank-``rank + 2`` input."""
    if data_format == "channels_first":
        return tuple(range(2, rank + 2)), 1
    return tuple(range(1, rank + 1)), rank + 1


def _rank_text(rank: int, data_format: str | None) -> str:
    inner = ", ".join(_AXES[rank])
    if data_format == "channels_first":
        return f"(batch, channels, {inner})"
    return f"(batch, {inner}, channels)"


def _channels_last(x: Any, data_format: str | None) -> Any:
    import numpy as np

    return np.moveaxis(x, 1, -1) if data_format == "channels_first" else x


def _restore(y: Any, data_format: str | None) -> Any:
    import numpy as np

    return np.moveaxis(y, -1, 1) if data_format == "channels_first" else y


def _windows(x: Any, window: tuple[int, ...], strides: tuple[int, ...],
             dilation: tuple[int, ...], padding: str, fill: float = 0.0) -> tuple[Any, list]:
    """Pad ``x`` (batch, *spatial, channels) as Keras does; list every window offset.

    Returns ``(padded, [(offset, slices)])`` where ``padded[slices]`` is the
    input under kernel tap ``offset`` at every output position.
    """
    import numpy as np

    spans = [d * (k - 1) + 1 for k, d in zip(window, dilation)]
    pads = [same_pads(n, s, st, padding) for n, s, st in zip(x.shape[1:-1], spans, strides)]
    if any(p != (0, 0) for p in pads):
        x = np.pad(x, ((0, 0), *pads, (0, 0)), constant_values=fill)
    out = [(n - s) // st + 1 for n, s, st in zip(x.shape[1:-1], spans, strides)]
    taps = []
    for offset in product(*(range(k) for k in window)):
        slices = tuple(slice(o * d, o * d + st * (n - 1) + 1, st)
                       for o, d, st, n in zip(offset, dilation, strides, out))
        taps.append((offset, (slice(None), *slices)))
    return x, taps


def _torch_name(base: str, rank: int) -> str:
    return f"nn.{base}{rank}d"


class ConvBase(Layer):
    """What every convolution shares: rank, window arguments, output shape rule."""

    RANK: ClassVar[int] = 1
    CAUSAL: ClassVar[bool] = False
    COMPACT_ARGS = WINDOW_ARGS
    IGNORED_ARGS = LAYER_BASE_ARGS

    @classmethod
    def window_args(cls) -> tuple[Arg, ...]:
        r = cls.RANK
        pads = ("valid", "same", "causal") if cls.CAUSAL else ("valid", "same")
        return (size_arg("kernel_size", r), size_arg("strides", r, 1),
                Arg("padding", padding_choice(*pads), "valid"), DATA_FORMAT,
                size_arg("dilation_rate", r, 1))

    def in_channels(self, x: Shape) -> int:
        """The known channel count of the input (rank checked)."""
        r, fmt = self.RANK, self.config["data_format"]
        require_rank(x, r + 2, _rank_text(r, fmt))
        _, c_axis = spatial_axes(r, fmt)
        return require_known(x[c_axis], "channels", x)

    def out_channels(self, cin: int) -> int:
        raise NotImplementedError

    def output_shapes(self, inputs: list[Shape]) -> list[Shape]:
        x = inputs[0]
        cout = self.out_channels(self.in_channels(x))
        c = self.config
        axes, c_axis = spatial_axes(self.RANK, c["data_format"])
        out = list(x)
        for i, a in enumerate(axes):
            out[a] = conv_length(x[a], c["kernel_size"][i], c["strides"][i], c["padding"],
                                 c["dilation_rate"][i])
        out[c_axis] = cout
        return [tuple(out)]

    def scratch_values(self, inputs: list[Shape], outputs: list[Shape]) -> int:
        """The padded input, one tap's input slice and the output being summed."""
        def n(shape: Shape) -> int:
            return prod(d or 1 for d in shape)
        return 2 * n(inputs[0]) + 3 * n(outputs[0])

    def positions_of(self, y: Shape) -> Shape:
        """(batch, *spatial) of an output shape: where one output vector is computed."""
        axes, _ = spatial_axes(self.RANK, self.config["data_format"])
        return (y[0], *(y[a] for a in axes))

    def kernel_text(self) -> tuple[str, str]:
        """(``k`` / ``kh·kw`` symbol, its numbers) for cost formulas."""
        k = self.config["kernel_size"]
        sym = {1: "k", 2: "kh·kw", 3: "kd·kh·kw"}[self.RANK]
        return sym, "·".join(str(i) for i in k)

    def activation_terms(self, y: Shape) -> list[CostTerm]:
        act = self.config["activation"]
        if act == "linear":
            return []
        return [CostTerm(f"activation ({act})", ACT, 1, size(y), "1", "1", describe_dims(y, 0))]

    def torch_window_kwargs(self, notes: list[str]) -> list[str]:
        """stride/padding/dilation keywords of nn.ConvNd (notes where torch differs)."""
        c = self.config
        kw = []
        if max(c["strides"]) > 1:
            kw.append(f"stride={_tuple_text(c['strides'])}")
        if c["padding"] == "same":
            if max(c["strides"]) > 1:
                notes.append("nn.Conv has no padding='same' with stride > 1: pad with F.pad "
                             "as TensorFlow does (extra row/column at the end)")
            else:
                kw.append("padding='same'")
        if c["padding"] == "causal":
            notes.append(f"nn.Conv{self.RANK}d has no padding='causal': left-pad by "
                         "dilation·(k−1) with F.pad")
        if max(c["dilation_rate"]) > 1:
            kw.append(f"dilation={_tuple_text(c['dilation_rate'])}")
        if c["data_format"] != "channels_first":
            notes.append(f"nn.Conv{self.RANK}d is channels-first: permute the channels-last "
                         "input (channels to axis 1) and the output back")
        if c["activation"] != "linear":
            notes.append(f"activation '{c['activation']}' is a separate call in PyTorch")
        return kw


def _tuple_text(values: tuple[int, ...]) -> str:
    return str(values[0]) if len(values) == 1 else str(tuple(values))


def _conv_forward(x: Any, kernel: Any, config: dict[str, Any], groups: int = 1) -> Any:
    """Grouped N-D convolution of channels-last ``x``; kernel ``(*k, C/groups, F)``."""
    import numpy as np

    xp, taps = _windows(x, config["kernel_size"], config["strides"], config["dilation_rate"],
                        config["padding"])
    cin, fout = kernel.shape[-2], kernel.shape[-1] // groups
    out_shape = None
    y = None
    for offset, sl in taps:
        xs = xp[sl]                                          # (batch, *out, C)
        if y is None:
            out_shape = xs.shape[:-1]
            y = np.zeros((*out_shape, kernel.shape[-1]), dtype=np.result_type(x, kernel))
        k = kernel[offset]                                   # (C/groups, F)
        if groups == 1:
            y += xs @ k
        else:
            for g in range(groups):
                y[..., g * fout:(g + 1) * fout] += (
                    xs[..., g * cin:(g + 1) * cin] @ k[:, g * fout:(g + 1) * fout])
    return y


def _depthwise_forward(x: Any, kernel: Any, config: dict[str, Any]) -> Any:
    """Depthwise N-D convolution of channels-last ``x``; kernel ``(*k, C, M)``.

    Output channel ``c·M + m`` is input channel ``c`` under multiplier ``m``.
    """
    import numpy as np

    xp, taps = _windows(x, config["kernel_size"], config["strides"], config["dilation_rate"],
                        config["padding"])
    y = None
    for offset, sl in taps:
        term = xp[sl][..., :, None] * kernel[offset]          # (batch, *out, C, M)
        y = term if y is None else y + term
    return y.reshape(*y.shape[:-2], -1).astype(np.result_type(x, kernel), copy=False)


class Conv(ConvBase):
    """``Conv1D/2D/3D``: kernel ``(*kernel_size, in_channels / groups, filters)``."""

    @classmethod
    def make_args(cls) -> tuple[Arg, ...]:
        return (Arg("filters", positive_int), *cls.window_args(),
                Arg("groups", positive_int, 1),
                Arg("activation", activation, "linear"), Arg("use_bias", boolean, True),
                init_arg("kernel_initializer", "glorot_uniform"),
                init_arg("bias_initializer", "zeros"), *CONV_IGNORED,
                Arg("lora_rank", optional(anything), None, positional=False),
                Arg("lora_alpha", optional(anything), None, positional=False))

    @classmethod
    def check_config(cls, config: dict[str, Any]) -> None:
        if config["filters"] % config["groups"]:
            raise SpecError(f"argument 'groups': filters ({config['filters']}) must be "
                            f"divisible by groups ({config['groups']})")
        if max(config["strides"]) > 1 and max(config["dilation_rate"]) > 1:
            raise SpecError("strides > 1 is not supported with dilation_rate > 1 "
                            f"(got strides={list(config['strides'])}, "
                            f"dilation_rate={list(config['dilation_rate'])})")

    def in_channels(self, x: Shape) -> int:
        c = super().in_channels(x)
        if c % self.config["groups"]:
            raise SpecError(f"input channels ({c}) must be divisible by groups "
                            f"({self.config['groups']}), got input {format_shape(x)}")
        return c

    def out_channels(self, cin: int) -> int:
        return self.config["filters"]

    def build_weights(self, inputs: list[Shape]) -> list[Weight]:
        c = self.config
        cin = self.in_channels(inputs[0]) // c["groups"]
        k, f = c["kernel_size"], c["filters"]
        taps = tuple(f"{n} kernel {a}" for n, a in zip(k, _AXES[self.RANK]))
        if self.RANK == 1:
            taps = (f"{k[0]} kernel taps",)
        weights = [Weight("kernel", (*k, cin, f), c["kernel_initializer"], role="kernel",
                          dims=(*taps, f"{cin} input channels per group", f"{f} filters"))]
        if c["use_bias"]:
            weights.append(Weight("bias", (f,), c["bias_initializer"], role="bias",
                                  dims=(f"{f} filters",)))
        return weights

    def cost(self, inputs: list[Shape], outputs: list[Shape],
             convention: str = "keras") -> list[CostTerm]:
        """Per output position: ``k·C_in/groups·F`` MACs, ``F`` bias adds."""
        c = self.config
        y = outputs[0]
        where_shape = self.positions_of(y)
        f = c["filters"]
        cin = self.in_channels(inputs[0]) // c["groups"]
        ksym, knum = self.kernel_text()
        over, where = size(where_shape), describe_dims(where_shape, 0)
        terms = [CostTerm("convolution", MAC, prod(c["kernel_size"]) * cin * f, over,
                          f"{ksym}·C_in/groups·F", f"{knum}·{cin}·{f}", where)]
        if c["use_bias"]:
            terms.append(CostTerm("bias add", ADD, f, over, "F", f"{f}", where))
        return terms + self.activation_terms(y)

    def torch_modules(self, inputs: list[Shape]) -> list[TorchModule]:
        c = self.config
        cin_all = self.in_channels(inputs[0])
        cin = cin_all // c["groups"]
        k, f = c["kernel_size"], c["filters"]
        notes: list[str] = []
        kw = self.torch_window_kwargs(notes)
        kw += [f"groups={c['groups']}"] if c["groups"] > 1 else []
        kw += [] if c["use_bias"] else ["bias=False"]
        taps = tuple(f"{n} kernel {a}" for n, a in zip(k, _AXES[self.RANK]))
        state = [TorchParam("weight", (f, cin, *k), "kernel (axes reordered)",
                            (f"{f} filters", f"{cin} input channels per group", *taps),
                            trainable=self.trainable)]
        if c["use_bias"]:
            state.append(TorchParam("bias", (f,), "bias", (f"{f} filters",),
                                    trainable=self.trainable))
        args = [str(cin_all), str(f), _tuple_text(k), *kw]
        return [TorchModule(f"{_torch_name('Conv', self.RANK)}({', '.join(args)})",
                            tuple(state), tuple(notes))]

    def forward(self, inputs: list[Any], weights: dict[str, Any], mask: Any = None) -> list[Any]:
        from rnncalc.layers.ops import apply

        c = self.config
        x = _channels_last(inputs[0], c["data_format"])
        y = _conv_forward(x, weights["kernel"], c, c["groups"])
        if "bias" in weights:
            y += weights["bias"]
        return [_restore(apply(c["activation"], y), c["data_format"])]


class Conv1D(Conv):
    """1-D convolution over time (``padding='causal'`` allowed)."""

    kind = "Conv1D"
    aliases = ("Convolution1D",)
    RANK = 1
    CAUSAL = True


class Conv2D(Conv):
    """2-D convolution over (rows, cols): the image front of a CRNN."""

    kind = "Conv2D"
    aliases = ("Convolution2D",)
    RANK = 2


class Conv3D(Conv):
    """3-D convolution over (depth, rows, cols)."""

    kind = "Conv3D"
    aliases = ("Convolution3D",)
    RANK = 3


Conv1D.ARGS = Conv1D.make_args()
Conv2D.ARGS = Conv2D.make_args()
Conv3D.ARGS = Conv3D.make_args()


class DepthwiseConv(ConvBase):
    """Each input channel convolved on its own, ``depth_multiplier`` times."""

    @classmethod
    def make_args(cls) -> tuple[Arg, ...]:
        window = cls.window_args()      # Keras: kernel_size, strides, padding, depth_multiplier
        return (*window[:3], Arg("depth_multiplier", positive_int, 1), *window[3:],
                Arg("activation", activation, "linear"), Arg("use_bias", boolean, True),
                init_arg("depthwise_initializer", "glorot_uniform"),
                init_arg("bias_initializer", "zeros"),
                *ignored("depthwise_regularizer", "bias_regularizer", "activity_regularizer",
                         "depthwise_constraint", "bias_constraint"))

    def out_channels(self, cin: int) -> int:
        return cin * self.config["depth_multiplier"]

    def build_weights(self, inputs: list[Shape]) -> list[Weight]:
        c = self.config
        cin = self.in_channels(inputs[0])
        k, m = c["kernel_size"], c["depth_multiplier"]
        taps = (f"{k[0]} kernel taps",) if self.RANK == 1 else tuple(
            f"{n} kernel {a}" for n, a in zip(k, _AXES[self.RANK]))
        weights = [Weight("kernel", (*k, cin, m), c["depthwise_initializer"],
                          role="depthwise kernel",
                          dims=(*taps, f"{cin} input channels", f"{m} depth multiplier"))]
        if c["use_bias"]:
            weights.append(Weight("bias", (cin * m,), c["bias_initializer"], role="bias",
                                  dims=(f"{cin} channels × {m} depth multiplier",)))
        return weights

    def cost(self, inputs: list[Shape], outputs: list[Shape],
             convention: str = "keras") -> list[CostTerm]:
        """Per output position: ``k·C_in·M`` MACs (one tap per output channel), bias adds."""
        c = self.config
        y = outputs[0]
        cin, m = self.in_channels(inputs[0]), c["depth_multiplier"]
        where_shape = self.positions_of(y)
        ksym, knum = self.kernel_text()
        over, where = size(where_shape), describe_dims(where_shape, 0)
        terms = [CostTerm("depthwise convolution", MAC, prod(c["kernel_size"]) * cin * m, over,
                          f"{ksym}·C_in·M", f"{knum}·{cin}·{m}", where)]
        if c["use_bias"]:
            terms.append(CostTerm("bias add", ADD, cin * m, over, "C_in·M", f"{cin}·{m}", where))
        return terms + self.activation_terms(y)

    def torch_modules(self, inputs: list[Shape]) -> list[TorchModule]:
        c = self.config
        cin, m, k = self.in_channels(inputs[0]), c["depth_multiplier"], c["kernel_size"]
        notes: list[str] = ["Keras' depthwise kernel (k, C, M) is torch's weight (C·M, 1, k)"]
        kw = self.torch_window_kwargs(notes) + [f"groups={cin}"]
        kw += [] if c["use_bias"] else ["bias=False"]
        state = [TorchParam("weight", (cin * m, 1, *k), "depthwise kernel (axes reordered)",
                            (f"{cin}·{m} output channels", "1 input channel per group",
                             *(f"{n} kernel taps" for n in k)), trainable=self.trainable)]
        if c["use_bias"]:
            state.append(TorchParam("bias", (cin * m,), "bias", (f"{cin}·{m} channels",),
                                    trainable=self.trainable))
        args = [str(cin), str(cin * m), _tuple_text(k), *kw]
        return [TorchModule(f"{_torch_name('Conv', self.RANK)}({', '.join(args)})",
                            tuple(state), tuple(notes))]

    def forward(self, inputs: list[Any], weights: dict[str, Any], mask: Any = None) -> list[Any]:
        from rnncalc.layers.ops import apply

        c = self.config
        x = _channels_last(inputs[0], c["data_format"])
        y = _depthwise_forward(x, weights["kernel"], c)
        if "bias" in weights:
            y += weights["bias"]
        return [_restore(apply(c["activation"], y), c["data_format"])]


class DepthwiseConv1D(DepthwiseConv):
    """1-D depthwise convolution: kernel ``(k, C, depth_multiplier)``."""

    kind = "DepthwiseConv1D"
    RANK = 1


class DepthwiseConv2D(DepthwiseConv):
    """2-D depthwise convolution: kernel ``(kh, kw, C, depth_multiplier)``."""

    kind = "DepthwiseConv2D"
    RANK = 2


DepthwiseConv1D.ARGS = DepthwiseConv1D.make_args()
DepthwiseConv2D.ARGS = DepthwiseConv2D.make_args()


class SeparableConv(ConvBase):
    """Depthwise convolution then a 1×1 (pointwise) convolution to ``filters``."""

    @classmethod
    def make_args(cls) -> tuple[Arg, ...]:
        window = cls.window_args()
        return (Arg("filters", positive_int), *window, Arg("depth_multiplier", positive_int, 1),
                Arg("activation", activation, "linear"), Arg("use_bias", boolean, True),
                init_arg("depthwise_initializer", "glorot_uniform"),
                init_arg("pointwise_initializer", "glorot_uniform"),
                init_arg("bias_initializer", "zeros"),
                *ignored("depthwise_regularizer", "pointwise_regularizer", "bias_regularizer",
                         "activity_regularizer", "depthwise_constraint",
                         "pointwise_constraint", "bias_constraint"))

    def out_channels(self, cin: int) -> int:
        return self.config["filters"]

    def build_weights(self, inputs: list[Shape]) -> list[Weight]:
        c = self.config
        cin = self.in_channels(inputs[0])
        k, m, f = c["kernel_size"], c["depth_multiplier"], c["filters"]
        taps = (f"{k[0]} kernel taps",) if self.RANK == 1 else tuple(
            f"{n} kernel {a}" for n, a in zip(k, _AXES[self.RANK]))
        weights = [
            Weight("depthwise_kernel", (*k, cin, m), c["depthwise_initializer"],
                   role="depthwise kernel",
                   dims=(*taps, f"{cin} input channels", f"{m} depth multiplier")),
            Weight("pointwise_kernel", (*(1,) * self.RANK, cin * m, f),
                   c["pointwise_initializer"], role="pointwise (1×1) kernel",
                   dims=(*("1",) * self.RANK, f"{cin}·{m} depthwise channels", f"{f} filters"))]
        if c["use_bias"]:
            weights.append(Weight("bias", (f,), c["bias_initializer"], role="bias",
                                  dims=(f"{f} filters",)))
        return weights

    def cost(self, inputs: list[Shape], outputs: list[Shape],
             convention: str = "keras") -> list[CostTerm]:
        """Per output position: ``k·C_in·M`` depthwise MACs, ``C_in·M·F`` pointwise MACs."""
        c = self.config
        y = outputs[0]
        cin, m, f = self.in_channels(inputs[0]), c["depth_multiplier"], c["filters"]
        where_shape = self.positions_of(y)
        ksym, knum = self.kernel_text()
        over, where = size(where_shape), describe_dims(where_shape, 0)
        terms = [CostTerm("depthwise convolution", MAC, prod(c["kernel_size"]) * cin * m, over,
                          f"{ksym}·C_in·M", f"{knum}·{cin}·{m}", where),
                 CostTerm("pointwise convolution", MAC, cin * m * f, over, "C_in·M·F",
                          f"{cin}·{m}·{f}", where)]
        if c["use_bias"]:
            terms.append(CostTerm("bias add", ADD, f, over, "F", f"{f}", where))
        return terms + self.activation_terms(y)

    def torch_modules(self, inputs: list[Shape]) -> list[TorchModule]:
        c = self.config
        cin, m, f, k = (self.in_channels(inputs[0]), c["depth_multiplier"], c["filters"],
                        c["kernel_size"])
        notes: list[str] = ["torch.nn has no separable convolution: a depthwise nn.Conv "
                            "(groups=C_in, no bias) followed by a 1×1 nn.Conv"]
        kw = self.torch_window_kwargs(notes)
        conv = _torch_name("Conv", self.RANK)
        t = self.trainable
        depth = TorchModule(
            f"{conv}({cin}, {cin * m}, {_tuple_text(k)}, {', '.join([*kw, f'groups={cin}'])}, "
            "bias=False)",
            (TorchParam("weight", (cin * m, 1, *k), "depthwise kernel (axes reordered)",
                        (f"{cin}·{m} output channels", "1 input channel per group",
                         *(f"{n} kernel taps" for n in k)), trainable=t),),
            tuple(notes), prefix="depthwise.")
        state = [TorchParam("weight", (f, cin * m, *(1,) * self.RANK),
                            "pointwise kernel (axes reordered)",
                            (f"{f} filters", f"{cin}·{m} depthwise channels",
                             *("1",) * self.RANK), trainable=t)]
        if c["use_bias"]:
            state.append(TorchParam("bias", (f,), "bias", (f"{f} filters",), trainable=t))
        point = TorchModule(f"{conv}({cin * m}, {f}, 1{'' if c['use_bias'] else ', bias=False'})",
                            tuple(state), (), prefix="pointwise.")
        return [depth, point]

    def forward(self, inputs: list[Any], weights: dict[str, Any], mask: Any = None) -> list[Any]:
        from rnncalc.layers.ops import apply

        c = self.config
        x = _channels_last(inputs[0], c["data_format"])
        d = _depthwise_forward(x, weights["depthwise_kernel"], c)
        point = weights["pointwise_kernel"]
        y = d @ point.reshape(point.shape[-2], point.shape[-1])
        if "bias" in weights:
            y += weights["bias"]
        return [_restore(apply(c["activation"], y), c["data_format"])]


class SeparableConv1D(SeparableConv):
    """1-D separable convolution: depthwise ``(k, C, M)`` then pointwise ``(1, C·M, F)``."""

    kind = "SeparableConv1D"
    aliases = ("SeparableConvolution1D",)
    RANK = 1


class SeparableConv2D(SeparableConv):
    """2-D separable convolution: depthwise ``(kh, kw, C, M)``, pointwise ``(1, 1, C·M, F)``."""

    kind = "SeparableConv2D"
    aliases = ("SeparableConvolution2D",)
    RANK = 2


SeparableConv1D.ARGS = SeparableConv1D.make_args()
SeparableConv2D.ARGS = SeparableConv2D.make_args()


# -- window poolings ---------------------------------------------------------------


class Pooling(Layer):
    """Shared shape rule and window sweep of the max and average poolings of any rank."""

    RANK: ClassVar[int] = 1
    IGNORED_ARGS = LAYER_BASE_ARGS
    COMPACT_ARGS = WINDOW_ARGS
    POOL_DEFAULT: ClassVar[int | None] = 2
    TORCH: ClassVar[str] = ""

    @classmethod
    def make_args(cls) -> tuple[Arg, ...]:
        r = cls.RANK
        pool = (size_arg("pool_size", r) if cls.POOL_DEFAULT is None
                else size_arg("pool_size", r, cls.POOL_DEFAULT))
        return (pool, Arg("strides", optional(sizes(r)), None),
                Arg("padding", padding_choice("valid", "same"), "valid"), DATA_FORMAT)

    def strides(self) -> tuple[int, ...]:
        return self.config["strides"] or self.config["pool_size"]

    def output_shapes(self, inputs: list[Shape]) -> list[Shape]:
        x = inputs[0]
        c = self.config
        require_rank(x, self.RANK + 2, _rank_text(self.RANK, c["data_format"]))
        axes, _ = spatial_axes(self.RANK, c["data_format"])
        out = list(x)
        for i, a in enumerate(axes):
            out[a] = conv_length(x[a], c["pool_size"][i], self.strides()[i], c["padding"])
        return [tuple(out)]

    #: ``(what, op, per_window)`` with ``per_window(n)`` the count for a window of n.
    REDUCE: tuple[tuple[str, str, Any], ...] = ()

    def scratch_values(self, inputs: list[Shape], outputs: list[Shape]) -> int:
        """The padded input and every window stacked: ``prod(pool_size)`` outputs' worth."""
        def n(shape: Shape) -> int:
            return prod(d or 1 for d in shape)
        return n(inputs[0]) + (prod(self.config["pool_size"]) + 2) * n(outputs[0])

    def cost(self, inputs: list[Shape], outputs: list[Shape],
             convention: str = "keras") -> list[CostTerm]:
        """Per output element, the reduction over a window of ``prod(pool_size)`` values."""
        n, y = prod(self.config["pool_size"]), outputs[0]
        return [CostTerm(what, op, per(n), size(y), f"{per(n)}", f"{per(n)}",
                         describe_dims(y, 0)) for what, op, per in self.REDUCE]

    def forward(self, inputs: list[Any], weights: dict[str, Any], mask: Any = None) -> list[Any]:
        import numpy as np

        c = self.config
        x = _channels_last(inputs[0], c["data_format"])
        # padded positions are NaN: left out of both the max and the mean (as TF/JAX)
        xp, taps = _windows(x.astype(np.float32, copy=False), c["pool_size"], self.strides(),
                            (1,) * self.RANK, c["padding"], fill=np.nan)
        windows = np.stack([xp[sl] for _, sl in taps])      # (window, batch, *out, channels)
        return [_restore(self.pool(windows), c["data_format"])]

    def pool(self, windows: Any) -> Any:
        """Reduce axis 0 of (window, batch, *out, channels), ignoring NaN padding."""
        raise NotImplementedError

    def torch_modules(self, inputs: list[Shape]) -> list[TorchModule]:
        c = self.config
        kw = [f"stride={_tuple_text(self.strides())}"] if self.strides() != c["pool_size"] else []
        kw += self.TORCH_EXTRA
        notes = []
        if c["padding"] == "same":
            notes.append(f"{self.TORCH} has no padding='same': pad with F.pad as TensorFlow "
                         "does (padded values left out of the window)")
        if c["data_format"] != "channels_first":
            notes.append(f"{self.TORCH} is channels-first: permute the channels-last input "
                         "(channels to axis 1) and the output back")
        args = [_tuple_text(c["pool_size"]), *kw]
        return [TorchModule(f"{self.TORCH}({', '.join(args)})", (), tuple(notes))]

    TORCH_EXTRA: ClassVar[list[str]] = []


def _fmax(windows: Any) -> Any:
    import numpy as np

    return np.fmax.reduce(windows, axis=0)


def _mean(windows: Any) -> Any:
    import numpy as np

    valid = ~np.isnan(windows)
    return (np.where(valid, windows, 0).sum(axis=0) / valid.sum(axis=0)).astype(np.float32)


_MAX_REDUCE = (("max over the window: n−1 comparisons", CMP, lambda n: n - 1),)
_AVG_REDUCE = (("sum over the window: n−1 adds", ADD, lambda n: n - 1),
               ("scale by 1/n", MUL, lambda n: 1))


class _MaxPooling(Pooling):
    """Maximum over each window (padded positions left out)."""

    REDUCE = _MAX_REDUCE

    def pool(self, windows: Any) -> Any:
        return _fmax(windows)


class _AveragePooling(Pooling):
    """Mean over each window's real positions (Keras 3 has no default pool_size here)."""

    POOL_DEFAULT = None
    REDUCE = _AVG_REDUCE
    TORCH_EXTRA = ["count_include_pad=False"]

    def pool(self, windows: Any) -> Any:
        return _mean(windows)


class MaxPooling1D(_MaxPooling):
    """Maximum over sliding windows of time."""

    kind = "MaxPooling1D"
    aliases = ("MaxPool1D",)
    TORCH = "nn.MaxPool1d"


class MaxPooling2D(_MaxPooling):
    """Maximum over (rows, cols) windows."""

    kind = "MaxPooling2D"
    aliases = ("MaxPool2D",)
    RANK = 2
    TORCH = "nn.MaxPool2d"


class MaxPooling3D(_MaxPooling):
    """Maximum over (depth, rows, cols) windows."""

    kind = "MaxPooling3D"
    aliases = ("MaxPool3D",)
    RANK = 3
    TORCH = "nn.MaxPool3d"


class AveragePooling1D(_AveragePooling):
    """Mean over sliding windows of time."""

    kind = "AveragePooling1D"
    aliases = ("AvgPool1D",)
    TORCH = "nn.AvgPool1d"


class AveragePooling2D(_AveragePooling):
    """Mean over (rows, cols) windows."""

    kind = "AveragePooling2D"
    aliases = ("AvgPool2D",)
    RANK = 2
    TORCH = "nn.AvgPool2d"


class AveragePooling3D(_AveragePooling):
    """Mean over (depth, rows, cols) windows."""

    kind = "AveragePooling3D"
    aliases = ("AvgPool3D",)
    RANK = 3
    TORCH = "nn.AvgPool3d"


for _cls in (MaxPooling1D, MaxPooling2D, MaxPooling3D, AveragePooling1D, AveragePooling2D,
             AveragePooling3D):
    _cls.ARGS = _cls.make_args()


# -- global poolings -------------------------------------------------------------------


class GlobalPooling(Layer):
    """Shared shape rule of the global poolings: every spatial axis disappears."""

    RANK: ClassVar[int] = 1
    IGNORED_ARGS = LAYER_BASE_ARGS
    ARGS = (DATA_FORMAT, Arg("keepdims", boolean, False))
    TORCH: ClassVar[str] = ""

    def output_shapes(self, inputs: list[Shape]) -> list[Shape]:
        x = inputs[0]
        fmt = self.config["data_format"]
        require_rank(x, self.RANK + 2, _rank_text(self.RANK, fmt))
        axes, c_axis = spatial_axes(self.RANK, fmt)
        if self.config["keepdims"]:
            return [tuple(1 if i in axes else d for i, d in enumerate(x))]
        return [(x[0], x[c_axis])]

    #: ``(what, op, per input element, per output element)``.
    REDUCE: tuple[tuple[str, str, int, int], ...] = ()

    def cost(self, inputs: list[Shape], outputs: list[Shape],
             convention: str = "keras") -> list[CostTerm]:
        """One op per input element (a max needs n−1 per channel, counted as n)."""
        x, y = inputs[0], outputs[0]
        terms = []
        for what, op, per_in, per_out in self.REDUCE:
            if per_in:
                terms.append(CostTerm(what, op, per_in, size(x), "1", "1", describe_dims(x, 0)))
            if per_out:
                terms.append(CostTerm(what, op, per_out, positions(y, 0), "1", "1",
                                      describe_dims(y, 0)))
        return terms

    def forward(self, inputs: list[Any], weights: dict[str, Any], mask: Any = None) -> list[Any]:
        x = inputs[0]
        axes, _ = spatial_axes(self.RANK, self.config["data_format"])
        if self.RANK != 1 or not self.SUPPORTS_MASKING:
            mask = None                  # Keras passes a mask only to GlobalAveragePooling1D
        elif mask is not None:
            mask = mask[:, None, :] if axes == (2,) else mask[:, :, None]
        return [self.reduce(x, axes, mask, self.config["keepdims"])]

    def reduce(self, x: Any, axes: tuple[int, ...], mask: Any, keepdims: bool) -> Any:
        """Pool the spatial axes; ``mask`` (broadcastable to x) marks the valid steps."""
        raise NotImplementedError

    def torch_modules(self, inputs: list[Shape]) -> list[TorchModule]:
        notes = ["then flatten (B, C, 1…) to (B, C)"] if not self.config["keepdims"] else []
        if self.config["data_format"] != "channels_first":
            notes.append(f"{self.TORCH} is channels-first: permute the channels-last input "
                         "(channels to axis 1)")
        return [TorchModule(f"{self.TORCH}(1)", (), tuple(notes))]


class _GlobalMax:
    REDUCE = (("max over every position", CMP, 1, 0),)

    def reduce(self, x: Any, axes: tuple[int, ...], mask: Any, keepdims: bool) -> Any:
        # Keras' global max poolings do not support masking: the mask is ignored.
        return x.max(axis=axes, keepdims=keepdims)


class _GlobalAverage:
    REDUCE = (("sum over every position", ADD, 1, 0), ("scale by 1/n", MUL, 0, 1))

    def reduce(self, x: Any, axes: tuple[int, ...], mask: Any, keepdims: bool) -> Any:
        import numpy as np

        if mask is None:
            return x.mean(axis=axes, keepdims=keepdims)
        m = mask.astype(x.dtype)
        with np.errstate(invalid="ignore", divide="ignore"):   # all-masked rows: NaN, as Keras
            return ((x * m).sum(axis=axes, keepdims=keepdims)
                    / m.sum(axis=axes, keepdims=keepdims)).astype(x.dtype)


class GlobalMaxPooling1D(_GlobalMax, GlobalPooling):
    """Maximum over all timesteps."""

    kind = "GlobalMaxPooling1D"
    aliases = ("GlobalMaxPool1D",)
    TORCH = "nn.AdaptiveMaxPool1d"


class GlobalAveragePooling1D(_GlobalAverage, GlobalPooling):
    """Mean over all (unmasked) timesteps."""

    kind = "GlobalAveragePooling1D"
    aliases = ("GlobalAvgPool1D",)
    SUPPORTS_MASKING = True
    TORCH = "nn.AdaptiveAvgPool1d"

    def compute_mask(self, inputs: list[Any], masks: list[Any]) -> list[Any]:
        return [None]


class GlobalMaxPooling2D(_GlobalMax, GlobalPooling):
    """Maximum over all (rows, cols) positions."""

    kind = "GlobalMaxPooling2D"
    aliases = ("GlobalMaxPool2D",)
    RANK = 2
    TORCH = "nn.AdaptiveMaxPool2d"


class GlobalAveragePooling2D(_GlobalAverage, GlobalPooling):
    """Mean over all (rows, cols) positions (Keras 3 takes no mask here)."""

    kind = "GlobalAveragePooling2D"
    aliases = ("GlobalAvgPool2D",)
    RANK = 2
    TORCH = "nn.AdaptiveAvgPool2d"


class GlobalMaxPooling3D(_GlobalMax, GlobalPooling):
    """Maximum over all (depth, rows, cols) positions."""

    kind = "GlobalMaxPooling3D"
    aliases = ("GlobalMaxPool3D",)
    RANK = 3
    TORCH = "nn.AdaptiveMaxPool3d"


class GlobalAveragePooling3D(_GlobalAverage, GlobalPooling):
    """Mean over all (depth, rows, cols) positions."""

    kind = "GlobalAveragePooling3D"
    aliases = ("GlobalAvgPool3D",)
    RANK = 3
    TORCH = "nn.AdaptiveAvgPool3d"
