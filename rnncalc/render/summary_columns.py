"""``rnncalc summary --columns ... --expand``: the summary with chosen columns.

Used only when one of ``--columns``, ``--expand``, ``--dtype`` or
``--convention pytorch`` is given; the default table stays in
:mod:`rnncalc.render.summary_table`. Rows are built once as plain strings
(:func:`grid`), then drawn as a rich table or as markdown.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from rnncalc.errors import SpecError, did_you_mean
from rnncalc.layers.shapes import format_shape, format_shapes
from rnncalc.render.costs import poly, size, unknown_note
from rnncalc.render.numbers import count, readable_bytes
from rnncalc.reports.cost import CostRecord
from rnncalc.reports.pytorch import TorchRecord
from rnncalc.reports.summary import SummaryRecord

COLUMNS = {
    "output_shape": "Output Shape",
    "params": "Param #",
    "params_percent": "Param %",
    "macs": "MACs",
    "flops": "FLOPs",
    "trainable": "Trainable",
    "connected_to": "Connected to",
    "weights": "Weights",
}
RIGHT = {"params", "params_percent", "macs", "flops"}


def parse_columns(values: list[str] | None, chain: bool) -> list[str]:
    """``["params,macs", "flops"]`` -> ``["params", "macs", "flops"]``, validated."""
    if not values:
        return ["output_shape", "params"] + ([] if chain else ["connected_to"])
    names: list[str] = []
    for value in values:
        for part in value.split(","):
            name = part.strip().lower().replace("-", "_")
            if not name:
                continue
            if name not in COLUMNS:
                raise SpecError(f"--columns: unknown column '{name}' (choose from "
                                f"{', '.join(COLUMNS)})", hint=did_you_mean(name, list(COLUMNS)))
            if name not in names:
                names.append(name)
    if not names:
        raise SpecError(f"--columns: expected column names, choose from {', '.join(COLUMNS)}")
    return names


@dataclass(frozen=True)
class Grid:
    title: str
    header: list[str]
    right: list[bool]
    rows: list[tuple[bool, list[str]]]      # (is a weight sub-row, cells)
    footer: list[str]


def _trainable(total: int, trainable: int) -> str:
    if total == 0:
        return "-"
    return "Y" if trainable == total else ("N" if trainable == 0 else "partial")


def _percent(part: int, total: int) -> str:
    if not total:
        return "-"
    share = 100 * part / total
    return "<0.1%" if 0 < share < 0.05 else f"{share:.1f}%"


def grid(record: SummaryRecord, cost: CostRecord, columns: list[str], *, expand: bool = False,
         torch: TorchRecord | None = None) -> Grid:
    """Header, rows and footer of the summary with these columns."""
    per = " / sample" if cost.per_sample else ""
    header = ["Layer (type)"] + (["PyTorch module"] if torch else []) + [
        COLUMNS[c] + (" (PyTorch)" if torch and c == "params" else "")
        + (per if c in ("macs", "flops") else "") for c in columns]
    right = [False] + ([False] if torch else []) + [c in RIGHT for c in columns]
    total = torch.total_params if torch else record.total_params
    rows: list[tuple[bool, list[str]]] = []
    by_name = {t.name: t for t in torch.layers} if torch else {}
    for layer in record.layers:
        c = cost.layer(layer.name)
        t = by_name.get(layer.name)
        params = t.params if t else layer.params
        trainable = t.trainable_params if t else layer.trainable_params
        if t:
            weights = [(key.split(".", 1)[1], p.shape, p.params, p.trainable and not p.buffer,
                        p.buffer) for key, p in t.state_dict]
        else:
            weights = [(w.name, w.shape, w.params, w.trainable, False) for w in layer.weights]
        cells = {
            "output_shape": format_shapes(list(layer.output_shapes)),
            "params": count(params),
            "params_percent": _percent(params, total),
            "macs": poly(c.macs, short=True, say=False) if c.macs else "0",
            "flops": poly(c.flops, short=True, say=False) if c.flops else "0",
            "trainable": _trainable(params, trainable),
            "connected_to": ", ".join(layer.connected_to) or "-",
            "weights": "\n".join(f"{n} {format_shape(s)}" for n, s, *_ in weights) or "-",
        }
        lead = [f"{layer.name} ({layer.type})"] + ([t.calls if t else "-"] if torch else [])
        rows.append((False, lead + [cells[col] for col in columns]))
        if expand:
            for name, shape, n, is_trainable, buffer in weights:
                sub = {"output_shape": format_shape(shape), "params": count(n),
                       "params_percent": "" if buffer else _percent(n, total),
                       "trainable": "buffer" if buffer else ("Y" if is_trainable else "N"),
                       "weights": format_shape(shape)}
                lead = [f"  └ {name}"] + ([""] if torch else [])
                rows.append((True, lead + [sub.get(col, "") for col in columns]))
    return Grid(_title(record, cost, torch), header, right, rows,
                footer_lines(record, cost, torch))


def _title(record: SummaryRecord, cost: CostRecord, torch: TorchRecord | None) -> str:
    bits = ["PyTorch convention"] if torch else []
    if cost.dtype:
        bits.append(cost.dtype)
    return f'Model: "{record.name}"' + (f" ({', '.join(bits)})" if bits else "")


def footer_lines(record: SummaryRecord, cost: CostRecord,
                 torch: TorchRecord | None = None) -> list[str]:
    """Param totals, MACs/FLOPs and torchinfo-style memory lines."""
    total = torch.total_params if torch else record.total_params
    trainable = torch.trainable_params if torch else record.trainable_params
    lines = [f"Total params: {count(total)} ({readable_bytes(cost.param_bytes)})",
             f"Trainable params: {count(trainable)}",
             f"Non-trainable params: {count(total - trainable)}"]
    if torch and torch.keras_total_params != total:
        lines.append(f"Keras counts {count(torch.keras_total_params)} params for the same model")
    lines += [
        f"Total MACs: {poly(cost.macs)}",
        f"Total FLOPs: {poly(cost.flops)}",
        f"Input size: {size(cost.input_bytes)}",
        f"Params size: {readable_bytes(cost.param_bytes)}",
        f"Activations, inference: {size(cost.inference_activation_bytes)}",
        f"Activations, training (BPTT): {size(cost.training_activation_bytes)}",
        f"Estimated total size, inference: {size(cost.inference_total, per_sample=False)}",
        f"Estimated total size, training: {size(cost.training_total, per_sample=False)}",
    ]
    if unknown_note(cost.training_total):
        lines.append(unknown_note(cost.training_total))
    if torch:
        for layer in torch.layers:
            lines += [f"note: {layer.name}: {n}" for n in layer.notes]
    return lines


def columns_table(g: Grid) -> RenderableType:
    """The rich renderable."""
    table = Table(title=g.title, title_justify="left", show_lines=True, title_style="bold")
    for name, right in zip(g.header, g.right):
        table.add_column(name, justify="right" if right else "left", overflow="fold")
    for sub, cells in g.rows:
        table.add_row(*cells, style="dim" if sub else None)
    return Group(table, Text("\n".join(" " + line for line in g.footer)))


def columns_markdown(g: Grid) -> str:
    """The same rows as a GitHub table."""
    lines = [f"**{g.title}**", "", "| " + " | ".join(g.header) + " |",
             "|" + "|".join("---:" if r else "---" for r in g.right) + "|"]
    for _, cells in g.rows:
        lines.append("| " + " | ".join(c.replace("|", "\\|").replace("\n", "<br>")
                                       for c in cells) + " |")
    lines.append("")
    lines += [f"- {line}" for line in g.footer]
    return "\n".join(lines) + "\n"
