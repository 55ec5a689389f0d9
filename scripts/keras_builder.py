"""Build Keras 3 models from rnncalc specs, and what the fixture generators share.

Why one module: the summary (``make_keras_golden.py``), numeric
(``make_keras_numeric.py``) and interop (``make_keras_interop.py``) fixtures
must all mean the same thing by a spec, so they share one translator from the
spec form of the contract (§2, §3) to Keras objects, one record of what Keras
reports (``describe``), one way to seed weights and one JSON layout. Keras is
needed here only; rnncalc itself never imports it.

What a spec may hold (the canonical form; ``scripts/cases/README.md`` shows
examples):

* ``input: {shape, batch_size, dtype}`` (Sequential) or ``inputs: {name: ...}``
  (functional, with ``outputs:``); ``dtype: string`` for string inputs. Keras 2
  input keys on the first layer of a Sequential spec (``input_shape``,
  ``batch_input_shape``, ``input_dim``/``input_length``, ``batch_size``) mean
  what they meant in Keras 2.
* Layer entries ``{Type: kwargs}`` (a list value = positional arguments, a
  scalar = the first one, ``null`` = none), ``{type: Type, ...kwargs}``, a
  bare ``Type`` or a call expression ``"LSTM(3, return_sequences=True)"``.
  Beside the type key: ``inputs:`` (references ``name`` / ``name[k]``),
  ``initial_state:`` and any other call argument (``return_attention_scores``,
  ``use_causal_mask``, ...); ``call: <layer name>`` calls an earlier layer
  again (shared weights), ``as: <name>`` names that call's outputs.
* Any Keras layer with plain kwargs works with no code here
  (``getattr(keras.layers, Type)(**kwargs)``). The special forms sit in the
  tables below: kwargs that hold layers (``layer``, ``backward_layer``,
  ``cell``, ``cells``, ``layers``), initializer/regularizer/constraint
  mappings, ``Sequential: {layers: [...]}`` and ``Model: {<a spec>}`` as a
  layer, ``Lambda: {function: "lambda x: ..."}``, layers whose call spreads
  ``inputs:`` over positional arguments (``MultiHeadAttention``), and call
  arguments that are references.

Run as a script, it shows what Keras builds from spec files (Keras' own
``model.summary()``, or ``describe`` with ``--json``), which is how to check a
spec before adding it as a case::

    KERAS_BACKEND=torch ~/kerasenv/bin/python scripts/keras_builder.py specs/seq2seq.yaml
"""

from __future__ import annotations

import argparse
import ast
import json
import math
import os
import re
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras  # noqa: E402
import numpy as np  # noqa: E402
from fixture_cases import Case, read_yaml  # noqa: E402, F401 - Case: for the generators

Spec = dict[str, Any]

REPO = Path(__file__).resolve().parent.parent

RNN_TYPES = ("SimpleRNN", "LSTM", "GRU")
# Keys of a layer entry that are not constructor kwargs.
ENTRY_KEYS = ("inputs", "call", "as")
# Constructor kwargs whose value is a layer entry or a list of them.
LAYER_ARGS = frozenset({"layer", "backward_layer", "cell", "cells", "layers"})
# Constructor kwargs that stay lists (everything else list-valued becomes a tuple).
LIST_ARGS = frozenset({"vocabulary"})
# Kwarg suffix -> the Keras module that turns a mapping into an object.
OBJECT_ARGS = {
    "_initializer": "initializers",
    "_regularizer": "regularizers",
    "_constraint": "constraints",
}
# Call arguments whose values are tensor references (``name`` / ``name[k]``).
REFERENCE_CALL_ARGS = frozenset(
    {"initial_state", "mask", "attention_mask", "query_mask", "value_mask", "key_mask"}
)
# Layers called as ``layer(*inputs)`` instead of ``layer(inputs)``.
SPREAD_INPUTS = frozenset({"MultiHeadAttention", "GroupedQueryAttention"})
# What a ``Lambda`` body may name (case files are ours; this runs only here).
LAMBDA_NAMESPACE = {"keras": keras, "ops": keras.ops, "np": np}


# ---------------------------------------------------------------------------
# Layer entries
# ---------------------------------------------------------------------------


@dataclass
class Entry:
    """One ``layers:`` item, whatever form it was written in."""

    type: str | None  # None for a ``call:`` entry
    args: list[Any] = field(default_factory=list)
    kwargs: dict[str, Any] = field(default_factory=dict)
    inputs: Any = None  # None: the previous layer's output
    call_kwargs: dict[str, Any] = field(default_factory=dict)
    call: str | None = None
    alias: str | None = None


