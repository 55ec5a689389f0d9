"""Compute and memory cost of a graph: plain records, rendered elsewhere.

Every number comes from what each layer kind declares (``cost`` and
``memory`` on its class); this module only adds them up, applies a dtype and
keeps unknown dims symbolic (see :mod:`rnncalc.layers.counting`). The conventions
are written out in ``docs/costs.md``:

- MACs: multiply-accumulates of matrix products (weights × activations).
- FLOPs: 2 per MAC, plus 1 per bias add, element-wise add or multiply,
  comparison and activation-function evaluation.
- Inference activations: every layer's output tensors plus each layer's
  working set (an RNN's state and one step's gates), nothing freed.
- Training activations: every layer's output tensors plus what the backward
  pass needs on top (for RNNs every timestep's states and gate values, BPTT).
- Estimated totals, like torchinfo's footer: inference = input + params +
  inference activations; training = input + params + gradients of the
  trainable params + training activations (optimizer state not included).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rnncalc.graph import Graph, Node
from rnncalc.layers.arguments import value_bytes
from rnncalc.layers.counting import (
    INFERENCE,
    TRAINING,
    CostTerm,
    MemoryTerm,
    Poly,
    flops,
    macs,
    per_unit,
    size,
)
from rnncalc.layers.shapes import Shape


@dataclass(frozen=True)
class LayerCost:
    name: str
    type: str
    terms: tuple[CostTerm, ...]
    memory: tuple[MemoryTerm, ...]
    macs: Poly
    flops: Poly
    output_values: Poly
    inference_values: Poly       # outputs + working set
    training_values: Poly        # outputs + saved for backward
    bytes_per_value: int          # activations: the compute dtype (or --dtype)
    params: int
    trainable_params: int
    param_bytes: int              # each weight at its own variable dtype (or --dtype)
    trainable_param_bytes: int

    @property
    def inference_bytes(self) -> Poly:
        return self.inference_values * self.bytes_per_value

    @property
    def training_bytes(self) -> Poly:
        return self.training_values * self.bytes_per_value

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "type": self.type,
            "macs": self.macs.to_json(), "flops": self.flops.to_json(),
            "terms": [{"what": t.what, "op": t.op, "scope": t.scope, "per_position": t.per,
                       "formula": t.formula, "numbers": t.numbers, "positions": t.over,
                       "total": t.total.to_json()} for t in self.terms],
            "activation_values": {"outputs": self.output_values.to_json(),
                                  "inference": self.inference_values.to_json(),
                                  "training": self.training_values.to_json()},
            "memory_terms": [{"what": m.what, "phase": m.phase, "formula": m.formula,
                              "values": m.values.to_json()} for m in self.memory],
            "bytes_per_value": self.bytes_per_value,
        }


@dataclass(frozen=True)
class CostRecord:
    name: str
    convention: str
    dtype: str | None             # None: each layer's own dtype
    layers: tuple[LayerCost, ...]
    macs: Poly
    flops: Poly
    input_bytes: Poly
    param_bytes: int
    gradient_bytes: int
    inference_activation_bytes: Poly
    training_activation_bytes: Poly
    optimizer: Any = None         # OptimizerState when --optimizer is given

    @property
    def optimizer_bytes(self) -> int:
        return self.optimizer.bytes if self.optimizer else 0

    @property
    def inference_total(self) -> Poly:
        return self.input_bytes + self.param_bytes + self.inference_activation_bytes

    @property
    def training_total(self) -> Poly:
        return (self.input_bytes + self.param_bytes + self.gradient_bytes
                + self.training_activation_bytes + self.optimizer_bytes)

    @property
    def per_sample(self) -> bool:
        """True when the batch is unknown, so figures are per sample."""
        return any(not p.known and p.per_sample()[1]
                   for p in (self.macs, self.training_total))

    def layer(self, name: str) -> LayerCost:
        by_name = self.__dict__.get("_by_name")
        if by_name is None:       # built once: a lookup per layer must not scan the layers
            by_name = {c.name: c for c in self.layers}
            object.__setattr__(self, "_by_name", by_name)
        return by_name[name]

    @property
    def per(self) -> str:
        """What the JSON figures are per: ``batch``, ``sample``, ``step`` or ``sample*step``."""
        return per_unit([self.macs, self.flops, self.training_total, self.inference_total])

    def to_dict(self) -> dict[str, Any]:
        return {
            "convention": self.convention,
            "dtype": self.dtype,
            "per": self.per,
            "macs": self.macs.to_json(), "flops": self.flops.to_json(),
            "memory_bytes": {
                "input": self.input_bytes.to_json(),
                "params": self.param_bytes,
                "gradients": self.gradient_bytes,
                "inference_activations": self.inference_activation_bytes.to_json(),
                "training_activations": self.training_activation_bytes.to_json(),
                **({"optimizer_state": self.optimizer.bytes} if self.optimizer else {}),
                "inference_total": self.inference_total.to_json(),
                "training_total": self.training_total.to_json(),
            },
            "layers": [c.to_dict() for c in self.layers],
        }


def _outputs(shapes: list[Shape]) -> Poly:
    return sum((size(s) for s in shapes), Poly())


def layer_cost(node: Node, convention: str = "keras", dtype: str | None = None,
               params: tuple[int, int] | None = None) -> LayerCost:
    """Cost of one layer node; ``params`` overrides (total, trainable) for PyTorch counts."""
    layer = node.layer
    assert layer is not None
    terms = tuple(layer.cost(node.input_shapes, node.output_shapes, convention))
    memory = tuple(layer.memory(node.input_shapes, node.output_shapes))
    out = _outputs(node.output_shapes)
    per = value_bytes(dtype or layer.compute_dtype)
    total, trainable = params or (node.params, node.trainable_params)
    if dtype:
        weight_bytes, trainable_bytes = total * per, trainable * per
    elif params:   # PyTorch counts: the layer's weights' bytes per value
        each = node.param_bytes // node.params if node.params else value_bytes(
            layer.variable_dtype)
        weight_bytes, trainable_bytes = total * each, trainable * each
    else:
        weight_bytes, trainable_bytes = node.param_bytes, node.trainable_bytes
    return LayerCost(
        name=node.name, type=node.type_name, terms=terms, memory=memory,
        macs=macs(terms), flops=flops(terms), output_values=out,
        inference_values=out + sum((m.values for m in memory if m.phase == INFERENCE), Poly()),
        training_values=out + sum((m.values for m in memory if m.phase == TRAINING), Poly()),
        bytes_per_value=per, params=total, trainable_params=trainable,
        param_bytes=weight_bytes, trainable_param_bytes=trainable_bytes)


def model_cost(graph: Graph, convention: str = "keras", dtype: str | None = None,
               optimizer: Any = None) -> CostRecord:
    """Per-layer and total MACs, FLOPs and memory of one forward pass.

    ``optimizer`` (a name such as ``adam`` or an ``Optimizer``) adds the state that
    Keras 3 optimizer allocates to the training memory.
    """
    counts: dict[str, tuple[int, int]] = {}
    if convention == "pytorch":
        from rnncalc.reports.pytorch import torch_record

        counts = {t.name: (t.params, t.trainable_params) for t in torch_record(graph).layers}
    layers = tuple(layer_cost(n, convention, dtype, counts.get(n.name)) for n in graph.nodes)
    input_bytes = Poly()
    for node in graph.inputs:
        float_input = node.dtype.startswith(("float", "bfloat"))
        per = value_bytes(dtype if dtype and float_input else node.dtype)
        input_bytes = input_bytes + size(node.output_shapes[0]) * per
    return CostRecord(
        name=graph.name, convention=convention, dtype=dtype, layers=layers,
        macs=sum((c.macs for c in layers), Poly()),
        flops=sum((c.flops for c in layers), Poly()),
        input_bytes=input_bytes,
        param_bytes=sum(c.param_bytes for c in layers),
        gradient_bytes=sum(c.trainable_param_bytes for c in layers),
        inference_activation_bytes=sum((c.inference_bytes for c in layers), Poly()),
        training_activation_bytes=sum((c.training_bytes for c in layers), Poly()),
        optimizer=_optimizer_state(graph, optimizer, dtype),
    )


def _optimizer_state(graph: Graph, optimizer: Any, dtype: str | None) -> Any:
    if optimizer is None:
        return None
    from rnncalc.reports.optimizers import optimizer_state

    return optimizer_state(graph, optimizer, dtype)


@dataclass(frozen=True)
class CostedSummary:
    """A summary with cost beside each layer, in the Keras or PyTorch convention."""

    record: Any          # SummaryRecord
    cost: CostRecord
    torch: Any = None    # TorchRecord under the PyTorch convention

    def to_dict(self) -> dict[str, Any]:
        """The summary JSON, each layer with its MACs and FLOPs, plus the cost totals.

        Under the PyTorch convention the document is a superset of the Keras
        one: the counts are torch.nn's, and each layer adds its modules,
        state_dict and notes beside Keras' own count.
        """
        document = self.record.to_dict()
        if self.torch:
            document["convention"] = "pytorch"
            by_name = {t.name: t.to_dict() for t in self.torch.layers}
            for entry in document["layers"]:
                torch = by_name[entry["name"]]
                entry["keras_params"] = entry["params"]
                for key in ("params", "trainable_params", "modules", "state_dict", "notes"):
                    entry[key] = torch[key]
                entry["non_trainable_params"] = entry["params"] - entry["trainable_params"]
            document["keras_total_params"] = self.torch.keras_total_params
            document["total_params"] = self.torch.total_params
            document["trainable_params"] = self.torch.trainable_params
            document["non_trainable_params"] = (self.torch.total_params
                                                - self.torch.trainable_params)
            document["param_bytes"] = self.cost.param_bytes
        elif self.cost.dtype:
            document["param_bytes"] = self.cost.param_bytes
        for entry, layer in zip(document["layers"], self.cost.layers):
            entry["macs"], entry["flops"] = layer.macs.to_json(), layer.flops.to_json()
        totals = self.cost.to_dict()
        totals.pop("layers")
        document["cost"] = totals
        return document


def costed_summary(graph: Graph, convention: str = "keras",
                   dtype: str | None = None, record: Any = None,
                   optimizer: Any = None) -> CostedSummary:
    """Summary record, cost record and (for ``pytorch``) the torch.nn record of a graph."""
    from rnncalc.reports.summary import summarize

    record = record if record is not None else summarize(graph)
    torch = None
    if convention == "pytorch":
        from rnncalc.reports.pytorch import torch_record

        torch = torch_record(graph)
    return CostedSummary(record, model_cost(graph, convention, dtype, optimizer), torch)
