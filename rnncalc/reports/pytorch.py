"""The PyTorch convention: what ``torch.nn`` would count for the same architecture.

Each layer kind declares its ``torch.nn`` counterpart (``torch_modules`` on its
class: module call, ``state_dict`` names and shapes, notes where a Keras
setting has no PyTorch equivalent); this module collects them into a plain
record next to the Keras counts. State-dict keys are prefixed with the Keras
layer name, as attributes of an ``nn.Module`` named after the layers would be.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from rnncalc.graph import Graph, Node
from rnncalc.reports.torch_layout import TorchModule, TorchParam

#: Attributes every ``torch.nn.Module`` has (torch 2.13, ``dir(nn.Module())``):
#: ``add_module`` refuses them as submodule names ("attribute 'forward' already
#: exists"). tests/golden/torch_convention.json holds the list real torch gives.
TORCH_MODULE_ATTRIBUTES = frozenset((
    'T_destination __annotations__ __call__ __class__ __delattr__ __dict__ __dir__ __doc__ __eq__ '
    '__format__ __ge__ __getattr__ __getattribute__ __getstate__ __gt__ __hash__ __init__ '
    '__init_subclass__ __le__ __lt__ __module__ __ne__ __new__ __reduce__ __reduce_ex__ __repr__ '
    '__setattr__ __setstate__ __sizeof__ __str__ __subclasshook__ __weakref__ _apply '
    '_backward_hooks _backward_pre_hooks _buffers _call_impl _compiled_call_impl _forward_hooks '
    '_forward_hooks_always_called _forward_hooks_with_kwargs _forward_pre_hooks '
    '_forward_pre_hooks_with_kwargs _get_backward_hooks _get_backward_pre_hooks _get_name '
    '_is_full_backward_hook _load_from_state_dict _load_state_dict_post_hooks '
    '_load_state_dict_pre_hooks _maybe_warn_non_full_backward_hook _modules _named_members '
    '_non_persistent_buffers_set _parameters _register_load_state_dict_pre_hook '
    '_register_state_dict_hook _replicate_for_data_parallel _save_to_state_dict _slow_forward '
    '_state_dict_hooks _state_dict_pre_hooks _version _wrapped_call_impl add_module apply '
    'bfloat16 buffers call_super_init children compile cpu cuda double dump_patches eval '
    'extra_repr float forward get_buffer get_extra_state get_parameter get_submodule half ipu '
    'load_state_dict modules mtia named_buffers named_children named_modules named_parameters '
    'parameters register_backward_hook register_buffer register_forward_hook '
    'register_forward_pre_hook register_full_backward_hook register_full_backward_pre_hook '
    'register_load_state_dict_post_hook register_load_state_dict_pre_hook register_module '
    'register_parameter register_state_dict_post_hook register_state_dict_pre_hook requires_grad_ '
    'set_extra_state set_submodule share_memory state_dict to to_empty train training type xpu '
    'zero_grad'
).split())


def torch_module_name(name: str) -> str:
    """A Keras layer name as a torch submodule name: no ``.``, no nn.Module attribute.

    ``add_module`` refuses names with ``.`` and names of existing attributes;
    a torch user would write ``a_b`` and ``forward_``.
    """
    legal = name.replace(".", "_") or "_"
    while legal in TORCH_MODULE_ATTRIBUTES:
        legal += "_"
    return legal


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
        prefix = torch_module_name(self.name)
        return [(f"{prefix}.{m.prefix}{p.name}", p) for m in self.modules
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
    if not node.layer.trainable:   # a frozen wrapper freezes what it owns (requires_grad_)
        modules = tuple(replace(m, state_dict=tuple(replace(p, trainable=False)
                                                    for p in m.state_dict)) for m in modules)
    module_name = torch_module_name(node.name)
    if module_name != node.name:
        notes = (*notes, f"torch cannot name a submodule {node.name!r} ('.' is a path "
                         f"separator, nn.Module attributes are taken): named {module_name!r}")
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
