"""``rnncalc export``: any accepted model as a canonical spec or as Keras 3 code.

The model is built first (so only valid models are exported), then each layer's
validated config is written back with only the arguments that differ from the
Keras defaults. Both outputs come from one :class:`Exported` description, so
YAML and Keras code always describe the same model:

* ``--to yaml``: the canonical spec form (contract §2): one-key mappings for
  layers, an ``input:`` block (or ``inputs:``/``outputs:`` for functional
  graphs), initializers as Keras names or ``{Constant: {value: 0.1}}``;
* ``--to keras``: a Keras 3 Python script that builds the same model
  (``keras.Sequential`` or the functional API) and prints its summary.

Layer names are written only where they differ from the name a fresh Keras 3
session would assign, or where the graph refers to them.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass, field
from typing import Any

from rnncalc.errors import SpecError
from rnncalc.graph import Graph
from rnncalc.layers import Layer, Namer, layer_class
from rnncalc.layers.arguments import COMMON_ARGS, Arg
from rnncalc.layers.calls import Call
from rnncalc.layers.initializers import ALIASES, Initializer
from rnncalc.reports.summary import ref_text
from rnncalc.submodel import SubModel

FORMATS = ("yaml", "keras")
# Keras' own default input names.
_DEFAULT_INPUT_NAME = re.compile(r"^input_layer(_\d+)?$")
# A preferred snake_case name for each initializer class.
_INIT_NAMES = {cls: alias for alias, cls in reversed(list(ALIASES.items()))
               if alias.islower()}


@dataclass
class LayerOut:
    """One exported layer: its kind and arguments, and where it reads from."""

    kind: str
    args: dict[str, Any]
    inputs: list[str] = field(default_factory=list)
    states: list[str] = field(default_factory=list)
    node: str = ""
    call_args: dict[str, Any] = field(default_factory=dict)   # use_causal_mask: true
    inputs_as_arguments: bool = False                         # mha(q, v, key=k)
    shared: str = ""       # a later call of the layer of this name (``call:``/``as:``)
    inner: Exported | None = None   # a nested functional model's own description


@dataclass
class InputOut:
    name: str | None
    shape: list[Any]
    batch_size: int | None
    dtype: str | None


@dataclass
class Exported:
    name: str | None
    functional: bool
    inputs: list[InputOut]
    layers: list[LayerOut]
    outputs: list[str]


def export(graph: Graph, to: str, name: str | None = None) -> str:
    """The text of ``rnncalc export`` for a built graph: ``to`` is ``yaml`` or ``keras``.

    ``name`` is the model name the spec gave (``None``: Keras picks its default).
    """
    if to not in FORMATS:
        raise SpecError(f"--to: expected one of {', '.join(FORMATS)}, got {to!r}")
    if name is None and any(isinstance(n.layer, SubModel) for n in graph.nodes):
        name = graph.name   # nested models' names are written, so the default would move
    described = describe(graph, name)
    return to_yaml(described) if to == "yaml" else to_keras(described)


# -- graph -> description -------------------------------------------------------------


def describe(graph: Graph, name: str | None) -> Exported:
    """The exported form of a built graph."""
    functional = graph.functional or not graph.is_chain
    inputs = [InputOut(None if _DEFAULT_INPUT_NAME.match(n.name) and not functional else n.name,
                       list(n.output_shapes[0][1:]), n.output_shapes[0][0],
                       None if n.dtype == "float32" else n.dtype) for n in graph.inputs]
    namer = Namer()
    layers = []
    reused = {n.owner for n in graph.nodes if n.owner}
    for node in graph.nodes:
        assert node.layer is not None
        if node.owner:
            refs = [ref_text(graph, t) for t in node.inbound]
            split = 1 if node.layer.TAKES_INITIAL_STATE else len(refs)
            layers.append(LayerOut(node.kind, {}, refs[:split], refs[split:], node.name,
                                   node.layer.call_args_given(),
                                   node.layer.INPUTS_AS_ARGUMENTS, shared=node.owner))
            continue
        args = layer_args(node.layer, namer)
        inner = None
        if isinstance(node.layer, SubModel):
            inner = _inner_export(node.layer)
            args.update(_submodel_args(node.layer, inner))
        expected = namer.peek(node.type_name)
        if functional or node.name != expected:
            args["name"] = node.name
        else:
            namer.auto(node.type_name)
        if node.name in reused:
            args["name"] = node.name        # a ``call:`` entry names it
        spelled = node.layer.kind          # the spec's spelling (ops.add, not Add)
        kind = "Model" if spelled == "Functional" else spelled
        out = LayerOut(kind, args, node=node.name, inner=inner if kind == "Model" else None)
        if functional:
            refs = [ref_text(graph, t) for t in node.inbound]
            split = 1 if node.layer.TAKES_INITIAL_STATE else len(refs)
            out.inputs, out.states = refs[:split], refs[split:]
        out.call_args = node.layer.call_args_given()
        out.inputs_as_arguments = node.layer.INPUTS_AS_ARGUMENTS
        layers.append(out)
    outputs = [ref_text(graph, t) for t in graph.outputs] if functional else []
    return Exported(name, functional, inputs, _owners_first(layers), outputs)


def _owners_first(layers: list[LayerOut]) -> list[LayerOut]:
    """The entries in an order a spec (and Keras code) can be read in: a ``call:`` entry
    after the entry that declares its layer, every entry after the ones it reads.

    A Keras file may list a shared layer's second call first (the first call's input
    comes later); this keeps the graph's order wherever it is already readable.
    """
    made = {layer.node for layer in layers}
    done: set[str] = set()
    ordered: list[LayerOut] = []
    waiting = list(layers)


    def needs(layer: LayerOut) -> set[str]:
        refs = {_ref_node(r) for r in (*layer.inputs, *layer.states)} & made
        return refs | ({layer.shared} if layer.shared else set())

    for layer in layers:          # already readable (nearly always): keep it, in one pass
        if not needs(layer) <= done:
            break
        done.add(layer.node)
    else:
        return layers
    done.clear()
    while waiting:
        ready = next((k for k, layer in enumerate(waiting) if needs(layer) <= done), None)
        if ready is None:     # nothing is ready (cannot happen for a built graph)
            return layers
        layer = waiting.pop(ready)
        ordered.append(layer)
        done.add(layer.node)
    return ordered


def _ref_node(ref: str) -> str:
    """``"encoder[1]"`` -> ``"encoder"``."""
    return ref.split("[", 1)[0]


def _inner_export(model: SubModel) -> Exported:
    """A nested model described; inner layers keep their names (they continue the session's)."""
    inner = describe(model.graph, model.graph.name)
    for layer in inner.layers:
        if not layer.shared:
            layer.args["name"] = layer.node
    return inner


def _submodel_args(model: SubModel, inner: Exported) -> dict[str, Any]:
    """A nested model's parts as spec arguments."""
    if model.kind == "Sequential":
        return {"layers": inner.layers}
    return {"inputs": {i.name: _input_block(i, named=False) for i in inner.inputs},
            "layers": [_entry_data(layer) for layer in inner.layers],
            "outputs": inner.outputs,
            **({"class_name": model.class_name} if model.class_name else {})}


def _entry_data(layer: LayerOut) -> dict[str, Any]:
    """One layer of a nested functional model as spec data (``{Dense: {...}, inputs: x}``)."""
    if layer.shared:
        entry: dict[str, Any] = {"call": layer.shared, "as": layer.node}
    else:
        entry = {layer.kind: _yaml_args(layer.args)}
    if layer.inputs:
        entry["inputs"] = _one_or_list(layer.inputs)
    if layer.states:
        entry["initial_state"] = layer.states
    entry.update(layer.call_args)
    return entry


def layer_args(layer: Layer, namer: Namer | None = None) -> dict[str, Any]:
    """A built layer's arguments that differ from the Keras defaults."""
    args: dict[str, Any] = {}
    declared = [*type(layer).declared_args(),
                *(a for a in COMMON_ARGS if a.name in ("trainable", "dtype"))]
    for arg in declared:
        if arg.name not in layer.config:    # a common argument this kind does not take
            continue
        if not arg.used:             # a regularizer or seed: nothing rnncalc computes uses it
            continue
        value = layer.config.get(arg.name)
        if arg.name in NESTED_ARGS and isinstance(value, Call):
            args[arg.name] = _nested(value)
            continue
        if arg.name in NESTED_ARGS and isinstance(value, list) and all(
                isinstance(v, Call) for v in value):
            args[arg.name] = [_nested(v) for v in value]     # RNN([cells]), StackedRNNCells
            continue
        if _is_default(arg, value):
            continue
        args[arg.name] = _plain(arg.name, value, type(layer).COMPACT_ARGS)
    backward = args.get("backward_layer")
    if isinstance(backward, LayerOut) and _is_mirror(args["layer"], backward):
        del args["backward_layer"]      # the one Bidirectional would make by itself
    if namer is not None:   # Keras names wrapped layers first; their names are never needed
        for value in args.values():
            for inner in value if isinstance(value, list) else [value]:
                if isinstance(inner, LayerOut):
                    namer.auto(inner.kind)
    return args


#: Arguments that hold layers (wrappers) or cells (RNN, StackedRNNCells).
NESTED_ARGS = ("layer", "backward_layer", "cell", "cells")


def _nested(call: Call) -> LayerOut:
    inner = layer_class(call.name).from_call(call, Namer())
    return LayerOut(inner.kind, layer_args(inner))


def _is_mirror(forward: LayerOut, backward: LayerOut) -> bool:
    flipped = {**forward.args, "go_backwards": not forward.args.get("go_backwards", False)}
    if not flipped["go_backwards"]:
        del flipped["go_backwards"]
    return backward.kind == forward.kind and backward.args == flipped


def _is_default(arg: Arg, value: Any) -> bool:
    if arg.required:
        return False
    default = arg.default
    if arg.name == "dtype":
        return value in (None, "float32")
    if isinstance(value, Initializer) and isinstance(default, Initializer):
        return value.name == default.name and not _init_config(value)
    if isinstance(value, (tuple, list)) and len(value) == 1 and not isinstance(default, tuple):
        return value[0] == default
    return bool(value == default and type(value) is type(default)) or (
        value is None and default is None)


def _init_config(init: Initializer) -> dict[str, Any]:
    """The initializer's arguments that differ from its defaults."""
    from rnncalc.layers.initializers import INITIALIZER_ARGS

    defaults = {a.name: a.default for a in INITIALIZER_ARGS.get(init.name, ())
                if not a.required and init.name != "Constant"}   # Keras wants Constant's value
    return {k: v for k, v in init.config.items()
            if v is not None and not (k in defaults and v == defaults[k])}


def _plain(name: str, value: Any, compact: tuple[str, ...] = ()) -> Any:
    if isinstance(value, Initializer):
        return value
    if isinstance(value, tuple):
        if name == "axis" and len(value) == 1:
            return value[0]
        if name in compact and len(set(value)) == 1:
            return value[0]          # kernel_size=(3, 3) is written 3, as Keras users do
        return list(value)
    return value


# -- description -> YAML --------------------------------------------------------------


def to_yaml(model: Exported) -> str:
    """The canonical spec text."""
    lines = []
    if model.name:
        lines.append(f"name: {_flow(model.name)}")
    if model.functional:
        lines.append("inputs:")
        for i in model.inputs:
            lines.append(f"  {_flow(i.name)}: {_flow(_input_block(i, named=False))}")
    elif model.inputs:
        lines.append(f"input: {_flow(_input_block(model.inputs[0], named=True))}")
    lines.append("layers:")
    for layer in model.layers:
        args = _yaml_args(layer.args)
        if layer.shared:
            lines.append(f"  - call: {_flow(layer.shared)}")
            lines.append(f"    as: {_flow(layer.node)}")
        elif not args and not layer.inputs:
            lines.append(f"  - {layer.kind}")
        else:
            lines.append(f"  - {layer.kind}: {_flow(args)}")
        if layer.inputs:
            lines.append(f"    inputs: {_flow(_one_or_list(layer.inputs))}")
        if layer.states:
            lines.append(f"    initial_state: {_flow(layer.states)}")
        for key, value in layer.call_args.items():
            lines.append(f"    {key}: {_flow(value)}")
    if model.functional:
        lines.append(f"outputs: {_flow(model.outputs)}")
    return "\n".join(lines) + "\n"


def _one_or_list(refs: list[str]) -> Any:
    return refs[0] if len(refs) == 1 else refs


def _input_block(i: InputOut, *, named: bool) -> dict[str, Any]:
    block: dict[str, Any] = {"shape": i.shape}
    if i.batch_size is not None:
        block["batch_size"] = i.batch_size
    if i.dtype:
        block["dtype"] = i.dtype
    if named and i.name:
        block["name"] = i.name
    return block


def _yaml_args(args: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in args.items():
        if isinstance(value, LayerOut):
            value = {value.kind: _yaml_args(value.args)}
        elif isinstance(value, list) and value and all(isinstance(v, LayerOut) for v in value):
            value = [{v.kind: _yaml_args(v.args)} for v in value]
        elif isinstance(value, Initializer):
            value = _yaml_init(value)
        out[key] = value
    return out


def _yaml_init(init: Initializer) -> Any:
    config = _init_config(init)
    if not config:
        return _INIT_NAMES.get(init.name, init.name)
    return {init.name: config}


def _flow(value: Any) -> str:
    """One value in YAML flow style on a single line."""
    import yaml

    text = yaml.safe_dump(value, default_flow_style=True, width=10_000, sort_keys=False)
    text = text.strip()
    if text.endswith("\n..."):
        text = text[:-4].strip()
    return text.removesuffix("...").strip()


# -- description -> Keras code --------------------------------------------------------


def to_keras(model: Exported) -> str:
    """A Keras 3 script that builds the same model and prints its summary."""
    lines = ['"""Generated by rnncalc export --to keras."""', "", "import keras",
             "from keras import layers", ""]
    if _has_source(model.layers) or _has_function(model.layers):
        lines[-2:-1] = ["from keras import layers, ops"]     # Lambda bodies, keras.ops
    name_arg = f", name={model.name!r}" if model.name else ""
    if not model.functional:
        names, built = _Identifiers(), {}
        for layer in model.layers:      # nested functional models are built first
            if layer.inner is not None:
                built[layer.node] = names.new(f"{layer.node}_model")
                lines += _functional_lines(layer.inner, names, built[layer.node])
        lines.append("model = keras.Sequential([")
        if model.inputs:
            lines.append(f"    {_keras_input(model.inputs[0])},")
        for layer in model.layers:
            lines.append(f"    {built.get(layer.node) or _keras_layer(layer)},")
        lines.append(f"]{name_arg})")
    else:
        lines += _functional_lines(model, _Identifiers(), "model")
    lines.append("model.summary()")
    return "\n".join(lines) + "\n"


def _functional_lines(model: Exported, names: _Identifiers, target: str) -> list[str]:
    """Functional-API code that builds ``model`` into the variable ``target``."""
    lines: list[str] = []
    reused = {layer.shared for layer in model.layers if layer.shared}
    objects: dict[str, str] = {}
    for i in model.inputs:
        lines.append(f"{names.new(i.name or 'inputs')} = {_keras_input(i)}")
    for layer in model.layers:
        refs = [names.ref(r) for r in layer.inputs]
        if layer.inputs_as_arguments and len(refs) == 3:
            args = f"{refs[0]}, {refs[1]}, key={refs[2]}"
        elif layer.inputs_as_arguments or len(refs) == 1:
            args = ", ".join(refs)
        else:
            args = f"[{', '.join(refs)}]"
        args += "".join(f", {k}={v!r}" for k, v in layer.call_args.items())
        if layer.states:
            args += ", initial_state=[" + ", ".join(names.ref(r) for r in layer.states) + "]"
        function = _function_code(layer, refs)
        if function is not None:       # a Keras operation: ops.sum(x, axis=1), x[:, -1]
            lines.append(f"{names.new(layer.node)} = {function}")
            continue
        if layer.shared:
            made = f"{objects[layer.shared]}"
        elif layer.inner is not None:      # a nested functional model: built first
            inner_names = _Identifiers()
            inner_names.used = names.used
            made = names.new(f"{layer.node}_model")
            lines += _functional_lines(layer.inner, inner_names, made)
            objects[layer.node] = made
        elif layer.node in reused:     # called again later: keep the layer object
            objects[layer.node] = names.new(f"{layer.node}_layer")
            lines.append(f"{objects[layer.node]} = {_keras_layer(layer)}")
            made = objects[layer.node]
        else:
            made = _keras_layer(layer)
        lines.append(f"{names.new(layer.node)} = {made}({args})")
    ins = [names.ref(i.name or "inputs") for i in model.inputs]
    outs = [names.ref(r) for r in model.outputs]
    name_arg = f", name={model.name!r}" if model.name else ""
    lines.append(f"{target} = keras.Model(inputs={_py_list(ins)}, "
                 f"outputs={_py_list(outs)}{name_arg})")
    return lines


def _function_code(layer: LayerOut, refs: list[str]) -> str | None:
    """Keras code for a kind written as a function of tensors (an operation), else None."""
    if layer.shared or layer.kind in ("Sequential", "Model"):
        return None
    cls = layer_class(layer.kind)
    if not cls.KERAS_FUNCTION:
        return None
    args = {k: v for k, v in layer.args.items() if k != "name"}   # ops take no name
    return cls.from_call(Call(layer.kind, (), args), Namer()).keras_code(refs)


def _has_function(layers: list[LayerOut]) -> bool:
    """Any kind written as a keras.ops call among these layers."""
    return any(not layer.shared and layer.kind not in ("Sequential", "Model") and
               layer_class(layer.kind).KERAS_FUNCTION for layer in layers)


def _has_source(layers: list[LayerOut]) -> bool:
    """Any Lambda body (source text) among these layers or inside nested models."""
    for layer in layers:
        if layer.shared:
            continue
        if layer.kind == "Sequential":
            if _has_source(layer.args["layers"]):
                return True
        elif layer.kind == "Model":
            if layer.inner is not None and _has_source(layer.inner.layers):
                return True
        elif set(layer.args) & set(
                layer_class(layer.kind).SOURCE_ARGS):
            return True
    return False


def _py_list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else "[" + ", ".join(items) + "]"


def _keras_input(i: InputOut) -> str:
    parts = [f"shape={tuple(i.shape)!r}"]
    if i.batch_size is not None:
        parts.append(f"batch_size={i.batch_size}")
    if i.dtype:
        parts.append(f"dtype={i.dtype!r}")
    if i.name:
        parts.append(f"name={i.name!r}")
    return f"keras.Input({', '.join(parts)})"


def _keras_layer(layer: LayerOut) -> str:
    if layer.kind == "Sequential":       # a nested model, not a layer kind
        inner = ", ".join(_keras_layer(v) for v in layer.args["layers"])
        rest = "".join(f", {k}={v!r}" for k, v in layer.args.items() if k != "layers")
        return f"keras.Sequential([{inner}]{rest})"
    if layer.kind == "Model":
        raise SpecError("export --to keras: a nested functional model is not written as "
                        "Keras code yet; export --to yaml keeps it")
    if layer.kind == "Lambda" and not isinstance(layer.args.get("function"), str):
        raise SpecError("export --to keras: a Lambda read from a Keras file holds compiled "
                        "Python, which rnncalc never decompiles or runs; export --to yaml "
                        "keeps it (with its output_shape)")
    if layer.kind == "Custom":
        raise SpecError(f"export --to keras: '{layer.args.get('class_name')}' is a layer class "
                        "of your own code, which rnncalc does not write; export --to yaml "
                        "keeps it")
    cls = layer_class(layer.kind)
    required = [a.name for a in cls.ARGS if a.required and a.positional]
    parts = []
    def text(key: str, value: Any) -> str:   # Lambda bodies: source, written as code
        return str(value) if key in cls.SOURCE_ARGS and isinstance(value, str) else \
            _keras_value(value)

    for key in required:
        if key in layer.args:
            parts.append(text(key, layer.args[key]))
    for key, value in layer.args.items():
        if key not in required:
            parts.append(f"{key}={text(key, value)}")
    return f"layers.{_keras_class(layer.kind)}({', '.join(parts)})"


def _keras_class(kind: str) -> str:
    """The Keras 3 class for a kind (aliases such as CuDNNLSTM map to the layer)."""
    return layer_class(kind).kind


def _keras_value(value: Any) -> str:
    if isinstance(value, LayerOut):
        return _keras_layer(value)
    if isinstance(value, list) and value and all(isinstance(v, LayerOut) for v in value):
        return "[" + ", ".join(_keras_layer(v) for v in value) + "]"
    if isinstance(value, Initializer):
        config = _init_config(value)
        if not config:
            return repr(_INIT_NAMES.get(value.name, value.name))
        body = ", ".join(f"{k}={v!r}" for k, v in config.items())
        return f"keras.initializers.{value.name}({body})"
    if isinstance(value, list):
        return repr(tuple(value))
    return repr(value)


class _Identifiers:
    """Python variable names for graph tensors, unique and valid."""

    def __init__(self) -> None:
        self.by_node: dict[str, str] = {}
        self.used: set[str] = {"keras", "layers", "model"}

    def new(self, node: str) -> str:
        base = re.sub(r"\W", "_", node) or "x"
        if base[0].isdigit() or keyword.iskeyword(base):
            base = "x_" + base
        ident, n = base, 1
        while ident in self.used:
            ident, n = f"{base}_{n}", n + 1
        self.used.add(ident)
        self.by_node[node] = ident
        return ident

    def ref(self, text: str) -> str:
        match = re.match(r"^(.*?)(\[(\d+)\])?$", text)
        assert match is not None
        base = self.by_node[match.group(1)]
        return base if match.group(2) is None else f"{base}[{match.group(3)}]"
