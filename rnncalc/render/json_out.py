"""JSON output: the record itself, one document on stdout.

Lists of plain numbers (shapes) stay on one line so the document reads like
the table; everything else is indented. Big ints stay exact.
"""

from __future__ import annotations

import json
import re
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


_SCALAR = r'(?:"(?:[^"\\\n]|\\.)*"|-?\d[\d.eE+-]*|true|false|null)'
# A list of scalars, as json.dumps(indent=...) writes it one item per line.
_SCALAR_LIST = re.compile(r"\[\n\s+(" + _SCALAR + r"(?:,\n\s+" + _SCALAR + r")*)\n\s*\]")
_INLINE_LIST = r"\[(?:" + _SCALAR + r"(?:, " + _SCALAR + r")*)?\]"
# A list of at most 8 inline lists (shapes).
_SHAPE_LIST = re.compile(r"\[\n\s+(" + _INLINE_LIST + r"(?:,\n\s+" + _INLINE_LIST
                         + r"){0,7})\n\s*\]")
_ITEM_BREAK = re.compile(r",\n\s+")


def dumps(document: Any, indent: int = 2) -> str:
    """Serialize a record dict: lists of scalars (and short lists of them, like a layer's
    output shapes) on one line so the document reads like the table; the rest indented.

    The standard encoder writes it; two passes then join the short lists, so a
    10,000-layer summary costs little more than ``json.dumps``. Big ints stay exact.
    """
    text = json.dumps(document, indent=indent)
    text = _SCALAR_LIST.sub(lambda m: "[" + _ITEM_BREAK.sub(", ", m.group(1)) + "]", text)
    return _SHAPE_LIST.sub(lambda m: "[" + _ITEM_BREAK.sub(", ", m.group(1)) + "]", text)