def _split_value(value: Any) -> tuple[list[Any], dict[str, Any]]:
    if value is None:
        return [], {}
    if isinstance(value, dict):
        return [], dict(value)
    if isinstance(value, list):
        return list(value), {}
    return [value], {}


def _ast_value(node: ast.AST) -> Any:
    if isinstance(node, ast.Call):
        return _parse_call(node)
    if isinstance(node, (ast.List, ast.Tuple)):
        return [_ast_value(e) for e in node.elts]
    return ast.literal_eval(node)


def _parse_call(node: ast.Call) -> Entry:
    func = node.func  # `LSTM`, `layers.LSTM` or `tf.keras.initializers.Constant`
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    if name is None:
        raise SystemExit(f"cannot read the call {ast.unparse(node)!r}")
    args = [_ast_value(a) for a in node.args]
    kwargs = {k.arg: _ast_value(k.value) for k in node.keywords if k.arg is not None}
    return Entry(type=name, args=args, kwargs=kwargs)


def parse_entry(entry: Any) -> Entry:
    """Read a layer entry in any spec form into an :class:`Entry`."""
    if isinstance(entry, Entry):
        return entry
    if isinstance(entry, str):
        text = entry.strip()
        if "(" not in text:
            return Entry(type=text)
        node = ast.parse(text, mode="eval").body
        if not isinstance(node, ast.Call):
            raise SystemExit(f"not a layer call: {entry!r}")
        return _parse_call(node)
    if not isinstance(entry, dict):
        raise SystemExit(f"not a layer entry: {entry!r}")
    inputs, call, alias = entry.get("inputs"), entry.get("call"), entry.get("as")
    if call is not None:
        rest = {k: v for k, v in entry.items() if k not in ENTRY_KEYS}
        return Entry(type=None, inputs=inputs, call_kwargs=rest, call=call, alias=alias)
    if isinstance(entry.get("type"), str):
        kwargs = {k: v for k, v in entry.items() if k not in (*ENTRY_KEYS, "type")}
        call_kwargs = {}
        if "initial_state" in kwargs:
            call_kwargs["initial_state"] = kwargs.pop("initial_state")
        return Entry(entry["type"], [], kwargs, inputs, call_kwargs, None, alias)
    types = [k for k in entry if k[:1].isupper()]
    if len(types) != 1:
        raise SystemExit(f"a layer entry needs exactly one type key: {entry!r}")
    args, kwargs = _split_value(entry[types[0]])
    call_kwargs = {k: v for k, v in entry.items() if k not in (*ENTRY_KEYS, types[0])}
    return Entry(types[0], args, kwargs, inputs, call_kwargs, None, alias)


def entry_type(entry: Any) -> str | None:
    """The layer type an entry names (None for ``call:`` entries)."""
    return parse_entry(entry).type


def walk_layers(entries: list[Any]) -> Any:
    """Yield ``(type, kwargs)`` of every entry and of the layers inside them."""
    for raw in entries:
        entry = parse_entry(raw)
        if entry.type is None:
            continue
        yield entry.type, entry.kwargs
        for key in LAYER_ARGS:
            inner = entry.kwargs.get(key)
            if inner is not None:
                yield from walk_layers(inner if isinstance(inner, list) else [inner])


def _tuplify(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_tuplify(v) for v in value)
    return value


def _keras_object(module_name: str, value: Any) -> Any:
    """``{Constant: {value: 0.1}}``, Keras' ``{class_name, config}``, or ``Constant(0.1)``."""
    module = getattr(keras, module_name)
    if isinstance(value, Entry):
        return getattr(module, value.type)(*value.args, **value.kwargs)
    if isinstance(value, dict) and "class_name" in value:
        return module.get(value)
    if isinstance(value, dict) and len(value) == 1:
        ((name, cfg),) = value.items()
        args, kwargs = _split_value(cfg)
        return getattr(module, name)(*args, **kwargs)
    return value


def _convert(key: str, value: Any) -> Any:
    if key in LAYER_ARGS:
        return [make_layer(v) for v in value] if isinstance(value, list) else make_layer(value)
    for suffix, module_name in OBJECT_ARGS.items():
        if key.endswith(suffix):
            return _keras_object(module_name, value)
    if key in LIST_ARGS:
        return value
    return _tuplify(value)


