"""The ``explain`` record: where every parameter comes from, and what a pass costs.

Built from the graph alone: each weight's declared shape, role and ``dims``
notes give the arithmetic (``kernel (100, 128) = 100 × 128 = 12,800``)
without this module knowing any layer kind; the cost and memory parts come
from :mod:`rnncalc.reports.cost`, the PyTorch view from :mod:`rnncalc.reports.pytorch`.
Rendering is in :mod:`rnncalc.render.explain_view`.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import prod
from typing import Any

from rnncalc.errors import SpecError, did_you_mean
from rnncalc.graph import Graph, Node
from rnncalc.layers.shapes import Shape
from rnncalc.reports.cost import CostRecord, LayerCost, model_cost


@dataclass(frozen=True)
class WeightLine:
    name: str
    shape: tuple[int, ...]
    params: int
    arithmetic: str          # "100 × 128 = 12,800"
    role: str
    dims: tuple[str, ...]
    trainable: bool
    buffer: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "shape": list(self.shape), "params": self.params,
                "arithmetic": self.arithmetic, "role": self.role, "dims": list(self.dims),
                "trainable": self.trainable, "buffer": self.buffer}


@dataclass(frozen=True)
class WeightGroup:
    """Weights of one part of a layer: ``forward``/``backward`` or one torch module."""

    title: str
    weights: tuple[WeightLine, ...]

    @property
    def params(self) -> int:
        return sum(w.params for w in self.weights if not w.buffer)

    @property
    def sum_text(self) -> str:
        return sum_text([w.params for w in self.weights if not w.buffer])


@dataclass(frozen=True)
class LayerExplain:
    name: str
    type: str
    output_shapes: tuple[Shape, ...]
    groups: tuple[WeightGroup, ...]
    params: int
    keras_params: int
    notes: tuple[str, ...]
    cost: LayerCost

    @property
    def sum_text(self) -> str:
        if len(self.groups) > 1:
            return sum_text([g.params for g in self.groups])
        return self.groups[0].sum_text if self.groups else "0"

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "type": self.type,
            "output_shapes": [list(s) for s in self.output_shapes],
            "groups": [{"title": g.title, "params": g.params,
                        "weights": [w.to_dict() for w in g.weights]} for g in self.groups],
            "params": self.params, "arithmetic": self.sum_text,
            "keras_params": self.keras_params, "notes": list(self.notes),
            "cost": self.cost.to_dict(),
        }


@dataclass(frozen=True)
class ExplainRecord:
    name: str
    convention: str
    layers: tuple[LayerExplain, ...]
    all_layers: tuple[str, ...]
    total_params: int
    total_text: str          # "500,000 + 29,312 + 129 = 529,441"
    keras_total_params: int
    cost: CostRecord

    def to_dict(self) -> dict[str, Any]:
        costs = self.cost.to_dict()
        costs.pop("layers")
        return {
            "name": self.name, "convention": self.convention,
            "layers": [layer.to_dict() for layer in self.layers],
            "total_params": self.total_params, "total_arithmetic": self.total_text,
            "keras_total_params": self.keras_total_params,
            "cost": costs,
        }


def count(n: int) -> str:
    return f"{n:,}"


def arithmetic(shape: tuple[int, ...]) -> str:
    """``(100, 128)`` -> ``100 × 128 = 12,800``; ``(128,)`` -> ``128``."""
    total = prod(shape)
    if len(shape) <= 1:
        return count(total)
    return " × ".join(count(d) for d in shape) + f" = {count(total)}"


def sum_text(parts: list[int]) -> str:
    """``12,800 + 16,384 + 128 = 29,312`` (just the number for one part)."""
    total = sum(parts)
    if len(parts) <= 1:
        return count(total)
    return " + ".join(count(p) for p in parts) + f" = {count(total)}"


def _keras_groups(node: Node) -> tuple[WeightGroup, ...]:
    """Weights grouped by their ``scope/`` prefix (Bidirectional: forward, backward)."""
    groups: dict[str, list[WeightLine]] = {}
    for w in node.weights:
        scope, _, _ = w.name.rpartition("/")
        groups.setdefault(scope, []).append(
            WeightLine(w.name, w.shape, w.params, arithmetic(w.shape), w.role, w.dims,
                       w.trainable))
    return tuple(WeightGroup(title, tuple(lines)) for title, lines in groups.items())


def _torch_groups(layer) -> tuple[WeightGroup, ...]:
    return tuple(
        WeightGroup(f"{m.prefix}{m.call}", tuple(
            WeightLine(f"{m.prefix}{p.name}", p.shape, p.params, arithmetic(p.shape), p.role,
                       p.dims, p.trainable and not p.buffer, p.buffer)
            for p in m.state_dict))
        for m in layer.modules)


def explain(graph: Graph, convention: str = "keras", dtype: str | None = None,
            layer_name: str | None = None, optimizer: Any = None) -> ExplainRecord:
    """The explain record of a graph (optionally of one layer)."""
    names = [n.name for n in graph.nodes]
    if layer_name is not None and layer_name not in names:
        raise SpecError(f"--layer-name: no layer named '{layer_name}' (layers: "
                        f"{', '.join(names)})", hint=did_you_mean(layer_name, names))
    cost = model_cost(graph, convention, dtype, optimizer)
    torch = None
    if convention == "pytorch":
        from rnncalc.reports.pytorch import torch_record

        torch = {t.name: t for t in torch_record(graph).layers}
    layers = []
    for node in graph.nodes:
        if torch is not None:
            t = torch[node.name]
            groups, params, notes = _torch_groups(t), t.params, t.notes
        else:
            groups, params, notes = _keras_groups(node), node.params, ()
            if node.owner:
                notes = (f"call {node.call_index + 1} of '{node.owner}': its weights are "
                         "shared, counted once (there)",)
        layers.append(LayerExplain(node.name, node.type_name, tuple(node.output_shapes), groups,
                                   params, node.params, notes, cost.layer(node.name)))
    total = sum(layer.params for layer in layers)
    shown = [layer for layer in layers if layer_name in (None, layer.name)]
    return ExplainRecord(
        name=graph.name, convention=convention, layers=tuple(shown),
        all_layers=tuple(names), total_params=total,
        total_text=sum_text([layer.params for layer in layers if layer.params]),
        keras_total_params=sum(n.params for n in graph.nodes), cost=cost)
