"""Bidirectional and TimeDistributed: layers that own another layer.

Both delegate shapes and weights to the wrapped layer and adjust them, as
Keras does: Bidirectional merges a forward and a backward copy of an RNN,
TimeDistributed applies its layer to every timestep.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from rnncalc.arguments import Arg, choice, optional, show
from rnncalc.calls import Call
from rnncalc.errors import SpecError
from rnncalc.layers.base import Layer, Namer, Weight, layer_class, require_rank
from rnncalc.layers.recurrent import Recurrent
from rnncalc.shapes import Shape


def nested_layer(value: Any) -> Call:
    """A wrapped layer in any of the spec's layer notations, as a :class:`Call`."""
    from rnncalc.spec.forms import to_call

    return to_call(value)


def _make(call: Call, namer: Namer, what: str) -> Layer:
    try:
        return layer_class(call.name).from_call(call, namer)
    except SpecError as err:
        raise err.at(f"argument '{what}' ({call.name})") from None


class Bidirectional(Layer):
    """Runs a recurrent layer forwards and a copy backwards, then merges."""

    kind = "Bidirectional"
    MAX_INPUTS = None
    ARGS = (
        Arg("layer", nested_layer),
        Arg("merge_mode", optional(choice("concat", "sum", "mul", "ave")), "concat"),
        Arg("weights", lambda v: v, None),
        Arg("backward_layer", optional(nested_layer), None),
    )

    def __init__(self, config: dict[str, Any], namer: Namer) -> None:
        # Keras evaluates the wrapped layer (and backward_layer) before the
        # wrapper, so they take their default names first.
        inner = _make(config["layer"], namer, "layer")
        backward = (_make(config["backward_layer"], namer, "backward_layer")
                    if config["backward_layer"] is not None else None)
        super().__init__(config, namer)
        if not isinstance(inner, Recurrent):
            raise SpecError(f"argument 'layer': expected a recurrent layer (SimpleRNN, LSTM, "
                            f"GRU), got {inner.kind}")
        fw_config = {**inner.config, "name": "forward_" + inner.name.removeprefix("forward_")}
        self.forward_layer: Recurrent = type(inner)(fw_config, namer)
        if backward is None:
            bw_config = {**inner.config, "go_backwards": True,
                         "name": "backward_" + inner.name.removeprefix("backward_")}
            backward = type(inner)(bw_config, namer)
        elif not isinstance(backward, Recurrent):
            raise SpecError(f"argument 'backward_layer': expected a recurrent layer, "
                            f"got {backward.kind}")
        self.backward_layer: Recurrent = backward
        self._check_pair()

    def _check_pair(self) -> None:
        fw, bw = self.forward_layer.config, self.backward_layer.config
        for flag in ("return_sequences", "return_state"):
            if fw[flag] != bw[flag]:
                raise SpecError(f"forward and backward layers must agree on '{flag}', got "
                                f"{show(fw[flag])} and {show(bw[flag])}")
        if fw["go_backwards"] == bw["go_backwards"]:
            raise SpecError("the backward layer must have go_backwards opposite to the "
                            "forward layer's")

    def sublayers(self) -> list[Layer]:
        return [self.forward_layer, self.backward_layer]

    def implied_input(self) -> tuple[Shape, str | None] | None:
        # Keras 2 let the wrapped layer carry the model's input shape.
        return super().implied_input() or self.forward_layer.implied_input()

    def _split(self, inputs: list[Shape]) -> tuple[list[Shape], list[Shape]]:
        x, states = inputs[0], inputs[1:]
        if len(states) % 2:
            raise SpecError(f"initial_state: expects an even number of tensors (forward "
                            f"states then backward states), got {len(states)}")
        half = len(states) // 2
        return [x, *states[:half]], [x, *states[half:]]

    def build_weights(self, inputs: list[Shape]) -> list[Weight]:
        fw_in, bw_in = self._split(inputs)
        return [
            *(replace(w, name=f"forward/{w.name}", role=f"forward {w.role}")
              for w in self.forward_layer.weights(fw_in)),
            *(replace(w, name=f"backward/{w.name}", role=f"backward {w.role}")
              for w in self.backward_layer.weights(bw_in)),
        ]

    def output_shapes(self, inputs: list[Shape]) -> list[Shape]:
        fw_in, bw_in = self._split(inputs)
        fw = self.forward_layer.output_shapes(fw_in)
        bw = self.backward_layer.output_shapes(bw_in)
        y_fw, y_bw = fw[0], bw[0]
        mode = self.config["merge_mode"]
        if mode is None:
            outputs = [y_fw, y_bw]
        elif mode == "concat":
            # Keras doubles the forward width (compute_output_shape).
            outputs = [(*y_fw[:-1], 2 * y_fw[-1])]
        else:
            if y_fw[-1] != y_bw[-1]:
                raise SpecError(f"merge_mode '{mode}' needs forward and backward outputs of "
                                f"the same width, got {y_fw[-1]} and {y_bw[-1]}")
            outputs = [y_fw]
        return outputs + fw[1:] + bw[1:]


class TimeDistributed(Layer):
    """Applies its layer to every timestep of a (batch, time, ...) input."""

    kind = "TimeDistributed"
    ARGS = (Arg("layer", nested_layer),)

    def __init__(self, config: dict[str, Any], namer: Namer) -> None:
        self.inner = _make(config["layer"], namer, "layer")
        super().__init__(config, namer)

    def sublayers(self) -> list[Layer]:
        return [self.inner]


    @staticmethod
    def _step_shape(x: Shape) -> Shape:
        require_rank(x, tuple(range(3, 10)), "(batch, timesteps, ...) of at least rank 3")
        return (x[0], *x[2:])

    def build_weights(self, inputs: list[Shape]) -> list[Weight]:
        return self.inner.weights([self._step_shape(inputs[0])])

    def output_shapes(self, inputs: list[Shape]) -> list[Shape]:
        x = inputs[0]
        inner = self.inner.output_shapes([self._step_shape(x)])
        return [(s[0], x[1], *s[1:]) for s in inner]
