"""The JSON ``model.to_json()`` writes, as a :class:`ModelSpec`.

Handles Keras 3 (``module``/``registered_name`` wrappers, dtype policies as
dicts, ``batch_shape``, ``inbound_nodes`` as ``{"args": [...], "kwargs": {...}}``
with ``__keras_tensor__`` entries) and Keras 2 / tf.keras (``batch_input_shape``,
``inbound_nodes`` as ``[[["name", node, tensor, {kwargs}], ...]]``, a
Sequential config that is a bare list of layers in Keras <= 2.2, RNN initial
states passed as extra inbound tensors).

Every layer config is reduced to a :class:`~rnncalc.layers.calls.Call` and then
validated by the layer's own ``ARGS`` like any spec: keys that change
nothing (dtype policies, ``trainable`` aside, regularizers, seeds, ...) are
dropped or ignored, anything else unknown is an error naming the layer.
"""

from __future__ import annotations

from typing import Any

from rnncalc.errors import SpecError, did_you_mean
from rnncalc.layers.arguments import show
from rnncalc.layers.calls import Call
from rnncalc.spec.model import InputDecl, LayerDecl, ModelSpec, Ref

MODEL_CLASSES = ("Sequential", "Functional", "Model")

# Config keys that never change shapes, counts or inference: serialization
# bookkeeping, tf.keras-only switches, Keras 3 additions.
_DROPPED_KEYS = frozenset({
    "module", "registered_name", "build_config", "shared_object_id", "ragged", "optional",
    "fused", "virtual_batch_size", "adjustment", "quantization_config", "batch_input_dtype",
    "implementation",
})
# Keys that are dropped when they hold their neutral value, and refused otherwise.
_NEUTRAL_KEYS = {"lora_rank": (None, 0), "sparse": (None, False), "time_major": (None, False)}
# Dtype policies: the variable dtype is what parameter bytes depend on.
_POLICY_VARIABLE_DTYPE = {"mixed_float16": "float32", "mixed_bfloat16": "float32"}
_NESTED_LAYER_KEYS = ("layer", "backward_layer", "cell", "cells")
_RECURRENT = ("SimpleRNN", "LSTM", "GRU", "CuDNNLSTM", "CuDNNGRU", "Bidirectional", "RNN",
              "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D")
_INPUT_ARGS = ("batch_input_shape", "input_shape", "batch_shape", "input_length", "input_dim")
# Tensors passed by keyword, appended to the inputs in this order.
_TENSOR_KWARGS = ("query", "value", "key")
_CELL_LAYERS = {"SimpleRNNCell": "SimpleRNN", "LSTMCell": "LSTM", "GRUCell": "GRU"}


def is_keras_config(data: Any) -> bool:
    """True for a ``to_json()`` document: a mapping with ``class_name`` and ``config``."""
    return isinstance(data, dict) and "class_name" in data and "config" in data


def spec_from_config(data: Any, source: str, **extra: Any) -> ModelSpec:
    """Translate a Keras model config (already parsed from JSON)."""
    if not is_keras_config(data):
        raise SpecError(f"{source}: expected a Keras model config with 'class_name' and "
                        "'config'")
    kind = data["class_name"]
    config = data["config"]
    if kind == "Sequential":
        return _sequential(config, source, extra)
    if kind in ("Functional", "Model"):
        return _functional(config, source, extra)
    raise SpecError(f"{source}: expected a Keras model (Sequential or Functional), got "
                    f"class_name {show(kind)}")


# -- Sequential -------------------------------------------------------------------


