"""The generic RNN API: ``RNN(cell)``, the cells, ``StackedRNNCells``.

A cell (``SimpleRNNCell``, ``LSTMCell``, ``GRUCell``) is the matching layer
kind's cell alone: same arguments minus the sequence flags, same weights, same
``step`` (inherited, so each gate equation is still written once). ``RNN``
runs its cells through the engine's sequence loop; a stack of cells runs as
one loop per cell, each over the previous cell's output sequence, which for
inference is what Keras' ``StackedRNNCells`` computes step by step (a masked
step keeps every cell's state; the output is the last cell's).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, ClassVar

from rnncalc.errors import SpecError
from rnncalc.layers.arguments import Arg, boolean
from rnncalc.layers.base import Layer, Namer, Weight, layer_class, require_known, require_rank
from rnncalc.layers.calls import as_call
from rnncalc.layers.counting import CostTerm, MemoryTerm
from rnncalc.layers.recurrent import (
    GRU,
    LSTM,
    RECURRENT_IGNORED,
    Recurrent,
    SequenceLoop,
    SimpleRNN,
)
from rnncalc.layers.shapes import Shape, dims_compatible, format_shape

#: Arguments of a recurrent layer that belong to the sequence wrapper, not the cell.
SEQUENCE_FLAGS = ("return_sequences", "return_state", "go_backwards", "stateful", "unroll",
                  "zero_output_for_mask")


def _cell_args(layer: type[Recurrent]) -> tuple[Arg, ...]:
    """The layer's arguments less the sequence flags, in the cell's Keras order: a cell has
    no activity_regularizer, and its ``seed`` comes last."""
    own = [a for a in layer.ARGS
           if a.name not in SEQUENCE_FLAGS and a.name not in ("activity_regularizer", "seed")]
    return (*own, *(a for a in layer.ARGS if a.name == "seed"))


class Cell:
    """Mixin for a cell kind: one step, run by ``RNN``; not a layer of a model by itself."""

    SEQUENCE_LAYER: ClassVar[bool] = False
    IS_CELL: ClassVar[bool] = True
    ACCEPTS_INPUT_DIM = False
    kind: ClassVar[str]

    def output_shapes(self, inputs: list[Shape]) -> list[Shape]:
        raise SpecError(f"{self.kind} is a cell: it runs over a sequence inside "
                        f"RNN({self.kind}(...))")

    build_weights = output_shapes  # type: ignore[assignment]


class SimpleRNNCell(Cell, SimpleRNN):
    """The cell of SimpleRNN."""

    kind = "SimpleRNNCell"
    ARGS = _cell_args(SimpleRNN)
    IGNORED_ARGS = RECURRENT_IGNORED | {"input_dim"}   # Keras takes it on any layer


class LSTMCell(Cell, LSTM):
    """The cell of LSTM."""

    kind = "LSTMCell"
    ARGS = _cell_args(LSTM)
    IGNORED_ARGS = RECURRENT_IGNORED | {"input_dim"}


class GRUCell(Cell, GRU):
    """The cell of GRU."""

    kind = "GRUCell"
    ARGS = _cell_args(GRU)
    IGNORED_ARGS = RECURRENT_IGNORED | {"input_dim"}


def _cell(value: Any, namer: Namer, what: str) -> Any:
    call = as_call(value)
    try:
        cell = layer_class(call.name).from_call(call, namer)
    except SpecError as err:
        raise err.at(f"argument '{what}' ({call.name})") from None
    if not getattr(cell, "IS_CELL", False):
        raise SpecError(f"argument '{what}': expected an RNN cell (SimpleRNNCell, LSTMCell, "
                        f"GRUCell, StackedRNNCells or a list of cells), got {cell.kind}")
    return cell


def cells_arg(value: Any) -> Any:
    """A cell, a list of cells, or ``StackedRNNCells``: kept as calls until the layer is made."""
    if isinstance(value, (list, tuple)):
        if not value:
            raise SpecError("expected at least one cell, got an empty list")
        return [as_call(v) for v in value]
    return as_call(value)


class StackedRNNCells(Layer):
    """Cells run one above the other at each step; made by RNN for a list of cells too."""

    kind = "StackedRNNCells"
    IS_CELL: ClassVar[bool] = True
    IGNORED_ARGS = frozenset({"activity_regularizer", "autocast"})
    ARGS = (Arg("cells", cells_arg),)

    def __init__(self, config: dict[str, Any], namer: Namer) -> None:
        calls = config["cells"] if isinstance(config["cells"], list) else [config["cells"]]
        self.cells = config.get("_cells") or [_cell(c, namer, "cells") for c in calls]
        for c in self.cells:
            if isinstance(c, StackedRNNCells):
                raise SpecError("argument 'cells': a StackedRNNCells inside another is not "
                                "supported; list the cells in one stack")
        config = {**config, "_cells": self.cells}
        super().__init__(config, namer)

    def output_shapes(self, inputs: list[Shape]) -> list[Shape]:
        raise SpecError("StackedRNNCells is a cell: it runs over a sequence inside "
                        "RNN(StackedRNNCells([...]))")


class RNN(SequenceLoop, Layer):
    """Keras' generic recurrent layer: a cell (or a stack of cells) over the time axis."""

    kind = "RNN"
    ACCEPTS_INPUT_DIM = True
    MAX_INPUTS = None
    TAKES_INITIAL_STATE = True
    SEQUENCE_LAYER: ClassVar[bool] = True
    IGNORED_ARGS = frozenset({"activity_regularizer", "autocast"})
    ARGS = (
        Arg("cell", cells_arg),
        Arg("return_sequences", boolean, False),
        Arg("return_state", boolean, False),
        Arg("go_backwards", boolean, False),
        Arg("stateful", boolean, False),
        Arg("unroll", boolean, False),
        Arg("zero_output_for_mask", boolean, False),
    )
    #: PyTorch facts: one torch.nn module per cell (rnncalc.reports.pytorch).
    TORCH_LAYOUT = "rnn_cells"

    def __init__(self, config: dict[str, Any], namer: Namer) -> None:
        # Keras makes the cells (they are arguments) before the layer; a list becomes
        # a StackedRNNCells named after the layer. Copies (Bidirectional) reuse them.
        built = config.get("_cells")
        listed = built is None and isinstance(config["cell"], list)
        if built is None:
            cell = config["cell"]
            if listed:
                cells, stacked = [_cell(c, namer, "cell") for c in cell], True
            else:
                one = _cell(cell, namer, "cell")
                stacked = isinstance(one, StackedRNNCells)
                cells = one.cells if stacked else [one]
            built = (cells, stacked)
        super().__init__({**config, "_cells": built}, namer)
        if listed:                             # the StackedRNNCells Keras makes for a list
            namer.auto("StackedRNNCells")
        self.cells: list[Recurrent] = built[0]
        self.stacked: bool = built[1]

    # -- shapes and weights ---------------------------------------------------------

    @property
    def STATES(self) -> tuple[str, ...]:  # noqa: N802 - the facts Bidirectional reads
        if not self.stacked:
            return self.cells[0].STATES
        return tuple(f"{c.name} {s}" for c in self.cells for s in c.STATES)

    def shape_from_input_dim(self, input_dim: int, input_length: int | None) -> Shape:
        return (self.config.get("batch_size"), input_length, input_dim)

    def check_sequence(self, x: Shape) -> None:
        require_rank(x, 3, "(batch, timesteps, features)")
        if self.config["stateful"] and x[0] is None:
            raise SpecError("a stateful layer needs a fixed batch size: give batch_size in the "
                            "input block, batch_input_shape, or --batch-size")

    def widths(self, x: Shape) -> list[int]:
        """Input features of each cell: the layer's input, then the cell below's units."""
        features = require_known(x[-1], "last (features)", x)
        return [features, *(c.units for c in self.cells[:-1])]

    def prefix(self, cell: Recurrent) -> str:
        """Weight-name prefix of a cell: its name in a stack (Keras' path), none alone."""
        return f"{cell.name}/" if self.stacked else ""

    def build_weights(self, inputs: list[Shape]) -> list[Weight]:
        x = inputs[0]
        self.check_sequence(x)
        weights = []
        for cell, width in zip(self.cells, self.widths(x)):
            scope = cell.name if self.stacked else ""
            # a cell's weights are stored in the cell's own dtype, whatever RNN's is
            weights += [w if w.dtype else replace(w, dtype=cell.variable_dtype)
                        for w in cell.direction_weights(width, cell.units,
                                                        prefix=self.prefix(cell), scope=scope)]
        return weights

    def state_shapes(self, x: Shape) -> list[Shape]:
        return [(x[0], c.units) for c in self.cells for _ in c.STATES]

    def output_names(self, inputs: list[Shape]) -> list[str]:
        head = "sequence" if self.config["return_sequences"] else "output"
        return [head, *(self.STATES if self.config["return_state"] else ())]

    def output_shapes(self, inputs: list[Shape]) -> list[Shape]:
        x, initial = inputs[0], inputs[1:]
        self.check_sequence(x)
        units = self.cells[-1].units
        out: Shape = (x[0], x[1], units) if self.config["return_sequences"] else (x[0], units)
        states = self.state_shapes(x)
        if initial:
            if len(initial) != len(states):
                raise SpecError(f"initial_state: expects {len(states)} tensors "
                                f"({', '.join(self.STATES)}), got {len(initial)}")
            for state, want in zip(initial, states):
                if len(state) != 2 or not all(dims_compatible(a, b)
                                              for a, b in zip(state, want)):
                    raise SpecError(f"initial_state: expects shape {format_shape(want)}, "
                                    f"got {format_shape(state)}")
        return [out, *(states if self.config["return_state"] else [])]

    # -- cost -----------------------------------------------------------------------

    def cost(self, inputs: list[Shape], outputs: list[Shape],
             convention: str = "keras") -> list[CostTerm]:
        x = inputs[0]
        terms = []
        for cell, width in zip(self.cells, self.widths(x)):
            part = cell.direction_cost(x, width, cell.units, cell.bias_values(convention))
            terms += [t.scoped(cell.name) if self.stacked else t for t in part]
        return terms

    def memory(self, inputs: list[Shape], outputs: list[Shape]) -> list[MemoryTerm]:
        out = []
        for cell in self.cells:
            terms = cell.stack_memory(inputs[0], 1)
            out += [replace(m, what=f"{cell.name}: {m.what}") if self.stacked else m
                    for m in terms]
        return out

    # -- forward pass -----------------------------------------------------------------

    def forward_steps(self, inputs: list[Shape]) -> int:
        return (inputs[0][1] or 1) * len(self.cells)

    def scratch_values(self, inputs: list[Shape], outputs: list[Shape]) -> int:
        batch, steps = inputs[0][0] or 1, inputs[0][1] or 1
        worst = max(len(c.GATES) * c.units for c in self.cells)
        between = sum(batch * steps * c.units for c in self.cells[:-1])
        return (batch * steps * worst + batch * worst + between
                + sum(len(c.STATES) * batch * c.units for c in self.cells))

    def run_sequences(self, loop: Any, x: Any, initial: list[Any], weights: dict[str, Any],
                      mask: Any = None, **overrides: bool) -> list[Any]:
        """One loop per cell, each over the sequence the cell below produced."""
        o = {**self.loop_options(), **overrides}
        states: list[Any] = []
        k = 0
        for n, cell in enumerate(self.cells):
            top = n == len(self.cells) - 1
            prefix = self.prefix(cell)
            own = {name.removeprefix(prefix): v for name, v in weights.items()
                   if name.startswith(prefix)}
            init = initial[k:k + len(cell.STATES)]
            k += len(cell.STATES)
            outs = loop(cell, x, init, own, mask,
                        return_sequences=o["return_sequences"] if top else True,
                        return_state=True, go_backwards=o["go_backwards"] and n == 0,
                        zero_output_for_mask=o["zero_output_for_mask"] if top else False)
            states += outs[1:]
            x = outs[0]
            if n == 0 and o["go_backwards"] and mask is not None:
                mask = mask[:, ::-1]          # the sequence above is in processing order
        return [x, *(states if o["return_state"] else [])]

    def initial_value(self, weight: Weight, sample: Any) -> Any:
        for cell in self.cells:
            prefix = self.prefix(cell)
            if weight.name.startswith(prefix):
                return cell.initial_value(replace(weight, name=weight.name[len(prefix):]),
                                          sample)
        return super().initial_value(weight, sample)

