"""Conv1D and the 1-D pooling layers."""

from __future__ import annotations

from typing import Any

from rnncalc.errors import SpecError
from rnncalc.layers.activations import activation
from rnncalc.layers.arguments import (
    Arg,
    boolean,
    choice,
    int_tuple,
    optional,
    positive_int,
    regularized,
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


def _one(name: str, default: Any = None) -> Arg:
    """A 1-D size argument: an int or a one-element list."""
    check = int_tuple(1)
    return Arg(name, lambda v: check(v)[0], default) if default is not None else Arg(
        name, lambda v: check(v)[0])


def conv_length(length: Dim, window: int, stride: int, padding: str, dilation: int = 1) -> Dim:
    """Output length of a 1-D window sweep, as Keras computes it."""
    if length is None:
        return None
    if padding in ("same", "causal"):
        return (length + stride - 1) // stride
    span = dilation * (window - 1) + 1
    out = (length - span) // stride + 1
    if out < 1:
        raise SpecError(f"a window of {span} steps does not fit in input length {length} "
                        "with padding 'valid'")
    return out


def channels(x: Shape, data_format: str | None) -> tuple[int, int]:
    """(time axis, channel axis) of a rank-3 input."""
    return (2, 1) if data_format == "channels_first" else (1, 2)


def _pads(length: int, window: int, stride: int, padding: str) -> tuple[int, int]:
    """(left, right) padding of the time axis, as TF/Keras place it."""
    if padding == "causal":
        return window - 1, 0
    if padding != "same":
        return 0, 0
    out = -(-length // stride)
    total = max((out - 1) * stride + window - length, 0)
    return total // 2, total - total // 2


class Conv1D(Layer):
    """1-D convolution: ``kernel (kernel_size, in_channels / groups, filters)``."""

    kind = "Conv1D"
    aliases = ("Convolution1D",)
    IGNORED_ARGS = regularized("kernel", "bias") | {"lora_alpha"}
    NOT_MODELLED = {"lora_rank": None}
    ARGS = (
        Arg("filters", positive_int),
        _one("kernel_size"),
        _one("strides", 1),
        Arg("padding", choice("valid", "same", "causal"), "valid"),
        DATA_FORMAT,
        _one("dilation_rate", 1),
        Arg("groups", positive_int, 1),
        Arg("activation", activation, "linear"),
        Arg("use_bias", boolean, True),
        init_arg("kernel_initializer", "glorot_uniform"),
        init_arg("bias_initializer", "zeros"),
    )

    @classmethod
    def check_config(cls, config: dict[str, Any]) -> None:
        if config["filters"] % config["groups"]:
            raise SpecError(f"argument 'groups': filters ({config['filters']}) must be "
                            f"divisible by groups ({config['groups']})")
        if config["strides"] > 1 and config["dilation_rate"] > 1:
            raise SpecError("strides > 1 is not compatible with dilation_rate > 1")

    def _in_channels(self, x: Shape) -> int:
        require_rank(x, 3, "(batch, steps, channels)")
        _, c_axis = channels(x, self.config["data_format"])
        c = require_known(x[c_axis], "channels", x)
        if c % self.config["groups"]:
            raise SpecError(f"input channels ({c}) must be divisible by groups "
                            f"({self.config['groups']}), got input {format_shape(x)}")
        return c

    def build_weights(self, inputs: list[Shape]) -> list[Weight]:
        c = self.config
        cin = self._in_channels(inputs[0]) // c["groups"]
        k, f = c["kernel_size"], c["filters"]
        weights = [Weight("kernel", (k, cin, f), c["kernel_initializer"], role="kernel",
                          dims=(f"{k} kernel taps", f"{cin} input channels per group",
                                f"{f} filters"))]
        if c["use_bias"]:
            weights.append(Weight("bias", (f,), c["bias_initializer"], role="bias",
                                  dims=(f"{f} filters",)))
        return weights

    def output_shapes(self, inputs: list[Shape]) -> list[Shape]:
        x = inputs[0]
        self._in_channels(x)
        c = self.config
        t_axis, _ = channels(x, c["data_format"])
        length = conv_length(x[t_axis], c["kernel_size"], c["strides"], c["padding"],
                             c["dilation_rate"])
        if c["data_format"] == "channels_first":
            return [(x[0], c["filters"], length)]
        return [(x[0], length, c["filters"])]

    def cost(self, inputs: list[Shape], outputs: list[Shape],
             convention: str = "keras") -> list[CostTerm]:
        """Per output step: ``k·C_in/groups·F`` MACs, ``F`` bias adds."""
        c = self.config
        y = outputs[0]
        steps = (y[0], y[2]) if c["data_format"] == "channels_first" else y[:2]
        k, f = c["kernel_size"], c["filters"]
        cin = self._in_channels(inputs[0]) // c["groups"]
        over, where = size(steps), describe_dims(steps, 0)
        terms = [CostTerm("convolution", MAC, k * cin * f, over, "k·C_in/groups·F",
                          f"{k}·{cin}·{f}", where)]
        if c["use_bias"]:
            terms.append(CostTerm("bias add", ADD, f, over, "F", f"{f}", where))
        if c["activation"] != "linear":
            terms.append(CostTerm(f"activation ({c['activation']})", ACT, f, over, "F",
                                  f"{f}", where))
        return terms

    def torch_modules(self, inputs: list[Shape]) -> list[TorchModule]:
        c = self.config
        cin_all = self._in_channels(inputs[0])
        cin = cin_all // c["groups"]
        k, f = c["kernel_size"], c["filters"]
        kw = [f"stride={c['strides']}"] if c["strides"] > 1 else []
        kw += [f"padding='{c['padding']}'"] if c["padding"] == "same" else []
        kw += [f"dilation={c['dilation_rate']}"] if c["dilation_rate"] > 1 else []
        kw += [f"groups={c['groups']}"] if c["groups"] > 1 else []
        kw += [] if c["use_bias"] else ["bias=False"]
        state = [TorchParam("weight", (f, cin, k), "kernel (axes reordered)",
                            (f"{f} filters", f"{cin} input channels per group",
                             f"{k} kernel taps"), trainable=self.trainable)]
        if c["use_bias"]:
            state.append(TorchParam("bias", (f,), "bias", (f"{f} filters",),
                                    trainable=self.trainable))
        notes = []
        if c["data_format"] != "channels_first":
            notes.append("nn.Conv1d is channels-first: permute (B, T, C) to (B, C, T)")
        if c["padding"] == "causal":
            notes.append("nn.Conv1d has no padding='causal': left-pad by dilation·(k−1) "
                         "with F.pad")
        if c["activation"] != "linear":
            notes.append(f"activation '{c['activation']}' is a separate call in PyTorch")
        return [TorchModule(f"nn.Conv1d({', '.join([str(cin_all), str(f), str(k), *kw])})",
                            tuple(state), tuple(notes))]

    def forward(self, inputs: list[Any], weights: dict[str, Any], mask: Any = None) -> list[Any]:
        import numpy as np

        from rnncalc.layers.ops import apply

        c = self.config
        first = c["data_format"] == "channels_first"
        x = inputs[0].transpose(0, 2, 1) if first else inputs[0]    # (batch, steps, channels)
        k, stride, dilation, groups = (c["kernel_size"], c["strides"], c["dilation_rate"],
                                       c["groups"])
        span = dilation * (k - 1) + 1
        x = np.pad(x, ((0, 0), _pads(x.shape[1], span, stride, c["padding"]), (0, 0)))
        length = (x.shape[1] - span) // stride + 1
        kernel = weights["kernel"]                         # (taps, channels / groups, filters)
        cin, fout = kernel.shape[1], c["filters"] // groups
        y = np.zeros((x.shape[0], length, c["filters"]), dtype=np.result_type(x, kernel))
        for tap in range(k):
            start = tap * dilation
            xs = x[:, start:start + stride * (length - 1) + 1:stride]   # (batch, length, ch)
            for g in range(groups):
                y[..., g * fout:(g + 1) * fout] += (
                    xs[..., g * cin:(g + 1) * cin] @ kernel[tap, :, g * fout:(g + 1) * fout])
        if "bias" in weights:
            y += weights["bias"]
        y = apply(c["activation"], y)
        return [y.transpose(0, 2, 1) if first else y]


class Pooling1D(Layer):
    """Shared shape rule of MaxPooling1D and AveragePooling1D."""

    ARGS = (
        _one("pool_size", 2),
        Arg("strides", optional(lambda v: int_tuple(1)(v)[0]), None),
        Arg("padding", choice("valid", "same"), "valid"),
        DATA_FORMAT,
    )

    def output_shapes(self, inputs: list[Shape]) -> list[Shape]:
        x = inputs[0]
        require_rank(x, 3, "(batch, steps, channels)")
        c = self.config
        stride = c["strides"] or c["pool_size"]
        t_axis, _ = channels(x, c["data_format"])
        out = list(x)
        out[t_axis] = conv_length(x[t_axis], c["pool_size"], stride, c["padding"])
        return [tuple(out)]

    #: ``(what, op, per_window)`` with ``per_window(n)`` the count for a window of n.
    REDUCE: tuple[tuple[str, str, Any], ...] = ()

    def cost(self, inputs: list[Shape], outputs: list[Shape],
             convention: str = "keras") -> list[CostTerm]:
        """Per output element, the reduction over a window of ``pool_size`` values."""
        n, y = self.config["pool_size"], outputs[0]
        return [CostTerm(what, op, per(n), size(y), f"{per(n)}", f"{per(n)}",
                         describe_dims(y, 0)) for what, op, per in self.REDUCE]

    def forward(self, inputs: list[Any], weights: dict[str, Any], mask: Any = None) -> list[Any]:
        import numpy as np

        c = self.config
        first = c["data_format"] == "channels_first"
        x = inputs[0].transpose(0, 2, 1) if first else inputs[0]    # (batch, steps, channels)
        size, stride = c["pool_size"], c["strides"] or c["pool_size"]
        left, right = _pads(x.shape[1], size, stride, c["padding"])
        # padded positions are NaN: left out of both the max and the mean (as TF/JAX)
        xp = np.pad(x.astype(np.float32, copy=False), ((0, 0), (left, right), (0, 0)),
                    constant_values=np.nan)
        length = (xp.shape[1] - size) // stride + 1
        windows = np.stack([xp[:, i:i + stride * (length - 1) + 1:stride]
                            for i in range(size)])             # (size, batch, length, ch)
        y = self.pool(windows)
        return [y.transpose(0, 2, 1) if first else y]

    def pool(self, windows: Any) -> Any:
        """Reduce axis 0 of (pool_size, batch, length, channels), ignoring NaN padding."""
        raise NotImplementedError


class MaxPooling1D(Pooling1D):
    """Maximum over sliding windows of time."""

    kind = "MaxPooling1D"
    REDUCE = (("max over the window: n−1 comparisons", CMP, lambda n: n - 1),)
    aliases = ("MaxPool1D",)

    def pool(self, windows: Any) -> Any:
        import numpy as np

        return np.fmax.reduce(windows, axis=0)


class AveragePooling1D(Pooling1D):
    """Mean over sliding windows of time (Keras 3 has no default pool_size here)."""

    kind = "AveragePooling1D"
    REDUCE = (("sum over the window: n−1 adds", ADD, lambda n: n - 1),
              ("scale by 1/n", MUL, lambda n: 1))
    ARGS = (_one("pool_size"), *Pooling1D.ARGS[1:])
    aliases = ("AvgPool1D",)

    def pool(self, windows: Any) -> Any:
        import numpy as np

        valid = ~np.isnan(windows)
        return (np.where(valid, windows, 0).sum(axis=0) / valid.sum(axis=0)).astype(np.float32)


class GlobalPooling1D(Layer):
    """Shared shape rule of the global 1-D poolings: the time axis disappears."""

    ARGS = (DATA_FORMAT, Arg("keepdims", boolean, False))

    def output_shapes(self, inputs: list[Shape]) -> list[Shape]:
        x = inputs[0]
        require_rank(x, 3, "(batch, steps, channels)")
        t_axis, c_axis = channels(x, self.config["data_format"])
        if self.config["keepdims"]:
            out = list(x)
            out[t_axis] = 1
            return [tuple(out)]
        return [(x[0], x[c_axis])]

    #: ``(what, op, per input element, per output element)``.
    REDUCE: tuple[tuple[str, str, int, int], ...] = ()

    def cost(self, inputs: list[Shape], outputs: list[Shape],
             convention: str = "keras") -> list[CostTerm]:
        """One op per input element (T per channel; a max needs T−1, counted as T)."""
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
        t_axis, c_axis = channels(x.shape, self.config["data_format"])
        if mask is not None:
            mask = mask[:, None, :] if t_axis == 2 else mask[:, :, None]
        return [self.reduce(x, t_axis, mask, self.config["keepdims"])]

    def reduce(self, x: Any, axis: int, mask: Any, keepdims: bool) -> Any:
        """Pool the time axis; ``mask`` (broadcastable to x) marks the valid steps."""
        raise NotImplementedError


class GlobalMaxPooling1D(GlobalPooling1D):
    """Maximum over all timesteps."""

    kind = "GlobalMaxPooling1D"
    REDUCE = (("max over time", CMP, 1, 0),)
    aliases = ("GlobalMaxPool1D",)

    def reduce(self, x: Any, axis: int, mask: Any, keepdims: bool) -> Any:
        # Keras' GlobalMaxPooling1D does not support masking: the mask is ignored.
        return x.max(axis=axis, keepdims=keepdims)


class GlobalAveragePooling1D(GlobalPooling1D):
    """Mean over all (unmasked) timesteps."""

    kind = "GlobalAveragePooling1D"
    REDUCE = (("sum over time", ADD, 1, 0), ("scale by 1/T", MUL, 0, 1))
    aliases = ("GlobalAvgPool1D",)
    SUPPORTS_MASKING = True

    def reduce(self, x: Any, axis: int, mask: Any, keepdims: bool) -> Any:
        import numpy as np

        if mask is None:
            return x.mean(axis=axis, keepdims=keepdims)
        m = mask.astype(x.dtype)
        with np.errstate(invalid="ignore", divide="ignore"):   # all-masked rows: NaN, as Keras
            return ((x * m).sum(axis=axis, keepdims=keepdims)
                    / m.sum(axis=axis, keepdims=keepdims)).astype(x.dtype)

    def compute_mask(self, inputs: list[Any], masks: list[Any]) -> list[Any]:
        return [None]
