"""Every layer notation of the spec reduced to one :class:`Call`.

Accepted notations (contract §2): a one-key mapping whose value is keyword
arguments, a positional list, a scalar first argument or nothing; a mapping
with ``type:``; a bare name; a Keras call expression string.
"""

from __future__ import annotations

import re
from typing import Any

from rnncalc.arguments import show
from rnncalc.calls import Call
from rnncalc.errors import SpecError
from rnncalc.spec.placeholders import mark_values

# Keys that place a layer in a functional graph rather than configure it.
META_KEYS = ("inputs", "initial_state")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")

FORMS_HINT = ("write a layer as {LSTM: {units: 3}}, {type: LSTM, units: 3}, a bare name "
              "like Flatten, or a call like 'LSTM(3)'")


def to_call(entry: Any) -> Call:
    """Normalize one layer notation (meta keys must already be removed)."""
    if isinstance(entry, Call):
        return entry
    if isinstance(entry, str):
        text = entry.strip()
        if "(" in text:
            from rnncalc.spec.expressions import parse_call

            return parse_call(text)
        if _NAME.match(text):
            return Call(text.split(".")[-1])
        raise SpecError(f"expected a layer, got {show(entry)}", hint=FORMS_HINT)
    if isinstance(entry, dict):
        if "type" in entry:
            kind = entry["type"]
            if not isinstance(kind, str):
                raise SpecError(f"'type' must be a layer name, got {show(kind)}")
            return Call(kind, (), {k: mark_values(v) for k, v in entry.items() if k != "type"})
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
        body = mark_values(body)
        if isinstance(body, dict):
            return Call(kind, (), dict(body))
        if isinstance(body, list):
            return Call(kind, tuple(body), {})
        if body is None:
            return Call(kind)
        return Call(kind, (body,), {})
    raise SpecError(f"expected a layer, got {show(entry)}", hint=FORMS_HINT)


def split_entry(entry: Any) -> tuple[Call, dict[str, Any]]:
    """A layer list entry as its call plus its graph placement (``inputs``, ...)."""
    if isinstance(entry, dict) and "type" not in entry and "class_name" not in entry:
        meta = {k: entry[k] for k in META_KEYS if k in entry}
        rest = {k: v for k, v in entry.items() if k not in META_KEYS}
        return to_call(rest), meta
    if isinstance(entry, dict):
        meta = {k: entry[k] for k in META_KEYS if k in entry}
        rest = {k: v for k, v in entry.items() if k not in META_KEYS}
        return to_call(rest), meta
    return to_call(entry), {}