def _make_lambda(args: list[Any], kwargs: dict[str, Any]) -> Any:
    if args:
        kwargs["function"], *args = args
    if isinstance(kwargs.get("function"), str):
        kwargs["function"] = eval(kwargs["function"], dict(LAMBDA_NAMESPACE))  # noqa: S307
    return keras.layers.Lambda(*args, **kwargs)


def _make_custom(args: list[Any], kwargs: dict[str, Any]) -> Any:
    """rnncalc's ``Custom`` kind as the Keras Layer subclass a user would write: ``build``
    adds the declared weights, ``call`` runs the function over the input and them."""
    weights = {name: w if isinstance(w, dict) else {"shape": w}
               for name, w in kwargs.pop("weights", {}).items()}
    function = kwargs.pop("function")
    body = eval(function, dict(LAMBDA_NAMESPACE))  # noqa: S307 - our case files only
    order = [a.arg for a in ast.parse(function, mode="eval").body.args.args][1:]

    def build(self: Any, input_shape: Any) -> None:
        self.declared = {
            name: self.add_weight(shape=tuple(w["shape"]), name=name,
                                  initializer=w.get("initializer", "glorot_uniform"),
                                  trainable=w.get("trainable", True))
            for name, w in weights.items()}

    def call(self: Any, x: Any) -> Any:
        return body(x, *(self.declared[name] for name in order))

    cls = type(kwargs.pop("class_name"), (keras.layers.Layer,), {"build": build, "call": call})
    return cls(**kwargs)


def _make_sequential(args: list[Any], kwargs: dict[str, Any]) -> Any:
    return keras.Sequential(*args, **kwargs)


# Types built by a function instead of ``getattr(keras.layers, Type)``, given
# converted args and kwargs. (``Model: {inputs, layers, outputs, name}``, a
# functional model used as a layer, is built from its spec by build_model.)
SPECIAL_TYPES = {"Lambda": _make_lambda, "Sequential": _make_sequential,
                 "Custom": _make_custom}
# A positional first argument that is a layer (or layers): the kwarg it means.
POSITIONAL_LAYER_ARG = {
    "Bidirectional": "layer",
    "TimeDistributed": "layer",
    "RNN": "cell",
    "StackedRNNCells": "cells",
    "Sequential": "layers",
}


def make_layer(raw: Any) -> Any:
    """Construct (but do not call) the Keras layer for one spec entry."""
    entry = parse_entry(raw)
    if entry.type is None:
        raise SystemExit(f"`call:` entries are only valid in a functional spec: {raw!r}")
    args, kwargs = list(entry.args), dict(entry.kwargs)
    first = POSITIONAL_LAYER_ARG.get(entry.type)
    if first is not None and args:
        kwargs = {first: args.pop(0), **kwargs}
    if entry.type == "Model":
        return build_model(kwargs)
    args = [make_layer(a) if isinstance(a, Entry) else _tuplify(a) for a in args]
    kwargs = {k: _convert(k, v) for k, v in kwargs.items()}
    if entry.type in SPECIAL_TYPES:
        return SPECIAL_TYPES[entry.type](args, kwargs)
    cls = getattr(keras.layers, entry.type, None)
    if cls is None:
        raise SystemExit(f"keras.layers has no {entry.type!r}")
    return cls(*args, **kwargs)


# ---------------------------------------------------------------------------
# Models
# ---------------------------------------------------------------------------


def _input_kwargs(ispec: Spec) -> dict[str, Any]:
    out: dict[str, Any] = {"shape": tuple(ispec["shape"])}
    for key in ("batch_size", "dtype"):
        if ispec.get(key) is not None:
            out[key] = ispec[key]
    return out


def _keras2_input(first: Any) -> tuple[Entry, dict[str, Any]] | None:
    """Strip Keras 2 input spellings off a first layer; return (entry, Input kwargs)."""
    entry = parse_entry(first)
    kw = dict(entry.kwargs)
    shape: list[Any] | None = None
    batch: int | None = None
    if "batch_input_shape" in kw:
        bis = kw.pop("batch_input_shape")
        batch, shape = bis[0], list(bis[1:])
    if "input_shape" in kw:
        shape = list(kw.pop("input_shape"))
    if entry.type == "Embedding":
        if "input_length" in kw:
            shape = [kw.pop("input_length")]
        elif shape is None:
            shape = [None]  # Keras 2: an Embedding always implies input_shape (None,)
    elif "input_dim" in kw:
        dim = kw.pop("input_dim")
        length = kw.pop("input_length", None)
        shape = [length, dim] if entry.type in RNN_TYPES else [dim]
    if "batch_size" in kw:
        batch = kw.pop("batch_size")
    if shape is None:
        return None
    inp: dict[str, Any] = {"shape": tuple(shape)}
    if batch is not None:
        inp["batch_size"] = batch
    return replace(entry, kwargs=kw), inp


