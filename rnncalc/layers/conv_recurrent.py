"""ConvLSTM1D, ConvLSTM2D, ConvLSTM3D: an LSTM whose state is a feature map.

The gates are LSTM's (the ``step`` is inherited: each gate equation stays
written once); what changes is how the input and the previous ``h`` reach the
gates: a convolution instead of a matrix product. In the engine's
feature-major layout a state is (filters, batch·positions), so both
convolutions become one GEMM over extracted patches (``im2col``): the input
one with the layer's strides, padding and dilation, the recurrent one with
stride 1 and ``same`` padding over the state map, as Keras' ``ConvLSTMCell``.
Weights: ``kernel (*kernel_size, channels, 4·filters)``, ``recurrent_kernel
(*kernel_size, filters, 4·filters)``, ``bias (4·filters)``; gate order i, f, c, o.
"""

from __future__ import annotations

from itertools import product
from math import prod
from typing import Any, ClassVar

from rnncalc.errors import SpecError
from rnncalc.layers.activations import activation
from rnncalc.layers.arguments import Arg, boolean, choice, int_tuple, optional, positive_int, rate
from rnncalc.layers.base import Weight, require_known, require_rank
from rnncalc.layers.counting import (
    ADD,
    INFERENCE,
    MAC,
    TRAINING,
    CostTerm,
    MemoryTerm,
    describe_dims,
    dim,
    size,
)
from rnncalc.layers.initializers import init_arg
from rnncalc.layers.recurrent import LSTM, RECURRENT_IGNORED, REGULARIZER_SLOTS, unused
from rnncalc.layers.shapes import Shape, format_shape
from rnncalc.layers.torch_modules import TorchModule, TorchParam


def _tuple(name: str, rank: int, default: Any = None) -> Arg:
    check = int_tuple(rank)

    def one_or_rank(value: Any) -> tuple[int, ...]:
        items = check(value)
        return items * rank if len(items) == 1 else items

    # An int means the same size on every spatial axis, as Keras' standardize_tuple.
    def validator(value: Any) -> tuple[int, ...]:
        if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
            return (value,) * rank
        return one_or_rank(value)

    return Arg(name, validator, default) if default is not None else Arg(name, validator)


def _conv_args(rank: int) -> tuple[Arg, ...]:
    return (
        Arg("filters", positive_int),
        _tuple("kernel_size", rank),
        _tuple("strides", rank, (1,) * rank),
        Arg("padding", choice("valid", "same"), "valid"),
        Arg("data_format", optional(choice("channels_last", "channels_first")), None),
        _tuple("dilation_rate", rank, (1,) * rank),
        Arg("activation", activation, "tanh"),
        Arg("recurrent_activation", activation, "sigmoid"),
        Arg("use_bias", boolean, True),
        init_arg("kernel_initializer", "glorot_uniform"),
        init_arg("recurrent_initializer", "orthogonal"),
        init_arg("bias_initializer", "zeros"),
        Arg("unit_forget_bias", boolean, True),
        *(unused(name) for name in REGULARIZER_SLOTS),
        Arg("dropout", rate, 0.0),
        Arg("recurrent_dropout", rate, 0.0),
        unused("seed"),
        Arg("return_sequences", boolean, False),
        Arg("return_state", boolean, False),
        Arg("go_backwards", boolean, False),
        Arg("stateful", boolean, False),
        Arg("unroll", boolean, False, positional=False),
        Arg("zero_output_for_mask", boolean, False, positional=False),
    )


