"""JSON output: the record itself, one document on stdout.

Lists of plain numbers (shapes) stay on one line so the document reads like
the table; everything else is indented. Big ints stay exact.
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring_ascii as _string
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


class Written(str):
    """JSON text already laid out for its place in a document: :func:`dumps` writes it
    as it is (the summary's layers, written from templates by ``summary_json``)."""


def dumps(document: Any, indent: int = 2, depth: int = 0) -> str:
    """Serialize a record dict: lists of scalars (and lists of up to 8 such lists, like a
    layer's output shapes) on one line so the document reads like the table; the rest
    indented as ``json.dumps(document, indent=indent)`` indents it.

    Written here rather than by the standard library: its indenting encoder is
    pure Python and then needs two regex passes to join the short lists, about
    30 µs per layer of a summary; this writer visits each value once, fills each
    dict into a template made once per key list (a summary's layers and weights
    repeat a few), and leaves strings to the C escaper (the bytes are the
    same). Big ints stay exact. ``depth`` lays the value out as if nested that many
    levels deep in a document.
    """
    step = " " * indent
    return _text(document, "\n" + step * (depth + 1), step, {})



_LITERALS = {None: "null", True: "true", False: "false"}


def _float(value: float) -> str:
    """A float as ``json.dumps`` writes it (``NaN`` and ``Infinity`` included)."""
    if value != value:
        return "NaN"
    if value in (_INF, -_INF):
        return "Infinity" if value > 0 else "-Infinity"
    return float.__repr__(value)


_INF = float("inf")


def _scalar(value: Any) -> str | None:
    """The text of a value that may share a line with others: a string, number (finite),
    boolean or null; None for anything else (containers, NaN, unknown types)."""
    kind = type(value)
    if kind is str:
        return _string(value)
    if kind is int:
        return int.__repr__(value)
    if value is None or kind is bool:
        return _LITERALS[value]
    if kind is float:
        return float.__repr__(value) if value - value == 0 else None
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float) and value - value == 0:
        return float.__repr__(value)
    return None


def _inline(items: list[Any] | tuple[Any, ...]) -> str | None:
    """``[1, 2]`` for a list of scalars, ``[[1, 2], []]`` for up to 8 such lists; None when
    the list is written one item per line."""
    text = _inline_scalars(items)
    if text is not None or len(items) > 8:
        return text
    texts = []
    for item in items:
        if not isinstance(item, (list, tuple)):
            return None
        text = _inline_scalars(item) if item else "[]"
        if text is None:
            return None
        texts.append(text)
    return "[" + ", ".join(texts) + "]"


def _inline_scalars(items: list[Any] | tuple[Any, ...]) -> str | None:
    """``[1, 2]`` when every item is a scalar, else None."""
    texts = []
    for item in items:
        kind = type(item)     # shapes: ints and None first
        text = int.__repr__(item) if kind is int else "null" if item is None else \
            _scalar(item)
        if text is None:
            return None
        texts.append(text)
    return "[" + ", ".join(texts) + "]"


def _key(key: Any) -> str:
    """A dict key as ``json.dumps`` writes it (numbers, booleans and null become strings)."""
    if isinstance(key, str):
        return _string(key)
    if isinstance(key, float):
        return _string(_float(key))
    if key is None or isinstance(key, bool):
        return _string(_LITERALS[key])
    if isinstance(key, int):
        return _string(int.__repr__(key))
    raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")


def one_line(value: Any) -> str | None:
    """The text ``dumps`` gives a value it writes on one line: a scalar, an empty container
    or a list :func:`_inline` joins; None when it spans lines (or is not JSON)."""
    kind = type(value)        # the common kinds first: most of a record is these
    if kind is str:
        return _string(value)
    if kind is int:
        return int.__repr__(value)
    if kind is list or kind is tuple:
        return _inline(value) if value else "[]"
    if kind is dict:
        return None if value else "{}"
    if kind is bool:
        return "true" if value else "false"
    if kind is Written:
        return value
    return _scalar(value)


def _text(value: Any, pad: str, step: str, templates: dict[Any, str]) -> str:
    """The text of ``value``; ``pad`` is the newline and indent of its items, ``step``
    one level of indent, ``templates`` the dict templates made so far."""
    text = one_line(value)
    return _lines(value, pad, step, templates) if text is None else text


def _lines(value: Any, pad: str, step: str, templates: dict[Any, str]) -> str:
    """The text of a value :func:`one_line` did not write: a container, one item per
    line, or a leaf it refused (NaN, subclasses, unknown types)."""
    inner = pad + step
    if isinstance(value, dict):
        if not value:
            return "{}"
        keys = tuple(value)
        template = templates.get((keys, pad))
        if template is None:
            template = _template(keys, pad, step)
            if all(type(key) is str for key in keys):   # 1 == True: only str keys are safe
                templates[keys, pad] = template
        return template % tuple([one_line(item) or _lines(item, inner, step, templates)
                                 for item in value.values()])
    if isinstance(value, (list, tuple)):
        if type(value) not in (list, tuple):      # a subclass: one_line did not try it
            text = _inline(value) if value else "[]"
            if text is not None:
                return text
        return ("[" + pad + ("," + pad).join([one_line(item) or _lines(item, inner, step,
                                                                          templates)
                                              for item in value])
                + pad[:len(pad) - len(step)] + "]")
    return _leaf(value)


def _template(keys: tuple[Any, ...], pad: str, step: str) -> str:
    """``{"name": %s, ...}`` laid out at ``pad``, for a dict with these keys."""
    items = ("," + pad).join(_key(key).replace("%", "%%") + ": %s" for key in keys)
    return "{" + pad + items + pad[:len(pad) - len(step)] + "}"


def _leaf(value: Any) -> str:
    """A non-container value as ``json.dumps`` writes it (TypeError for unknown types)."""
    text = _scalar(value)
    if text is not None:
        return text
    if isinstance(value, float):
        return _float(value)
    return json.dumps(value)   # raises json's own TypeError for an unserializable value
