"""Rendering a run: the rich printout, the terminal heatmap, JSON and ``--save``.

Renderers take the :class:`~rnncalc.engine.run.RunResult` record and return
renderables or plain data; the CLI prints them once.
"""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np
from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from rnncalc.engine.memory import format_bytes
from rnncalc.engine.run import OutputTensor, RunResult
from rnncalc.engine.weights import flat
from rnncalc.errors import SpecError
from rnncalc.shapes import format_shape


def output_label(out: OutputTensor, result: RunResult) -> str:
    """``bidirectional[2] (forward c)``-style label of one output tensor."""
    node = result.graph.node(out.name)
    many = len(node.output_shapes) > 1
    return f"{out.name}[{out.index}]" if many else out.name


# -- JSON ----------------------------------------------------------------------------


def _json_values(a: np.ndarray) -> Any:
    """Nested lists; float32 values in their shortest round-trip form; NaN/inf as null."""
    if a.dtype.kind != "f":
        return a.tolist()
    flat_values = [float(str(v)) if np.isfinite(v) else None
                   for v in a.astype(np.float32).ravel()]
    if a.ndim == 0:
        return flat_values[0]
    out: Any = flat_values
    for dim in reversed(a.shape[1:]):
        out = [out[i:i + dim] for i in range(0, len(out), dim)]
    return out if a.shape[0] else []


def run_dict(result: RunResult) -> dict[str, Any]:
    """The contract's ``run --json`` document."""
    return {
        "seed": result.seed,
        "inputs": [{"name": name, "shape": list(a.shape)} for name, a in result.inputs.items()],
        "outputs": [{"name": o.name, "index": o.index, "shape": list(o.values.shape),
                     "values": _json_values(o.values)} for o in result.outputs],
    }


# -- --save --------------------------------------------------------------------------


def save_npz(result: RunResult, path: str) -> str:
    """Write ``output/<k>``, ``input/<name>`` and ``weights/<layer>/<weight>``."""
    arrays: dict[str, np.ndarray] = {}
    for k, out in enumerate(result.outputs):
        arrays[f"output/{k}"] = out.values
    for name, a in result.inputs.items():
        arrays[f"input/{name}"] = a
    for key, w in flat(result.weights).items():
        arrays[f"weights/{key}"] = w
    target = path if path.endswith(".npz") else path + ".npz"
    try:
        with open(target, "wb") as fh:
            np.savez(fh, **arrays)
    except OSError as err:
        raise SpecError(f"--save {path}: cannot write it ({err.strerror})") from None
    return target


# -- rich printout ---------------------------------------------------------------------


def _array_text(a: np.ndarray, width: int) -> str:
    with np.printoptions(precision=8, suppress=True, threshold=600, edgeitems=3,
                         linewidth=max(40, width)):
        return np.array2string(a, separator=" ")


def run_renderables(result: RunResult, *, heatmap: bool = False, width: int = 100,
                    colour: bool = True) -> list[RenderableType]:
    """Header, one panel per output (values like the seed's printout), optional heatmaps."""
    g = result.graph
    head = Table.grid(padding=(0, 2))
    head.add_column(style="bold")
    head.add_column()
    head.add_row("model", g.name)
    for name, a in result.inputs.items():
        head.add_row("input", f"{name} {format_shape(a.shape)} {a.dtype}, "
                     f"{result.input_source}")
    head.add_row("weights", result.weights_source)
    head.add_row("memory", f"~{format_bytes(result.estimate)} estimated")
    parts: list[RenderableType] = [head]
    for out in result.outputs:
        title = f"{output_label(out, result)}  shape {format_shape(out.values.shape)}"
        body = Text(_array_text(out.values, width - 4))
        parts.append(Panel(body, title=title, title_align="left", expand=False))
        if heatmap:
            parts.append(heatmap_view(out.values, output_label(out, result), colour=colour))
    return parts


# -- heatmap -----------------------------------------------------------------------------


