"""A spec document as a :class:`ModelSpec`: inputs, layer entries, outputs.

This step checks the spec's structure (top-level keys, input blocks, layer
notations, references) and remembers where each entry sits; it builds no
layers. The graph builder does that, with shapes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from rnncalc.errors import SpecError, did_you_mean
from rnncalc.layers.arguments import DTYPES, dims, show
from rnncalc.layers.calls import Call
from rnncalc.layers.shapes import Shape
from rnncalc.spec.forms import split_entry
from rnncalc.spec.loader import Document

TOP_KEYS = ("name", "input", "inputs", "layers", "outputs", "description")
INPUT_KEYS = ("shape", "batch_size", "dtype", "name", "batch_shape")
INPUT_DTYPES = (*DTYPES, "string")    # text front ends (TextVectorization) read strings
MAX_LAYERS = 10_000      # ~1 s of summary; Keras models stay far below
_REF = re.compile(r"^\s*([^\[\]\s]+)\s*(?:\[\s*(\d+)\s*\])?\s*$")


@dataclass(frozen=True)
class Ref:
    """A tensor reference: a layer or input name and, optionally, an output index."""

    name: str
    index: int | None = None

    def __str__(self) -> str:
        return self.name if self.index is None else f"{self.name}[{self.index}]"


@dataclass(frozen=True)
class InputDecl:
    """A declared model input: name (``None`` = default), batch shape and dtype."""

    name: str | None
    batch_shape: Shape | None
    dtype: str | None
    where: str


@dataclass(frozen=True)
class LayerDecl:
    """One entry of ``layers:`` with its placement in the graph."""

    call: Call
    inputs: tuple[Ref, ...] | None
    initial_state: tuple[Ref, ...]
    label: str      # "layers[2]"
    where: str      # "model.yaml:7"
    call_args: dict[str, Any] = field(default_factory=dict)   # use_causal_mask: true, ...
    shared: str | None = None      # ``call: name``: call that earlier layer again
    alias: str | None = None       # ``as: name``: how later entries refer to this call


@dataclass(frozen=True)
class ModelSpec:
    """Everything a spec says, before shapes are worked out."""

    name: str | None
    inputs: tuple[InputDecl, ...]
    layers: tuple[LayerDecl, ...]
    outputs: tuple[Ref, ...] | None
    functional: bool
    source: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def parse_ref(value: Any) -> Ref:
    """``"encoder[1]"`` -> ``Ref("encoder", 1)``."""
    if not isinstance(value, str):
        raise SpecError(f"expected a reference like 'encoder' or 'encoder[1]', got {show(value)}")
    match = _REF.match(value)
    if not match:
        raise SpecError(f"expected a reference like 'encoder' or 'encoder[1]', got {show(value)}")
    index = match.group(2)
    return Ref(match.group(1), None if index is None else int(index))


def parse_refs(value: Any) -> tuple[Ref, ...]:
    """One reference or a list of them."""
    items = value if isinstance(value, list) else [value]
    if not items:
        raise SpecError("expected at least one reference, got an empty list")
    return tuple(parse_ref(v) for v in items)


def input_decl(name: str | None, body: Any, where: str) -> InputDecl:
    """An ``input:`` block, one entry of ``inputs:``, or a bare shape list."""
    if isinstance(body, (list, int)) and not isinstance(body, bool):
        body = {"shape": body}
    if not isinstance(body, dict):
        raise SpecError(f"expected an input block like {{shape: [30]}}, got {show(body)}")
    for key in body:
        if key not in INPUT_KEYS:
            raise SpecError(f"unknown input key '{key}'", hint=did_you_mean(str(key), INPUT_KEYS))
    batch = body.get("batch_size")
    if batch is not None and (not isinstance(batch, int) or isinstance(batch, bool) or batch < 1):
        raise SpecError(f"'batch_size': expected a positive integer or null, got {show(batch)}")
    dtype = body.get("dtype")
    if dtype is not None and dtype not in INPUT_DTYPES:
        raise SpecError(f"'dtype': expected one of {', '.join(INPUT_DTYPES)}, got "
                        f"{show(dtype)}", hint=did_you_mean(str(dtype), INPUT_DTYPES))
    if body.get("batch_shape") is not None:
        for other in ("shape", "batch_size"):
            if body.get(other) is not None:
                raise SpecError(f"give either '{other}' or 'batch_shape', not both (Keras "
                                f"refuses both at the same time)")
    try:
        if body.get("batch_shape") is not None:
            shape: Shape | None = dims(body["batch_shape"])
        elif "shape" in body and body["shape"] is not None:
            shape = (batch, *dims(body["shape"]))
        else:
            shape = None
    except SpecError as err:
        raise err.at("'shape'") from None
    explicit = body.get("name")
    if explicit is not None and not isinstance(explicit, str):
        raise SpecError(f"'name': expected a string, got {show(explicit)}")
    final = explicit or name
    if isinstance(final, str) and "/" in final:
        raise SpecError(f"input name {show(final)}: a name cannot contain '/' (Keras refuses "
                        "it: it separates weight paths)")
    return InputDecl(final, shape, dtype, where)


SHARED_KEYS = ("call", "inputs", "as", "initial_state")


def _shared_call(entry: dict[str, Any], label: str, where: str) -> LayerDecl:
    """``{call: shared_lstm, inputs: question, as: question_code}``: a layer called again."""
    target = entry["call"]
    context = f"{label} (call)"
    if not isinstance(target, str) or not target:
        raise SpecError(f"'call': expected the name of an earlier layer, got {show(target)}"
                        ).at(where, context)
    alias = entry.get("as")
    if alias is not None and (not isinstance(alias, str) or not alias):
        raise SpecError(f"'as': expected a name for this call, got {show(alias)}").at(
            where, context)
    if "inputs" not in entry:
        raise SpecError(f"a second call of '{target}' needs 'inputs:'").at(where, context)
    call_args = {k: v for k, v in entry.items() if k not in SHARED_KEYS}
    for key in call_args:
        if not str(key)[:1].islower():
            raise SpecError(f"unknown key '{key}' in a 'call:' entry (takes: call, inputs, as, "
                            "call arguments)").at(where, context)
    try:
        refs = parse_refs(entry["inputs"])
        states = parse_refs(entry["initial_state"]) if "initial_state" in entry else ()
    except SpecError as err:
        raise err.at(where, context) from None
    return LayerDecl(Call(target), refs, states, label, where, call_args, shared=target,
                     alias=alias)


def model_spec(doc: Document) -> ModelSpec:
    """Check a document's structure and return its :class:`ModelSpec`."""
    data = doc.data
    if isinstance(data, list):
        data = {"layers": data}
    if not isinstance(data, dict):
        raise SpecError(f"{doc.source}: expected a mapping with 'layers:', got {show(data)}")
    for key in data:
        if isinstance(key, str) and key.startswith("x-"):
            continue    # an extension field: where YAML anchors for '<<' merges live
        if key not in TOP_KEYS:
            raise SpecError(f"{doc.where((key,))}: unknown top-level key '{key}'",
                            hint=did_you_mean(str(key), TOP_KEYS) or
                            "keys starting with 'x-' are free, e.g. for YAML anchors")
    name = data.get("name")
    if name is not None and not isinstance(name, str):
        raise SpecError(f"{doc.where(('name',))}: 'name': expected a string, got {show(name)}")

    inputs: list[InputDecl] = []
    if "input" in data and "inputs" in data:
        raise SpecError(f"{doc.where(('inputs',))}: give either 'input' or 'inputs', not both")
    if data.get("input") is not None:
        try:
            inputs.append(input_decl(None, data["input"], doc.where(("input",))))
        except SpecError as err:
            raise err.at(doc.where(("input",)), "input") from None
    named = data.get("inputs")
    if named is not None:
        if not isinstance(named, dict) or not named:
            raise SpecError(f"{doc.where(('inputs',))}: 'inputs' must map input names to "
                            f"blocks like {{shape: [null, 71]}}, got {show(named)}")
        for key, body in named.items():
            where = doc.where(("inputs", key))
            try:
                inputs.append(input_decl(str(key), body, where))
            except SpecError as err:
                raise err.at(where, f"inputs.{key}") from None

    raw_layers = data.get("layers")
    if raw_layers is None:
        raw_layers = []
    if not isinstance(raw_layers, list):
        raise SpecError(f"{doc.where(('layers',))}: 'layers' must be a list, got "
                        f"{show(raw_layers)}")
    if len(raw_layers) > MAX_LAYERS:
        raise SpecError(f"{doc.where(('layers',))}: {len(raw_layers):,} layers is more than "
                        f"the {MAX_LAYERS:,} rnncalc accepts")
    layers = []
    functional = named is not None
    for i, entry in enumerate(raw_layers):
        where = doc.where(("layers", i))
        label = f"layers[{i}]"
        if isinstance(entry, LayerDecl):    # already parsed (a model the code reader nests)
            layers.append(entry)
            functional = functional or entry.inputs is not None or entry.shared is not None
            continue
        if isinstance(entry, dict) and "call" in entry:
            layers.append(_shared_call(entry, label, where))
            functional = True
            continue
        try:
            call, meta = split_entry(entry)
        except SpecError as err:
            raise err.at(where, label) from None
        try:
            refs = parse_refs(meta["inputs"]) if "inputs" in meta else None
        except SpecError as err:
            raise err.at(where, f"{label} ({call.name})", "inputs") from None
        try:
            states = parse_refs(meta["initial_state"]) if "initial_state" in meta else ()
        except SpecError as err:
            raise err.at(where, f"{label} ({call.name})", "initial_state") from None
        functional = functional or refs is not None or bool(states)
        layers.append(LayerDecl(call, refs, states, label, where, meta.get("call_args", {})))

    outputs = None
    if data.get("outputs") is not None:
        try:
            outputs = parse_refs(data["outputs"])
        except SpecError as err:
            raise err.at(doc.where(("outputs",)), "outputs") from None
        functional = True
    return ModelSpec(name, tuple(inputs), tuple(layers), outputs, functional, doc.source)
