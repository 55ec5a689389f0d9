"""The ``diff`` table: both models side by side, the difference, and totals."""

from __future__ import annotations

from rnncalc.layers.shapes import format_shapes
from rnncalc.reports.diff import ADDED, CHANGED, REMOVED, DiffRecord, DiffRow

MARKS = {ADDED: "+", REMOVED: "-", CHANGED: "~"}


def _delta(n: int) -> str:
    return "" if n == 0 else f"{n:+,}"


def _pair(a: str | None, b: str | None) -> str:
    if a is None:
        return b or ""
    if b is None or a == b:
        return a
    return f"{a} → {b}"


def diff_rows(record: DiffRecord) -> tuple[list[str], list[list[str]]]:
    """Header and cells: mark, layer, type, shape A, shape B, params A, params B, delta."""
    header = ["", "Layer", "Type", "Output shape A", "Output shape B", "Params A", "Params B",
              "Δ", "Changed"]
    rows = []
    for row in record.rows:
        rows.append(_cells(row))
    return header, rows


def _label(totals) -> str:
    """``model.yaml`` / ``model.yaml (pytorch)``: what each side is."""
    convention = f" ({totals.convention})" if totals.convention != "keras" else ""
    return (totals.title or "model") + convention


def _cells(row: DiffRow) -> list[str]:
    a, b = row.a, row.b
    return [MARKS.get(row.status, ""),
            _pair(a.name if a else None, b.name if b else None),
            _pair(a.type if a else None, b.type if b else None),
            format_shapes(list(a.output_shapes)) if a else "",
            format_shapes(list(b.output_shapes)) if b else "",
            f"{a.params:,}" if a else "", f"{b.params:,}" if b else "", _delta(row.delta),
            ", ".join(row.changes) if row.changes else ("" if a and b else row.status)]


def footer(record: DiffRecord) -> list[str]:
    a, b = record.a, record.b
    lines = []
    for what, x, y in (("Total params", a.total_params, b.total_params),
                       ("Trainable params", a.trainable_params, b.trainable_params),
                       ("Non-trainable params", a.non_trainable_params,
                        b.non_trainable_params)):
        lines.append(f"{what}: {x:,} → {y:,}" + (f" ({y - x:+,})" if y != x else " (same)"))
    counts = {}
    for row in record.rows:
        counts[row.status] = counts.get(row.status, 0) + 1
    parts = [f"{counts[k]} {k}" for k in (CHANGED, ADDED, REMOVED) if counts.get(k)]
    lines.append("Layers: " + (", ".join(parts) if parts else "identical"))
    return lines


def diff_text(record: DiffRecord, width: int | None = None, *, ascii: bool = False,
              styled: bool = False) -> str:
    """The side-by-side table and the totals below it."""
    from rnncalc.render.boxes import draw, widths

    header, rows = diff_rows(record)
    cols = widths(header, rows, width) or widths(header, rows, None)
    title = f"Diff: A = {_label(record.a)}, B = {_label(record.b)}"
    lines = draw(title, header, [5 <= k <= 7 for k in range(len(header))],
                 [(False, r) for r in rows], cols, ascii=ascii, styled=styled)
    return "\n".join([*lines, *(" " + line for line in footer(record))]) + "\n"


def diff_markdown(record: DiffRecord) -> str:
    header, rows = diff_rows(record)
    out = [f"A = {_label(record.a)}, B = {_label(record.b)}", "",
           "| " + " | ".join(h or " " for h in header) + " |",
           "|" + "|".join(["---"] * 5 + ["---:"] * 3 + ["---"]) + "|"]
    out += ["| " + " | ".join(c.replace("|", "\\|") for c in r) + " |" for r in rows]
    return "\n".join(out) + "\n\n" + "\n".join(footer(record)) + "\n"
