"""Sequential models built in notebooks (``.ipynb``) and Python files, read with ``ast``.

Nothing is executed. The code cells are read in order as one module, and a
small static interpreter follows what a reader of the notebook would:

* ``model = Sequential()`` (any dotted spelling, with or without a layer list)
  starts a model; ``model.add(Layer(...))`` appends; ``model.pop()`` removes;
  ``model.build((None, 10))`` sets the input shape;
* simple module-level constants (``vocab_size = 5000``, arithmetic on them)
  and layer or initializer objects (``k_init = tf.keras.initializers.Constant(
  value=0.1)``, ``rnn = LSTM(3)``) are remembered and substituted;
* function bodies (``def build_model(units=64): ...``) are read with their
  parameter defaults; ``with`` and ``try`` bodies and ``if __name__ ==
  "__main__":`` are read in place.

A model that uses a value that cannot be known statically (``X.shape[1]``, a
loop variable) is skipped with a note on stderr naming the cell and line.
"""

from __future__ import annotations

import ast
import json
import re
import sys
from dataclasses import dataclass, field
from typing import Any

from rnncalc.errors import SpecError, terminal_safe
from rnncalc.interop import FoundModel
from rnncalc.layers.calls import Call
from rnncalc.spec.expressions import dotted_name
from rnncalc.spec.model import InputDecl, LayerDecl, ModelSpec

MAX_SOURCE_BYTES = 20 * 1024 * 1024
MAX_INT = 10**15
_MAGIC = re.compile(r"^\s*[!%]")
_MODEL_CLASSES = ("Sequential",)


@dataclass
class Cell:
    """One code cell: its source, 1-based position in the notebook and its ``In [n]``."""

    source: str
    number: int | None = None
    execution_count: int | None = None


@dataclass
class _Model:
    name: str | None
    where: str
    layers: list[tuple[Call, str]] = field(default_factory=list)
    build_shape: tuple[Any, ...] | None = None
    broken: str | None = None


class _Unknown(Exception):
    """A value that static reading cannot know."""


def read_code_models(path: str) -> list[FoundModel]:
    """Every Sequential model found in a notebook or ``.py`` file."""
    from rnncalc.spec.loader import read_text

    text, source = read_text(path)
    if len(text) > MAX_SOURCE_BYTES:
        raise SpecError(f"{path}: file too large")
    cells = notebook_cells(text, source) if path.lower().endswith(".ipynb") else [Cell(text)]
    return find_models(cells, source)


