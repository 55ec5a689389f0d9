"""The Keras-style summary table (rich) and its markdown twin."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from rnncalc.layers.shapes import format_shapes
from rnncalc.render.numbers import count, readable_bytes
from rnncalc.reports.summary import SummaryRecord


def _rows(record: SummaryRecord, sep: str = ", ") -> list[tuple[str, str, str, str]]:
    """(layer (type), output shape, params, connected to) per row, Keras' order.

    Input layers get rows only when the model is not a single chain, as in Keras.
    """
    rows = []
    if not record.chain:
        for inp in record.inputs:
            rows.append((f"{inp.name} (InputLayer)", format_shapes([inp.shape]), "0", "-"))
    for layer in record.layers:
        rows.append((f"{layer.name} ({layer.type})", format_shapes(list(layer.output_shapes)),
                     count(layer.params), sep.join(layer.connected_to) or "-"))
    return rows


def footer_lines(record: SummaryRecord) -> list[str]:
    """``Total params: 529,441 (2.02 MB)`` and friends."""
    non_trainable_bytes = record.param_bytes - record.trainable_bytes
    return [
        f"Total params: {count(record.total_params)} ({readable_bytes(record.param_bytes)})",
        f"Trainable params: {count(record.trainable_params)} "
        f"({readable_bytes(record.trainable_bytes)})",
        f"Non-trainable params: {count(record.non_trainable_params)} "
        f"({readable_bytes(non_trainable_bytes)})",
    ]


def summary_table(record: SummaryRecord) -> RenderableType:
    """The rich renderable for ``rnncalc summary``."""
    table = Table(title=f'Model: "{record.name}"', title_justify="left", show_lines=True,
                  title_style="bold")
    table.add_column("Layer (type)", overflow="fold")
    table.add_column("Output Shape", overflow="fold")
    table.add_column("Param #", justify="right")
    connected = not record.chain
    if connected:
        table.add_column("Connected to", overflow="fold")
    for name, shape, params, links in _rows(record, sep=",\n"):
        table.add_row(name, shape, params, *([links] if connected else []))
    footer = Text("\n".join(" " + line for line in footer_lines(record)))
    return Group(table, footer)


def summary_markdown(record: SummaryRecord) -> str:
    """A GitHub table with the same rows and totals."""
    connected = not record.chain
    head = ["Layer (type)", "Output Shape", "Param #"] + (["Connected to"] if connected else [])
    lines = [f'**Model: "{record.name}"**', "", "| " + " | ".join(head) + " |",
             "|" + "|".join(["---", "---", "---:"] + (["---"] if connected else [])) + "|"]
    for name, shape, params, links in _rows(record):
        cells = [name, f"`{shape}`", params] + ([links] if connected else [])
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    lines.append("")
    lines += [f"- {line}" for line in footer_lines(record)]
    return "\n".join(lines) + "\n"
