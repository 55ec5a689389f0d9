"""The one normalized form every spec notation is reduced to.

A layer written as a one-key mapping, a ``type:`` mapping, a bare name or a
Keras call expression all become a :class:`Call`; so do initializers written
as ``Constant(0.1)`` or ``{Constant: {value: 0.1}}``. Validation then happens
in one place, against the layer's declared arguments.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rnncalc.errors import SpecError


@dataclass(frozen=True)
class Call:
    """``name(*args, **kwargs)`` as data, never evaluated."""

    name: str
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)

    def __hash__(self) -> int:  # kwargs is a dict; identity is enough for hashing
        return id(self)

    def __str__(self) -> str:
        return source_text(self)


def source_text(value: Any) -> str:
    """A value as the user would write it: ``int(3)``, not ``Call(name='int', ...)``."""
    if isinstance(value, Call):
        parts = [source_text(a) for a in value.args]
        parts += [f"{k}={source_text(v)}" for k, v in value.kwargs.items()]
        return f"{value.name}({', '.join(parts)})"
    if isinstance(value, list):
        return "[" + ", ".join(source_text(v) for v in value) + "]"
    if isinstance(value, tuple):
        inner = ", ".join(source_text(v) for v in value)
        return f"({inner}{',' if len(value) == 1 else ''})"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{source_text(k)}: {source_text(v)}"
                               for k, v in value.items()) + "}"
    return repr(value)


FORMS_HINT = ("write a layer as {LSTM: {units: 3}}, {type: LSTM, units: 3}, a bare name "
              "like Flatten, or a call like 'LSTM(3)'")


def as_call(entry: Any) -> Call:
    """One layer notation whose text is already parsed, as a :class:`Call`.

    A one-key mapping (value: keyword arguments, a positional list, a scalar
    first argument or nothing), a ``type:`` mapping, Keras' own
    ``{class_name, config}``, a bare name, or a Call. Wrappers use it for the
    layers they hold; the spec parser turns call text into Calls before this.
    """
    from rnncalc.layers.arguments import show

    if isinstance(entry, Call):
        return entry
    if isinstance(entry, str):
        return Call(kind_name(entry.strip()))
    if isinstance(entry, dict):
        if "type" in entry:
            kind = entry["type"]
            if not isinstance(kind, str):
                raise SpecError(f"'type' must be a layer name, got {show(kind)}")
            return Call(kind, (), {k: v for k, v in entry.items() if k != "type"})
        if "class_name" in entry:
            config = entry.get("config") or {}
            if not isinstance(config, dict):
                raise SpecError(f"'config' must be a mapping, got {show(config)}")
            return Call(str(entry["class_name"]), (), dict(config))
        if len(entry) != 1:
            keys = ", ".join(str(k) for k in entry)
            raise SpecError(f"expected a one-key mapping naming the layer, got keys {keys}",
                            hint=FORMS_HINT)
        ((kind, body),) = entry.items()
        if not isinstance(kind, str):
            raise SpecError(f"expected a layer name as the key, got {show(kind)}")
        if isinstance(body, dict):
            return Call(kind, (), dict(body))
        if isinstance(body, list):
            return Call(kind, tuple(body), {})
        if body is None:
            return Call(kind)
        return Call(kind, (body,), {})
    raise SpecError(f"expected a layer, got {show(entry)}", hint=FORMS_HINT)


def kind_name(dotted: str) -> str:
    """The kind a dotted name means: ``tf.keras.layers.LSTM`` -> ``LSTM``; a Keras
    operation keeps its ``ops.`` (``keras.ops.sum`` -> ``ops.sum``), since ``ops.add``
    and the layer ``Add`` are different kinds."""
    parts = dotted.split(".")
    if len(parts) > 1 and parts[-2] == "ops":
        return f"ops.{parts[-1]}"
    return parts[-1]


def dotted_name(node: Any) -> str | None:
    """``a.b.c`` as a string when an :mod:`ast` node is a plain chain of names, else ``None``.

    The call parser and Lambda bodies both name functions this way.
    """
    import ast

    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))
