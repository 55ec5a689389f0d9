"""From what the user gave (a spec path, ``--layer`` expressions, shape options)
to a built graph. The CLI and the tests both come through here.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from rnncalc.errors import SpecError
from rnncalc.graph import Graph, ShapeOptions, build_graph
from rnncalc.reports.summary import summarize
from rnncalc.spec.forms import to_call
from rnncalc.spec.loader import Document, load
from rnncalc.spec.model import LayerDecl, ModelSpec, model_spec


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
              stdin_text: str | None = None, model: int | None = None) -> ModelSpec:
    """Read a spec file (if any) and add ``--layer`` expressions.

    ``model`` (1-based) picks one model of a notebook or ``.py`` file.
    """
    if path and path != "-":
        from rnncalc.interop import is_foreign

        if is_foreign(path):
            from rnncalc.interop import one_model, pick, read_models

            spec = one_model(pick(read_models(path), model, path), path)
            return with_layers(spec, list(expressions or []))
    spec = _read_spec(path, stdin_text) if path else None
    return with_layers(spec, list(expressions or []))


def load_models(path: str | None, expressions: list[str] | None = None, *,
                stdin_text: str | None = None, model: int | None = None) -> list[Any]:
    """Every model of the input as ``FoundModel``s (several for notebooks and ``.py``)."""
    from rnncalc.interop import FoundModel, is_foreign, pick, read_models

    if path and path != "-" and is_foreign(path):
        found = pick(read_models(path), model, path)
        if not found:
            raise SpecError(f"{path}: no Sequential model found")
        return [FoundModel(with_layers(f.spec, list(expressions or [])), f.title)
                for f in found]
    return [FoundModel(load_spec(path, expressions, stdin_text=stdin_text, model=model))]


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
