"""The summary as a grid of rows: one pipeline for every table ``rnncalc summary`` prints.

The default table is this grid with the default columns (output shape,
params, and ``Connected to`` for graphs) and the Keras footer; ``--columns``,
``--expand``, ``--dtype`` and ``--convention`` change columns and figures,
never which rows exist. Rows are built once as plain strings (:func:`grid`),
then drawn as a rich table, markdown or HTML.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rnncalc.errors import SpecError, did_you_mean, terminal_safe
from rnncalc.layers.shapes import format_shape, format_shapes
from rnncalc.render.costs import poly, size, unknown_note
from rnncalc.render.numbers import count, readable_bytes
from rnncalc.reports.cost import CostRecord
from rnncalc.reports.pytorch import TorchRecord
from rnncalc.reports.summary import LayerRecord, SummaryRecord

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


def _inputs_before(record: SummaryRecord) -> dict[str, list[Any]]:
    """Each input row under the name of the layer row it precedes in Keras' order
    (``""``: before every layer)."""
    if not record.rows:
        return {}
    inputs = {i.name: i for i in record.inputs}
    shown = {layer.name for layer in record.layers}
    out: dict[str, list[Any]] = {}
    pending: list[Any] = []
    first = True
    for name in record.rows:
        if name in inputs:
            pending.append(inputs[name])
        elif name in shown:
            if pending:
                out["" if first else name] = pending
                pending = []
            first = False
    if pending:              # never reached from an output: listed first, as before
        out.setdefault("", []).extend(pending)
    return out


def grid(record: SummaryRecord, cost: CostRecord | None, columns: list[str], *,
         expand: bool = False,
         torch: TorchRecord | None = None, cost_footer: bool = False,
         title: str | None = None) -> Grid:
    """Header, rows and footer of the summary with these columns.

    Input layers get rows when the model is not a single chain, as in Keras.
    ``cost_footer`` adds MACs, FLOPs and memory totals under the Keras footer.
    """
    per = " / sample" if cost is not None and cost.per_sample else ""
    header = ["Layer (type)"] + (["PyTorch module"] if torch else []) + [
        COLUMNS[c] + (" (PyTorch)" if torch and c == "params" else "")
        + (per if c in ("macs", "flops") else "") for c in columns]
    right = [False] + ([False] if torch else []) + [c in RIGHT for c in columns]
    total = torch.total_params if torch else record.total_params
    rows: list[tuple[bool, list[str]]] = []

    def input_row(inp: Any) -> None:
        cells = {"output_shape": format_shapes([inp.shape]), "params": "0",
                 "params_percent": "-", "macs": "0", "flops": "0", "trainable": "-",
                 "connected_to": "-", "weights": "-"}
        lead = [f"{inp.name} (InputLayer)"] + (["-"] if torch else [])
        rows.append((False, lead + [cells[col] for col in columns]))

    # Keras lists an input where its depth puts it (one used only late comes late).
    before = _inputs_before(record) if not record.chain else {}
    if not record.chain:
        for inp in before.pop("", record.inputs if not record.rows else ()):
            input_row(inp)
    by_name = {t.name: t for t in torch.layers} if torch else {}
    for layer in record.layers:
        for inp in before.pop(layer.name, ()):
            input_row(inp)
        c = cost.layer(layer.name) if cost is not None else None
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
            "macs": poly(c.macs, short=True, say=False) if c and c.macs else "0",
            "flops": poly(c.flops, short=True, say=False) if c and c.flops else "0",
            "trainable": _trainable(params, trainable),
            "connected_to": ",\n".join(layer.connected_to) or "-",
            "weights": "\n".join(f"{n} {format_shape(s)}" for n, s, *_ in weights) or "-",
        }
        lead = [f"{layer.name} ({layer.type})"] + ([t.calls if t else "-"] if torch else [])
        rows.append((False, lead + [cells[col] for col in columns]))
        if expand and layer.sublayers and not torch:    # a nested model: its layers
            rows += _nested(layer.sublayers, columns, total, bool(torch), 1)
        elif expand:
            for name, shape, n, is_trainable, buffer in weights:
                sub = {"output_shape": format_shape(shape), "params": count(n),
                       "params_percent": "" if buffer else _percent(n, total),
                       "trainable": "buffer" if buffer else ("Y" if is_trainable else "N"),
                       "weights": format_shape(shape)}
                lead = [f"  └ {name}"] + ([""] if torch else [])
                rows.append((True, lead + [sub.get(col, "") for col in columns]))
    show_cost = cost is not None and cost_footer and (bool({"macs", "flops"} & set(columns))
                                                      or bool(cost.dtype)
                                                      or cost.optimizer is not None)
    # names come from the user: escape what a terminal would act on (ANSI, bidi)
    rows = [(sub, [terminal_safe(c) for c in cells]) for sub, cells in rows]
    return Grid(terminal_safe(_title(record, cost, torch)), header, right, rows,
                [terminal_safe(line) for line in footer_lines(record, cost, torch,
                                                              with_cost=show_cost)],
                terminal_safe(title) if title else title)


def _nested(layers: tuple[LayerRecord, ...], columns: list[str], total: int, torch: bool,
            depth: int) -> list[tuple[bool, list[str]]]:
    """Rows of a nested model's layers under its row (``└ dense (Dense)``), as Keras nests."""
    rows: list[tuple[bool, list[str]]] = []
    for layer in layers:
        cells = {"output_shape": format_shapes(list(layer.output_shapes)),
                 "params": count(layer.params), "params_percent": _percent(layer.params, total),
                 "trainable": _trainable(layer.params, layer.trainable_params),
                 "connected_to": "-",
                 "weights": "\n".join(f"{w.name} {format_shape(w.shape)}"
                                      for w in layer.weights) or "-"}
        lead = [f"{'  ' * depth}└ {layer.name} ({layer.type})"] + ([""] if torch else [])
        rows.append((True, lead + [cells.get(col, "") for col in columns]))
        rows += _nested(layer.sublayers, columns, total, torch, depth + 1)
    return rows