def _sequential(config: Any, source: str, extra: dict[str, Any]) -> ModelSpec:
    if isinstance(config, list):          # Keras <= 2.2: the config is the layer list
        config = {"layers": config}
    if not isinstance(config, dict) or not isinstance(config.get("layers"), list):
        raise SpecError(f"{source}: Sequential config without a 'layers' list")
    entries = config["layers"]
    inputs: list[InputDecl] = []
    layers: list[LayerDecl] = []
    for i, entry in enumerate(entries):
        label = _label(i, entry)
        try:
            kind, layer_config = _entry(entry)
            if kind == "InputLayer":
                inputs.append(_input_decl(layer_config, source))
                continue
            call = layer_call(kind, layer_config, drop_input_args=bool(inputs or layers))
        except SpecError as err:
            raise err.at(source, label) from None
        layers.append(LayerDecl(call, None, (), label, source))
    if not inputs and config.get("build_input_shape") is not None and layers and \
            not _has_input_args(layers[0].call):
        inputs.append(InputDecl(None, _shape(config["build_input_shape"]), None, source))
    return ModelSpec(_name(config), tuple(inputs), tuple(layers), None, False, source,
                     dict(extra))


def _has_input_args(call: Call) -> bool:
    keys = ("input_shape", "batch_input_shape", "input_dim", "input_length")
    return any(call.kwargs.get(k) is not None for k in keys)


# -- Functional -------------------------------------------------------------------


def _functional(config: Any, source: str, extra: dict[str, Any]) -> ModelSpec:
    if not isinstance(config, dict) or not isinstance(config.get("layers"), list):
        raise SpecError(f"{source}: Functional config without a 'layers' list")
    inputs: dict[str, InputDecl] = {}
    layers: list[LayerDecl] = []
    used = _used_as_input(config["layers"])
    for i, entry in enumerate(config["layers"]):
        label = _label(i, entry)
        try:
            kind, layer_config = _entry(entry)
            name = entry.get("name") or layer_config.get("name")
            if kind == "InputLayer":
                decl = _input_decl({**layer_config, "name": name}, source)
                inputs[str(decl.name)] = decl
                continue
            if str(entry.get("module", "")).startswith("keras.src.ops") and \
                    name not in used:
                continue        # a Keras mask computed by ops, passed on only as mask=
            nodes = entry.get("inbound_nodes") or []
            if not nodes:
                raise SpecError("the layer is not connected to anything (no inbound nodes)")
            tensors, states = _node_tensors(nodes[0])
            if not tensors:
                raise SpecError("the layer has no input tensors")
            call = layer_call(kind, {**layer_config, "name": name}, drop_input_args=True)
            if kind in _RECURRENT and len(tensors) > 1:   # Keras 2: states as extra inputs
                tensors, states = tensors[:1], tensors[1:] + states
        except SpecError as err:
            raise err.at(source, label) from None
        layers.append(LayerDecl(call, tuple(tensors), tuple(states), label, source,
                                _call_args(kind, nodes[0])))
        for k, node in enumerate(nodes[1:], start=1):      # a shared layer, called again
            try:
                tensors, states = _node_tensors(node)
                if kind in _RECURRENT and len(tensors) > 1:
                    tensors, states = tensors[:1], tensors[1:] + states
            except SpecError as err:
                raise err.at(source, f"{label} call {k + 1}") from None
            layers.append(LayerDecl(Call(str(name)), tuple(tensors), tuple(states),
                                    f"{label} call {k + 1}", source, _call_args(kind, node),
                                    shared=str(name), alias=call_name(str(name), k)))
    layers = _ready_order(layers)
    order = [r.name for r in _tensor_list(config.get("input_layers"), source, "input_layers")]
    ordered = [inputs[n] for n in order if n in inputs]
    ordered += [d for n, d in inputs.items() if n not in order]
    outputs = _tensor_list(config.get("output_layers"), source, "output_layers")
    return ModelSpec(_name(config), tuple(ordered), tuple(layers), tuple(outputs) or None,
                     True, source, dict(extra))


