"""SimpleRNN, LSTM and GRU: the recurrent layers and their weight layouts.

The three kinds share one sequence wrapper (:class:`Recurrent`); each
declares only its gates, its states and the bias layout. Weight layouts are
Keras 3's: ``kernel (input_dim, gates·units)``, ``recurrent_kernel (units,
gates·units)``, gate order i, f, c, o for LSTM and z, r, h for GRU.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rnncalc.activations import activation
from rnncalc.arguments import Arg, boolean, positive_int, rate
from rnncalc.errors import SpecError
from rnncalc.initializers import init_arg
from rnncalc.layers.base import Layer, Weight, require_known, require_rank
from rnncalc.shapes import Shape, dims_compatible, format_shape


def _sequence_args(*, gated: bool, extra: tuple[Arg, ...] = ()) -> tuple[Arg, ...]:
    """Keras 3 recurrent-layer arguments in signature order."""
    head = [Arg("units", positive_int), Arg("activation", activation, "tanh")]
    if gated:
        head.append(Arg("recurrent_activation", activation, "sigmoid"))
    head += [
        Arg("use_bias", boolean, True),
        init_arg("kernel_initializer", "glorot_uniform"),
        init_arg("recurrent_initializer", "orthogonal"),
        init_arg("bias_initializer", "zeros"),
        *extra,
        Arg("dropout", rate, 0.0),
        Arg("recurrent_dropout", rate, 0.0),
        Arg("return_sequences", boolean, False),
        Arg("return_state", boolean, False),
        Arg("go_backwards", boolean, False),
        Arg("stateful", boolean, False),
        Arg("unroll", boolean, False),
    ]
    return tuple(head)


class Recurrent(Layer):
    """A recurrent layer: one cell stepped over the time axis of (batch, time, features)."""

    ACCEPTS_INPUT_DIM = True
    MAX_INPUTS = None
    GATES: ClassVar[tuple[str, ...]] = ()
    STATES: ClassVar[tuple[str, ...]] = ("h",)
    MIN_INPUTS = 1

    @property
    def units(self) -> int:
        return self.config["units"]

    def shape_from_input_dim(self, input_dim: int, input_length: int | None) -> Shape:
        return (self.config.get("batch_size"), input_length, input_dim)

    def gates_note(self) -> str:
        """What the last kernel axis holds, e.g. ``4 gates (i, f, c, o) × 3 units``."""
        n = len(self.GATES)
        if n == 1:
            return f"{self.units} units"
        return f"{n} gates ({', '.join(self.GATES)}) × {self.units} units"

    def bias_weights(self) -> list[Weight]:
        """The bias as Keras declares it (GRU overrides for reset_after)."""
        n = len(self.GATES)
        return [Weight("bias", (n * self.units,), self.config["bias_initializer"],
                       role="bias", dims=(self.gates_note(),))]

    def build_weights(self, inputs: list[Shape]) -> list[Weight]:
        x = inputs[0]
        self.check_sequence(x)
        features = require_known(x[-1], "last (features)", x)
        n, units = len(self.GATES), self.units
        weights = [
            Weight("kernel", (features, n * units), self.config["kernel_initializer"],
                   role="input kernel (W_x)", dims=(f"{features} input features",
                                                    self.gates_note())),
            Weight("recurrent_kernel", (units, n * units), self.config["recurrent_initializer"],
                   role="recurrent kernel (W_h)", dims=(f"{units} units", self.gates_note())),
        ]
        if self.config["use_bias"]:
            weights += self.bias_weights()
        return weights

    def check_sequence(self, x: Shape) -> None:
        require_rank(x, 3, "(batch, timesteps, features)")
        if self.config["stateful"] and x[0] is None:
            raise SpecError("a stateful layer needs a fixed batch size: give batch_size in the "
                            "input block, batch_input_shape, or --batch-size")

    def state_shapes(self, x: Shape) -> list[Shape]:
        return [(x[0], self.units) for _ in self.STATES]

    def output_shapes(self, inputs: list[Shape]) -> list[Shape]:
        x, initial = inputs[0], inputs[1:]
        self.check_sequence(x)
        self.check_initial_state(x, initial)
        out: Shape = (x[0], x[1], self.units) if self.config["return_sequences"] else (
            x[0], self.units)
        shapes = [out]
        if self.config["return_state"]:
            shapes += self.state_shapes(x)
        return shapes

    def check_initial_state(self, x: Shape, initial: list[Shape]) -> None:
        """``initial_state`` must give every state with shape (batch, units)."""
        if not initial:
            return
        names = ", ".join(self.STATES)
        if len(initial) != len(self.STATES):
            raise SpecError(f"initial_state: expects {len(self.STATES)} tensor"
                            f"{'s' if len(self.STATES) > 1 else ''} ({names}), got {len(initial)}")
        for state, want in zip(initial, self.state_shapes(x)):
            if len(state) != 2 or not all(dims_compatible(a, b) for a, b in zip(state, want)):
                raise SpecError(f"initial_state: expects shape {format_shape(want)}, "
                                f"got {format_shape(state)}")

    def cell_config(self) -> dict[str, Any]:
        """The config a Bidirectional clone starts from."""
        return dict(self.config)


class SimpleRNN(Recurrent):
    """Fully connected RNN: ``h_t = activation(x_t W_x + h_{t-1} W_h + b)``."""

    kind = "SimpleRNN"
    GATES = ("h",)
    ARGS = _sequence_args(gated=False)


class LSTM(Recurrent):
    """Long short-term memory; Keras gate order i, f, c, o."""

    kind = "LSTM"
    aliases = ("CuDNNLSTM",)
    GATES = ("i", "f", "c", "o")
    STATES = ("h", "c")
    ARGS = _sequence_args(gated=True, extra=(Arg("unit_forget_bias", boolean, True),))


class GRU(Recurrent):
    """Gated recurrent unit; Keras gate order z, r, h."""

    kind = "GRU"
    aliases = ("CuDNNGRU",)
    GATES = ("z", "r", "h")
    ARGS = (*_sequence_args(gated=True), Arg("reset_after", boolean, True))

    def bias_weights(self) -> list[Weight]:
        if not self.config["reset_after"]:
            return super().bias_weights()
        units = self.units
        return [Weight("bias", (2, 3 * units), self.config["bias_initializer"],
                       role="input bias and recurrent bias (reset_after)",
                       dims=("2 biases (input, recurrent)", self.gates_note()))]
