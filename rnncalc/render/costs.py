"""Text for cost figures shared by the explain view and the summary columns."""

from __future__ import annotations

from rnncalc.layers.counting import Poly
from rnncalc.render.numbers import readable_bytes

OP_UNITS = {"mac": "MACs", "add": "adds", "mul": "mults", "act": "activations",
            "cmp": "comparisons"}


def compact(n: int) -> str:
    """``1264844800`` -> ``1.26 G`` (1000-based, as MAC counters print)."""
    for scale, unit in ((10**12, "T"), (10**9, "G"), (10**6, "M"), (10**3, "K")):
        if abs(n) >= scale:
            return f"{n / scale:.4g} {unit}"
    return str(n)


def poly(p: Poly, unit: str = "", *, short: bool = False, per_sample: bool = True,
         say: bool = True) -> str:
    """``29,184 × T MACs per sample``; exact with commas, or compact with ``short``.

    ``say=False`` leaves out the words "per sample" (a table header says it).
    """
    q, divided = p.per_sample() if per_sample else (p, False)
    text = q.text(compact if short else None) + (f" {unit}" if unit else "")
    return text + (" per sample" if divided and say else "")


def unknown_note(p: Poly) -> str:
    """Which symbols a figure uses, for a footnote ("" when every dim is known)."""
    used = {s for m, _ in p.terms for s in m}
    words = [w for s, w in (("B", "B = batch size"), ("T", "T = timesteps")) if s in used]
    return "; ".join(words) + " (unknown: give --batch-size / --timesteps)" if words else ""


def size(p: Poly, *, per_sample: bool = True) -> str:
    """Bytes: ``2.02 MB`` when known, else ``51,200 × T bytes per sample``."""
    if p.known:
        return readable_bytes(p.value or 0)
    q, divided = p.per_sample() if per_sample else (p, False)
    return q.text() + " bytes" + (" per sample" if divided else "")
