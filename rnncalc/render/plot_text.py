"""The diagram as text for other tools: Graphviz DOT and Mermaid."""

from __future__ import annotations

import re

from rnncalc.reports.diagram import Diagram

_SHAPES = {"layer": "box", "input": "box", "cell": "box", "tensor": "box", "note": "note"}
_FILLS = {"layer": "#dbe8f7", "input": "#e6e6e6", "cell": "#f9e3c4", "tensor": "#e3f1e0",
          "note": "#f2f2f2"}


def _dot_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def dot(diagram: Diagram) -> str:
    """A ``digraph``: one node per box (title and lines), one edge per arrow."""
    rankdir = "BT" if diagram.direction == "BT" else "TB"
    out = [f"digraph {_dot_string(diagram.name)} {{",
           f"  graph [rankdir={rankdir}, fontname=\"monospace\"];",
           '  node [shape=box, style="rounded,filled", fontname="monospace", fontsize=11];',
           '  edge [fontname="monospace", fontsize=10];']
    for box in diagram.boxes:
        label = "\\n".join(_dot_string(t)[1:-1] for t in (box.title, *box.lines))
        out.append(f'  {_dot_string(box.id)} [label="{label}", shape={_SHAPES[box.style]}, '
                   f'fillcolor="{_FILLS[box.style]}"];')
    for arrow in diagram.arrows:
        attrs = f" [label={_dot_string(arrow.label)}]" if arrow.label else ""
        out.append(f"  {_dot_string(arrow.src)} -> {_dot_string(arrow.dst)}{attrs};")
    if diagram.fixed:                         # one row per grid row, in column order
        rows: dict[int, list[str]] = {}
        for box in diagram.boxes:
            if box.cell is not None and box.style != "note":
                rows.setdefault(box.cell[0], []).append(box.id)
        for ids in rows.values():
            out.append("  { rank=same; " + " ".join(f"{_dot_string(i)};" for i in ids) + " }")
    out.append("}")
    return "\n".join(out) + "\n"


def _mermaid_text(text: str) -> str:
    return re.sub(r'["<>]', lambda m: {'"': "#quot;", "<": "#lt;", ">": "#gt;"}[m.group(0)],
                  text)


def mermaid(diagram: Diagram) -> str:
    """``graph TD`` (or ``BT`` for the unrolled view) with ``n0["..."]`` nodes."""
    ids = {box.id: f"n{k}" for k, box in enumerate(diagram.boxes)}
    out = [f"graph {diagram.direction}"]
    for box in diagram.boxes:
        label = "<br/>".join(_mermaid_text(t) for t in (box.title, *box.lines))
        out.append(f'  {ids[box.id]}["{label}"]')
    for arrow in diagram.arrows:
        if arrow.label:
            out.append(f'  {ids[arrow.src]} -->|"{_mermaid_text(arrow.label)}"| '
                       f"{ids[arrow.dst]}")
        else:
            out.append(f"  {ids[arrow.src]} --> {ids[arrow.dst]}")
    for style, fill in _FILLS.items():
        members = [ids[b.id] for b in diagram.boxes if b.style == style]
        if members:
            out.append(f"  classDef {style} fill:{fill}")
            out.append(f"  class {','.join(members)} {style}")
    return "\n".join(out) + "\n"
