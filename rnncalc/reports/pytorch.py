"""The PyTorch convention: what ``torch.nn`` would count for the same architecture.

Each layer kind declares its ``torch.nn`` counterpart (``torch_modules`` on its
class: module call, ``state_dict`` names and shapes, notes where a Keras
setting has no PyTorch equivalent); this module collects them into a plain
record next to the Keras counts. State-dict keys are prefixed with the Keras
layer name, as attributes of an ``nn.Module`` named after the layers would be.

Recurrent layers only declare facts (``TORCH_MODULE``, ``TORCH_GATES``,
``TORCH_BIAS_VECTORS``, ``TORCH_LAYOUT``); their torch.nn layout is computed
here: the ``num_layers`` / ``bidirectional`` / ``proj_size`` stacking, the two
biases, ``_reverse`` names. Those three module options have no Keras meaning,
so only :func:`build_torch_graph` reads them (as a :class:`TorchStack` layer);
a Keras graph refuses them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from rnncalc.errors import SpecError
from rnncalc.graph import Graph, Node, ShapeOptions, build_graph, keras_layer
from rnncalc.layers.arguments import Arg, boolean, non_negative_int, optional, positive_int
from rnncalc.layers.base import Layer, Namer, Weight, require_known
from rnncalc.layers.calls import Call
from rnncalc.layers.counting import MAC, CostTerm, MemoryTerm, describe_dims, positions
from rnncalc.layers.recurrent import TORCH_ONLY_OPTIONS, Recurrent, TorchOptionError
from rnncalc.layers.shapes import Shape
from rnncalc.layers.torch_modules import TorchModule, TorchParam
from rnncalc.reports.torch_layout import rnn_state_dict
from rnncalc.spec.model import ModelSpec

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


def layer_modules(layer: Layer, inputs: list[Shape]) -> list[TorchModule]:
    """A layer's torch.nn modules: by its ``TORCH_LAYOUT``, or as the layer declares them."""
    layout = LAYOUTS.get(layer.TORCH_LAYOUT)
    modules = layout(layer, inputs) if layout else layer.torch_modules(inputs)
    if layer.trainable:
        return modules
    # trainable=False on a wrapper freezes what it holds, as requires_grad_(False) would
    return [replace(m, state_dict=tuple(replace(p, trainable=False) for p in m.state_dict))
            for m in modules]


def torch_layer(node: Node) -> TorchLayer:
    """The ``torch.nn`` modules of one layer node, with counts and notes."""
    assert node.layer is not None
    modules = tuple(layer_modules(node.layer, node.input_shapes))
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


# -- recurrent layouts: torch.nn.RNN / LSTM / GRU -------------------------------------

def recurrent_notes(layer: Any, flags: dict[str, Any] | None = None) -> list[str]:
    """The kind's own notes, then where Keras' recurrent conventions differ from torch's.

    ``flags`` holds the sequence flags (go_backwards, return_sequences) when they
    sit on an ``RNN`` around the cell rather than on the layer itself.
    """
    c = {**layer.config, **(flags or {})}
    g = len(layer.GATES)
    notes = list(layer.torch_notes())
    keras_bias = sum(w.params for w in layer.bias_weights()) if c["use_bias"] else 0
    if c["use_bias"] and keras_bias == g * layer.units:
        notes.append(
            f"PyTorch keeps two bias vectors (bias_ih, bias_hh, {g * layer.units} each) per "
            f"layer and direction where Keras has one, so it counts {g * layer.units:,} more "
            "params per direction; bias=False drops both and there is no switch for one "
            "(zero bias_hh and freeze it to match Keras)")
    notes.append("weights are transposed: weight_ih is (gates·units, input) where Keras' "
                 "kernel is (input, gates·units)")
    if c["go_backwards"]:
        notes.append("no go_backwards in PyTorch: flip the input along time "
                     "(torch.flip(x, [1]))")
    if c["recurrent_dropout"]:
        notes.append("recurrent_dropout has no PyTorch equivalent (nn dropout applies "
                     "only between stacked layers)")
    if not c["return_sequences"]:
        notes.append("PyTorch always returns the whole sequence: take output[:, -1]")
    return notes


def recurrent_modules(layer: Any, inputs: list[Shape], *, bidirectional: bool = False,
                      notes: tuple[str, ...] = (),
                      flags: dict[str, Any] | None = None) -> list[TorchModule]:
    """One ``nn.RNN/LSTM/GRU(input, units, ...)`` module and its state_dict."""
    x = inputs[0]
    features = require_known(x[-1], "last (features)", x)
    layers, bidi, proj = layer.options if isinstance(layer, TorchStack) else (1, False, 0)
    layer = layer.cell if isinstance(layer, TorchStack) else layer
    bidi = bidi or bidirectional
    kwargs = ([f"num_layers={layers}"] if layers > 1 else []) + layer.torch_call_args()
    kwargs += ([] if layer.config["use_bias"] else ["bias=False"]) + ["batch_first=True"]
    kwargs += (["bidirectional=True"] if bidi else []) + (
        [f"proj_size={proj}"] if proj else [])
    call = f"nn.{layer.TORCH_MODULE}({', '.join([str(features), str(layer.units), *kwargs])})"
    state = rnn_state_dict(layer.TORCH_GATES, features, layer.units, num_layers=layers,
                           bidirectional=bidi, bias=layer.config["use_bias"], proj_size=proj)
    if not layer.trainable:
        state = [replace(p, trainable=False) for p in state]
    return [TorchModule(call, tuple(state), (*recurrent_notes(layer, flags), *notes))]


