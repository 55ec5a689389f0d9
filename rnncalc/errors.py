"""Error types and exit codes.

Every problem a user can cause is an :class:`SpecError` (exit 2) carrying the
place it came from, so the CLI prints one ``error:`` line and never a
traceback. Anything else escaping is a bug in rnncalc (exit 1).
"""

from __future__ import annotations

import re
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
        return clip_echoes(terminal_safe(text))


# Characters a terminal acts on instead of showing: C0/C1 controls (ESC starts
# colour and cursor sequences) and the bidirectional overrides and isolates that
# reorder what is shown (the "Trojan Source" characters).
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e"
                     "\u2066-\u2069]")


def terminal_safe(text: str) -> str:
    """``text`` with terminal control and bidi-override characters shown as escapes."""
    return _UNSAFE.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                       else f"\\u{ord(m.group()):04x}", text)


_LONG_QUOTED = re.compile(r"'([^']{100})[^']{20,}'")
_LONG_WORD = re.compile(r"(\S{100})\S{100,}")


def clip_echoes(text: str) -> str:
    """Cut long echoes of user input (a 100 KB expression) to their first 100 characters."""
    text = _LONG_QUOTED.sub(lambda m: f"'{m.group(1)}...'", text)
    return _LONG_WORD.sub(lambda m: f"{m.group(1)}...", text)


def did_you_mean(word: str, choices: list[str] | tuple[str, ...] | set[str]) -> str:
    """A ``did you mean 'x'?`` hint for a near-miss name, or ``""``."""
    import difflib

    pool = sorted(choices)
    lowered = {c.lower(): c for c in pool}
    if word.lower() in lowered:                 # only the case differs: that is the one
        return f"did you mean '{lowered[word.lower()]}'?"
    close = difflib.get_close_matches(word, pool, n=1, cutoff=0.6)
    if not close:
        close = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.6)
        close = [lowered[c] for c in close]
    return f"did you mean '{close[0]}'?" if close else ""
