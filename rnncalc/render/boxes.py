"""Box-drawn tables as plain lines: the summary table, fast at any size.

Drawn as rich draws a ``show_lines`` table with a heavy head (and the same
with ``--ascii``), but by string arithmetic: a 10,000-layer summary is a few
hundred thousand short strings, which a general layout engine would take
seconds over. Cells are never cut: only the first column may wrap, and only
at spaces (between a layer's name and its ``(Type)``); the caller folds the
table into blocks when even that does not fit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rnncalc.errors import terminal_safe

BOLD, DIM, RESET = "\x1b[1m", "\x1b[2m", "\x1b[0m"


@dataclass(frozen=True)
class Box:
    """Characters of one box style: each row is left, line, divider, right."""

    top: str
    head: str
    head_row: str
    row: str
    mid: str
    bottom: str


HEAVY_HEAD = Box("┏━┳┓", "┃ ┃┃", "┡━╇┩", "│ ││", "├─┼┤", "└─┴┘")
ASCII = Box("+-++", "| ||", "+-++", "| ||", "+-++", "+-++")


def _wrap(text: str, width: int) -> list[str]:
    """Greedy word wrap at spaces; a word longer than ``width`` stays whole."""
    out: list[str] = []
    for para in text.split("\n"):
        line = ""
        for word in para.split(" "):
            if line and len(line) + 1 + len(word) > width:
                out.append(line)
                line = word
            else:
                line = f"{line} {word}" if line else word
        out.append(line)
    return out


def _min_first(cells: Sequence[str]) -> int:
    """The narrowest the first column can be: its longest word."""
    return max((len(w) for c in cells for w in c.replace("\n", " ").split(" ")), default=1)


def widths(header: Sequence[str], rows: Sequence[Sequence[str]], limit: int | None
           ) -> list[int] | None:
    """Column widths that fit ``limit`` (only the first column shrinks), or ``None``."""
    rows = [[terminal_safe(c) for c in row] for row in rows]
    cols = list(zip(header, *rows))
    natural = [max(len(line) for cell in col for line in cell.split("\n")) for col in cols]
    if limit is None:
        return natural
    excess = sum(natural) + 3 * len(natural) + 1 - limit
    if excess <= 0:
        return natural
    first = max(_min_first(cols[0]), natural[0] - excess)
    if first > natural[0] - excess:
        return None
    return [first, *natural[1:]]


def draw(title: str, header: Sequence[str], right: Sequence[bool],
         rows: Sequence[tuple[bool, Sequence[str]]], col_widths: Sequence[int], *,
         ascii: bool = False, styled: bool = False) -> list[str]:
    """The table's lines: title, head, rows with a rule between them, bottom.

    Cells hold user text (layer names): what a terminal would act on (ANSI,
    bidi overrides) is shown escaped, as :func:`widths` measured it.
    """
    title = terminal_safe(title)
    rows = [(sub, [terminal_safe(c) for c in cells]) for sub, cells in rows]
    box = ASCII if ascii else HEAVY_HEAD
    bold, dim, reset = (BOLD, DIM, RESET) if styled else ("", "", "")

    def rule(chars: str) -> str:
        left, line, div, end = chars
        return left + div.join(line * (w + 2) for w in col_widths) + end

    def body(cells: Sequence[str], chars: str, style: str = "") -> list[str]:
        left, _, div, end = chars
        parts = [_wrap(c, w) if i == 0 else c.split("\n")
                 for i, (c, w) in enumerate(zip(cells, col_widths))]
        height = max(len(p) for p in parts)
        lines = []
        for k in range(height):
            shown = []
            for part, w, r in zip(parts, col_widths, right):
                text = part[k] if k < len(part) else ""
                text = text.rjust(w) if r else text.ljust(w)
                shown.append(f"{style}{text}{reset}" if style else text)
            lines.append(left + " " + f" {div} ".join(shown) + " " + end)
        return lines

    total = sum(col_widths) + 3 * len(col_widths) + 1
    out = [f"{bold}{title.ljust(total)}{reset}" if bold else title.ljust(total),
           rule(box.top), *body(header, box.head, bold), rule(box.head_row)]
    for k, (sub, cells) in enumerate(rows):
        if k:
            out.append(rule(box.mid))
        out += body(cells, box.row, dim if sub else "")
    out.append(rule(box.bottom))
    return out