def _node_tensors(node: Any) -> tuple[list[Ref], list[Ref]]:
    """(input tensors, initial-state tensors) of one inbound node, either format."""
    if isinstance(node, dict):                     # Keras 3
        tensors = _keras3_tensors(node.get("args", []))
        kwargs = node.get("kwargs") or {}
        states = _keras3_tensors(kwargs.get("initial_state") or [])
        for key in _TENSOR_KWARGS:     # mha(query, value, key=k)
            tensors += _keras3_tensors(kwargs.get(key) or [])
        for key, value in kwargs.items():
            if key not in ("initial_state", "mask", *_TENSOR_KWARGS) and \
                    _keras3_tensors(value):
                raise SpecError(f"the layer is called with a tensor for '{key}'; rnncalc "
                                "supports only inputs and initial_state")
        return tensors, states
    if isinstance(node, list):                     # Keras 2
        tensors, states = [], []
        for item in node:
            if not isinstance(item, list) or len(item) < 3:
                raise SpecError(f"unexpected inbound node entry {show(item)}")
            tensors.append(_history(item[:3]))
            kwargs = item[3] if len(item) > 3 and isinstance(item[3], dict) else {}
            for state in kwargs.get("initial_state") or []:
                if isinstance(state, list) and len(state) >= 3:
                    states.append(_history(state[:3]))
        return tensors, states
    raise SpecError(f"unexpected inbound node {show(node)}")


def _used_as_input(entries: list[Any]) -> set[str]:
    """Layers whose outputs a real layer needs as an input (directly or through ops).

    Keras serializes a mask handed on explicitly (``mask=``) as op layers
    (``NotEqual``, ``LogicalOr``, ...); rnncalc recomputes masks itself, so ops
    that feed nothing but ``mask=`` are left out.
    """
    inputs: dict[str, set[str]] = {}
    ops: set[str] = set()
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        name = str(entry.get("name") or (entry.get("config") or {}).get("name"))
        if str(entry.get("module", "")).startswith("keras.src.ops"):
            ops.add(name)
        refs: set[str] = set()
        for node in entry.get("inbound_nodes") or []:
            if isinstance(node, dict):
                kwargs = [v for k, v in (node.get("kwargs") or {}).items() if k != "mask"]
                try:
                    refs.update(r.name for r in _keras3_tensors([node.get("args", []), kwargs]))
                except SpecError:
                    pass        # reported with its layer by the main pass
            elif isinstance(node, list):
                refs.update(i[0] for i in node if isinstance(i, list) and i and
                            isinstance(i[0], str))
        inputs[name] = refs
    needed = {r for n, refs in inputs.items() if n not in ops for r in refs}
    frontier = list(needed & ops)
    while frontier:
        for r in inputs.get(frontier.pop(), ()):
            if r not in needed:
                needed.add(r)
                frontier.append(r)
    return needed


def _call_args(kind: str, node: Any) -> dict[str, Any]:
    """The call arguments the layer declares (``return_attention_scores``) of a Keras 3 node."""
    from rnncalc.layers import LAYER_KINDS

    kwargs = node.get("kwargs") if isinstance(node, dict) else None
    declared = {a.name for a in getattr(LAYER_KINDS.get(kind), "CALL_ARGS", ())}
    return {k: v for k, v in (kwargs or {}).items() if k in declared}


def _keras3_tensors(value: Any) -> list[Ref]:
    if isinstance(value, dict):
        if value.get("class_name") == "__keras_tensor__":
            return [_history(value.get("config", {}).get("keras_history"))]
        return []
    if isinstance(value, (list, tuple)):
        return [ref for v in value for ref in _keras3_tensors(v)]
    return []


def _history(item: Any) -> Ref:
    """``[layer_name, node_index, tensor_index]`` as a reference."""
    if not isinstance(item, (list, tuple)) or len(item) < 3 or not isinstance(item[0], str):
        raise SpecError(f"unexpected tensor reference {show(item)}")
    name, node, index = item[0], item[1], item[2]
    if not isinstance(node, int) or isinstance(node, bool) or node < 0:
        raise SpecError(f"unexpected tensor reference {show(item)}")
    return Ref(call_name(name, node), int(index))


def call_name(layer: str, node: int) -> str:
    """How rnncalc names call ``node`` of a shared layer (call 0 is the layer itself)."""
    return layer if node == 0 else f"{layer}_call_{node}"


