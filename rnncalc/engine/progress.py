"""Progress reporting from inside forward passes, without threading it through.

The executor installs a callback with :func:`reporting`; long loops (the
recurrent time loop) fetch it once with :func:`ticker` and call it per unit of
work. With nothing installed, :func:`ticker` returns ``None`` and costs nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_TICK: ContextVar[Callable[[], None] | None] = ContextVar("rnncalc_tick", default=None)


def ticker() -> Callable[[], None] | None:
    """The installed per-step callback, or ``None``."""
    return _TICK.get()


@contextmanager
def reporting(tick: Callable[[], None] | None) -> Iterator[None]:
    """Install ``tick`` for the forward passes run inside the block."""
    token = _TICK.set(tick)
    try:
        yield
    finally:
        _TICK.reset(token)