def _title(record: SummaryRecord, cost: CostRecord | None, torch: TorchRecord | None) -> str:
    bits = ["PyTorch convention"] if torch else []
    if cost is not None and cost.dtype:
        bits.append(cost.dtype)
    return f'Model: "{record.name}"' + (f" ({', '.join(bits)})" if bits else "")


def footer_lines(record: SummaryRecord, cost: CostRecord | None,
                 torch: TorchRecord | None = None, *, with_cost: bool = False) -> list[str]:
    """Keras' param totals with their bytes; then, asked for, MACs/FLOPs and memory lines."""
    total = torch.total_params if torch else record.total_params
    trainable = torch.trainable_params if torch else record.trainable_params
    if cost is not None and (torch or cost.dtype):
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
    if not with_cost or cost is None:
        return lines
    lines += [
        f"Total MACs: {poly(cost.macs)}",
        f"Total FLOPs: {poly(cost.flops)}",
        f"Input size: {size(cost.input_bytes)}",
        f"Params size: {readable_bytes(cost.param_bytes)}",
        f"Activations, inference: {size(cost.inference_activation_bytes)}",
        f"Activations, training (BPTT): {size(cost.training_activation_bytes)}",
        *optimizer_lines(cost),
        f"Estimated total size, inference: {size(cost.inference_total, per_sample=False)}",
        f"Estimated total size, training: {size(cost.training_total, per_sample=False)}",
    ]
    if unknown_note(cost.training_total):
        lines.append(unknown_note(cost.training_total))
    return lines


def optimizer_lines(cost: CostRecord) -> list[str]:
    """``Optimizer state (adam): 12.51 KB (momentum, velocity per trainable weight)``."""
    state = cost.optimizer
    if state is None:
        return []
    slots = ", ".join(state.slots) + " per trainable weight" if state.slots else "no slots"
    return [f"Optimizer state ({state.optimizer}): {readable_bytes(state.bytes)} ({slots}; "
            f"{state.scalars} scalars)"]


