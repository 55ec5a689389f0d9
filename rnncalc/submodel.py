"""A model used as a layer: a nested ``Sequential`` or functional ``Model``.

Layers never import the graph, so the nested model lives here, one floor up:
the graph builder builds the inner graph (with the session's namer, so inner
layers take their default names where Keras gives them) and wraps it in
:class:`SubModel`, which speaks the layer interface. Its weights are the inner
layers' weights, named ``<inner layer>/<weight>``; its cost is theirs; the
engine runs the inner graph through the executor it hands to ``forward``
(see :meth:`SubModel.uses_graph_executor`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from rnncalc.errors import SpecError
from rnncalc.layers.base import Layer, Weight
from rnncalc.layers.counting import CostTerm, MemoryTerm
from rnncalc.layers.shapes import Shape, format_shape

if TYPE_CHECKING:
    from rnncalc.graph import Graph

class SubModel(Layer):
    """A nested model, one layer of the outer graph (one summary row, as Keras prints it)."""

    MAX_INPUTS = None

    def __init__(self, kind: str, name: str, trainable: bool, graph: Graph,
                 class_name: str | None = None) -> None:
        self.kind = kind            # an instance attribute: SubModel is no registered kind
        self.config = {"name": name, "trainable": trainable, "dtype": None}
        self.name = name
        self.call_config = {}
        self.graph = graph
        self.class_name = class_name

    @property
    def type_name(self) -> str:
        """``Functional``, or the class of a user's layer made of sublayers."""
        return self.class_name or self.kind

    def inner(self, inputs: list[Shape]) -> Graph:
        """The inner graph (built by the graph builder on the call's input shapes)."""
        return self.graph

    def check_inputs(self, inputs: list[Shape]) -> None:
        check_feeds(self.graph, inputs, self.name)

    def build_weights(self, inputs: list[Shape]) -> list[Weight]:
        graph = self.inner(inputs)
        return [replace(w, name=f"{node.name}/{w.name}") for node in graph.nodes
                for w in node.weights]

    def output_shapes(self, inputs: list[Shape]) -> list[Shape]:
        """The inner graph's outputs for these input shapes (a concrete batch stays concrete)."""
        graph = self.inner(inputs)
        shapes: dict[str, list[Shape]] = {n.name: [tuple(s)] for n, s in
                                          zip(graph.inputs, inputs)}
        for node in graph.nodes:
            assert node.layer is not None
            ins = [shapes[r.node][r.index] for r in node.inbound]
            shapes[node.name] = [tuple(s) for s in node.layer.output_shapes(ins)]
        return [shapes[r.node][r.index] for r in graph.outputs]

    def cost(self, inputs: list[Shape], outputs: list[Shape],
             convention: str = "keras") -> list[CostTerm]:
        graph = self.inner(inputs)
        return [term.scoped(node.name) for node in graph.nodes if node.layer is not None
                for term in node.layer.cost(node.input_shapes, node.output_shapes, convention)]

    def memory(self, inputs: list[Shape], outputs: list[Shape]) -> list[MemoryTerm]:
        graph = self.inner(inputs)
        return [term for node in graph.nodes if node.layer is not None
                for term in node.layer.memory(node.input_shapes, node.output_shapes)]

    # -- forward pass -------------------------------------------------------------

    def uses_graph_executor(self) -> bool:
        return True

    def forward(self, inputs: list[Any], weights: dict[str, Any], mask: Any = None,
                execute: Callable[..., list[Any]] | None = None) -> list[Any]:
        if execute is None:
            raise SpecError(f"{self.name}: a nested model runs only inside the engine")
        inner: dict[str, dict[str, Any]] = {}
        for key, value in weights.items():
            layer, _, weight = key.partition("/")
            inner.setdefault(layer, {})[weight] = value
        feeds = {node.name: x for node, x in zip(self.graph.inputs, inputs)}
        return list(execute(self.graph, feeds, inner))

    def forward_steps(self, inputs: list[Shape]) -> int:
        return 1

    def scratch_values(self, inputs: list[Shape], outputs: list[Shape]) -> int:
        graph = self.inner(inputs)
        total = 0
        for node in graph.nodes:
            if node.layer is not None:
                total += node.layer.scratch_values(node.input_shapes, node.output_shapes)
        return total


def check_feeds(graph: Graph, inputs: list[Shape], name: str) -> None:
    """A nested functional model called on tensors its inputs accept (as Keras checks)."""
    if len(inputs) != len(graph.inputs):
        raise SpecError(f"the nested model '{name}' takes {len(graph.inputs)} input "
                        f"tensor{'s' if len(graph.inputs) != 1 else ''}, got {len(inputs)}")
    for node, shape in zip(graph.inputs, inputs):
        want = node.output_shapes[0]
        if len(want) != len(shape) or any(a is not None and b is not None and a != b
                                           for a, b in zip(want[1:], shape[1:])):
            raise SpecError(f"the nested model '{name}' expects input '{node.name}' of shape "
                            f"{format_shape(want)}, got {format_shape(shape)}")