def _ready_order(decls: list[LayerDecl]) -> list[LayerDecl]:
    """Layer entries in an order where each one's inputs come first.

    Keras lists each layer once, at its first call; a later call of a shared
    layer may read layers listed after it, so its entry waits until they are placed.
    """
    names = {d.alias or d.call.kwargs.get("name") for d in decls}
    placed: set[Any] = set()
    pending, ordered = list(decls), []
    def ready(decl: LayerDecl) -> bool:
        refs = [*(decl.inputs or ()), *decl.initial_state]
        return all(r.name in placed or r.name not in names for r in refs)

    while pending:
        # none ready (a cycle): keep the order; the graph builder reports it
        first = next((k for k, d in enumerate(pending) if ready(d)), 0)
        decl = pending.pop(first)
        ordered.append(decl)
        placed.add(decl.alias or decl.call.kwargs.get("name"))
    return ordered


def _tensor_list(value: Any, source: str, key: str) -> list[Ref]:
    if value is None:
        return []
    if isinstance(value, list) and value and isinstance(value[0], str):
        value = [value]                  # Keras 3 writes a single tensor unnested
    if isinstance(value, dict):
        value = list(value.values())
    if not isinstance(value, list):
        raise SpecError(f"{source}: '{key}': expected a list of [name, node, index], got "
                        f"{show(value)}")
    try:
        return [_history(v) for v in value]
    except SpecError as err:
        raise err.at(source, key) from None


# -- one layer ----------------------------------------------------------------------


def _entry(entry: Any) -> tuple[str, dict[str, Any]]:
    if not isinstance(entry, dict) or not isinstance(entry.get("class_name"), str):
        raise SpecError(f"expected a layer config with 'class_name', got {show(entry)}")
    config = entry.get("config")
    if config is None:
        config = {}
    if not isinstance(config, dict):
        raise SpecError(f"'config' must be a mapping, got {show(config)}")
    return entry["class_name"], config


def _label(i: int, entry: Any) -> str:
    name = None
    if isinstance(entry, dict):
        config = entry.get("config")
        name = entry.get("name") or (config.get("name") if isinstance(config, dict) else None)
    return f"layers[{i}]" + (f" '{name}'" if isinstance(name, str) else "")


def layer_call(kind: str, config: dict[str, Any], *, drop_input_args: bool = False) -> Call:
    """One Keras layer config as a :class:`Call` in rnncalc's layer vocabulary."""
    from rnncalc.layers import LAYER_KINDS

    if kind in MODEL_CLASSES:
        return _nested_model(kind, config)
    if kind not in LAYER_KINDS or kind == "Custom":
        raise SpecError(f"unsupported layer type '{kind}'",
                        hint=did_you_mean(kind, LAYER_KINDS) or
                        "rnncalc reads the layer kinds listed in its README; a layer class of "
                        "your own is read from the notebook or .py that defines and calls it "
                        "(or declare it as a Custom layer in a spec)")
    declared = {a.name for a in LAYER_KINDS[kind].ARGS}
    kwargs: dict[str, Any] = {}
    for key, value in config.items():
        if key in _DROPPED_KEYS:
            continue
        if key in _NEUTRAL_KEYS:
            if value in _NEUTRAL_KEYS[key]:
                continue
            raise SpecError(f"argument '{key}' = {show(value)} is not supported")
        if drop_input_args and key in _INPUT_ARGS and key not in declared:
            continue
        if key == "batch_shape" and kind != "InputLayer":
            key = "batch_input_shape"
        if kind == "BatchNormalization" and key == "axis" and isinstance(value, list) \
                and len(value) == 1:
            value = value[0]    # tf.keras 2 saved the int axis as a one-item list
        kwargs[key] = _value(key, value)
    return Call(kind, (), kwargs)


