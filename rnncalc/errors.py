"""Error types and exit codes.

Every problem a user can cause is an :class:`SpecError` (exit 2) carrying the
place it came from, so the CLI prints one ``error:`` line and never a
traceback. Anything else escaping is a bug in rnncalc (exit 1).
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit statuses, named so callers never compare bare numbers."""

    OK = 0
    INTERNAL = 1
    BAD_INPUT = 2


class SpecError(Exception):
    """Bad user input: a spec, an argument, a file, a shape.

    ``where`` is a list of location parts, outermost first (file:line, then
    ``layers[2] (LSTM)``, then ``argument 'units'``); callers add context as
    the error travels up with :meth:`at`, so the innermost code only has to
    say what is wrong.
    """

    def __init__(self, message: str, *, where: list[str] | None = None, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.where: list[str] = list(where or [])
        self.hint = hint

    def at(self, *parts: str | None) -> SpecError:
        """Prepend location parts (outermost first); ``None`` parts are skipped."""
        self.where[:0] = [p for p in parts if p and p not in self.where]
        return self

    def __str__(self) -> str:
        text = ": ".join([*self.where, self.message])
        if self.hint:
            text += f"; {self.hint}"
        return text


def did_you_mean(word: str, choices: list[str] | tuple[str, ...] | set[str]) -> str:
    """A ``did you mean 'x'?`` hint for a near-miss name, or ``""``."""
    import difflib

    pool = sorted(choices)
    close = difflib.get_close_matches(word, pool, n=1, cutoff=0.6)
    if not close:
        lowered = {c.lower(): c for c in pool}
        close = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.6)
        close = [lowered[c] for c in close]
    return f"did you mean '{close[0]}'?" if close else ""