def build_sequential(spec: Spec) -> Any:
    entries: list[Any] = list(spec["layers"])
    if "input" in spec:
        input_kw = _input_kwargs(spec["input"])
    else:
        found = _keras2_input(entries[0])
        if found is None:
            raise SystemExit(f"sequential spec without an input shape: {spec!r}")
        entries[0], input_kw = found
    inp = keras.Input(**input_kw)
    layers = [make_layer(e) for e in entries]
    kwargs: dict[str, Any] = {}
    if spec.get("name") is not None:
        kwargs["name"] = spec["name"]
    model = keras.Sequential([inp, *layers], **kwargs)
    _ = model.outputs  # Sequential builds lazily and swallows errors; surface them.
    return model


_REF = re.compile(r"^(?P<name>[^\[\]]+)(?:\[(?P<idx>\d+)\])?$")


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, (list, tuple)) else value


def build_functional(spec: Spec) -> Any:
    tensors: dict[str, Any] = {}  # reference name -> tensor or list of tensors
    layers: dict[str, Any] = {}  # layer name -> layer, for `call:`
    model_inputs = []
    for name, ispec in spec["inputs"].items():
        tensor = keras.Input(name=name, **_input_kwargs(ispec))
        tensors[name] = tensor
        model_inputs.append(tensor)

    def resolve(ref: str) -> Any:
        m = _REF.match(ref)
        if m is None or m.group("name") not in tensors:
            raise SystemExit(f"bad reference {ref!r} (known: {sorted(tensors)})")
        value = tensors[m.group("name")]
        if isinstance(value, (list, tuple)):
            return value[int(m.group("idx") or 0)]
        if m.group("idx") not in (None, "0"):
            raise SystemExit(f"{ref!r}: layer has a single output")
        return value

    def resolve_all(refs: Any) -> Any:
        return [resolve(r) for r in refs] if isinstance(refs, list) else resolve(refs)

    previous: Any = model_inputs[0]  # a first layer without `inputs:` takes the first input
    last = ""
    for raw in spec["layers"]:
        entry = parse_entry(raw)
        layer = layers[entry.call] if entry.call is not None else make_layer(entry)
        x = previous if entry.inputs is None else resolve_all(entry.inputs)
        call_kw = {
            k: resolve_all(v) if k in REFERENCE_CALL_ARGS else v
            for k, v in entry.call_kwargs.items()
        }
        if type(layer).__name__ in SPREAD_INPUTS and isinstance(x, list):
            y = layer(*x, **call_kw)
        else:
            y = layer(x, **call_kw)
        layers[layer.name] = layer
        last = entry.alias or layer.name
        tensors[last] = y
        previous = _first(y)
    outputs = []
    for ref in spec.get("outputs") or [last]:
        value = tensors[ref] if ref in tensors else resolve(ref)
        outputs.extend(value if isinstance(value, (list, tuple)) else [value])
    kwargs: dict[str, Any] = {}
    if spec.get("name") is not None:
        kwargs["name"] = spec["name"]
    # One input / one output are passed bare, as people write keras.Model(x, y):
    # it is what to_json() records.
    return keras.Model(
        model_inputs[0] if len(model_inputs) == 1 else model_inputs,
        outputs[0] if len(outputs) == 1 else outputs,
        **kwargs,
    )


def build_model(spec: Spec) -> Any:
    """The Keras model a spec describes (functional when it has ``inputs:``)."""
    if "inputs" in spec:
        return build_functional(spec)
    return build_sequential(spec)


def fresh_session(seed: int | None = None) -> None:
    """Forget earlier models, so default layer names are a fresh session's."""
    keras.backend.clear_session()
    if seed is not None:
        keras.utils.set_random_seed(seed)


# ---------------------------------------------------------------------------
# What Keras reports
# ---------------------------------------------------------------------------


def shape_list(shape: Any) -> list[Any]:
    return [None if d is None else int(d) for d in shape]


def _nparams(weights: Any) -> int:
    return int(sum(math.prod(int(d) for d in w.shape) for w in weights))


def origin(tensor: Any) -> tuple[str, int]:
    """(name of the layer that made a tensor, its output index there)."""
    op, _node_index, tensor_index = tensor._keras_history
    return op.name, int(tensor_index)