def _nested_model(kind: str, config: dict[str, Any]) -> Call:
    """A model used as a layer, as the spec's ``Sequential: {...}`` / ``Model: {...}``.

    A nested Sequential's own InputLayer is left out: the outer call gives its input.
    """
    common = {k: config[k] for k in ("name", "trainable") if config.get(k) is not None}
    if kind == "Sequential":
        inner = _sequential(config, "nested model", {})
        return Call("Sequential", (), {**common, "layers": [d.call for d in inner.layers]})
    spec = _functional(config, "nested model", {})
    inputs = {str(d.name): {"batch_shape": list(d.batch_shape or ()), "dtype": d.dtype}
              for d in spec.inputs}
    entries: list[dict[str, Any]] = []
    for decl in spec.layers:
        refs = [str(r) for r in decl.inputs or ()]
        if decl.shared is not None:
            entry: dict[str, Any] = {"call": decl.shared, "as": decl.alias}
        else:
            entry = {"type": decl.call.name, **decl.call.kwargs}
        entry["inputs"] = refs
        if decl.initial_state:
            entry["initial_state"] = [str(r) for r in decl.initial_state]
        entries.append(entry)
    return Call("Model", (), {**common, "inputs": inputs, "layers": entries,
                              "outputs": [str(r) for r in spec.outputs or ()]})


def _value(key: str, value: Any) -> Any:
    if key == "dtype":      # a layer keeps its policy: mixed ones compute in 16 bits
        return _dtype(value, policy=True)
    if key in _NESTED_LAYER_KEYS and isinstance(value, list):      # RNN([cells]), stacks
        return [_value(key, v) for v in value]
    if key in _NESTED_LAYER_KEYS and isinstance(value, dict) and "class_name" in value:
        kind, config = _entry(value)
        try:
            return layer_call(kind, config, drop_input_args=True)
        except SpecError as err:
            raise err.at(f"argument '{key}' ({kind})") from None
    if key.endswith("_initializer") and isinstance(value, dict) and "class_name" in value:
        return _initializer(value)
    if key == "activation" and isinstance(value, dict):
        inner = value.get("config")
        if isinstance(inner, str):
            return inner
        raise SpecError(f"argument 'activation': a custom activation {show(value)} is not "
                        "supported")
    return value


def _dtype(value: Any, policy: bool = False) -> Any:
    """A dtype or policy name; an input (``policy=False``) takes a mixed policy's
    variable dtype, a layer keeps the policy (float32 weights, 16-bit activations)."""
    if isinstance(value, dict):                    # a DTypePolicy / Policy
        inner = value.get("config") or {}
        value = inner.get("name") if isinstance(inner, dict) else None
    if isinstance(value, str) and not policy:
        return _POLICY_VARIABLE_DTYPE.get(value, value)
    return value


def _initializer(value: dict[str, Any]) -> dict[str, Any]:
    """Keep the initializer's own arguments; drop Keras 3 extras that are unset."""
    from rnncalc.layers.initializers import ALIASES, INITIALIZER_ARGS

    name = value["class_name"]
    canonical = name if name in INITIALIZER_ARGS else ALIASES.get(name, name)
    known = {a.name for a in INITIALIZER_ARGS.get(canonical, ())}
    config = value.get("config") or {}
    if not isinstance(config, dict):
        raise SpecError(f"initializer {show(name)}: config must be a mapping")
    kept = {k: v for k, v in config.items()
            if k in known or (v is not None and k not in ("dtype",))}
    return {"class_name": name, "config": kept}


def _input_decl(config: dict[str, Any], source: str) -> InputDecl:
    shape = config.get("batch_shape")
    if shape is None:
        shape = config.get("batch_input_shape")
    if shape is None and config.get("shape") is not None:
        shape = [config.get("batch_size"), *config["shape"]]
    if shape is None:
        raise SpecError("InputLayer without a shape")
    return InputDecl(config.get("name"), _shape(shape), _dtype(config.get("dtype")), source)


def _shape(value: Any) -> tuple[int | None, ...]:
    from rnncalc.layers.arguments import dims

    if isinstance(value, dict) and value.get("class_name") == "TensorShape":
        value = value.get("items")

    if not isinstance(value, (list, tuple)) or not value:
        raise SpecError(f"expected a batch shape, got {show(value)}")
    batch, rest = value[0], dims(list(value[1:]))
    if batch is not None:
        batch = dims([batch])[0]
    return (batch, *rest)


def _name(config: dict[str, Any]) -> str | None:
    name = config.get("name")
    return name if isinstance(name, str) and name else None
