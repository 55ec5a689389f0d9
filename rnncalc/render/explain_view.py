"""``rnncalc explain`` as text: one block per layer, then the totals.

Weight lines read like the seed notebook's hand derivation:
``kernel (100, 128) = 100 × 128 = 12,800``.
"""

from __future__ import annotations

from rnncalc.errors import terminal_safe
from rnncalc.layers.counting import MAC
from rnncalc.layers.shapes import format_shape, format_shapes
from rnncalc.render.costs import OP_UNITS, poly, size, unknown_note
from rnncalc.render.numbers import readable_bytes
from rnncalc.reports.explain import ExplainRecord, LayerExplain, WeightLine, count


def _weight(w: WeightLine, indent: str) -> str:
    line = f"{indent}{w.name} {format_shape(w.shape)} = {w.arithmetic}"
    about = w.role + (": " + " × ".join(w.dims) if w.dims else "")
    flags = [] if not w.buffer else ["buffer, not a parameter"]
    if not w.trainable and not w.buffer:
        flags.append("non-trainable")
    if flags:
        about += f" ({', '.join(flags)})"
    return f"{line}    {about}" if about else line


def _cost_lines(layer: LayerExplain) -> list[str]:
    c = layer.cost
    if not c.terms:
        return ["  cost: no arithmetic at inference"]
    lines = ["  cost, per position (positions in brackets):"]
    for t in c.terms:
        what = f"{t.scope}: {t.what}" if t.scope else t.what
        formula = t.formula if t.formula == t.numbers else f"{t.formula} = {t.numbers}"
        value = count(t.per)
        expr = formula if t.numbers in (value, str(t.per)) else f"{formula} = {value}"
        lines.append(f"    {what}: {expr} {OP_UNITS[t.op]} [× {t.over}]")
    others = c.flops + c.macs * -2
    lines.append(f"  MACs = {poly(c.macs)}")
    lines.append(f"  FLOPs = 2 × MACs + other ops = {poly(c.flops)} (other ops: "
                 f"{poly(others)})")
    return lines


def _memory_lines(layer: LayerExplain) -> list[str]:
    c = layer.cost
    lines = [f"  activations: outputs {poly(c.output_values, 'values')}"]
    for m in c.memory:
        lines.append(f"    + {m.phase}: {m.what} = {m.formula} = {poly(m.values, 'values')}")
    lines.append(f"  = inference {size(c.inference_bytes)}, training {size(c.training_bytes)} "
                 f"at {c.bytes_per_value} bytes per value")
    return lines


def explain_text(record: ExplainRecord) -> str:
    """The whole explanation as plain text."""
    conv = "PyTorch" if record.convention == "pytorch" else "Keras"
    out = [f'Model: "{record.name}" ({conv} convention)', ""]
    for layer in record.layers:
        out.append(f"{layer.name} ({layer.type}) -> {format_shapes(list(layer.output_shapes))}")
        for group in layer.groups:
            if group.title and (len(layer.groups) > 1 or record.convention == "pytorch"):
                out.append(f"  {group.title}:")
                out += [_weight(w, "    ") for w in group.weights]
                if len(layer.groups) > 1:
                    out.append(f"    {group.title} params = {group.sum_text}")
            else:
                out += [_weight(w, "  ") for w in group.weights]
        out.append(f"  params = {layer.sum_text}")
        if record.convention == "pytorch" and layer.params != layer.keras_params:
            diff = layer.params - layer.keras_params
            out.append(f"  (Keras counts {count(layer.keras_params)}; PyTorch "
                       f"{'+' if diff > 0 else '−'}{count(abs(diff))})")
        out += [f"  note: {n}" for n in layer.notes]
        out += _cost_lines(layer)
        out += _memory_lines(layer)
        out.append("")
    c = record.cost
    if len(record.layers) < len(record.all_layers):
        out.append(f"(1 of {len(record.all_layers)} layers shown; model total "
                   f"{count(record.total_params)} params)")
    else:
        out.append(f"total = {record.total_text} params")
        if record.convention == "pytorch":
            out.append(f"(Keras counts {count(record.keras_total_params)} params for the same "
                       "model)")
    mac_terms = any(t.op == MAC for layer in c.layers for t in layer.terms)
    out.append(f"MACs = {poly(c.macs)}; FLOPs = {poly(c.flops)}" if mac_terms or c.flops
               else "MACs = 0; FLOPs = 0")
    dtype = c.dtype or "each layer's dtype"
    out.append(f"memory ({dtype}): input {size(c.input_bytes)}, params "
               f"{readable_bytes(c.param_bytes)}, inference activations "
               f"{size(c.inference_activation_bytes)}, training activations (BPTT) "
               f"{size(c.training_activation_bytes)}")
    if c.optimizer is not None:
        from rnncalc.render.summary_grid import optimizer_lines

        out += [line[0].lower() + line[1:] for line in optimizer_lines(c)]
    state = f"{c.optimizer.optimizer} state" if c.optimizer else "optimizer state not included"
    out.append(f"estimated total: inference {size(c.inference_total, per_sample=False)}; "
               f"training {size(c.training_total, per_sample=False)} (params, gradients, "
               f"saved activations; {state})")
    if unknown_note(c.training_total):
        out.append(unknown_note(c.training_total))
    return terminal_safe("\n".join(out)) + "\n"   # names are user text: escape ANSI/bidi


def explain_markdown(record: ExplainRecord) -> str:
    """The explanation for a markdown document: per layer a heading and its lines as code."""
    text = explain_text(record).rstrip("\n").split("\n\n")
    head, *layers = text
    out = [f"**{head.splitlines()[0]}**", ""]
    for block in layers:
        lines = block.splitlines()
        if lines and " -> " in lines[0] and not lines[0].startswith(" "):
            out += [f"### {lines[0]}", "", "```", *lines[1:], "```", ""]
        else:
            out += [f"- {line}" for line in lines] + [""]
    return "\n".join(out).rstrip("\n") + "\n"
