"""The one normalized form every spec notation is reduced to.

A layer written as a one-key mapping, a ``type:`` mapping, a bare name or a
Keras call expression all become a :class:`Call`; so do initializers written
as ``Constant(0.1)`` or ``{Constant: {value: 0.1}}``. Validation then happens
in one place, against the layer's declared arguments.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Call:
    """``name(*args, **kwargs)`` as data, never evaluated."""

    name: str
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)

    def __hash__(self) -> int:  # kwargs is a dict; identity is enough for hashing
        return id(self)
