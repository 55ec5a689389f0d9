"""Keras models built in notebooks (``.ipynb``) and Python files, read with ``ast``.

Nothing is executed, imported or opened. A notebook's code cells are one
program read in order (names flow from cell to cell); IPython magics and
shell escapes are skipped where a line is a statement that starts with ``%``
or ``!`` (never inside an expression, and the same rule holds for ``.py``
files). :mod:`.code_eval` follows the program; :mod:`.code_specs` turns each
model it builds into a spec, or into a note that names the line and the
reason. ``bindings`` (``--set NAME=VALUE``) give values only the data knows
(``x_train.shape[1]``, ``len(chars)``, or any name).
"""

from __future__ import annotations

import ast
import json
import re
import sys
from dataclasses import dataclass
from typing import Any

from rnncalc.errors import SpecError, terminal_safe
from rnncalc.interop.code_eval import Place, Reader
from rnncalc.interop.code_specs import CodeModel, to_code_model
from rnncalc.interop.code_values import Unknown
from rnncalc.interop.found import FoundModel

MAX_SOURCE_BYTES = 20 * 1024 * 1024
# cell magics whose body IPython runs as Python (any other cell magic's body is not Python)
_MODEL_WORDS = re.compile(r"Sequential|\bModel\(|layers\.|\.add\(")
PYTHON_CELL_MAGICS = ("time", "timeit", "capture", "prun", "python", "python3", "debug")


@dataclass
class Cell:
    """One code cell: its source, 1-based position in the notebook and its ``In [n]``."""

    source: str
    number: int | None = None
    execution_count: int | None = None


def read_code_models(path: str, bindings: dict[str, Any] | None = None) -> list[FoundModel]:
    """Every model found in a notebook or ``.py`` file that can be read; notes on stderr."""
    from rnncalc.spec.loader import read_text

    text, source = read_text(path, limit=MAX_SOURCE_BYTES)
    notes: list[str] = []
    models = read_code_text(text, source, path.lower().endswith(".ipynb"), bindings, notes)
    for note in notes:
        sys.stderr.write(f"note: {source}: {note}\n")
    return found_models(models, source)


def read_code(path: str, bindings: dict[str, Any] | None = None) -> list[CodeModel]:
    """Every model the code builds, in creation order, read or with its problem."""
    from rnncalc.spec.loader import read_text

    text, source = read_text(path, limit=MAX_SOURCE_BYTES)
    return read_code_text(text, source, path.lower().endswith(".ipynb"), bindings)


def read_code_text(text: str, source: str, notebook: bool,
                   bindings: dict[str, Any] | None = None,
                   notes: list[str] | None = None) -> list[CodeModel]:
    """The models of a notebook's JSON text or of Python source; ``notes`` collects
    what the reader noticed outside any model (unused ``--set`` names, stray ``add``)."""
    if len(text) > MAX_SOURCE_BYTES:
        raise SpecError(f"{source}: file too large")
    cells = notebook_cells(text, source) if notebook else [Cell(text)]
    return find_code_models(cells, source, bindings, notes)


