"""The summary record: plain data computed from a graph, rendered elsewhere.

The JSON output is this record as a dict; the table and markdown renderers
draw from the same record, so the three can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rnncalc.graph import Graph, Node, TensorRef
from rnncalc.layers.arguments import value_bytes
from rnncalc.layers.shapes import Shape
from rnncalc.submodel import SubModel


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
        return self.document([layer_dict(rec) for rec in self.layers])

    def document(self, layers: Any) -> dict[str, Any]:
        """:meth:`to_dict` with ``layers`` given (the JSON writer passes them written)."""
        return {
            "name": self.name,
            "inputs": [{"name": i.name, "shape": list(i.shape), "dtype": i.dtype}
                       for i in self.inputs],
            "layers": layers,
            "outputs": list(self.outputs),
            "total_params": self.total_params,
            "trainable_params": self.trainable_params,
            "non_trainable_params": self.non_trainable_params,
            "param_bytes": self.param_bytes,
        }


def layer_dict(rec: LayerRecord) -> dict[str, Any]:
    """One layer's entry of the JSON document (``render/summary_json.py`` writes the same
    entry from a template; a test holds the two equal)."""
    return {
        "name": rec.name, "type": rec.type, "inputs": list(rec.inputs),
        "output_shapes": [list(s) for s in rec.output_shapes],
        "params": rec.params, "trainable_params": rec.trainable_params,
        "non_trainable_params": rec.non_trainable_params,
        "weights": [{"name": w.name, "shape": list(w.shape), "params": w.params,
                     "trainable": w.trainable} for w in rec.weights],
        **({"inner": rec.inner} if rec.inner else {}),
    }


def ref_text(graph: Graph, ref: TensorRef) -> str:
    """``name`` for a single-output node's tensor, ``name[k]`` otherwise."""
    return _ref_text(graph.node(ref.node), ref)


def _ref_text(source: Node, ref: TensorRef) -> str:
    if len(source.output_shapes) == 1:
        return ref.node
    return f"{ref.node}[{ref.index}]"


def _layer_record(graph: Graph, node: Node, calls: list[Node] | None = None) -> LayerRecord:
    """One row; a shared layer's row lists the inputs of every call (``calls``)."""
    return _row(graph, node, calls)[0]


def _row(graph: Graph, node: Node, calls: list[Node] | None) -> tuple[LayerRecord, int]:
    """The row and the layer's trainable bytes, from one pass over its weights and inputs
    (every layer of a model passes here)."""
    if calls is not None and len(calls) > 1:
        calls = sorted(calls, key=lambda n: n.call_index)
    else:
        calls = [node]
    inputs, connected = [], []
    for call in calls:
        for ref in call.inbound:
            source = graph.node(ref.node)
            inputs.append(_ref_text(source, ref))
            # Keras' ``layer[call][output]``: ``lstm[1][0]`` is the second call's first output
            connected.append(f"{source.layer_name}[{source.call_index}][{ref.index}]")
    params = trainable = param_bytes = trainable_bytes = 0
    weights = []
    for w in node.weights:
        count = w.params
        size = count * value_bytes(w.dtype)     # Weight.bytes, its size computed once
        params += count
        param_bytes += size
        if w.trainable:
            trainable += count
            trainable_bytes += size
        weights.append(WeightRecord(w.name, w.shape, count, w.trainable))
    return LayerRecord(
        name=node.name,
        type=node.type_name,
        inputs=tuple(inputs),
        connected_to=tuple(connected),
        output_shapes=tuple(node.output_shapes),
        params=params,
        trainable_params=trainable,
        non_trainable_params=params - trainable,
        param_bytes=param_bytes,
        weights=tuple(weights),
        inner=_inner(node),
        sublayers=_nested_rows(node),
    ), trainable_bytes


def _nested_rows(node: Node) -> tuple[LayerRecord, ...]:
    """The rows of a nested model's own graph (none for other layers)."""
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
    if not subs:
        return None
    return "/".join(dict.fromkeys(sub.kind for sub in subs)) or None


def summarize(graph: Graph) -> SummaryRecord:
    """Collect per-layer records and totals from a built graph."""
    calls: dict[str, list[Node]] = {}     # one row per layer, at its first call
    for n in graph.nodes:
        calls.setdefault(n.layer_name, []).append(n)
    rows = [_row(graph, graph.node(name), group) for name, group in calls.items()]
    layers = tuple(row for row, _ in rows)
    total = sum(rec.params for rec in layers)
    trainable = sum(rec.trainable_params for rec in layers)
    trainable_bytes = sum(size for _, size in rows)   # later calls of a layer hold no weights
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
