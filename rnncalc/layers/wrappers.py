"""Bidirectional and TimeDistributed: layers that own another layer.

Both delegate shapes and weights to the wrapped layer and adjust them, as
Keras does: Bidirectional merges a forward and a backward copy of an RNN,
TimeDistributed applies its layer to every timestep.
"""

from __future__ import annotations

from dataclasses import replace
from math import prod
from typing import Any

from rnncalc.errors import SpecError
from rnncalc.layers.arguments import Arg, anything, choice, optional, show
from rnncalc.layers.base import Layer, Namer, Weight, layer_class
from rnncalc.layers.calls import Call, as_call
from rnncalc.layers.counting import ADD, MUL, CostTerm, MemoryTerm, describe_dims, dim, size
from rnncalc.layers.shapes import Shape, format_shape


def nested_layer(value: Any) -> Call:
    """A wrapped layer in any of the spec's layer notations, as a :class:`Call`."""
    return as_call(value)


def _make(call: Call, namer: Namer, what: str) -> Layer:
    try:
        return layer_class(call.name).from_call(call, namer)
    except SpecError as err:
        raise err.at(f"argument '{what}' ({call.name})") from None


class Bidirectional(Layer):
    """Runs a recurrent layer forwards and a copy backwards, then merges."""

    kind = "Bidirectional"
    IGNORED_ARGS = frozenset({"activity_regularizer", "autocast"})
    MAX_INPUTS = None
    TAKES_INITIAL_STATE = True
    ARGS = (
        Arg("layer", nested_layer),
        Arg("merge_mode", optional(choice("concat", "sum", "mul", "ave")), "concat"),
        Arg("weights", anything, None),
        Arg("backward_layer", optional(nested_layer), None),
    )

    def __init__(self, config: dict[str, Any], namer: Namer) -> None:
        # Keras forces zero_output_for_mask = return_sequences on both directions
        # (and writes it into their configs), so a given value is dropped.
        for key in ("layer", "backward_layer"):
            call = config[key]
            if call is not None and "zero_output_for_mask" in call.kwargs:
                config[key] = replace(call, kwargs={
                    k: v for k, v in call.kwargs.items() if k != "zero_output_for_mask"})
        # Keras evaluates the wrapped layer (and backward_layer) before the
        # wrapper, so they take their default names first.
        inner = _make(config["layer"], namer, "layer")
        backward = (_make(config["backward_layer"], namer, "backward_layer")
                    if config["backward_layer"] is not None else None)
        super().__init__(config, namer)
        if not getattr(inner, "SEQUENCE_LAYER", False):
            raise SpecError(f"argument 'layer': expected a recurrent layer (SimpleRNN, LSTM, "
                            f"GRU, RNN, ConvLSTM1D/2D/3D), got {inner.kind}")
        fw_config = {**inner.config, "name": "forward_" + inner.name.removeprefix("forward_")}
        self.forward_layer: Any = type(inner)(fw_config, namer)
        if backward is None:
            bw_config = {**inner.config, "go_backwards": True,
                         "name": "backward_" + inner.name.removeprefix("backward_")}
            backward = type(inner)(bw_config, namer)
        elif not getattr(backward, "SEQUENCE_LAYER", False):
            raise SpecError(f"argument 'backward_layer': expected a recurrent layer, "
                            f"got {backward.kind}")
        self.backward_layer: Any = backward
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

    def sequence_option(self) -> str | None:
        return self.forward_layer.sequence_option()

    def output_names(self, inputs: list[Shape]) -> list[str]:
        """Merged output (or both directions'), then forward states, then backward states."""
        fw_in, bw_in = self._split(inputs)
        fw, bw = self.forward_layer.output_names(fw_in), self.backward_layer.output_names(bw_in)
        head = [f"forward {fw[0]}", f"backward {bw[0]}"] if self.config["merge_mode"] is None \
            else [fw[0]]
        return [*head, *(f"forward {n}" for n in fw[1:]), *(f"backward {n}" for n in bw[1:])]

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
            *(w.renamed(f"forward/{w.name}", f"forward {w.role}")
              for w in self.forward_layer.weights(fw_in)),
            *(w.renamed(f"backward/{w.name}", f"backward {w.role}")
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

    #: Element-wise work of merging the two directions, per output element.
    MERGE_OPS = {"sum": (("sum", ADD),), "mul": (("product", MUL),),
                 "ave": (("sum", ADD), ("halve", MUL))}

    def cost(self, inputs: list[Shape], outputs: list[Shape],
             convention: str = "keras") -> list[CostTerm]:
        """The forward and the backward layer's cost, then the merge."""
        fw_in, bw_in = self._split(inputs)
        fw_out = self.forward_layer.output_shapes(fw_in)
        bw_out = self.backward_layer.output_shapes(bw_in)
        terms = [t.scoped("forward") for t in self.forward_layer.cost(fw_in, fw_out, convention)]
        terms += [t.scoped("backward")
                  for t in self.backward_layer.cost(bw_in, bw_out, convention)]
        y = outputs[0]
        for what, op in self.MERGE_OPS.get(self.config["merge_mode"], ()):
            terms.append(CostTerm(f"merge_mode '{self.config['merge_mode']}': {what}", op, 1,
                                  size(y), "1", "1", describe_dims(y, 0)))
        return terms

    def memory(self, inputs: list[Shape], outputs: list[Shape]) -> list[MemoryTerm]:
        fw_in, bw_in = self._split(inputs)
        out = []
        for side, layer, ins in (("forward", self.forward_layer, fw_in),
                                 ("backward", self.backward_layer, bw_in)):
            out += [MemoryTerm(f"{side}: {m.what}", m.phase, m.values, m.formula)
                    for m in layer.memory(ins, layer.output_shapes(ins))]
        return out

    #: PyTorch facts: rnncalc.reports.pytorch lays out one bidirectional module (or two).
    TORCH_LAYOUT = "bidirectional"

    # -- forward pass: delegates the sequence loops to the two recurrent layers --

    SUPPORTS_MASKING = True

    def _halves(self, weights: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        fw = {k.removeprefix("forward/"): v for k, v in weights.items()
              if k.startswith("forward/")}
        bw = {k.removeprefix("backward/"): v for k, v in weights.items()
              if k.startswith("backward/")}
        return fw, bw

    def uses_sequence_loop(self) -> bool:
        return True

    def forward(self, inputs: list[Any], weights: dict[str, Any], mask: Any = None, *,
                loop: Any = None) -> list[Any]:
        x, states = inputs[0], inputs[1:]
        half = len(states) // 2
        w_fw, w_bw = self._halves(weights)
        sequences = self.forward_layer.config["return_sequences"]
        # Keras forces zero_output_for_mask = return_sequences on both layers.
        fw = self.forward_layer.run_sequences(loop, x, states[:half], w_fw, mask,
                                              zero_output_for_mask=sequences)
        bw = self.backward_layer.run_sequences(loop, x, states[half:], w_bw, mask,
                                               zero_output_for_mask=sequences)
        y, y_rev = fw[0], bw[0]
        if sequences:
            y_rev = y_rev[:, ::-1]
        mode = self.config["merge_mode"]
        if mode is None:
            merged = [y, y_rev]
        elif mode == "concat":
            import numpy as np

            merged = [np.concatenate([y, y_rev], axis=-1)]
        elif mode == "sum":
            merged = [y + y_rev]
        elif mode == "ave":
            merged = [(y + y_rev) / 2]
        else:  # mul
            merged = [y * y_rev]
        return merged + fw[1:] + bw[1:]

    def compute_mask(self, inputs: list[Any], masks: list[Any]) -> list[Any]:
        mask = masks[0] if self.forward_layer.config["return_sequences"] else None
        out = [mask, mask] if self.config["merge_mode"] is None else [mask]
        states = len(self.forward_layer.STATES) + len(self.backward_layer.STATES)
        return out + [None] * (states if self.forward_layer.config["return_state"] else 0)

    def initial_value(self, weight: Weight, sample: Any) -> Any:
        direction, _, name = weight.name.partition("/")
        sub = self.forward_layer if direction == "forward" else self.backward_layer
        return sub.initial_value(replace(weight, name=name), sample)

    def forward_steps(self, inputs: list[Shape]) -> int:
        fw_in, bw_in = self._split(inputs)
        return self.forward_layer.forward_steps(fw_in) + self.backward_layer.forward_steps(bw_in)

    def scratch_values(self, inputs: list[Shape], outputs: list[Shape]) -> int:
        fw_in, bw_in = self._split(inputs)
        fw_out = self.forward_layer.output_shapes(fw_in)
        bw_out = self.backward_layer.output_shapes(bw_in)
        return (self.forward_layer.scratch_values(fw_in, fw_out) + sum(
            prod(d or 1 for d in s) for s in fw_out + bw_out)
            + self.backward_layer.scratch_values(bw_in, bw_out))


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
        if len(x) < 3:   # any rank from 3 up, as Keras
            raise SpecError(f"expects input of rank 3 or more (batch, timesteps, ...), got "
                            f"{format_shape(x)}")
        return (x[0], *x[2:])

    def build_weights(self, inputs: list[Shape]) -> list[Weight]:
        return self.inner.weights([self._step_shape(inputs[0])])

    def output_shapes(self, inputs: list[Shape]) -> list[Shape]:
        x = inputs[0]
        inner = self.inner.output_shapes([self._step_shape(x)])
        return [(s[0], x[1], *s[1:]) for s in inner]

    def cost(self, inputs: list[Shape], outputs: list[Shape],
             convention: str = "keras") -> list[CostTerm]:
        """The wrapped layer's cost on one timestep, times the number of timesteps."""
        x = inputs[0]
        step = [self._step_shape(x)]
        steps = dim(x[1], 1)
        text = str(x[1]) if x[1] is not None else "T"
        return [t.times(steps, text)
                for t in self.inner.cost(step, self.inner.output_shapes(step), convention)]

    def memory(self, inputs: list[Shape], outputs: list[Shape]) -> list[MemoryTerm]:
        x = inputs[0]
        step = [self._step_shape(x)]
        return [MemoryTerm(m.what, m.phase, m.values * dim(x[1], 1), m.formula)
                for m in self.inner.memory(step, self.inner.output_shapes(step))]

    #: PyTorch facts: rnncalc.reports.pytorch lays out the inner layer on one timestep.
    TORCH_LAYOUT = "time_distributed"

    # -- forward pass: the inner layer on (batch·timesteps, ...) -----------------

    SUPPORTS_MASKING = True

    def uses_sequence_loop(self) -> bool:
        return self.inner.uses_sequence_loop()

    def forward(self, inputs: list[Any], weights: dict[str, Any], mask: Any = None,
                **engine: Any) -> list[Any]:
        x = inputs[0]
        batch, steps = x.shape[:2]
        flat = x.reshape(batch * steps, *x.shape[2:])
        # a per-timestep mask of the inner layer's own time axis, if any
        inner_mask = (mask.reshape(batch * steps, *mask.shape[2:])
                      if mask is not None and mask.ndim > 2 else None)
        outputs = self.inner.forward([flat], weights, inner_mask, **engine)
        return [y.reshape(batch, steps, *y.shape[1:]) for y in outputs]

    def initial_value(self, weight: Weight, sample: Any) -> Any:
        return self.inner.initial_value(weight, sample)

    def input_range(self) -> tuple[int, int] | None:
        return self.inner.input_range()

    def forward_steps(self, inputs: list[Shape]) -> int:
        return self.inner.forward_steps([self._step_shape(inputs[0])])

    def scratch_values(self, inputs: list[Shape], outputs: list[Shape]) -> int:
        x = inputs[0]
        step = self._step_shape(x)
        flat: Shape = ((x[0] or 1) * (x[1] or 1), *step[1:])
        inner_out = self.inner.output_shapes([flat])
        return self.inner.scratch_values([flat], inner_out)
