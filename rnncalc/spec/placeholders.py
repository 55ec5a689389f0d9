"""``?`` placeholders: a free integer in a spec, filled in by ``solve`` and ``sweep``.

A spec may leave a size open (``LSTM(?)``, ``Embedding(5000, ?)``, a YAML
value ``"?"``, or a named ``?u`` that ``sweep --vary u=...`` fills). The
parser turns each into a :class:`Placeholder` value; :func:`substitute`
replaces them with numbers before the graph is built, and the builder refuses
any that are left, naming the commands that take them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from rnncalc.layers.calls import Call

_TEXT = re.compile(r"^\?([A-Za-z_][A-Za-z0-9_]*)?$")
# How a placeholder travels through Python's parser: ``?u`` -> a plain name.
MARK = "_rnncalc_placeholder_"


@dataclass(frozen=True)
class Placeholder:
    """A free integer; ``name`` is ``""`` for a bare ``?`` (all bare ``?`` are one unknown)."""

    name: str = ""

    def __str__(self) -> str:
        return f"?{self.name}"

    def __repr__(self) -> str:
        return str(self)


def from_text(value: Any) -> Placeholder | None:
    """``"?"`` / ``"?u"`` as a placeholder; anything else ``None``."""
    if isinstance(value, str):
        match = _TEXT.match(value.strip())
        if match:
            return Placeholder(match.group(1) or "")
    return None


def mark_values(value: Any) -> Any:
    """YAML layer arguments with ``"?"``-strings turned into placeholders (nested too)."""
    found = from_text(value)
    if found is not None:
        return found
    if isinstance(value, list):
        return [mark_values(v) for v in value]
    if isinstance(value, dict):
        return {k: mark_values(v) for k, v in value.items()}
    return value


def mark_source(source: str) -> str:
    """Expression text with each ``?name`` outside string literals made a plain name.

    ``LSTM(?)`` is not Python; ``LSTM(_rnncalc_placeholder_)`` is, and the
    expression parser turns that name back into a :class:`Placeholder`.
    """
    if "?" not in source:
        return source
    out, i, quote = [], 0, ""
    while i < len(source):
        ch = source[i]
        if quote:
            out.append(ch)
            if ch == "\\" and i + 1 < len(source):
                out.append(source[i + 1])
                i += 1
            elif ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
            out.append(ch)
        elif ch == "?":
            match = re.match(r"[A-Za-z_][A-Za-z0-9_]*", source[i + 1:])
            name = match.group(0) if match else ""
            out.append(MARK + name)
            i += len(name)
        else:
            out.append(ch)
        i += 1
    return "".join(out)


def from_name(identifier: str) -> Placeholder | None:
    """The placeholder a marked name stands for, else ``None``."""
    if identifier.startswith(MARK):
        return Placeholder(identifier[len(MARK):])
    return None


def find(value: Any) -> list[Placeholder]:
    """Every placeholder inside a value (calls, lists, mappings), in order."""
    if isinstance(value, Placeholder):
        return [value]
    if isinstance(value, Call):
        return find(list(value.args)) + find(value.kwargs)
    if isinstance(value, (list, tuple)):
        return [p for v in value for p in find(v)]
    if isinstance(value, dict):
        return [p for v in value.values() for p in find(v)]
    return []


_LEAVES = frozenset({int, float, str, bool, type(None)})


def holds(value: Any) -> bool:
    """Whether a value holds a placeholder anywhere: :func:`find` without building lists,
    stopping at the first (the builder asks it of every layer of every model)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if type(item) in _LEAVES:
            continue
        if isinstance(item, Placeholder):
            return True
        if isinstance(item, Call):
            stack += item.args
            stack += item.kwargs.values()
        elif isinstance(item, (list, tuple)):
            stack += item
        elif isinstance(item, dict):
            stack += item.values()
    return False


def fill(value: Any, values: dict[str, int]) -> Any:
    """``value`` with every placeholder replaced by ``values[name]``."""
    if isinstance(value, Placeholder):
        return values[value.name]
    if isinstance(value, Call):
        return Call(value.name, tuple(fill(list(value.args), values)), fill(value.kwargs, values))
    if isinstance(value, list):
        return [fill(v, values) for v in value]
    if isinstance(value, tuple):
        return tuple(fill(v, values) for v in value)
    if isinstance(value, dict):
        return {k: fill(v, values) for k, v in value.items()}
    return value


def names(spec: Any) -> list[str]:
    """Names of the placeholders a :class:`~rnncalc.spec.model.ModelSpec` uses, in order."""
    return list(dict.fromkeys(p.name for d in spec.layers for p in find(d.call)))


def substitute(spec: Any, values: dict[str, int]) -> Any:
    """The spec with its placeholders filled in (only layers that hold one are rebuilt)."""
    layers = tuple(replace(d, call=fill(d.call, values)) if find(d.call) else d
                   for d in spec.layers)
    return replace(spec, layers=layers)


def describe(name: str) -> str:
    """How to write a placeholder in messages: ``?`` or ``?u``."""
    return f"?{name}"


def refuse(call: Call) -> None:
    """Raise when a call still holds a placeholder: only solve and sweep fill them."""
    if holds(call):
        found = find(call)
        from rnncalc.errors import SpecError

        p = found[0]
        how = (f"'rnncalc sweep --vary {p.name}=...'" if p.name else
               "'rnncalc sweep --vary ?=...'")
        raise SpecError(f"'{p}' is a placeholder: only 'rnncalc solve' and {how} fill it in; "
                        "write a number here for other commands")
