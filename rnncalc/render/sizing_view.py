"""Text for ``solve`` and ``sweep``: the records of :mod:`rnncalc.reports.sizing`, rendered."""

from __future__ import annotations

import csv
import io

from rnncalc.layers.counting import Poly
from rnncalc.render.costs import compact
from rnncalc.render.numbers import readable_bytes
from rnncalc.reports.sizing import Measure, Number, Solution, SweepRecord

_WORDS = {"params": "params", "macs": "MACs", "inference_memory": "inference memory",
          "training_memory": "training memory"}
_BYTES = {"inference_memory", "training_memory", "param_bytes"}


def _number(metric: str, n: Number) -> str:
    if isinstance(n, Poly):
        return n.text() + (" bytes" if metric in _BYTES else "")
    return readable_bytes(n) + f" ({n:,} bytes)" if metric in _BYTES else f"{n:,}"


def solve_lines(s: Solution) -> list[str]:
    """The answer, each budget with its polynomial, and what the next value would cost."""
    var = "?" + s.name
    lo, hi = s.range
    step = f", multiple of {s.multiple}" if s.multiple > 1 else ""
    out = [f"{var} = {s.value:,}  (largest in {lo:,}..{hi:,}{step} within every budget)"]
    for b in s.budgets:
        got = s.measure.metric(b.metric)
        limit = readable_bytes(b.limit) if b.metric in _BYTES else f"{b.limit:,}"
        each = " per sample" if s.measure.per_sample and b.metric == "macs" else ""
        out.append(f"  {_WORDS[b.metric]}: {_number(b.metric, got)}{each}  <= {b.flag} {limit}"
                   f"   [{s.polynomials[b.metric].text(var)}]")
    if s.optimizer:
        out.append(f"  training memory includes the {s.optimizer} optimizer state "
                   f"({readable_bytes(s.measure.optimizer_bytes or 0)})")
    nxt = s.next_measure
    if nxt is None:
        out.append(f"next: {var} = {s.next_value:,} does not build")
    else:
        costs = ", ".join(f"{_WORDS[b.metric]} {_number(b.metric, nxt.metric(b.metric))}"
                          for b in s.budgets)
        broken = s.broken()
        why = ("over " + ", ".join(b.flag for b in broken)) if broken else \
            f"past --range ..{hi:,}"
        out.append(f"next: {var} = {s.next_value:,} would need {costs} ({why})")
    return out


COLUMNS = (("params", "Params"), ("trainable_params", "Trainable"), ("macs", "MACs"),
           ("flops", "FLOPs"), ("param_bytes", "Param mem"),
           ("inference_memory", "Infer mem"), ("training_memory", "Train mem"))


def _cell(metric: str, n: Number, raw: bool, short: bool = False) -> str:
    if isinstance(n, Poly):
        return n.text() if not raw else n.text(str).replace(" × ", "*")
    if raw:
        return str(n)
    if short and metric in ("macs", "flops"):
        return compact(n)
    return readable_bytes(n) if metric in _BYTES else f"{n:,}"


def sweep_grid(record: SweepRecord, *, raw: bool = False,
               short: bool = False) -> tuple[list[str], list[list[str]]]:
    """Header and rows of strings (``raw``: plain integers, for CSV)."""
    header = [("?" + n if n not in ("batch_size", "timesteps") else n) for n in record.names]
    header += [title for _, title in COLUMNS]
    if record.optimizer:
        header.append(f"{record.optimizer} state")
    rows = []
    for row in record.rows:
        m: Measure = row.measure
        cells = [str(v) if raw else f"{v:,}" for v in row.values.values()]
        cells += [_cell(metric, m.metric(metric), raw, short) for metric, _ in COLUMNS]
        if record.optimizer:
            cells.append(_cell("param_bytes", m.optimizer_bytes or 0, raw))
        rows.append(cells)
    return header, rows


def per_sample_note(record: SweepRecord) -> str:
    if any(r.measure.per_sample for r in record.rows):
        return "MACs, FLOPs and memory are per sample (batch unknown: give --batch-size)"
    return ""


def sweep_csv(record: SweepRecord) -> str:
    """Plain integers under machine-readable column names (``?u``, ``params``, ...)."""
    _, rows = sweep_grid(record, raw=True)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["?" + n if n not in ("batch_size", "timesteps") else n
                     for n in record.names] + [m for m, _ in COLUMNS]
                    + (["optimizer_bytes"] if record.optimizer else []))
    writer.writerows(rows)
    return buffer.getvalue()


def sweep_markdown(record: SweepRecord) -> str:
    header, rows = sweep_grid(record)
    n = len(record.names)
    lines = ["| " + " | ".join(header) + " |",
             "|" + "|".join("---:" for _ in header) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    note = per_sample_note(record)
    return "\n".join(lines) + "\n" + (f"\n{note}\n" if note else "") if n else ""


def sweep_text(record: SweepRecord, width: int | None = None, *, ascii: bool = False,
               styled: bool = False) -> str:
    """The sweep as a table (numbers are never split; too wide for ``width``: drawn whole)."""
    from rnncalc.render.boxes import draw, widths

    header, rows = sweep_grid(record, short=True)
    cols = widths(header, rows, width) or widths(header, rows, None)
    lines = draw("Sweep", header, [True] * len(header), [(False, r) for r in rows], cols,
                 ascii=ascii, styled=styled)
    note = per_sample_note(record)
    return "\n".join(lines) + "\n" + (f" {note}\n" if note else "")