def out_length(n: int | None, k: int, s: int, d: int, padding: str) -> int | None:
    """One spatial axis after the input convolution (Keras' compute_conv_output_shape)."""
    if n is None:
        return None
    if padding == "same":
        return -(-n // s)
    return (n - d * (k - 1) - 1) // s + 1


def same_pads(n: int, k: int, s: int, d: int) -> tuple[int, int]:
    """(before, after) padding of ``same``: the extra one goes after, as TF/Keras place it."""
    out = -(-n // s)
    total = max((out - 1) * s + d * (k - 1) + 1 - n, 0)
    return total // 2, total - total // 2


def patches(x: Any, kernel: tuple[int, ...], strides: tuple[int, ...],
            dilation: tuple[int, ...], padding: str) -> Any:
    """``im2col`` of a channels-first (C, batch, *spatial) map: (taps·C, batch·positions).

    Rows follow a Keras kernel reshaped to (taps·C, filters): tap-major (C
    order over the kernel axes), then channel; columns are batch-major.
    """
    import numpy as np

    spatial = x.shape[2:]
    if padding == "same":
        pads = [same_pads(n, k, s, d) for n, k, s, d in zip(spatial, kernel, strides, dilation)]
        x = np.pad(x, [(0, 0), (0, 0), *pads])
    outs = [(n - d * (k - 1) - 1) // s + 1
            for n, k, s, d in zip(x.shape[2:], kernel, strides, dilation)]
    cols = np.empty((prod(kernel), x.shape[0], x.shape[1], *outs), x.dtype)
    for j, offsets in enumerate(product(*(range(k) for k in kernel))):
        window = tuple(slice(o * d, o * d + s * (m - 1) + 1, s)
                       for o, d, s, m in zip(offsets, dilation, strides, outs))
        cols[j] = x[(slice(None), slice(None), *window)]
    return cols.reshape(prod(kernel) * x.shape[0], x.shape[1] * prod(outs))


class ConvLSTM(LSTM):
    """An LSTM over a (batch, time, *spatial, channels) input; states are feature maps."""

    RANK: ClassVar[int] = 0
    ACCEPTS_INPUT_DIM = False
    IGNORED_ARGS = RECURRENT_IGNORED | {"input_dim"}   # Keras takes it on any layer
    TORCH_LAYOUT = ""

    @classmethod
    def check_config(cls, config: dict[str, Any]) -> None:
        super().check_config(config)
        if max(config["strides"]) > 1 and max(config["dilation_rate"]) > 1:
            raise SpecError(f"strides > 1 is not compatible with dilation_rate > 1 (Keras "
                            f"refuses it too), got strides={list(config['strides'])} and "
                            f"dilation_rate={list(config['dilation_rate'])}")

    @property
    def units(self) -> int:
        return self.config["filters"]

    def gates_note(self) -> str:
        return f"4 gates (i, f, c, o) × {self.units} filters"

    @property
    def channels_first(self) -> bool:
        return self.config["data_format"] == "channels_first"

    def spatial(self, x: Shape, channels_last: bool = False) -> tuple[Any, ...]:
        """The input's spatial dims (after batch and time, beside the channel axis)."""
        return tuple(x[3:] if self.channels_first and not channels_last else x[2:-1])

    def channels(self, x: Shape) -> Any:
        return x[2] if self.channels_first else x[-1]

    def state_shape(self, batch: Any, grid: tuple[int, ...]) -> Shape:
        f = self.units
        return (batch, f, *grid) if self.channels_first else (batch, *grid, f)

    def check_sequence(self, x: Shape) -> None:
        n = self.RANK
        where = f"channels, {n} spatial dims" if self.channels_first else \
            f"{n} spatial dims, channels"
        require_rank(x, n + 3, f"(batch, timesteps, {where})")
        if None in self.spatial(x):
            raise SpecError(f"ConvLSTM layers need known spatial dims, got {format_shape(x)}")
        if self.config["stateful"] and x[0] is None:
            raise SpecError("a stateful layer needs a fixed batch size: give batch_size in the "
                            "input block, batch_input_shape, or --batch-size")

    def grid(self, x: Shape, channels_last: bool = False) -> tuple[int, ...]:
        """Spatial shape of the states and of each output step."""
        c = self.config
        spatial = self.spatial(x, channels_last)
        out = tuple(out_length(n, k, s, d, c["padding"]) for n, k, s, d in zip(
            spatial, c["kernel_size"], c["strides"], c["dilation_rate"]))
        if any(o is not None and o < 1 for o in out):
            raise SpecError(f"the kernel {list(c['kernel_size'])} does not fit in the input's "
                            f"spatial dims {list(spatial)} with padding 'valid'")
        return out  # type: ignore[return-value]

    def build_weights(self, inputs: list[Shape]) -> list[Weight]:
        x = inputs[0]
        self.check_sequence(x)
        channels = require_known(self.channels(x), "channels", x)
        c, f = self.config, self.units
        k = c["kernel_size"]
        taps = " × ".join(str(t) for t in k)
        weights = [
            Weight("kernel", (*k, channels, 4 * f), c["kernel_initializer"],
                   role="input kernel (W_x)",
                   dims=(*(f"{t} kernel taps" for t in k), f"{channels} input channels",
                         self.gates_note())),
            Weight("recurrent_kernel", (*k, f, 4 * f), c["recurrent_initializer"],
                   role=f"recurrent kernel (W_h, a {taps} convolution over h)",
                   dims=(*(f"{t} kernel taps" for t in k), f"{f} filters",
                         self.gates_note())),
        ]
        if c["use_bias"]:
            weights += self.bias_weights()
        return weights

    def state_shapes(self, x: Shape) -> list[Shape]:
        return [self.state_shape(x[0], self.grid(x)) for _ in self.STATES]

    def output_shapes(self, inputs: list[Shape]) -> list[Shape]:
        x, initial = inputs[0], inputs[1:]
        self.check_sequence(x)
        state = self.state_shape(x[0], self.grid(x))
        if initial:
            if len(initial) != 2 or any(tuple(s[1:]) != state[1:] for s in initial):
                raise SpecError(f"initial_state: expects 2 tensors (h, c) of shape "
                                f"{format_shape(state)}, got "
                                f"{', '.join(format_shape(s) for s in initial)}")
        out: Shape = (x[0], x[1], *state[1:]) if self.config["return_sequences"] else state
        return [out, *(self.state_shapes(x) if self.config["return_state"] else [])]

    # -- cost: per output position of every timestep --------------------------------

    def cost(self, inputs: list[Shape], outputs: list[Shape],
             convention: str = "keras") -> list[CostTerm]:
        x = inputs[0]
        c, f = self.config, self.units
        k = prod(c["kernel_size"])
        cin = self.channels(x)
        where_shape = (x[0], x[1], *self.grid(x), f)
        over, where = size(where_shape[:-1]), describe_dims(where_shape)
        terms = [
            CostTerm("input convolution x_t∗W_x", MAC, k * cin * 4 * f, over, "k·C·4F",
                     f"{k}·{cin}·4·{f}", where),
            CostTerm("recurrent convolution h_{t-1}∗W_h", MAC, k * f * 4 * f, over, "k·F·4F",
                     f"{k}·{f}·4·{f}", where),
        ]
        if c["use_bias"]:
            terms.append(CostTerm("bias add", ADD, 4 * f, over, "4F", f"4·{f}", where))
        for what, op, mult, act in self.step_ops():
            name = c.get(act) if act else None
            if name == "linear":
                continue
            terms.append(CostTerm(f"{what} ({name})" if name else what, op, mult * f, over,
                                  f"{mult}F" if mult > 1 else "F",
                                  f"{mult}·{f}" if mult > 1 else f"{f}", where))
        return terms

    def memory(self, inputs: list[Shape], outputs: list[Shape]) -> list[MemoryTerm]:
        x = inputs[0]
        cells = prod(self.grid(x))
        f, saved = self.units, len(self.BPTT_SAVED)
        return [
            MemoryTerm("state maps (h, c) and one step's 4 gate pre-activations", INFERENCE,
                       dim(x[0], 0) * (6 * f * cells), f"B·(2+4)·P·F (P = {cells} positions)"),
            MemoryTerm(f"BPTT: every timestep's {', '.join(self.BPTT_SAVED)}", TRAINING,
                       dim(x[0], 0) * dim(x[1], 1) * (saved * f * cells),
                       f"B·T·{saved}·P·F"),
        ]

    def torch_modules(self, inputs: list[Shape]) -> list[TorchModule]:
        state = tuple(TorchParam(w.name, w.shape, w.role, w.dims, self.trainable)
                      for w in self.build_weights(inputs))
        return [TorchModule(f"(no torch.nn {self.kind})", state,
                            (f"torch.nn has no ConvLSTM: {self.kind} needs a custom module "
                             "(a Conv{self.RANK}d over [x_t, h_{{t-1}}] with 4·filters output "
                             "channels and an LSTM gate step); its Keras weights are counted",))]

    # -- forward: the cell protocol of rnncalc.engine.sequence ------------------------

    def scratch_values(self, inputs: list[Shape], outputs: list[Shape]) -> int:
        x = inputs[0]
        batch, steps = x[0] or 1, x[1] or 1
        cols = batch * prod(self.grid(x))
        k, f = prod(self.config["kernel_size"]), self.units
        copy = size(x).value if self.channels_first and x[0] and x[1] else 0
        return (steps * 4 * f * cols + 4 * f * cols + 2 * f * cols
                + k * max(self.channels(x) or 1, f) * cols + copy)

    def state_grid(self, x_shape: tuple[int, ...]) -> tuple[int, ...]:
        return self.grid(x_shape, channels_last=True)     # the loop runs channels_last

    def fused_prepare(self, weights: dict[str, Any]) -> None:
        return None                       # convolutional steps: the NumPy path only

    def prepare(self, weights: dict[str, Any]) -> dict[str, Any]:
        import numpy as np

        kernel = np.asarray(weights["kernel"], np.float32)
        rk = np.asarray(weights["recurrent_kernel"], np.float32)
        bias = weights.get("bias")
        return {"kernel": kernel.reshape(-1, kernel.shape[-1]),
                "recurrent": rk.reshape(-1, rk.shape[-1]).T,
                "input_biases": [] if bias is None else
                [(slice(None), np.asarray(bias, np.float32))]}

    def project(self, p: dict[str, Any], x: Any, out: Any) -> None:
        """Every timestep's input convolution (bias included) into (steps, 4F, cols)."""
        import numpy as np

        c = self.config
        p["grid"] = self.grid(x.shape, channels_last=True)  # the state map's spatial shape
        w = p["kernel"].T                                   # (4F, taps·C)
        for t in range(x.shape[1]):
            xt = np.moveaxis(x[:, t], -1, 0)                # (C, batch, *spatial)
            np.matmul(w, patches(xt, c["kernel_size"], c["strides"], c["dilation_rate"],
                                 c["padding"]), out=out[t])
        for rows, bias in p["input_biases"]:
            out[:, rows] += bias[:, None]

    def recurrent_product(self, p: dict[str, Any], h: Any, out: Any) -> None:
        """``h_{t-1} ∗ W_h``: stride 1, ``same`` padding over the (F, batch·P) state map."""
        import numpy as np

        k = self.config["kernel_size"]
        cols = patches(h.reshape(h.shape[0], -1, *p["grid"]), k, (1,) * len(k), (1,) * len(k),
                       "same")
        np.matmul(p["recurrent"], cols, out=out)

    def run_sequences(self, loop: Any, x: Any, initial: list[Any], weights: dict[str, Any],
                      mask: Any = None, **overrides: bool) -> list[Any]:
        if not self.channels_first:
            return super().run_sequences(loop, x, initial, weights, mask, **overrides)
        import numpy as np

        # channels_first: the loop runs on a channels_last copy; outputs moved back
        outs = super().run_sequences(loop, np.moveaxis(x, 2, -1),
                                     [np.moveaxis(s, 1, -1) for s in initial], weights, mask,
                                     **overrides)
        seq = {**self.loop_options(), **overrides}["return_sequences"]
        head = np.ascontiguousarray(np.moveaxis(outs[0], -1, 2 if seq else 1))
        return [head, *(np.ascontiguousarray(np.moveaxis(s, -1, 1)) for s in outs[1:])]


class ConvLSTM1D(ConvLSTM):
    """1-D convolutional LSTM: input (batch, time, steps, channels)."""

    kind = "ConvLSTM1D"
    RANK = 1
    ARGS = _conv_args(1)


class ConvLSTM2D(ConvLSTM):
    """2-D convolutional LSTM: input (batch, time, rows, cols, channels)."""

    kind = "ConvLSTM2D"
    RANK = 2
    ARGS = _conv_args(2)


class ConvLSTM3D(ConvLSTM):
    """3-D convolutional LSTM: input (batch, time, depth, rows, cols, channels)."""

    kind = "ConvLSTM3D"
    RANK = 3
    ARGS = _conv_args(3)
