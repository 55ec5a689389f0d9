"""The summary grid as an HTML table, for Jupyter's ``_repr_html_``."""

from __future__ import annotations

import html
from typing import Any


def grid_html(g: Any) -> str:
    """A plain HTML table (no styles Jupyter would fight with) and the footer as a list."""
    esc = html.escape
    head = "".join(f"<th style=\"text-align:{'right' if r else 'left'}\">{esc(h)}</th>"
                   for h, r in zip(g.header, g.right))
    rows = []
    for sub, cells in g.rows:
        tds = "".join(
            f"<td style=\"text-align:{'right' if r else 'left'}\">"
            f"{'<br>'.join(esc(part) for part in cell.split(chr(10)))}</td>"
            for cell, r in zip(cells, g.right))
        style = ' style="opacity:0.7"' if sub else ""
        rows.append(f"<tr{style}>{tds}</tr>")
    heading = f"<h4>{esc(g.heading)}</h4>" if g.heading else ""
    footer = "".join(f"<li>{esc(line)}</li>" for line in g.footer)
    return (f"{heading}<p><b>{esc(g.title)}</b></p><table><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table><ul>{footer}</ul>")
