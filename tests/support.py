"""Small helpers for tests: a spec (path, dict or list) to a spec, graph or summary dict.

They go through the public front door (:mod:`rnncalc.api`) like every command.
"""

from __future__ import annotations

from typing import Any

from rnncalc.api import _with_layers, load
from rnncalc.graph import Graph, ShapeOptions, build_graph
from rnncalc.reports.summary import summarize
from rnncalc.spec.model import ModelSpec


def load_spec(path: Any, expressions: list[str] | None = None, *, stdin_text: str | None = None,
              model: int | None = None) -> ModelSpec:
    """The spec of a path, text, dict or list, with ``--layer`` expressions appended.

    Unlike :func:`rnncalc.load` this does not build the graph, so a test can
    give the shape options later.
    """
    if path is None:
        return _with_layers(None, list(expressions or []))
    return load(path, layers=expressions, stdin_text=stdin_text, model=model).spec


def graph_from_data(data: Any, options: ShapeOptions | None = None) -> Graph:
    """Build a graph from already-parsed spec data (a dict or list)."""
    return build_graph(load_spec(data), options)


def summary_dict(data: Any, options: ShapeOptions | None = None) -> dict[str, Any]:
    """The contract's summary JSON for spec data."""
    return summarize(graph_from_data(data, options)).to_dict()