def grid_text(g: Grid, width: int | None = None, *, ascii: bool = False,
              styled: bool = False) -> str:
    """The table and its footer as text ``width`` columns wide (``None``: no limit).

    Numbers, shapes and names are never split across lines: only the first
    column wraps (between a layer's name and its type), and when the table
    still does not fit each layer is drawn as a block of ``column: value`` lines.
    """
    from rnncalc.render.boxes import draw, widths

    footer = [" " + line for line in g.footer]
    cols = widths(g.header, [cells for _, cells in g.rows], width)
    if cols is None:
        lines = _blocks(g, width or 80)
    else:
        lines = draw(g.title, g.header, g.right, g.rows, cols, ascii=ascii, styled=styled)
    return "\n".join([*lines, *footer]) + "\n"


def _blocks(g: Grid, width: int) -> list[str]:
    """The grid folded for a narrow terminal: a heading per layer, one line per column.

    A list of shapes too long for the line goes one shape per line; nothing
    is ever cut inside a number, a shape or a name.
    """
    out = [g.title]
    for sub, cells in g.rows:
        head, rest = cells[0], list(zip(g.header[1:], cells[1:]))
        out.append(("  " if sub else "") + head)
        for name, cell in rest:
            lead = "    " if sub else "  "
            indent = lead + " " * (len(name) + 2)
            lines = [part for part in cell.split("\n") if part] or ["-"]
            lines = [piece for line in lines for piece in _fit(line, width - len(indent))]
            out.append(f"{lead}{name}: {lines[0]}")
            out += [f"{indent}{more}" for more in lines[1:]]
    return out


def _fit(line: str, room: int) -> list[str]:
    """A shape list split after each shape (``(None, 256),``) when it does not fit ``room``."""
    if len(line) <= room or "), (" not in line:
        return [line]
    parts = line.split("), (")
    return [("(" if i else "") + p + ("" if i == len(parts) - 1 else "),")
            for i, p in enumerate(parts)]


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


def grid_csv(g: Grid) -> str:
    """The rows as CSV for spreadsheets: a header row, one row per layer; the totals follow
    as ``# Total params: ...`` comment lines."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(g.header)
    for _, cells in g.rows:
        writer.writerow([_plain_number(c) if right else c.replace(",\n", ", ").replace("\n", "; ")
                         for c, right in zip(cells, g.right)])
    for line in g.footer:
        buffer.write(f"# {line}\n")
    return buffer.getvalue()


def _plain_number(cell: str) -> str:
    """``335,872`` -> ``335872`` for spreadsheets; other text (``875.5 K``, ``5.5%``) as is."""
    bare = cell.replace(",", "")
    return bare if bare.isdigit() else cell


_LATEX_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
                  "_": r"\_", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}",
                  "^": r"\textasciicircum{}", "└": "", "×": r"$\times$", "·": r"$\cdot$"}


def _latex(text: str) -> str:
    return "".join(_LATEX_SPECIAL.get(ch, ch) for ch in text)


def grid_latex(g: Grid) -> str:
    """A ``tabular`` with booktabs rules for a thesis; shapes in ``\\texttt``."""
    shape_columns = {i for i, name in enumerate(g.header)
                     if name in (COLUMNS["output_shape"], COLUMNS["weights"])}
    spec = "".join("r" if r else "l" for r in g.right)
    lines = [f"% {_latex(g.title)}", r"\begin{tabular}{" + spec + "}", r"\toprule",
             " & ".join(_latex(h) for h in g.header) + r" \\", r"\midrule"]
    for _, cells in g.rows:
        shown = []
        for i, cell in enumerate(cells):
            text = _latex(cell.replace(",\n", ", ").replace("\n", "; ").strip())
            shown.append(rf"\texttt{{{text}}}" if i in shape_columns and text != "-" else text)
        lines.append(" & ".join(shown) + r" \\")
    lines += [r"\bottomrule", r"\end{tabular}"]
    lines += [f"% {_latex(line)}" for line in g.footer]
    return "\n".join(lines) + "\n"
