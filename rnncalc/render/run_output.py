"""Rendering a run: the rich printout, the terminal heatmap, JSON and ``--save``.

Renderers take the :class:`~rnncalc.engine.run.RunResult` record and return
renderables or plain data; the CLI prints them once.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from typing import Any

import numpy as np
from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from rnncalc.engine.memory import format_bytes
from rnncalc.engine.run import RunResult
from rnncalc.engine.weights import flat
from rnncalc.errors import SpecError, terminal_safe
from rnncalc.layers.shapes import format_shape
from rnncalc.render.labels import output_label

# -- JSON ----------------------------------------------------------------------------


def _number(v: np.floating | np.integer) -> str:
    """A value in its shortest round-trip form for its dtype; NaN/inf as null."""
    if v.dtype.kind == "f":
        return str(v) if np.isfinite(v) else "null"
    if v.dtype.kind == "b":
        return "true" if v else "false"
    return str(int(v))


def _write_values(a: np.ndarray, write: Callable[[str], Any], indent: str) -> None:
    """``a`` as nested JSON lists, one innermost row per line.

    Written row by row so a long sequence never exists as one Python list or
    one string: the memory a ``run --json`` needs stays near the arrays'.
    """
    if a.dtype.kind == "f":
        a = a.astype(np.float32, copy=False)
    if a.ndim == 0:
        write(_number(a[()]))
        return
    if a.ndim == 1:
        write("[" + ", ".join(_number(v) for v in a) + "]")
        return
    write("[\n")
    for i, part in enumerate(a):
        write(indent + "  ")
        _write_values(part, write, indent + "  ")
        write(",\n" if i + 1 < len(a) else "\n")
    write(indent + "]")


def non_finite(values: np.ndarray) -> dict[str, int] | None:
    """``{"nan": n, "inf": m}`` for an output holding NaN or ±inf values, else ``None``."""
    if values.dtype.kind != "f":
        return None
    nan = int(np.count_nonzero(np.isnan(values)))
    inf = int(np.count_nonzero(np.isinf(values)))
    return {"nan": nan, "inf": inf} if nan or inf else None


def non_finite_warnings(result: RunResult) -> list[str]:
    """One warning per output holding NaN/inf (JSON writes them as null)."""
    out = []
    for o in result.outputs:
        bad = non_finite(o.values)
        if bad:
            out.append(f"warning: output {terminal_safe(output_label(o, result))} holds "
                       f"{bad['nan']:,} NaN and {bad['inf']:,} infinite value"
                       f"{'s' if bad['inf'] != 1 else ''} (null in run --json)")
    return out


def write_run_json(result: RunResult, write: Callable[[str], Any]) -> None:
    """The contract's ``run --json`` document, streamed through ``write``."""
    from rnncalc.render.json_out import schema_id

    inputs = [{"name": name, "shape": list(a.shape)} for name, a in result.inputs.items()]
    write("{\n" + f'  "schema": {json.dumps(schema_id("run"))},\n'
          + f'  "seed": {json.dumps(result.seed)},\n'
          + f'  "inputs": {json.dumps(inputs)},\n' + '  "outputs": [')
    for k, o in enumerate(result.outputs):
        head = {"name": o.name, "index": o.index, "label": output_label(o, result),
                "shape": list(o.values.shape)}
        bad = non_finite(o.values)
        if bad:
            head["non_finite"] = bad
        write(("\n" if k == 0 else ",\n") + "    " + json.dumps(head)[:-1] + ', "values": ')
        _write_values(o.values, write, "    ")
        write("}")
    write("\n  ]\n}\n")


# -- --save --------------------------------------------------------------------------


def save_target(path: str) -> str:
    """The ``.npz`` file ``--save PATH`` names, refused unless it is a plain file to write.

    Checked before the run, so a bad name costs nothing and nothing is
    written: an empty name, a directory (``.``, ``dir/``), a device, a pipe
    or a symlink, a missing folder. ``PATH`` gets ``.npz`` appended unless it
    has it, as ``np.savez`` does.
    """
    import os
    import stat

    where = f"--save {path!r}" if not path.strip() or path != path.strip() else f"--save {path}"
    if not path.strip():
        raise SpecError(f"{where}: expected a file name such as out.npz")
    if "\0" in path:
        raise SpecError(f"{where}: a file name cannot hold a NUL character")
    base = os.path.basename(path)
    if path.endswith((os.sep, "/")) or base in (".", "..") or os.path.isdir(path):
        raise SpecError(f"{where}: is a directory; give a file name such as "
                        f"{os.path.join(path, 'out.npz')}")
    for candidate in dict.fromkeys((path, path if path.endswith(".npz") else path + ".npz")):
        try:
            info = os.lstat(candidate)
        except FileNotFoundError:
            continue
        except OSError as err:
            raise SpecError(f"{where}: cannot use it ({err.strerror or err})") from None
        if stat.S_ISLNK(info.st_mode):
            raise SpecError(f"{where}: {candidate} is a symlink; give the file itself")
        if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode):
            raise SpecError(f"{where}: {candidate} is a device; give a file name such as "
                            "out.npz")
        if stat.S_ISDIR(info.st_mode):
            raise SpecError(f"{where}: {candidate} is a directory")
        if not stat.S_ISREG(info.st_mode):
            raise SpecError(f"{where}: {candidate} is not a regular file")
    target = path if path.endswith(".npz") else path + ".npz"
    folder = os.path.dirname(target) or "."
    if not os.path.isdir(folder):
        raise SpecError(f"{where}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise SpecError(f"{where}: cannot write in {folder}: permission denied")
    return target


def save_npz(result: RunResult, path: str) -> str:
    """Write ``output/<k>``, ``input/<name>`` and ``weights/<layer>/<weight>``.

    The file is written to a temporary file in the same folder and renamed
    over the target, so nothing but the named regular file is ever created
    or replaced, and a failed write leaves no half-written file.
    """
    import os
    import tempfile

    arrays: dict[str, np.ndarray] = {}
    for k, out in enumerate(result.outputs):
        v = out.values
        arrays[f"output/{k}"] = v.astype(str) if v.dtype == object else v
    for name, a in result.inputs.items():
        arrays[f"input/{name}"] = a.astype(str) if a.dtype == object else a  # no pickles
    for key, w in flat(result.weights).items():
        arrays[f"weights/{key}"] = w
    target = save_target(path)
    folder = os.path.dirname(target) or "."
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(target)}.",
                                   suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, **arrays)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
        tmp = None
    except OSError as err:
        raise SpecError(f"--save {path}: cannot write it ({err.strerror or err})") from None
    finally:
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)
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
    head.add_row("model", terminal_safe(g.name))
    for name, a in result.inputs.items():
        kind = "string" if a.dtype == object else a.dtype
        head.add_row("input", terminal_safe(f"{name} {format_shape(a.shape)} {kind}, "
                                            f"{result.input_source}"))
    head.add_row("weights", terminal_safe(result.weights_source))
    head.add_row("memory", f"~{format_bytes(result.estimate)} estimated")
    parts: list[RenderableType] = [head]
    for out in result.outputs:
        bad = non_finite(out.values)
        title = terminal_safe(f"{output_label(out, result)}  shape "
                              f"{format_shape(out.values.shape)}" + (
                                  f"  holds {bad['nan']} NaN, {bad['inf']} inf" if bad else ""))
        body = Text(_array_text(out.values, width - 4))
        parts.append(Panel(body, title=title, title_align="left", expand=False))
        if heatmap:
            parts.append(heatmap_view(out.values, terminal_safe(output_label(out, result)),
                                      colour=colour))
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
