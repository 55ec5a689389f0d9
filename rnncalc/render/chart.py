"""A line chart drawn with characters, for ``sweep --plot``.

Axes with tick labels, a labelled x axis, one marker per series and a legend;
a logarithmic scale on an axis whose values span two decades or more (params
and memory grow with the square of the units, so a linear axis would squash
the small models into the bottom row).
"""

from __future__ import annotations

import math
from collections.abc import Callable

MARKERS = "*o+x#@%&"


def _scale(values: list[float], decades: float = 2) -> tuple[bool, float, float]:
    lo, hi = min(values), max(values)
    log = lo > 0 and hi / lo >= 10 ** decades
    if log:
        return True, math.log10(lo), math.log10(hi)
    if hi == lo:
        return False, lo - 1, hi + 1
    return False, lo, hi


def _pos(v: float, scale: tuple[bool, float, float], cells: int) -> int:
    log, lo, hi = scale
    t = ((math.log10(v) if log else v) - lo) / (hi - lo) if hi > lo else 0.5
    return max(0, min(cells - 1, round(t * (cells - 1))))


def _ticks(scale: tuple[bool, float, float], count: int) -> list[float]:
    log, lo, hi = scale
    if log:
        first, last = math.floor(lo), math.ceil(hi)
        ticks = [10.0 ** k for k in range(first, last + 1) if lo - 1e-9 <= k <= hi + 1e-9]
        return ticks or [10 ** lo, 10 ** hi]
    return [lo + (hi - lo) * k / (count - 1) for k in range(count)]


def line_chart(title: str, x_label: str, series: list[tuple[str, list[tuple[float, float]]]],
               fmt: Callable[[float], str], *, width: int = 56, height: int = 12) -> str:
    """``series``: ``(label, [(x, y), ...])``; ``fmt`` writes a y value (``1.2 M``)."""
    points = [p for _, pts in series for p in pts]
    if not points:
        return f"{title}: nothing to plot\n"
    xs = sorted({x for x, _ in points})
    xscale = _scale([float(x) for x in xs], decades=0.6)   # 32, 64, 128: doubling steps
    yscale = _scale([float(y) for _, y in points])
    grid = [[" "] * width for _ in range(height)]
    for k, (_, pts) in enumerate(series):
        mark = MARKERS[k % len(MARKERS)]
        cells = sorted((_pos(x, xscale, width), height - 1 - _pos(y, yscale, height))
                       for x, y in pts)
        for (c0, r0), (c1, r1) in zip(cells, cells[1:]):     # dotted line between points
            steps = max(abs(c1 - c0), abs(r1 - r0))
            for s in range(1, steps):
                c, r = c0 + (c1 - c0) * s // steps, r0 + round((r1 - r0) * s / steps)
                if grid[r][c] == " ":
                    grid[r][c] = "."
        for c, r in cells:
            grid[r][c] = mark
    labels = {height - 1 - _pos(t, yscale, height): fmt(t) for t in _ticks(yscale, 4)}
    pad = max(len(s) for s in labels.values())
    lines = [title + (" (log scale)" if yscale[0] else "")]
    for r in range(height):
        tick = labels.get(r, "")
        lines.append(f"{tick:>{pad}} {'┤' if tick else '│'}{''.join(grid[r])}")
    axis = [" "] * width
    under = [" "] * (width + 12)
    for x in xs:
        c = _pos(x, xscale, width)
        axis[c] = "┬"
        text = f"{x:,}" if float(x).is_integer() else f"{x:g}"
        start = max(0, min(c - len(text) // 2, width + 12 - len(text)))
        if all(ch == " " for ch in under[max(0, start - 1):start + len(text) + 1]):
            under[start:start + len(text)] = list(text)
    lines.append(" " * pad + " └" + "".join(axis))
    lines.append(" " * (pad + 2) + "".join(under).rstrip())
    lines.append(" " * (pad + 2) + x_label + (" (log scale)" if xscale[0] else ""))
    if len(series) > 1 or series[0][0]:
        lines.append(" " * (pad + 2) + "   ".join(f"{MARKERS[k % len(MARKERS)]} {label}"
                                                 for k, (label, _) in enumerate(series)))
    return "\n".join(lines) + "\n"


def sweep_charts(record, width: int = 56) -> str:
    """Params, inference and training memory against the first varied value with >1 value."""
    from rnncalc.layers.counting import Poly
    from rnncalc.render.costs import compact
    from rnncalc.render.numbers import readable_bytes

    names = list(record.names)
    counts = {n: len({r.values[n] for r in record.rows}) for n in names}
    x_name = next((n for n in names if counts[n] > 1), names[0])
    others = [n for n in names if n != x_name]
    shown = {n: n if n in ("batch_size", "timesteps") else "?" + n for n in names}
    out = []
    for metric, title, fmt in (
            ("params", "Params", lambda v: compact(round(v))),
            ("inference_memory", "Inference memory", lambda v: readable_bytes(round(v))),
            ("training_memory", "Training memory", lambda v: readable_bytes(round(v)))):
        groups: dict[str, list[tuple[float, float]]] = {}
        for row in record.rows:
            y = row.measure.metric(metric)
            if isinstance(y, Poly):
                continue
            label = ", ".join(f"{shown[n]}={row.values[n]:,}" for n in others)
            groups.setdefault(label, []).append((row.values[x_name], y))
        if not groups:
            out.append(f"{title}: depends on an unknown dim (give --batch-size/--timesteps)\n")
            continue
        merged: dict[tuple, list[str]] = {}     # identical lines drawn once, labels joined
        for label, pts in groups.items():
            merged.setdefault(tuple(pts), []).append(label)
        series = [(" = ".join(labels), list(pts)) for pts, labels in merged.items()]
        out.append(line_chart(title, shown[x_name], series, fmt, width=width))
    return "\n".join(out)