def describe(model: Any) -> dict[str, Any]:
    """Everything ``model.summary()`` knows, per layer and in total."""
    inputs = [
        {"name": origin(t)[0], "shape": shape_list(t.shape), "dtype": str(t.dtype)}
        for t in model.inputs
    ]
    layers = []
    for layer in model.layers:
        if layer.__class__.__name__ == "InputLayer":
            continue
        out = layer.output
        outs = list(out) if isinstance(out, (list, tuple)) else [out]
        layers.append(
            {
                "name": layer.name,
                "type": layer.__class__.__name__,
                "output_shapes": [shape_list(t.shape) for t in outs],
                "params": int(layer.count_params()),
                "trainable_params": _nparams(layer.trainable_weights),
                "non_trainable_params": _nparams(layer.non_trainable_weights),
                "weights": [
                    {
                        "path": w.path,
                        "name": w.name,
                        "shape": shape_list(w.shape),
                        "trainable": bool(w.trainable),
                        "dtype": str(w.dtype),
                    }
                    for w in layer.weights
                ],
            }
        )
    outputs = []
    for t in model.outputs:
        name, index = origin(t)
        outputs.append({"name": name, "index": index, "shape": shape_list(t.shape)})
    return {
        "name": model.name,
        "inputs": inputs,
        "layers": layers,
        "outputs": outputs,
        "total_params": int(model.count_params()),
        "trainable_params": _nparams(model.trainable_weights),
        "non_trainable_params": _nparams(model.non_trainable_weights),
        "weights_order": [w.path for w in model.weights],
    }


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def error_text(exc: BaseException) -> str:
    """``"<ExceptionClass>: <first line>"``; Keras' generic "Exception encountered
    when calling X.call()." gets the next line, which says why."""
    lines = [ln.strip() for ln in _ANSI.sub("", str(exc)).splitlines() if ln.strip()]
    text = lines[0] if lines else ""
    if text.startswith("Exception encountered when calling") and len(lines) > 1:
        text = f"{text} {lines[1]}"
    return f"{type(exc).__name__}: {text}"


def randomize_weights(model: Any, rng: np.random.Generator) -> None:
    """Seeded uniform weights in ``get_weights()`` order, so zero biases matter too.

    Values are uniform in [-0.5, 0.5); variances (BatchNormalization's moving
    variance, Normalization's variance) in [0.5, 1.5) so they stay positive.
    """
    new = []
    for w in model.weights:
        low, high = (0.5, 1.5) if w.path.endswith("variance") else (-0.5, 0.5)
        dtype = keras.backend.standardize_dtype(w.dtype)
        new.append(rng.uniform(low, high, size=tuple(w.shape)).astype(dtype))
    model.set_weights(new)


# ---------------------------------------------------------------------------
# JSON
# ---------------------------------------------------------------------------


def _is_flat(value: Any) -> bool:
    return isinstance(value, list) and all(
        v is None or isinstance(v, (bool, int, float)) for v in value
    )


def _encode(value: Any, level: int) -> str:
    pad, inner = " " * level, " " * (level + 1)
    if isinstance(value, dict) and value:
        # Insertion order, not sorted: the order of a spec's `inputs:` mapping
        # is the model's input order.
        items = [f"{inner}{json.dumps(k)}: {_encode(v, level + 1)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(value, list) and value and not _is_flat(value):
        items = [f"{inner}{_encode(v, level + 1)}" for v in value]
        return "[\n" + ",\n".join(items) + "\n" + pad + "]"
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def dump_json(doc: Any, sort_keys: bool = False) -> str:
    """JSON with indent 1. Unsorted: keys in insertion order and lists of
    numbers (shapes) on one line. Sorted: ``json.dumps(indent=1, sort_keys=True)``."""
    if sort_keys:
        return json.dumps(doc, indent=1, sort_keys=True) + "\n"
    text = _encode(doc, 0) + "\n"
    if json.loads(text) != doc:
        raise SystemExit("internal error: JSON encoding does not round-trip")
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Show what Keras 3 builds from rnncalc specs.")
    parser.add_argument("specs", nargs="+", type=Path, help="YAML or JSON spec files")
    parser.add_argument("--json", action="store_true", help="print describe() as JSON")
    args = parser.parse_args(argv)
    for path in args.specs:
        fresh_session()
        model = build_model(read_yaml(path))
        if args.json:
            sys.stdout.write(dump_json(describe(model)))
        else:
            print(f"# {path}")
            model.summary()
    return 0


if __name__ == "__main__":
    sys.exit(main())
