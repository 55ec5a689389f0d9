"""JSON output: the record itself, one document on stdout.

Lists of plain numbers (shapes) stay on one line so the document reads like
the table; everything else is indented. Big ints stay exact.
"""

from __future__ import annotations

import json
from typing import Any

#: Version of each command's JSON document; bumped when a field changes meaning or type.
SCHEMA_VERSION = 1
COMMANDS = ("summary", "explain", "run", "solve", "sweep", "diff")


def schema_id(command: str) -> str:
    """``rnncalc/summary/1``: the ``"schema"`` value of a command's JSON."""
    return f"rnncalc/{command}/{SCHEMA_VERSION}"


def document(command: str, body: dict[str, Any]) -> dict[str, Any]:
    """A command's JSON document: ``"schema"`` first, then the record."""
    return {"schema": schema_id(command), **body}


def schema_text(command: str) -> str:
    """The JSON Schema (draft 2020-12) shipped for a command's JSON output."""
    from importlib.resources import files

    return (files("rnncalc") / "schemas" / f"{command}.json").read_text(encoding="utf-8")


def dumps(document: Any, indent: int = 2) -> str:
    """Serialize a record dict with inline shapes."""
    return _dump(document, 0, indent)


def _dump(value: Any, level: int, indent: int) -> str:
    pad, inner = " " * (level * indent), " " * ((level + 1) * indent)
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = [f"{inner}{json.dumps(str(k))}: {_dump(v, level + 1, indent)}"
                 for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(value, (list, tuple)):
        if all(not isinstance(v, (dict, list, tuple)) for v in value) or _flat_nested(value):
            return json.dumps(value)
        items = [inner + _dump(v, level + 1, indent) for v in value]
        return "[\n" + ",\n".join(items) + "\n" + pad + "]"
    return json.dumps(value)


def _flat_nested(value: list | tuple) -> bool:
    """A list of shapes (lists of scalars) also stays on one line."""
    return all(isinstance(v, (list, tuple)) and all(not isinstance(x, (dict, list, tuple))
                                                    for x in v) for v in value) and len(value) <= 8
