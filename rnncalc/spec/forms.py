"""Every layer notation of the spec reduced to one :class:`Call`.

Accepted notations (contract §2): a one-key mapping whose value is keyword
arguments, a positional list, a scalar first argument or nothing; a mapping
with ``type:``; a bare name; a Keras call expression string.
"""

from __future__ import annotations

import re
from typing import Any

from rnncalc.errors import SpecError
from rnncalc.layers.arguments import show
from rnncalc.layers.calls import FORMS_HINT, Call, as_call
from rnncalc.spec.placeholders import from_text

# Keys that place a layer in a functional graph rather than configure it.
META_KEYS = ("inputs", "initial_state")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")



_CALL_TEXT = re.compile(r"^\s*[A-Za-z_][A-Za-z0-9_.]*\s*\(.*\)\s*$", re.DOTALL)


def parse_values(value: Any) -> Any:
    """Call text anywhere in a layer's arguments (``kernel_initializer: "Constant(0.1)"``,
    ``layer: "LSTM(3)"``) parsed into Calls.

    Parsing text is the spec's job: the layers only ever see parsed values.
    """
    if isinstance(value, str):
        if from_text(value) is not None:      # "?" / "?u": a size left to solve/sweep
            return from_text(value)
        if _CALL_TEXT.match(value):
            from rnncalc.spec.expressions import parse_call

            return parse_call(value.strip())
        return value
    if isinstance(value, dict):
        return {k: parse_values(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(parse_values(v) for v in value)
    return value


def to_call(entry: Any) -> Call:
    """Normalize one layer notation (meta keys must already be removed)."""
    if isinstance(entry, str):
        text = entry.strip()
        if "(" in text:
            from rnncalc.spec.expressions import parse_call

            return parse_call(text)
        if not _NAME.match(text):
            raise SpecError(f"expected a layer, got {show(entry)}", hint=FORMS_HINT)
    return as_call(parse_values(entry))


def _is_call_arg(key: Any) -> bool:
    """Call arguments are snake_case (``use_causal_mask``); layer names are CamelCase,
    operations ``ops.<function>``."""
    return isinstance(key, str) and key[:1].islower() and not key.startswith("ops.")


def split_entry(entry: Any) -> tuple[Call, dict[str, Any]]:
    """A layer list entry as its call plus its graph placement (``inputs``, ...).

    Beside a one-key layer mapping, snake_case keys other than ``inputs`` and
    ``initial_state`` are the layer's call arguments (``use_causal_mask: true``);
    they come back under ``meta["call_args"]``.
    """
    if isinstance(entry, dict) and "type" not in entry and "class_name" not in entry:
        meta: dict[str, Any] = {k: entry[k] for k in META_KEYS if k in entry}
        rest = {k: v for k, v in entry.items() if k not in META_KEYS}
        layer_keys = [k for k in rest if not _is_call_arg(k)]
        if len(rest) > 1 and len(layer_keys) == 1:
            meta["call_args"] = {k: v for k, v in rest.items() if _is_call_arg(k)}
            rest = {layer_keys[0]: rest[layer_keys[0]]}
        return to_call(rest), meta
    if isinstance(entry, dict):
        meta = {k: entry[k] for k in META_KEYS if k in entry}
        rest = {k: v for k, v in entry.items() if k not in META_KEYS}
        return to_call(rest), meta
    return to_call(entry), {}
