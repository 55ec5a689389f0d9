"""The PyTorch convention: what ``torch.nn`` would count for the same architecture.

Each layer kind declares its ``torch.nn`` counterpart (``torch_modules`` on its
class: module call, ``state_dict`` names and shapes, notes where a Keras
setting has no PyTorch equivalent); this module collects them into a plain
record next to the Keras counts. State-dict keys are prefixed with the Keras
layer name, as attributes of an ``nn.Module`` named after the layers would be.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rnncalc.graph import Graph, Node
from rnncalc.reports.torch_layout import TorchModule, TorchParam


@dataclass(frozen=True)
class TorchLayer:
    name: str
    type: str
    modules: tuple[TorchModule, ...]
    params: int
    trainable_params: int
    keras_params: int
    notes: tuple[str, ...]

    @property
    def state_dict(self) -> list[tuple[str, TorchParam]]:
        """``(key, entry)`` pairs, keys prefixed with the layer name."""
        return [(f"{self.name}.{m.prefix}{p.name}", p) for m in self.modules
                for p in m.state_dict]

    @property
    def calls(self) -> str:
        return " + ".join(m.call for m in self.modules) or "-"

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "type": self.type,
            "modules": [m.call for m in self.modules],
            "params": self.params, "trainable_params": self.trainable_params,
            "keras_params": self.keras_params,
            "state_dict": [{"name": key, "shape": list(p.shape), "params": p.params,
                            "buffer": p.buffer, "trainable": p.trainable and not p.buffer}
                           for key, p in self.state_dict],
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class TorchRecord:
    name: str
    layers: tuple[TorchLayer, ...]
    total_params: int
    trainable_params: int
    keras_total_params: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "convention": "pytorch",
            "layers": [t.to_dict() for t in self.layers],
            "total_params": self.total_params,
            "trainable_params": self.trainable_params,
            "non_trainable_params": self.total_params - self.trainable_params,
            "keras_total_params": self.keras_total_params,
        }


def torch_layer(node: Node) -> TorchLayer:
    """The ``torch.nn`` modules of one layer node, with counts and notes."""
    assert node.layer is not None
    modules = tuple(node.layer.torch_modules(node.input_shapes))
    notes = tuple(n for m in modules for n in m.notes)
    if not modules and node.weights:
        # No counterpart declared: keep the Keras weights so totals stay whole.
        state = tuple(TorchParam(w.name, w.shape, w.role, w.dims, w.trainable)
                      for w in node.weights)
        modules = (TorchModule(f"(no torch.nn mapping for {node.kind})", state),)
        notes = (f"no PyTorch mapping for {node.kind}: its Keras weights are counted",)
    params = sum(m.params for m in modules)
    trainable = sum(m.trainable_params for m in modules)
    return TorchLayer(node.name, node.kind, modules, params, trainable, node.params,
                      tuple(dict.fromkeys(notes)))


def torch_record(graph: Graph) -> TorchRecord:
    """What PyTorch counts for every layer of the graph."""
    layers = tuple(torch_layer(n) for n in graph.nodes)
    return TorchRecord(
        name=graph.name, layers=layers,
        total_params=sum(t.params for t in layers),
        trainable_params=sum(t.trainable_params for t in layers),
        keras_total_params=sum(n.params for n in graph.nodes),
    )
