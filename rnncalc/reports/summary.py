"""The summary record: plain data computed from a graph, rendered elsewhere.

The JSON output is this record as a dict; the table and markdown renderers
draw from the same record, so the three can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rnncalc.graph import Graph, Node, TensorRef
from rnncalc.layers.shapes import Shape


@dataclass(frozen=True)
class WeightRecord:
    name: str
    shape: tuple[int, ...]
    params: int
    trainable: bool


@dataclass(frozen=True)
class LayerRecord:
    name: str
    type: str
    inputs: tuple[str, ...]
    connected_to: tuple[str, ...]
    output_shapes: tuple[Shape, ...]
    params: int
    trainable_params: int
    non_trainable_params: int
    param_bytes: int
    weights: tuple[WeightRecord, ...]
    inner: str | None = None        # the wrapped layer's kind (Bidirectional, TimeDistributed)
    #: A model used as a layer: its own rows (``--expand`` opens it, as Keras' expand_nested).
    sublayers: tuple[LayerRecord, ...] = ()


@dataclass(frozen=True)
class InputRecord:
    name: str
    shape: Shape
    dtype: str


@dataclass(frozen=True)
class SummaryRecord:
    name: str
    inputs: tuple[InputRecord, ...]
    layers: tuple[LayerRecord, ...]
    outputs: tuple[str, ...]
    total_params: int
    trainable_params: int
    non_trainable_params: int
    param_bytes: int
    trainable_bytes: int
    chain: bool

    def to_dict(self) -> dict[str, Any]:
        """The contract's JSON document (§4)."""
        return {
            "name": self.name,
            "inputs": [{"name": i.name, "shape": list(i.shape), "dtype": i.dtype}
                       for i in self.inputs],
            "layers": [{
                "name": rec.name, "type": rec.type, "inputs": list(rec.inputs),
                "output_shapes": [list(s) for s in rec.output_shapes],
                "params": rec.params, "trainable_params": rec.trainable_params,
                "non_trainable_params": rec.non_trainable_params,
                "weights": [{"name": w.name, "shape": list(w.shape), "params": w.params,
                             "trainable": w.trainable} for w in rec.weights],
                **({"inner": rec.inner} if rec.inner else {}),
            } for rec in self.layers],
            "outputs": list(self.outputs),
            "total_params": self.total_params,
            "trainable_params": self.trainable_params,
            "non_trainable_params": self.non_trainable_params,
            "param_bytes": self.param_bytes,
        }


def ref_text(graph: Graph, ref: TensorRef) -> str:
    """``name`` for a single-output node's tensor, ``name[k]`` otherwise."""
    if len(graph.node(ref.node).output_shapes) == 1:
        return ref.node
    return f"{ref.node}[{ref.index}]"


def _connected(graph: Graph, ref: TensorRef) -> str:
    """Keras' ``layer[call][output]``: ``lstm[1][0]`` is the second call's first output."""
    source = graph.node(ref.node)
    return f"{source.layer_name}[{source.call_index}][{ref.index}]"


def _layer_record(graph: Graph, node: Node, calls: list[Node] | None = None) -> LayerRecord:
    """One row; a shared layer's row lists the inputs of every call (``calls``)."""
    calls = sorted(calls or [node], key=lambda n: n.call_index)
    trainable = node.trainable_params
    return LayerRecord(
        name=node.name,
        type=node.type_name,
        inputs=tuple(ref_text(graph, r) for n in calls for r in n.inbound),
        connected_to=tuple(_connected(graph, r) for n in calls for r in n.inbound),
        output_shapes=tuple(node.output_shapes),
        params=node.params,
        trainable_params=trainable,
        non_trainable_params=node.params - trainable,
        param_bytes=node.param_bytes,
        weights=tuple(WeightRecord(w.name, w.shape, w.params, w.trainable)
                      for w in node.weights),
        inner=_inner(node),
        sublayers=_nested_rows(node),
    )


def _nested_rows(node: Node) -> tuple[LayerRecord, ...]:
    """The rows of a nested model's own graph (none for other layers)."""
    from rnncalc.submodel import SubModel

    if not isinstance(node.layer, SubModel):
        return ()
    graph = node.layer.graph
    rows = summarize(graph).layers
    if not graph.functional:
        return rows
    inputs = tuple(LayerRecord(n.name, "InputLayer", (), (), tuple(n.output_shapes), 0, 0, 0,
                               0, ()) for n in graph.inputs)   # Keras lists them too
    return inputs + rows


def _inner(node: Node) -> str | None:
    """``LSTM`` for ``Bidirectional(LSTM)``: the kind a wrapper holds (both directions' kind
    when they differ, ``GRU/LSTM``)."""
    subs = node.layer.sublayers() if node.layer else []
    kinds = list(dict.fromkeys(sub.kind for sub in subs))
    return "/".join(kinds) or None


def summarize(graph: Graph) -> SummaryRecord:
    """Collect per-layer records and totals from a built graph."""
    calls: dict[str, list[Node]] = {}     # one row per layer, at its first call
    for n in graph.nodes:
        calls.setdefault(n.layer_name, []).append(n)
    layers = tuple(_layer_record(graph, graph.node(name), group)
                   for name, group in calls.items())
    total = sum(rec.params for rec in layers)
    trainable = sum(rec.trainable_params for rec in layers)
    trainable_bytes = sum(n.trainable_bytes for n in graph.nodes)
    return SummaryRecord(
        name=graph.name,
        inputs=tuple(InputRecord(n.name, n.output_shapes[0], n.dtype) for n in graph.inputs),
        layers=layers,
        outputs=tuple(dict.fromkeys(ref_text(graph, r) for r in graph.outputs)),
        total_params=total,
        trainable_params=trainable,
        non_trainable_params=total - trainable,
        param_bytes=sum(rec.param_bytes for rec in layers),
        trainable_bytes=trainable_bytes,
        chain=graph.is_chain and not graph.functional,
    )
