"""The summary as a grid of rows: one pipeline for every table ``rnncalc summary`` prints.

The default table is this grid with the default columns (output shape,
params, and ``Connected to`` for graphs) and the Keras footer; ``--columns``,
``--expand``, ``--dtype`` and ``--convention`` change columns and figures,
never which rows exist. Rows are built once as plain strings (:func:`grid`),
then drawn as a rich table, markdown or HTML.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from rnncalc.errors import SpecError, did_you_mean, terminal_safe
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
    heading: str | None = None              # where the model was found (notebooks)


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
         torch: TorchRecord | None = None, cost_footer: bool = False,
         title: str | None = None) -> Grid:
    """Header, rows and footer of the summary with these columns.

    Input layers get rows when the model is not a single chain, as in Keras.
    ``cost_footer`` adds MACs, FLOPs and memory totals under the Keras footer.
    """
    per = " / sample" if cost.per_sample else ""
    header = ["Layer (type)"] + (["PyTorch module"] if torch else []) + [
        COLUMNS[c] + (" (PyTorch)" if torch and c == "params" else "")
        + (per if c in ("macs", "flops") else "") for c in columns]
    right = [False] + ([False] if torch else []) + [c in RIGHT for c in columns]
    total = torch.total_params if torch else record.total_params
    rows: list[tuple[bool, list[str]]] = []
    if not record.chain:
        for inp in record.inputs:
            cells = {"output_shape": format_shapes([inp.shape]), "params": "0",
                     "params_percent": "-", "macs": "0", "flops": "0", "trainable": "-",
                     "connected_to": "-", "weights": "-"}
            lead = [f"{inp.name} (InputLayer)"] + (["-"] if torch else [])
            rows.append((False, lead + [cells[col] for col in columns]))
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
            "connected_to": ",\n".join(layer.connected_to) or "-",
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
    show_cost = cost_footer and (bool({"macs", "flops"} & set(columns)) or bool(cost.dtype))
    # names come from the user: escape what a terminal would act on (ANSI, bidi)
    rows = [(sub, [terminal_safe(c) for c in cells]) for sub, cells in rows]
    return Grid(terminal_safe(_title(record, cost, torch)), header, right, rows,
                [terminal_safe(line) for line in footer_lines(record, cost, torch,
                                                              with_cost=show_cost)],
                terminal_safe(title) if title else title)


def _title(record: SummaryRecord, cost: CostRecord, torch: TorchRecord | None) -> str:
    bits = ["PyTorch convention"] if torch else []
    if cost.dtype:
        bits.append(cost.dtype)
    return f'Model: "{record.name}"' + (f" ({', '.join(bits)})" if bits else "")


def footer_lines(record: SummaryRecord, cost: CostRecord,
                 torch: TorchRecord | None = None, *, with_cost: bool = False) -> list[str]:
    """Keras' param totals with their bytes; then, asked for, MACs/FLOPs and memory lines."""
    total = torch.total_params if torch else record.total_params
    trainable = torch.trainable_params if torch else record.trainable_params
    if torch or cost.dtype:
        per_layer = {c.name: c for c in cost.layers}
        trainable_bytes = sum(per_layer[t.name].bytes_per_value * t.trainable_params
                              for t in torch.layers) if torch else sum(
            per_layer[r.name].bytes_per_value * r.trainable_params for r in record.layers)
        total_bytes = cost.param_bytes
    else:
        trainable_bytes, total_bytes = record.trainable_bytes, record.param_bytes
    lines = [f"Total params: {count(total)} ({readable_bytes(total_bytes)})",
             f"Trainable params: {count(trainable)} ({readable_bytes(trainable_bytes)})",
             f"Non-trainable params: {count(total - trainable)} "
             f"({readable_bytes(total_bytes - trainable_bytes)})"]
    if torch and torch.keras_total_params != total:
        lines.append(f"Keras counts {count(torch.keras_total_params)} params for the same model")
    if torch:
        for layer in torch.layers:
            lines += [f"note: {layer.name}: {n}" for n in layer.notes]
    if not with_cost:
        return lines
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
    return lines


def grid_table(g: Grid) -> RenderableType:
    """The rich renderable: the table and its footer (the CLI prints a notebook heading)."""
    table = Table(title=g.title, title_justify="left", show_lines=True, title_style="bold")
    for name, right in zip(g.header, g.right):
        if right:
            table.add_column(name, justify="right", no_wrap=True)
        else:
            table.add_column(name, overflow="fold")
    for sub, cells in g.rows:
        table.add_row(*cells, style="dim" if sub else None)
    return Group(table, Text("\n".join(" " + line for line in g.footer)))


def grid_markdown(g: Grid) -> str:
    """The same rows as a GitHub table; shapes in backticks."""
    shape_columns = {i for i, name in enumerate(g.header)
                     if name in (COLUMNS["output_shape"], COLUMNS["weights"])}
    lines = ([f"## {g.heading}", ""] if g.heading else []) + [
        f"**{g.title}**", "", "| " + " | ".join(g.header) + " |",
        "|" + "|".join("---:" if r else "---" for r in g.right) + "|"]
    for _, cells in g.rows:
        shown = []
        for i, cell in enumerate(cells):
            text = cell.replace(",\n", ", ")
            if i in shape_columns and text and text != "-":
                text = "<br>".join(f"`{part}`" for part in text.split("\n"))
            shown.append(text.replace("|", "\\|").replace("\n", "<br>"))
        lines.append("| " + " | ".join(shown) + " |")
    lines.append("")
    lines += [f"- {line}" for line in g.footer]
    return "\n".join(lines) + "\n"
