"""``--set NAME=VALUE``: values only a notebook's data knows, given on the command line.

Parsed with :mod:`ast` (names and expressions as the code writes them, values as
Python literals), never evaluated; the code reader looks them up by their text.
"""

from __future__ import annotations

import ast
from typing import Any

from rnncalc.errors import SpecError


def parse_bindings(items: list[str] | None) -> dict[str, Any]:
    """``--set NAME=VALUE`` (repeatable) as a mapping.

    NAME is a variable (``maxlen``) or an expression as the code writes it
    (``x_train.shape[1]``, ``len(chars)``, ``tokenizer.vocabulary_size()``);
    VALUE is a Python literal (``80``, ``0.5``, ``(60, 1)``, ``'relu'``) or a bare word.
    """
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