def rnn_cells_modules(layer: Any, inputs: list[Shape], *, bidirectional: bool = False,
                      notes: tuple[str, ...] = ()) -> list[TorchModule]:
    """``RNN(cell)``: the cell's module (RNN(LSTMCell) is nn.LSTM); a stack, one per cell."""
    x = inputs[0]
    flags = {k: layer.config[k] for k in ("go_backwards", "return_sequences")}
    modules = []
    for cell, width in zip(layer.cells, layer.widths(x)):
        part = recurrent_modules(cell, [(*x[:-1], width)], bidirectional=bidirectional,
                                 flags=flags, notes=notes)
        if layer.stacked:
            part = [replace(m, prefix=f"{torch_module_name(cell.name)}.", notes=(
                *m.notes, "a stack of cells is one torch.nn module per cell (cells of one "
                "kind and width could be one module with num_layers)")) for m in part]
        modules += part
    return modules


def bidirectional_modules(layer: Any, inputs: list[Shape]) -> list[TorchModule]:
    """One bidirectional module when both directions match, else two modules."""
    fw_in, bw_in = layer._split(inputs)
    fw, bw = layer.forward_layer, layer.backward_layer
    mode = layer.config["merge_mode"]
    notes = []
    if mode != "concat":
        notes.append(f"PyTorch concatenates the two directions; merge_mode={mode!r} "
                     "is done by hand on output[..., :H] and output[..., H:] (no params)")
    same = {k: v for k, v in fw.config.items() if k not in ("name", "go_backwards")} == {
        k: v for k, v in bw.config.items() if k not in ("name", "go_backwards")} and (
        type(fw) is type(bw))
    one_module = {"rnn": recurrent_modules, "rnn_cells": rnn_cells_modules}
    if same and fw.TORCH_LAYOUT in one_module and not getattr(fw, "stacked", False):
        return one_module[fw.TORCH_LAYOUT](fw, fw_in, bidirectional=True, notes=tuple(notes))
    if fw.TORCH_LAYOUT in one_module:
        notes.append("the backward layer differs from the forward one (or is a stack of "
                     "cells), so PyTorch needs separate modules; run the backward ones on "
                     "torch.flip(x, [1])")
    # torch submodule names cannot be 'forward' (nn.Module.forward), hence *_layer
    return [replace(m, prefix=f"forward_layer.{m.prefix}")
            for m in layer_modules(fw, fw_in)] + [
        replace(m, prefix=f"backward_layer.{m.prefix}", notes=(*m.notes, *notes))
        for m in layer_modules(bw, bw_in)]


def time_distributed_modules(layer: Any, inputs: list[Shape]) -> list[TorchModule]:
    """The inner layer's modules on one timestep, with a note."""
    note = ("no TimeDistributed in PyTorch: modules such as nn.Linear already act on the "
            "last axis of any rank",)
    return [replace(m, notes=(*m.notes, *note))
            for m in layer_modules(layer.inner, [layer._step_shape(inputs[0])])]


LAYOUTS = {"rnn": recurrent_modules, "rnn_cells": rnn_cells_modules,
           "bidirectional": bidirectional_modules,
           "time_distributed": time_distributed_modules}


# -- torch.nn's own module options: num_layers, bidirectional, proj_size ---------------

TORCH_ARGS = (
    Arg("num_layers", optional(positive_int), None, positional=False),
    Arg("bidirectional", optional(boolean), None, positional=False),
    Arg("proj_size", optional(non_negative_int), None, positional=False),
)