def notebook_cells(text: str, source: str) -> list[Cell]:
    """The code cells of an ``.ipynb`` document (nbformat 3 or 4)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise SpecError(f"{source}:{err.lineno}: not a notebook (invalid JSON: {err.msg})") \
            from None
    except RecursionError:
        raise SpecError(f"{source}: not a notebook (nested too deeply)") from None
    if not isinstance(data, dict):
        raise SpecError(f"{source}: not a notebook (expected a JSON object with 'cells')")
    raw = data.get("cells")
    if raw is None and isinstance(data.get("worksheets"), list) and data["worksheets"] and \
            isinstance(data["worksheets"][0], dict):
        raw = data["worksheets"][0].get("cells")     # nbformat 3
    if not isinstance(raw, list):
        raise SpecError(f"{source}: not a notebook (no 'cells' list)")
    cells = []
    for number, cell in enumerate(raw, 1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        body = cell.get("source", cell.get("input", ""))
        if isinstance(body, list):
            body = "".join(str(b) for b in body)
        count = cell.get("execution_count", cell.get("prompt_number"))
        cells.append(Cell(str(body), number, count if isinstance(count, int) else None))
    return cells


def find_code_models(cells: list[Cell], source: str, bindings: dict[str, Any] | None = None,
                     notes: list[str] | None = None) -> list[CodeModel]:
    reader = Reader(bindings, source)
    syntax: list[str] = []      # cells that mention a model but are not Python
    for cell in cells:
        tree, problem = _parse(cell.source)
        if tree is None:
            if cell.number is None:
                raise SpecError(f"{source}: not valid Python 3 ({problem})")
            if _MODEL_WORDS.search(cell.source):
                count = (f" (In [{cell.execution_count}])"
                         if cell.execution_count is not None else "")
                detail = problem.replace(": ", ": syntax error: ", 1)
                syntax.append(f"cell {cell.number}{count}, {detail}")
            if notes is not None:
                notes.append(f"cell {cell.number}: not Python, left out ({problem})")
            continue        # a cell that is not Python (or pseudocode): nothing to read
        reader.run(tree, Place(cell.number, cell.execution_count))
    if not reader.models:
        _read_uncalled_builders(reader)
    if not reader.models and syntax:
        # The model was most likely in the cell Python could not read: say where and why.
        raise SpecError(f"{source}: no model found; {syntax[0]}")
    if notes is not None:
        notes.extend(reader.notes)
        for name in bindings or {}:
            if name not in reader.used_bindings:
                notes.append(f"--set {name}: the code never reads '{name}' as an unknown value")
    return [to_code_model(model, source) for model in reader.models]


def found_models(models: list[CodeModel], source: str) -> list[FoundModel]:
    """The readable models as :class:`FoundModel`; a note on stderr for each other one."""
    readable = []
    for model in models:
        if model.problem is not None:
            if model.problem != "it has no layers":
                sys.stderr.write(terminal_safe(f"note: {source}: model '{model.name}' built at "
                                               f"{model.where} is skipped: {model.problem}")
                                 + "\n")
            continue
        for note in model.notes:
            sys.stderr.write(terminal_safe(f"note: {source}: model '{model.name}' "
                                           f"({model.where}): {note}") + "\n")
        readable.append(model)
    total = len(readable)
    return [FoundModel(m.spec, f"{source}: model {i} of {total}, {m.where}")
            for i, m in enumerate(readable, 1)]


def _read_uncalled_builders(reader: Reader) -> None:
    """A file that only defines model-building functions: read each with its defaults."""
    for func in reader.top_functions:
        if id(func) in reader.functions_called or func.owner is not None:
            continue
        if not any(isinstance(n, ast.Call) and _calls_model(n.func) for n in ast.walk(func.node)):
            continue
        reader.place = Place(None, None) if reader.place.cell is None else reader.place
        args = [Unknown(a.arg, reader.where(func.node), f"a parameter of {func.node.name}() "
                        "that is never called") for a in func.node.args.args
                if a.arg not in func.defaults]
        reader.invoke(func, args, {}, func.node)


def _calls_model(node: ast.expr) -> bool:
    name = node.attr if isinstance(node, ast.Attribute) else \
        node.id if isinstance(node, ast.Name) else ""
    return name in ("Sequential", "Model")


# -- magics ---------------------------------------------------------------------------------

def parse_cell(text: str) -> ast.Module | None:
    """A cell (or file) as Python, with IPython magic and shell lines left out."""
    return _parse(text)[0]


def _parse(text: str) -> tuple[ast.Module | None, str]:
    try:
        return ast.parse(strip_magics(text)), ""
    except SyntaxError as err:
        return None, f"line {err.lineno}: {err.msg}"
    except (ValueError, RecursionError, MemoryError) as err:
        return None, type(err).__name__


def strip_magics(text: str) -> str:
    """Blank the lines that IPython would run as magics or shell commands.

    A line counts only where a statement starts (not inside brackets, a string
    or after a backslash); ``x = !ls`` keeps its assignment (of an unknown).
    ``%%time`` (and other cell magics that run Python) on the first line drops that
    line only; a cell under any other cell magic (``%%bash``, ``%%writefile``) is left out.
    """
    lines = text.split("\n")
    first = lines[0].strip() if lines else ""
    if first.startswith("%%") and first[2:].split(" ")[0] not in PYTHON_CELL_MAGICS:
        return ""            # %%bash, %%writefile, %%html...: the cell body is not run as Python
    out = []
    depth = 0
    quote: str | None = None
    continued = False
    for number, line in enumerate(lines):
        at_statement = depth == 0 and quote is None and not continued
        stripped = line.lstrip()
        if at_statement and stripped.startswith(("%", "!")):
            if number == 0 and stripped.startswith("%%"):
                out.append("")
            else:
                out.append("")
            continue
        if at_statement and "=" in line and not stripped.startswith("#"):
            head, _, tail = line.partition("=")
            if tail.lstrip().startswith(("!", "%")) and head.strip().replace(",", "") \
                    .replace(" ", "").replace("_", "a").isalnum() and not tail.startswith("="):
                out.append(f"{head}= __shell_output__")
                continue
        out.append(line)
        depth, quote, continued = _scan(line, depth, quote)
    return "\n".join(out)


def _scan(line: str, depth: int, quote: str | None) -> tuple[int, str | None, bool]:
    """Bracket depth and open string after a line (enough to find statement starts)."""
    i = 0
    n = len(line)
    while i < n:
        ch = line[i]
        if quote is not None:
            if ch == "\\":
                i += 2
                continue
            if line.startswith(quote, i):
                i += len(quote)
                quote = None
                continue
            i += 1
            continue
        if ch == "#":
            break
        if ch in "\"'":
            triple = line[i:i + 3]
            quote = triple if triple in ('"""', "'''") else ch
            i += len(quote)
            continue
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth = max(0, depth - 1)
        i += 1
    continued = line.rstrip().endswith("\\") and quote is None
    if quote is not None and len(quote) == 1:
        quote = None            # an unterminated short string ends with the line
    return depth, quote, continued