def _colour(v: float, scale: float) -> str:
    """Diverging blue (negative) - white (0) - red (positive)."""
    t = max(-1.0, min(1.0, v / scale)) if scale else 0.0
    if t >= 0:
        r, g, b = 255, int(255 * (1 - t)), int(255 * (1 - t))
    else:
        r, g, b = int(255 * (1 + t)), int(255 * (1 + t)), 255
    return f"on rgb({r},{g},{b})"


_SHADES = " ░▒▓█"


def _cell(v: float, scale: float, colour: bool) -> tuple[str, str]:
    """One heatmap cell: two spaces on a colour, or sign and shade without colour.

    Without colour (output piped, ``NO_COLOR``) a background would vanish, so
    the cell spells the value: ``+▓`` is large and positive, ``-░`` small and
    negative.
    """
    if not math.isfinite(v):
        return ("??", "") if not colour else ("  ", "on grey50")
    if colour:
        return "  ", _colour(v, scale)
    t = min(1.0, abs(v) / scale) if scale else 0.0
    shade = _SHADES[min(len(_SHADES) - 1, round(t * (len(_SHADES) - 1)))]
    return ("+" if v > 0 else "-" if v < 0 else " ") + shade, ""


def heatmap_view(values: np.ndarray, label: str, *, max_rows: int = 48,
                 max_cols: int = 60, colour: bool = True) -> RenderableType:
    """Hidden states over time for sample 0: one row per unit, one column per timestep.

    A (batch, units) output is one column; other ranks are flattened to
    (steps, features) of the first sample.
    """
    a = np.asarray(values, dtype=np.float64)
    sample = a[0] if a.ndim >= 2 else a[None]
    grid = sample.reshape(sample.shape[0], -1) if sample.ndim >= 2 else sample[None, :]
    grid = grid.T                                        # rows: units, columns: timesteps
    rows, cols = grid.shape
    shown = grid[:max_rows, :max_cols]
    finite = shown[np.isfinite(shown)]
    scale = float(np.max(np.abs(finite))) if finite.size else 1.0
    text = Text()
    text.append("unit \\ step ", style="dim")
    text.append("".join(f"{j % 10:>2}" for j in range(shown.shape[1])) + "\n", style="dim")
    for i, row in enumerate(shown):
        text.append(f"{i:>11} ", style="dim")
        for v in row:
            text.append(*_cell(float(v), scale, colour))
        text.append("\n")
    more = []
    if rows > max_rows:
        more.append(f"{rows - max_rows} more units")
    if cols > max_cols:
        more.append(f"{cols - max_cols} more steps")
    legend = Text.assemble(_cell(-scale, scale, colour), f" {-scale:.3g}   ",
                           _cell(0.0, scale, colour), " 0   ",
                           _cell(scale, scale, colour), f" {scale:.3g}",
                           ("   (" + ", ".join(more) + " not shown)") if more else "")
    title = f"{label}: sample 0, units × timesteps" if values.ndim == 3 else \
        f"{label}: sample 0"
    return Panel(Group(text, legend), title=title, title_align="left", expand=False)


# -- progress ------------------------------------------------------------------------------


class ProgressBar:
    """A rich progress bar on stderr that appears only once a run passes ``delay`` seconds."""

    def __init__(self, description: str = "running", delay: float = 1.0) -> None:
        self.description = description
        self.delay = delay
        self.start = time.monotonic()
        self.progress: Any = None
        self.task: Any = None

    def __call__(self, completed: int, total: int) -> None:
        if self.progress is None:
            if time.monotonic() - self.start < self.delay:
                return
            from rich.console import Console
            from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

            self.progress = Progress(TextColumn("{task.description}"), BarColumn(),
                                     TextColumn("{task.completed}/{task.total} steps"),
                                     TimeRemainingColumn(),
                                     console=Console(stderr=True), transient=True)
            self.progress.start()
            self.task = self.progress.add_task(self.description, total=total)
        self.progress.update(self.task, completed=completed, total=total)

    def close(self) -> None:
        if self.progress is not None:
            self.progress.stop()
