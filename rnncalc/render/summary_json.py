"""``summary --json`` written from the summary record, its layers from templates.

A big model's document is almost all layer and weight entries; building them
as dicts (:func:`rnncalc.reports.summary.layer_dict`) for the generic writer
to walk value by value cost about twice as much per layer as filling each
entry into a fixed template, as here. The bytes are :func:`dumps`'s (a test
compares the two on every spec): a value that would not sit on one line goes
through ``dumps`` itself, at its depth.
"""

from __future__ import annotations

from typing import Any

from rnncalc.render.json_out import Written, document, dumps, one_line
from rnncalc.reports.summary import LayerRecord, SummaryRecord, WeightRecord

# Newline and indent of each level: the layers list's items are at depth 2.
_PAD = ["\n" + "  " * level for level in range(6)]
_WEIGHT = "{" + ",".join(_PAD[5] + f'"{key}": %s' for key in (
    "name", "shape", "params", "trainable")) + _PAD[4] + "}"
_LAYER = "{" + ",".join(_PAD[3] + f'"{key}": %s' for key in (
    "name", "type", "inputs", "output_shapes", "params", "trainable_params",
    "non_trainable_params", "weights")) + "%s" + _PAD[2] + "}"


def summary_json(record: SummaryRecord) -> str:
    """``dumps(document("summary", record.to_dict()))``, with the layers from templates."""
    layers = "[" + _PAD[2] + ("," + _PAD[2]).join([_layer(rec) for rec in record.layers]) \
        + _PAD[1] + "]" if record.layers else "[]"
    return dumps(document("summary", record.document(Written(layers))))


def _text(value: Any, depth: int) -> str:
    """``value`` as ``dumps`` writes it at ``depth`` (one line when it fits)."""
    text = one_line(value)
    return dumps(value, depth=depth) if text is None else text


# Strings, ints and booleans always sit on one line: ``one_line`` writes them directly.
def _layer(rec: LayerRecord) -> str:
    inner = "," + _PAD[3] + '"inner": ' + one_line(rec.inner) if rec.inner else ""
    return _LAYER % (one_line(rec.name), one_line(rec.type), _text(list(rec.inputs), 3),
                     _text([list(s) for s in rec.output_shapes], 3), one_line(rec.params),
                     one_line(rec.trainable_params), one_line(rec.non_trainable_params),
                     _weights(rec.weights), inner)


def _weights(weights: tuple[WeightRecord, ...]) -> str:
    if not weights:
        return "[]"
    return "[" + _PAD[4] + ("," + _PAD[4]).join([
        _WEIGHT % (one_line(w.name), _text(list(w.shape), 5), one_line(w.params),
                   one_line(w.trainable)) for w in weights]) + _PAD[3] + "]"