def notebook_cells(text: str, source: str) -> list[Cell]:
    """The code cells of an ``.ipynb`` document (nbformat 3 or 4)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise SpecError(f"{source}:{err.lineno}: not a notebook (invalid JSON: {err.msg})") \
            from None
    if not isinstance(data, dict):
        raise SpecError(f"{source}: not a notebook (expected a JSON object with 'cells')")
    raw = data.get("cells")
    if raw is None and isinstance(data.get("worksheets"), list) and data["worksheets"]:
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


def find_models(cells: list[Cell], source: str) -> list[FoundModel]:
    reader = _Reader(source)
    for cell in cells:
        reader.read_cell(cell)
    found = []
    for model in reader.models:
        if model.broken:
            sys.stderr.write(terminal_safe(f"note: {source}: the model built at {model.where} "
                                           f"is skipped: {model.broken}") + "\n")
            continue
        if not model.layers:
            continue
        found.append(model)
    if not found and reader.syntax_errors:
        # The model was most likely in the cell Python could not read: say where and why.
        raise SpecError(f"{source}: no Sequential model found; {reader.syntax_errors[0]}")
    total = len(found)
    return [FoundModel(_spec(m, source), f"{source}: model {i} of {total}, {m.where}")
            for i, m in enumerate(found, 1)]


def _spec(model: _Model, source: str) -> ModelSpec:
    inputs = ()
    if model.build_shape is not None:
        inputs = (InputDecl(None, model.build_shape, None, model.where),)
    layers = tuple(LayerDecl(call, None, (), f"layers[{i}]", where)
                   for i, (call, where) in enumerate(model.layers))
    return ModelSpec(model.name, inputs, layers, None, False, source)


_MODEL_WORDS = re.compile(r"Sequential|\bModel\(|layers\.|\.add\(")


class _Reader:
    def __init__(self, source: str) -> None:
        self.source = source
        self.models: list[_Model] = []
        self.cell: Cell = Cell("")
        #: syntax errors of cells that mention a model, as "cell 3 (In [2]), line 4: ..."
        self.syntax_errors: list[str] = []

    # -- places ----------------------------------------------------------------------

    def where(self, node: ast.AST) -> str:
        line = getattr(node, "lineno", 0)
        if self.cell.number is None:
            return f"line {line}"
        label = f"cell {self.cell.number}"
        if self.cell.execution_count is not None:
            label += f" (In [{self.cell.execution_count}])"
        return f"{label}, line {line}"

    def note(self, node: ast.AST, message: str) -> None:
        sys.stderr.write(terminal_safe(f"note: {self.source}: {self.where(node)}: {message}")
                         + "\n")

    # -- statements ------------------------------------------------------------------

    def read_cell(self, cell: Cell) -> None:
        self.cell = cell
        lines = ["" if _MAGIC.match(line) else line for line in cell.source.splitlines()]
        try:
            tree = ast.parse("\n".join(lines))
        except SyntaxError as err:
            where = (f"line {err.lineno}" if cell.number is None else
                     self.where(ast.Module(body=[], type_ignores=[])).replace(
                         "line 0", f"line {err.lineno}"))
            detail = f"{where}: syntax error: {err.msg}"
            if cell.number is None:
                raise SpecError(f"{self.source}: not valid Python: {detail}") from None
            if _MODEL_WORDS.search(cell.source):
                self.syntax_errors.append(detail)
            return          # a cell that is not Python (or pseudocode): nothing to read
        except (ValueError, RecursionError, MemoryError):
            if cell.number is None:
                raise SpecError(f"{self.source}: not valid Python") from None
            return
        self.block(tree.body, {})

    def block(self, body: list[ast.stmt], env: dict[str, Any]) -> None:
        for stmt in body:
            self.statement(stmt, env)

    def statement(self, stmt: ast.stmt, env: dict[str, Any]) -> None:
        if isinstance(stmt, ast.Assign):
            value = self.assigned(stmt.value, env)
            for target in stmt.targets:
                self.bind(target, value, env)
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            self.bind(stmt.target, self.assigned(stmt.value, env), env)
        elif isinstance(stmt, ast.AugAssign):
            self.bind(stmt.target, _UNKNOWN, env)
        elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
            self.method_call(stmt.value, env)
        elif isinstance(stmt, (ast.With, ast.AsyncWith)):
            self.block(stmt.body, env)
        elif isinstance(stmt, ast.Try):
            self.block(stmt.body, env)
        elif isinstance(stmt, ast.If) and _is_main_guard(stmt.test):
            self.block(stmt.body, env)
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self.function(stmt, env)
        elif isinstance(stmt, (ast.For, ast.While, ast.If)):
            self.forget(stmt, env)

    def function(self, node: ast.FunctionDef | ast.AsyncFunctionDef,
                 env: dict[str, Any]) -> None:
        scope = dict(env)
        args = node.args
        positional = [*args.posonlyargs, *args.args]
        defaults = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
        for arg, default in zip(positional, defaults):
            scope[arg.arg] = _UNKNOWN if default is None else self.assigned(default, env)
        for arg, default in zip(args.kwonlyargs, args.kw_defaults):
            scope[arg.arg] = _UNKNOWN if default is None else self.assigned(default, env)
        self.block(node.body, scope)

    def forget(self, stmt: ast.stmt, env: dict[str, Any]) -> None:
        """Loops and branches: names they assign become unknown; model.add inside is noted."""
        for node in ast.walk(stmt):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                if isinstance(env.get(node.id), _Model):
                    continue
                env[node.id] = _UNKNOWN
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                    node.func.attr == "add" and isinstance(node.func.value, ast.Name):
                model = env.get(node.func.value.id)
                if isinstance(model, _Model) and not model.broken:
                    model.broken = (f"layers added inside a loop or branch cannot be read "
                                    f"statically ({self.where(node)})")

    def bind(self, target: ast.expr, value: Any, env: dict[str, Any]) -> None:
        if isinstance(target, ast.Name):
            env[target.id] = value
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self.bind(element, _UNKNOWN, env)

    def assigned(self, node: ast.expr, env: dict[str, Any]) -> Any:
        """The value of an assignment's right-hand side, a new model, or unknown."""
        if isinstance(node, ast.Call) and _last(node.func) in _MODEL_CLASSES:
            return self.new_model(node, env)
        try:
            return self.value(node, env)
        except _Unknown:
            return _UNKNOWN

    def new_model(self, node: ast.Call, env: dict[str, Any]) -> _Model:
        model = _Model(None, self.where(node))
        self.models.append(model)
        try:
            kwargs = {kw.arg: kw.value for kw in node.keywords if kw.arg}
            if "name" in kwargs:
                name = self.value(kwargs["name"], env)
                model.name = name if isinstance(name, str) else None
            items = node.args[0] if node.args else kwargs.get("layers")
            if items is not None:
                if not isinstance(items, (ast.List, ast.Tuple)):
                    raise _Unknown(ast.unparse(items))
                for element in items.elts:
                    self.add(model, element, env)
        except _Unknown as err:
            model.broken = f"cannot know {err} statically ({self.where(node)})"
        return model

    def method_call(self, node: ast.Call, env: dict[str, Any]) -> None:
        func = node.func
        if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)):
            return
        target = env.get(func.value.id)
        if func.attr == "add" and not isinstance(target, _Model):
            if func.value.id not in env and node.args and _looks_like_layer(node.args[0]):
                self.note(node, f"'{func.value.id}.add(...)' but no Sequential model named "
                          f"'{func.value.id}' was built before; skipped")
            return
        if not isinstance(target, _Model) or target.broken:
            return
        try:
            if func.attr == "add" and node.args:
                self.add(target, node.args[0], env)
            elif func.attr == "pop" and target.layers:
                target.layers.pop()
            elif func.attr == "build":
                arg = node.args[0] if node.args else next(
                    (kw.value for kw in node.keywords if kw.arg == "input_shape"), None)
                if arg is not None:
                    shape = self.value(arg, env)
                    if isinstance(shape, (list, tuple)):
                        target.build_shape = tuple(shape)
        except _Unknown as err:
            target.broken = f"cannot know {err} statically ({self.where(node)})"

    def add(self, model: _Model, node: ast.expr, env: dict[str, Any]) -> None:
        layer = self.value(node, env)
        if not isinstance(layer, Call):
            raise _Unknown(f"the layer {ast.unparse(node)!r}")
        model.layers.append((layer, f"{self.source}: {self.where(node)}"))

    # -- values ----------------------------------------------------------------------

    def value(self, node: ast.expr, env: dict[str, Any]) -> Any:
        if isinstance(node, ast.Constant):
            if isinstance(node.value, (bytes, complex)) or node.value is Ellipsis:
                raise _Unknown(ast.unparse(node))
            return node.value
        if isinstance(node, ast.Name):
            if node.id in env and env[node.id] is not _UNKNOWN and \
                    not isinstance(env[node.id], _Model):
                return env[node.id]
            raise _Unknown(f"'{node.id}'")
        if isinstance(node, ast.Attribute):
            dotted = dotted_name(node)
            last = dotted.split(".")[-1] if dotted else ""
            if dotted and "." in dotted and last in _named_values():
                return last
            raise _Unknown(f"'{ast.unparse(node)}'")
        if isinstance(node, (ast.Tuple, ast.List)):
            items = [self.value(e, env) for e in node.elts]
            return tuple(items) if isinstance(node, ast.Tuple) else items
        if isinstance(node, ast.Dict):
            return {self.value(k, env): self.value(v, env) for k, v in zip(node.keys, node.values)
                    if k is not None}
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            operand = self.value(node.operand, env)
            if isinstance(operand, bool) or not isinstance(operand, (int, float)):
                raise _Unknown(ast.unparse(node))
            return -operand if isinstance(node.op, ast.USub) else operand
        if isinstance(node, ast.BinOp):
            return self.arithmetic(node, env)
        if isinstance(node, ast.Call):
            return self.call(node, env)
        raise _Unknown(f"'{ast.unparse(node)}'")

    def arithmetic(self, node: ast.BinOp, env: dict[str, Any]) -> Any:
        a, b = self.value(node.left, env), self.value(node.right, env)
        numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (a, b))
        if not numbers:
            raise _Unknown(f"'{ast.unparse(node)}'")
        ops = {ast.Add: lambda: a + b, ast.Sub: lambda: a - b, ast.Mult: lambda: a * b,
               ast.FloorDiv: lambda: a // b, ast.Div: lambda: a / b, ast.Mod: lambda: a % b}
        op = ops.get(type(node.op))
        if op is None or (isinstance(node.op, (ast.FloorDiv, ast.Div, ast.Mod)) and b == 0):
            raise _Unknown(f"'{ast.unparse(node)}'")
        result = op()
        if abs(result) > MAX_INT:
            raise _Unknown(f"'{ast.unparse(node)}' (too large)")
        return result

    def call(self, node: ast.Call, env: dict[str, Any]) -> Call:
        name = dotted_name(node.func)
        if name is None:
            raise _Unknown(f"'{ast.unparse(node)}'")
        args = []
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                raise _Unknown(f"'{ast.unparse(arg)}'")
            args.append(self.value(arg, env))
        kwargs = {}
        for kw in node.keywords:
            if kw.arg is None:
                raise _Unknown(f"'**{ast.unparse(kw.value)}'")
            kwargs[kw.arg] = self.value(kw.value, env)
        return Call(name.split(".")[-1], tuple(args), kwargs)


class _UnknownValue:
    def __repr__(self) -> str:
        return "<unknown>"


_UNKNOWN = _UnknownValue()


def _last(node: ast.AST) -> str:
    dotted = dotted_name(node)
    return dotted.split(".")[-1] if dotted else ""


def _looks_like_layer(node: ast.expr) -> bool:
    from rnncalc.layers import LAYER_KINDS

    return isinstance(node, ast.Call) and _last(node.func) in LAYER_KINDS


def _is_main_guard(test: ast.expr) -> bool:
    return (isinstance(test, ast.Compare) and isinstance(test.left, ast.Name)
            and test.left.id == "__name__")


def _named_values() -> set[str]:
    from rnncalc.layers.activations import ACTIVATIONS
    from rnncalc.layers.arguments import DTYPES

    return set(DTYPES) | set(ACTIVATIONS)
