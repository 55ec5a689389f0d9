"""The one place rnncalc makes a terminal console: width, plain boxes, colour, broken pipes.

``--width N`` and ``--ascii`` reach every table through here; ``NO_COLOR``
and non-terminal output are honoured by rich, and :func:`colour` tells the
renderers whether colour will really show (a heatmap then spells values
instead). A closed pipe (``| head``) ends the command quietly with status 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Display:
    """How tables are drawn: ``width`` (``None``: the terminal's) and plain ASCII boxes."""

    width: int | None = None
    ascii: bool = False


DISPLAY = Display()


def configure(width: int | None = None, ascii: bool = False) -> None:
    """Set the display options for this process (the CLI's ``--width`` / ``--ascii``)."""
    global DISPLAY
    DISPLAY = Display(width, ascii)


def make_console(*, stderr: bool = False) -> Any:
    """A rich console with the display options; a broken pipe raises BrokenPipeError."""
    from rich.console import Console

    class _Console(Console):
        def on_broken_pipe(self) -> None:   # rich would exit 1; rnncalc exits 0 quietly
            raise BrokenPipeError

    return _Console(width=DISPLAY.width, stderr=stderr, safe_box=True,
                    emoji=False, highlight=False,
                    legacy_windows=False if DISPLAY.ascii else None)


def colour(console: Any) -> bool:
    """Whether colours reach the reader (not with NO_COLOR, a pipe or a dumb terminal)."""
    return console.color_system is not None and not console.no_color


def stdout_style() -> tuple[int, bool]:
    """(width, whether to style) for text written straight to stdout, as rich decides it:
    ``--width``, else the terminal's columns (``COLUMNS``), else 80 for a pipe; bold and dim
    only on a terminal without ``NO_COLOR`` (or a dumb ``TERM``)."""
    import os
    import shutil
    import sys

    tty = sys.stdout.isatty()
    width = DISPLAY.width or (shutil.get_terminal_size((80, 24)).columns if tty else
                              int(os.environ.get("COLUMNS", "0") or 0) or 80)
    styled = tty and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"
    return width, styled