class TorchStack(Layer):
    """A recurrent layer as one torch.nn module with ``num_layers``, ``bidirectional``
    or ``proj_size``: a stack of the Keras layer's cell, shaped as torch returns it.

    Weights are listed in Keras' layout per layer and direction (``l1/backward/
    kernel``, with ``projection`` for W_hr) so the Keras-equivalent count stays
    visible beside PyTorch's state_dict. It has no forward pass: ``run`` is Keras.
    """

    MAX_INPUTS = 1
    TORCH_LAYOUT = "rnn"

    def __init__(self, cell: Recurrent, options: tuple[int, bool, int]) -> None:
        self.cell, self.options = cell, options
        self.kind = cell.kind
        self.config = cell.config
        self.name = cell.name
        layers, bidirectional, proj = options
        if proj and cell.TORCH_MODULE != "LSTM":
            raise SpecError(f"argument 'proj_size': only torch.nn.LSTM has proj_size, "
                            f"not torch.nn.{cell.TORCH_MODULE}")
        if proj and proj >= cell.units:
            raise SpecError(f"argument 'proj_size': expected a value smaller than units "
                            f"({cell.units}), got {proj}")
        if cell.config["return_state"]:
            raise SpecError("return_state cannot be combined with num_layers, bidirectional or "
                            "proj_size (PyTorch returns h_n/c_n for every layer and direction)")

    def implied_input(self) -> tuple[Shape, str | None] | None:
        return self.cell.implied_input()

    def stack(self, features: int) -> list[tuple[str, int, int]]:
        """``(scope, input width, recurrent width)`` per layer and direction that runs."""
        layers, bidirectional, proj = self.options
        h_out = proj or self.cell.units
        sides = ("forward", "backward") if bidirectional else ("",)
        entries = []
        for k in range(layers):
            width = features if k == 0 else h_out * len(sides)
            for side in sides:
                scope = " ".join(s for s in (f"layer {k}" if layers > 1 else "", side) if s)
                entries.append((scope, width, h_out))
        return entries

    def build_weights(self, inputs: list[Shape]) -> list[Weight]:
        x = inputs[0]
        self.cell.check_sequence(x)
        features = require_known(x[-1], "last (features)", x)
        proj = self.options[2]
        weights = []
        for scope, width, h_out in self.stack(features):
            parts = scope.split()
            prefix = "".join(f"l{p}/" if p.isdigit() else "" for p in parts)
            prefix += f"{parts[-1]}/" if parts and not parts[-1].isdigit() else ""
            weights += self.cell.direction_weights(
                width, h_out, prefix=prefix, scope=scope,
                recurrent_what="projected units" if proj else "units")
            if proj:
                weights.append(Weight(f"{prefix}projection", (self.cell.units, proj),
                                      self.config["kernel_initializer"],
                                      role=f"{scope} projection (W_hr; PyTorch only)".strip(),
                                      dims=(f"{self.cell.units} units", f"{proj} projected")))
        return weights

    def output_shapes(self, inputs: list[Shape]) -> list[Shape]:
        x = inputs[0]
        self.cell.check_sequence(x)
        _, bidirectional, proj = self.options
        width = (proj or self.cell.units) * (2 if bidirectional else 1)
        return [(x[0], x[1], width) if self.config["return_sequences"] else (x[0], width)]

    def output_names(self, inputs: list[Shape]) -> list[str]:
        return self.cell.output_names(inputs)

    def cost(self, inputs: list[Shape], outputs: list[Shape],
             convention: str = "keras") -> list[CostTerm]:
        x = inputs[0]
        cell, proj = self.cell, self.options[2]
        terms: list[CostTerm] = []
        for scope, width, h_out in self.stack(x[-1]):
            part = cell.direction_cost(x, width, h_out, cell.bias_values(convention),
                                       recurrent_symbol="P" if proj else "U")
            if proj:
                part.insert(2, CostTerm("projection h_t = c-path·W_hr", MAC, cell.units * proj,
                                        positions(x), "U·P", f"{cell.units}·{proj}",
                                        describe_dims(x)))
            terms += [t.scoped(scope) if scope else t for t in part]
        return terms

    def memory(self, inputs: list[Shape], outputs: list[Shape]) -> list[MemoryTerm]:
        x = inputs[0]
        return self.cell.stack_memory(x, len(self.stack(x[-1])))


def torch_layer_maker(call: Call, namer: Namer) -> Layer:
    """:func:`rnncalc.graph.keras_layer`, plus torch.nn's module options on recurrent layers."""
    given = {k: call.kwargs[k] for k in TORCH_ONLY_OPTIONS if k in call.kwargs}
    if not given:
        try:
            return keras_layer(call, namer)
        except TorchOptionError:
            raise SpecError("the wrapped layer cannot set num_layers, bidirectional or "
                            "proj_size; set bidirectional=True on the layer instead") from None
    keras_call = replace(call, kwargs={k: v for k, v in call.kwargs.items() if k not in given})
    layer = keras_layer(keras_call, namer)
    if layer.TORCH_LAYOUT != "rnn":
        raise SpecError(f"unknown argument '{next(iter(given))}'")
    values = {}
    for arg in TORCH_ARGS:
        try:
            values[arg.name] = arg.check(given[arg.name]) if arg.name in given else None
        except SpecError as err:
            raise err.at(f"argument '{arg.name}'") from None
    options = (values["num_layers"] or 1, bool(values["bidirectional"]),
               values["proj_size"] or 0)
    if options == (1, False, 0):
        return layer
    return TorchStack(layer, options)  # type: ignore[arg-type]


def build_torch_graph(spec: ModelSpec, options: ShapeOptions | None = None) -> Graph:
    """The graph as PyTorch reads the spec: recurrent layers may carry torch.nn options."""
    return build_graph(spec, options, torch_layer_maker)


def graph_for(spec: ModelSpec, options: ShapeOptions | None, convention: str) -> Graph:
    """The graph a report in ``convention`` (``keras`` or ``pytorch``) is a view of."""
    if convention == "pytorch":
        return build_torch_graph(spec, options)
    return build_graph(spec, options)
