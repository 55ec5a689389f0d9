"""From what the user gave (a spec path, ``--layer`` expressions, shape options)
to a built graph. The CLI and the tests both come through here.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from rnncalc.errors import SpecError
from rnncalc.graph import Graph, ShapeOptions, build_graph
from rnncalc.spec.forms import to_call
from rnncalc.spec.loader import Document, load
from rnncalc.spec.model import LayerDecl, ModelSpec, model_spec
from rnncalc.summary import summarize


def parse_dims(text: str) -> tuple[int | None, ...]:
    """``"4,5"`` / ``"None,5"`` / ``"?,5"`` / ``"(4, 5)"`` -> a per-sample shape."""
    body = text.strip().strip("()[]")
    if not body:
        raise SpecError(f"--input-shape: expected dims like 4,5, got {text!r}")
    dims: list[int | None] = []
    for part in body.split(","):
        part = part.strip()
        if part == "" and dims:
            continue
        if part.lower() in ("none", "null", "?"):
            dims.append(None)
        elif part.isdigit() and int(part) > 0:
            dims.append(int(part))
        else:
            raise SpecError(f"--input-shape: expected positive integers or None/null/?, "
                            f"got {part!r} in {text!r}")
    return tuple(dims)


def with_layers(spec: ModelSpec | None, expressions: list[str]) -> ModelSpec:
    """Append ``--layer`` expressions to a spec (or make a spec of them alone)."""
    decls = []
    for i, expr in enumerate(expressions):
        label = f"--layer[{i}]"
        try:
            call = to_call(expr)
        except SpecError as err:
            raise err.at(f"{label} {expr!r}") from None
        decls.append(LayerDecl(call, None, (), label, ""))
    if spec is None:
        if not decls:
            raise SpecError("no model: give a spec file (or - for stdin) or --layer expressions")
        return ModelSpec(None, (), tuple(decls), None, False, "--layer")
    return replace(spec, layers=(*spec.layers, *decls))


def load_spec(path: str | None, expressions: list[str] | None = None, *,
              stdin_text: str | None = None, model: int | None = None,
              bindings: dict[str, Any] | None = None) -> ModelSpec:
    """Read a spec file (if any) and add ``--layer`` expressions.

    ``model`` (1-based) picks one model of a notebook or ``.py`` file;
    ``bindings`` (``--set``) give values that code reads from its data.
    """
    if path and path != "-":
        from rnncalc.interop import is_foreign

        if is_foreign(path):
            from rnncalc.interop import one_model, pick, read_models

            spec = one_model(pick(read_models(path, bindings), model, path), path)
            return with_layers(spec, list(expressions or []))
    spec = _read_spec(path, stdin_text) if path else None
    return with_layers(spec, list(expressions or []))


def load_models(path: str | None, expressions: list[str] | None = None, *,
                stdin_text: str | None = None, model: int | None = None,
                bindings: dict[str, Any] | None = None) -> list[Any]:
    """Every model of the input as ``FoundModel``s (several for notebooks and ``.py``)."""
    from rnncalc.interop import FoundModel, is_foreign, pick, read_models

    if path and path != "-" and is_foreign(path):
        found = pick(read_models(path, bindings), model, path)
        if not found:
            raise SpecError(f"{path}: no Keras model found")
        return [FoundModel(with_layers(f.spec, list(expressions or [])), f.title)
                for f in found]
    return [FoundModel(load_spec(path, expressions, stdin_text=stdin_text, model=model,
                                 bindings=bindings))]


def _read_spec(path: str, stdin_text: str | None) -> ModelSpec:
    """A YAML/JSON spec, or the JSON Keras' ``model.to_json()`` writes."""
    doc = load(path, stdin_text=stdin_text)
    data = doc.data
    if isinstance(data, dict) and "class_name" in data and "config" in data:
        from rnncalc.interop.keras_config import spec_from_config

        return spec_from_config(data, doc.source)
    return model_spec(doc)


def graph_from_data(data: Any, options: ShapeOptions | None = None) -> Graph:
    """Build a graph from already-parsed spec data (a dict or list)."""
    return build_graph(model_spec(Document(data, "<spec>")), options)


def summary_dict(data: Any, options: ShapeOptions | None = None) -> dict[str, Any]:
    """The contract's summary JSON for spec data; handy for tests and scripts."""
    return summarize(graph_from_data(data, options)).to_dict()


def parse_bindings(items: list[str] | None) -> dict[str, Any]:
    """``--set NAME=VALUE`` (repeatable) as a mapping.

    NAME is a variable (``maxlen``) or an expression as the code writes it
    (``x_train.shape[1]``, ``len(chars)``, ``tokenizer.vocabulary_size()``);
    VALUE is a Python literal (``80``, ``0.5``, ``(60, 1)``, ``'relu'``) or a bare word.
    """
    import ast

    bindings: dict[str, Any] = {}
    for item in items or []:
        name, sep, text = _split_binding(item)
        if not sep or not name or not text.strip():
            raise SpecError(f"--set {item!r}: expected NAME=VALUE, e.g. --set maxlen=80")
        try:
            key = ast.unparse(ast.parse(name, mode="eval").body)
        except (SyntaxError, ValueError, RecursionError):
            raise SpecError(f"--set {item!r}: {name!r} is not a name or expression") from None
        try:
            value = ast.literal_eval(text.strip())
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            value = text.strip()
        if isinstance(value, tuple):
            value = tuple(value)
        bindings[key] = value
    return bindings


def _split_binding(item: str) -> tuple[str, str, str]:
    """Split at the first ``=`` outside brackets (``len(x, k=1)=5``)."""
    depth = 0
    for i, ch in enumerate(item):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "=" and depth == 0 and item[i + 1:i + 2] != "=":
            return item[:i].strip(), "=", item[i + 1:]
    return item.strip(), "", ""
