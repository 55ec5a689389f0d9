"""A static reader of Keras code: follows the program without running it.

The code cells (or the ``.py`` file) are read in order as one program by a
small interpreter over :mod:`ast` that knows only plain data and Keras'
model-building calls:

* constants, arithmetic, f-strings, lists, dicts, comprehensions, ``**kwargs``;
* ``if`` on known values, ``for`` over known lists and ``range``; a branch or
  loop that cannot be followed makes what it assigns unknown, and a model it
  would change is skipped with the reason;
* functions and classes of the code, called with their arguments (helpers
  that build models, config classes, a tokenizer's ``vocabulary_size()``);
* Keras: layers (any ``keras.layers.X`` / ``tf.keras.layers.X`` / imported
  name), ``Input``, layer calls, ``Sequential`` (``add``/``pop``/``build``),
  ``Model(inputs, outputs)`` and ``keras.Model`` subclasses (``__init__`` makes
  layers, ``call`` is read like a functional model when the model is called).

Nothing is imported, opened or executed: an ``import`` only names a module,
calls into libraries give :class:`~rnncalc.interop.code_values.Unknown`
values that remember their source text (``x_train.shape[1]``), and ``--set``
bindings replace those by the user's values. Layer names are drawn from one
session-wide counter in creation order, as Keras 3 names them.
"""

from __future__ import annotations

import ast
import operator
from dataclasses import dataclass
from typing import Any

from rnncalc.interop.code_custom import add_weight, composite_layer, custom_layer, has_sublayers
from rnncalc.interop.code_keras import (
    _DATA_METHODS,
    KerasReading,
    _flatten,
    _tensor,
    functional_layers,
)
from rnncalc.interop.code_ops import touches_tensors
from rnncalc.interop.code_specs import shape_problem
from rnncalc.interop.code_values import (
    MISSING,
    ZERO_STATE,
    BoundMethod,
    Builtin,
    CallResult,
    FunctionalModel,
    InputNode,
    Instance,
    LayerObj,
    Model,
    Module,
    Namer,
    Opaque,
    Partial,
    SequentialModel,
    SubclassedModel,
    SuperProxy,
    Tensor,
    Unknown,
    UserClass,
    UserFunction,
    needs,
)
from rnncalc.interop.code_values import source_text as _source
from rnncalc.layers.calls import Call, dotted_name

MAX_NUMBER = 10**30
MAX_ITEMS = 100_000          # longest list/str a reading builds
MAX_LOOP = 10_000            # iterations of one loop followed
MAX_STEPS = 1_000_000        # evaluation steps for a whole file (about 5 s at worst)
LOOP_STEPS = 10_000         # steps one loop may take before it is given up
MAX_DEPTH = 40               # nested calls of the code's own functions

# Keras layer classes by name, besides the kinds rnncalc registers: a bare name
# (imported with ``from keras.layers import *``) is taken for a layer when listed.
OTHER_LAYERS = frozenset("""
Conv2D Conv3D Conv1DTranspose Conv2DTranspose SeparableConv1D SeparableConv2D DepthwiseConv1D
DepthwiseConv2D MaxPooling2D MaxPooling3D AveragePooling2D AveragePooling3D MaxPool2D AvgPool2D
GlobalMaxPooling2D GlobalAveragePooling2D GlobalMaxPool2D GlobalAvgPool2D ZeroPadding1D
ZeroPadding2D Cropping1D Cropping2D UpSampling1D UpSampling2D ConvLSTM1D ConvLSTM2D ConvLSTM3D
RNN SimpleRNNCell LSTMCell GRUCell StackedRNNCells Attention AdditiveAttention
MultiHeadAttention Dot Maximum Minimum TextVectorization StringLookup IntegerLookup Hashing
CategoryEncoding Normalization Lambda ReLU LeakyReLU PReLU ELU Softmax GaussianNoise
GaussianDropout AlphaDropout ActivityRegularization Identity UnitNormalization
GroupNormalization CuDNNLSTM CuDNNGRU ThresholdedReLU Rescaling Resizing
""".split())
KERAS_ROOTS = ("keras", "tensorflow", "tf", "tf_keras", "kr", "K")


def layer_names() -> frozenset[str]:
    from rnncalc.layers import LAYER_KINDS

    return frozenset(LAYER_KINDS) | OTHER_LAYERS


def _named_values() -> tuple[set[str], set[str]]:
    from rnncalc.layers.activations import ACTIVATIONS
    from rnncalc.layers.arguments import DTYPES

    return set(ACTIVATIONS), set(DTYPES)


class _Return(Exception):
    def __init__(self, value: Any) -> None:
        self.value = value


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


class _Halt(Exception):
    """Stop reading the current function (``raise``, a budget reached)."""


class _OverBudget(Exception):
    """A loop or comprehension took more steps than it may: it is given up."""


class Scope:
    """Names of one module or function call; lookups fall back to the enclosing scope."""

    def __init__(self, parent: Scope | None = None) -> None:
        self.vars: dict[str, Any] = {}
        self.parent = parent
        self.globals_names: set[str] = set()

    def lookup(self, name: str) -> Any:
        scope: Scope | None = self
        while scope is not None:
            if name in scope.vars:
                return scope.vars[name]
            scope = scope.parent
        return MISSING

    def root(self) -> Scope:
        scope = self
        while scope.parent is not None:
            scope = scope.parent
        return scope

    def set(self, name: str, value: Any) -> None:
        if name in self.globals_names:
            self.root().vars[name] = value
        else:
            self.vars[name] = value


@dataclass
class Place:
    """Where the reader is: the cell (``None`` for a ``.py`` file) and its prompt number."""

    cell: int | None = None
    execution_count: int | None = None

    def at(self, line: int) -> str:
        if self.cell is None:
            return f"line {line}"
        label = f"cell {self.cell}"
        if self.execution_count is not None:
            label += f" (In [{self.execution_count}])"
        return f"{label}, line {line}"


class Reader(KerasReading):
    """Reads statements in order; ``models`` collects every model the code builds."""

    def __init__(self, bindings: dict[str, Any] | None = None, source: str = "<code>") -> None:
        self.bindings = dict(bindings or {})
        self.source = source        # the file, for the places nested models name
        self.used_bindings: set[str] = set()
        self.namer = Namer()
        self.models: list[Model] = []
        self.place = Place()
        self.globals = Scope()
        self.globals.vars["__name__"] = "__main__"
        self.steps = 0
        self.depth = 0
        self.order = 0
        self.functions_called: set[int] = set()
        self.selves: list[Any] = []
        self.notes: list[str] = []
        self.exhausted = False
        self.deadlines: list[int] = []
        self.top_functions: list[UserFunction] = []
        self.layers = layer_names()
        self.activations, self.dtypes = _named_values()

    # -- places and unknowns ----------------------------------------------------------

    def where(self, node: ast.AST) -> str:
        return self.place.at(getattr(node, "lineno", 0))

    def unknown(self, node: ast.AST, reason: str = "") -> Any:
        """An unknown for ``node``'s source, or the user's ``--set`` value for it."""
        text = _source(node)
        if text in self.bindings:
            self.used_bindings.add(text)
            return self.bindings[text]
        return Unknown(text, self.where(node), reason)

    def tick(self) -> None:
        self.steps += 1
        if self.deadlines and self.steps > self.deadlines[-1]:
            raise _OverBudget()
        if self.steps > MAX_STEPS:
            if not self.exhausted:
                self.exhausted = True
                self.notes.append(f"{self.place.at(0).rsplit(', ', 1)[0]}: stopped reading "
                                  "here: the code takes too long to follow statically")
            raise _Halt("the reading budget is used up")

    # -- statements -------------------------------------------------------------------

    def run(self, tree: ast.Module, place: Place) -> None:
        self.place = place
        for stmt in tree.body:
            try:
                self.statement(stmt, self.globals)
            except (_Return, _Break, _Continue, _Halt):
                continue
            except RecursionError:
                self.forget(stmt, self.globals)

    def block(self, body: list[ast.stmt], scope: Scope) -> None:
        for stmt in body:
            self.statement(stmt, scope)

    def statement(self, stmt: ast.stmt, scope: Scope) -> None:
        self.tick()
        if isinstance(stmt, ast.Assign):
            value = self.ev(stmt.value, scope)
            for target in stmt.targets:
                self.assign(target, value, scope)
        elif isinstance(stmt, ast.AnnAssign):
            if stmt.value is not None:
                self.assign(stmt.target, self.ev(stmt.value, scope), scope)
        elif isinstance(stmt, ast.AugAssign):
            current = self.ev(_load(stmt.target), scope)
            value = self.binop(stmt.op, current, self.ev(stmt.value, scope), stmt)
            self.assign(stmt.target, value, scope)
        elif isinstance(stmt, ast.Expr):
            self.ev(stmt.value, scope)
        elif isinstance(stmt, ast.If):
            test = self.truth(self.ev(stmt.test, scope))
            if test is None and any(w in _source(stmt.test).lower() for w in _ACCELERATORS):
                test = False         # read as run on a CPU (the tutorials' "no GPU" branch)
                self.notes.append(f"{self.where(stmt)}: '{_source(stmt.test)}' is read as "
                                  "False (no GPU)")
            if test is None:
                self.forget(stmt, scope)
            else:
                self.block(stmt.body if test else stmt.orelse, scope)
        elif isinstance(stmt, (ast.For, ast.AsyncFor)):
            self.for_loop(stmt, scope)
        elif isinstance(stmt, ast.While):
            test = self.truth(self.ev(stmt.test, scope))
            if test is False:
                self.block(stmt.orelse, scope)
            else:
                self.forget(stmt, scope)
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self.define_function(stmt, scope)
        elif isinstance(stmt, ast.ClassDef):
            self.define_class(stmt, scope)
        elif isinstance(stmt, ast.Return):
            raise _Return(None if stmt.value is None else self.ev(stmt.value, scope))
        elif isinstance(stmt, ast.Import):
            for alias in stmt.names:
                if alias.asname:
                    scope.set(alias.asname, Module(alias.name))
                else:
                    top = alias.name.split(".")[0]
                    scope.set(top, Module(top))
        elif isinstance(stmt, ast.ImportFrom):
            base = stmt.module or ""
            for alias in stmt.names:
                if alias.name != "*":
                    scope.set(alias.asname or alias.name, Module(f"{base}.{alias.name}"))
        elif isinstance(stmt, (ast.With, ast.AsyncWith)):
            for item in stmt.items:
                if item.optional_vars is not None:
                    self.assign(item.optional_vars, self.unknown(item.context_expr), scope)
            self.block(stmt.body, scope)
        elif isinstance(stmt, ast.Try) or type(stmt).__name__ == "TryStar":
            self.block(stmt.body, scope)
            self.block(stmt.orelse, scope)
            self.block(stmt.finalbody, scope)
        elif isinstance(stmt, ast.Break):
            raise _Break()
        elif isinstance(stmt, ast.Continue):
            raise _Continue()
        elif isinstance(stmt, ast.Raise):
            raise _Halt("raise")
        elif isinstance(stmt, ast.Global):
            scope.globals_names.update(stmt.names)
        elif isinstance(stmt, ast.Delete):
            for target in stmt.targets:
                if isinstance(target, ast.Name):
                    scope.vars.pop(target.id, None)

    def for_loop(self, stmt: ast.For | ast.AsyncFor, scope: Scope) -> None:
        items = self.iterate(self.ev(stmt.iter, scope))
        keras_items = items is not None and any(
            isinstance(i, (LayerObj, Model, Tensor, CallResult, UserFunction, Partial))
            for i in items)
        if items is None and self.calls_a_model(stmt, scope):
            # ``for batch in dataset.take(1): model(batch)``: the body as its first pass
            self.forget_target(stmt.target, scope)
            try:
                self.block(stmt.body, scope)
            except (_Break, _Continue):
                pass
            return
        if items is None or not (keras_items or self.builds_something(stmt, scope)):
            self.forget(stmt, scope)      # a training or data loop: nothing to follow
            return
        own = self.push_deadline()
        try:
            for item in items:
                self.assign(stmt.target, item, scope)
                try:
                    self.block(stmt.body, scope)
                except _Break:
                    return
                except _Continue:
                    continue
        except _OverBudget:
            if not own:
                raise
            self.deadlines.pop()
            self.forget(stmt, scope)
            self.deadlines.append(0)        # popped again below
            return
        finally:
            self.deadlines.pop()
        self.block(stmt.orelse, scope)

    def push_deadline(self) -> bool:
        """Give the loop starting now its step budget (within any enclosing one's).

        Returns whether the deadline is the loop's own rather than the enclosing
        one's: only then does the loop handle running over it."""
        deadline = self.steps + LOOP_STEPS
        own = not self.deadlines or deadline < self.deadlines[-1]
        self.deadlines.append(deadline if own else self.deadlines[-1])
        return own

    def builds_something(self, stmt: ast.stmt, scope: Scope) -> bool:
        """Whether a loop may build or change a model (else it is not followed): it calls
        ``add``/``append``-like methods, a class (a layer, a model), or a function of the
        code, or stores into a container."""
        for node in ast.walk(stmt):
            if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store) and \
                    isinstance(node.value, ast.Name) and \
                    isinstance(scope.lookup(node.value.id), (dict, list)):
                return True
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else \
                func.id if isinstance(func, ast.Name) else ""
            if name in _MUTATORS or name[:1].isupper():
                return True
            target = scope.lookup(func.id) if isinstance(func, ast.Name) else MISSING
            if isinstance(target, (UserClass, LayerObj, Partial, Model)) or (
                    isinstance(target, UserFunction) and self.function_builds(target)):
                return True
            if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and \
                    isinstance(scope.lookup(func.value.id), (Instance, UserClass)):
                return True
        return False

    def calls_a_model(self, stmt: ast.stmt, scope: Scope) -> bool:
        """Whether a loop over data calls a model on it (and changes no model's layers)."""
        called = False
        for node in ast.walk(stmt):
            if isinstance(node, ast.Call):
                func = node.func
                if isinstance(func, ast.Attribute) and func.attr in ("add", "pop", "build"):
                    return False
                if isinstance(func, ast.Name) and isinstance(scope.lookup(func.id), Model):
                    called = True
                if isinstance(func, ast.Attribute) and func.attr in _DATA_METHODS and \
                        isinstance(func.value, ast.Name) and \
                        isinstance(scope.lookup(func.value.id), Model):
                    called = True
        return called

    def function_builds(self, func: UserFunction) -> bool:
        """Whether a function of the code calls a class or an ``add``-like method."""
        for node in ast.walk(func.node):
            if isinstance(node, ast.Call):
                f = node.func
                name = f.attr if isinstance(f, ast.Attribute) else \
                    f.id if isinstance(f, ast.Name) else ""
                if name in _MUTATORS or name[:1].isupper():
                    return True
                if isinstance(f, ast.Name) and f.id != getattr(func.node, "name", None) and \
                        isinstance(func.scope.lookup(f.id), UserFunction):
                    return True
        return False

    def iterate(self, value: Any) -> list[Any] | None:
        """The items of a known iterable, or ``None``."""
        if isinstance(value, range):
            return list(value) if len(value) <= MAX_LOOP else None
        if isinstance(value, dict):
            value = list(value)
        if isinstance(value, (list, tuple, str)) and len(value) <= MAX_LOOP:
            return list(value)
        return None

    def forget(self, stmt: ast.stmt, scope: Scope) -> None:
        """A branch or loop that cannot be followed: what it assigns becomes unknown,
        and a model it changes cannot be read."""
        reason = f"a loop or branch that cannot be followed ({self.where(stmt)})"
        for node in ast.walk(stmt):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                scope.set(node.id, Unknown(node.id, self.where(node), reason))
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                    node.func.attr in ("add", "pop", "build"):
                try:
                    target = self.ev(node.func.value, scope)
                except (_Halt, _Return, _Break, _Continue, RecursionError):
                    continue
                if isinstance(target, SequentialModel):
                    target.fail(f"layers are added inside {reason}")

    def define_function(self, node: ast.FunctionDef | ast.AsyncFunctionDef, scope: Scope) -> None:
        kind = "function"
        for deco in node.decorator_list:
            name = _source(deco)
            if name == "staticmethod":
                kind = "staticmethod"
            elif name == "classmethod":
                kind = "classmethod"
        func = UserFunction(node, scope, self.defaults(node.args, scope), kind,
                            place=self.place)
        scope.set(node.name, func)
        if scope is self.globals:
            self.top_functions.append(func)

    def defaults(self, args: ast.arguments, scope: Scope) -> dict[str, Any]:
        positional = [*args.posonlyargs, *args.args]
        values: dict[str, Any] = {}
        for arg, default in zip(positional[len(positional) - len(args.defaults):], args.defaults):
            values[arg.arg] = self.ev(default, scope)
        for arg, default in zip(args.kwonlyargs, args.kw_defaults):
            if default is not None:
                values[arg.arg] = self.ev(default, scope)
        return values

    def define_class(self, node: ast.ClassDef, scope: Scope) -> None:
        bases = [self.ev(b, scope) for b in node.bases]
        keras_base = None
        for base in bases:
            if isinstance(base, Module) and base.last in ("Model", "Sequential"):
                keras_base = "Model"
            elif isinstance(base, Module) and base.last == "Layer":
                keras_base = keras_base or "Layer"
            elif isinstance(base, UserClass) and base.keras_base:
                keras_base = keras_base or base.keras_base
        cls = UserClass(node.name, bases, {}, keras_base, self.where(node))
        if any(_source(d).split("(")[0].endswith("dataclass") for d in node.decorator_list):
            cls.fields = [s.target.id for s in node.body
                          if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name)]
        body = Scope(scope)
        self.block(node.body, body)
        for name, value in body.vars.items():
            if isinstance(value, UserFunction):
                value.owner = cls
            cls.attrs[name] = value
        scope.set(node.name, cls)

    def assign(self, target: ast.expr, value: Any, scope: Scope) -> None:
        if isinstance(target, ast.Name):
            if target.id in self.bindings:
                self.used_bindings.add(target.id)
                value = self.bindings[target.id]
            elif isinstance(value, Unknown) and value.text != target.id and not value.reason:
                # later uses name the variable: that is what the user knows (and can --set)
                value = Unknown(target.id, self.where(target), "", value.origin or value.text)
            scope.set(target.id, value)
        elif isinstance(target, (ast.Tuple, ast.List)):
            self.unpack(target, value, scope)
        elif isinstance(target, ast.Subscript):
            container = self.ev(target.value, scope)
            key = self.ev(target.slice, scope)
            if isinstance(container, dict) and _hashable(key):
                container[key] = value
            elif isinstance(container, list) and isinstance(key, int) and \
                    -len(container) <= key < len(container):
                container[key] = value
        elif isinstance(target, ast.Attribute):
            owner = self.ev(target.value, scope)
            if isinstance(owner, (Instance, SubclassedModel, UserClass)):
                owner.attrs[target.attr] = value
        elif isinstance(target, ast.Starred):
            self.assign(target.value, value, scope)

    def unpack(self, target: ast.Tuple | ast.List, value: Any, scope: Scope) -> None:
        elts = target.elts
        if isinstance(value, CallResult) and any(isinstance(e, ast.Starred) for e in elts):
            # ``out, *states = lstm(x)``: as many tensors as the layer call returns
            from rnncalc.interop.code_specs import output_shapes

            shapes = output_shapes(value.tensor(0))
            if shapes is not None:
                value = [value.tensor(k) for k in range(len(shapes))]
        if isinstance(value, CallResult):
            for k, element in enumerate(elts):
                self.assign(element, value.tensor(k), scope)
            return
        if isinstance(value, (list, tuple, str)) and not any(
                isinstance(e, ast.Starred) for e in elts):
            if len(value) == len(elts):
                for element, item in zip(elts, value):
                    self.assign(element, item, scope)
                return
        if isinstance(value, (list, tuple)) and sum(isinstance(e, ast.Starred) for e in elts) == 1:
            star = next(i for i, e in enumerate(elts) if isinstance(e, ast.Starred))
            after = len(elts) - star - 1
            if len(value) >= len(elts) - 1:
                for element, item in zip(elts[:star], value[:star]):
                    self.assign(element, item, scope)
                self.assign(elts[star], list(value[star:len(value) - after]), scope)
                for element, item in zip(elts[star + 1:], value[len(value) - after:]):
                    self.assign(element, item, scope)
                return
        for element in elts:
            self.forget_target(element, scope)

    def forget_target(self, target: ast.expr, scope: Scope) -> None:
        for node in ast.walk(target):
            if isinstance(node, ast.Name):
                self.assign(node, self.unknown(node), scope)

    # -- expressions ------------------------------------------------------------------

    def ev(self, node: ast.expr, scope: Scope) -> Any:
        self.tick()
        method = getattr(self, f"ev_{type(node).__name__}", None)
        if method is None:
            return self.unknown(node)
        return method(node, scope)

    def ev_Constant(self, node: ast.Constant, scope: Scope) -> Any:
        if isinstance(node.value, (bytes, complex)) or node.value is Ellipsis:
            return self.unknown(node)
        return node.value

    def ev_Name(self, node: ast.Name, scope: Scope) -> Any:
        value = scope.lookup(node.id)
        if value is MISSING or isinstance(value, Unknown):
            if node.id in self.bindings:
                self.used_bindings.add(node.id)
                return self.bindings[node.id]
        if value is not MISSING:
            return value
        if node.id in self.layers or node.id in ("Sequential", "Model", "Input", "InputLayer"):
            return Module(f"keras.layers.{node.id}")
        if node.id in KERAS_ROOTS[:4] or node.id == "layers":
            return Module(node.id)
        if node.id in _BUILTINS:
            return Builtin(node.id)
        return self.unknown(node)

    def ev_Attribute(self, node: ast.Attribute, scope: Scope) -> Any:
        owner = self.ev(node.value, scope)
        attr = node.attr
        if isinstance(owner, Module):
            if attr in self.activations and any(p in owner.path.split(".")
                                                for p in ("nn", "activations")):
                return attr
            if attr in self.dtypes and owner.path.split(".")[0] in KERAS_ROOTS + ("np",
                                                                                  "numpy"):
                return attr
            return Module(f"{owner.path}.{attr}")
        if isinstance(owner, Instance) and owner.cls is _PARSER:
            return Builtin(f"argparse.{attr}", owner)
        if isinstance(owner, (Instance, SubclassedModel)):
            if attr in owner.attrs:
                return owner.attrs[attr]
            cls = owner.cls
            found = cls.lookup(attr) if cls is not None else MISSING
            if isinstance(found, UserFunction):
                if found.kind == "staticmethod":
                    return found
                if found.kind == "classmethod":
                    return BoundMethod(found, cls)
                return BoundMethod(found, owner)
            if found is not MISSING:
                return found
            if isinstance(owner, SubclassedModel) and attr == "layers":
                return [v for value in owner.attrs.values()       # tracked in assignment order
                        for v in (value if isinstance(value, list) else [value])
                        if isinstance(v, LayerObj)]
            if isinstance(owner, SubclassedModel):
                return Builtin(f"model.{attr}", owner)
            if isinstance(owner, Instance) and owner.cls.keras_base == "Layer":
                return Builtin(f"custom.{attr}", owner)      # self.add_weight, ...
            return self.unknown(node)
        if isinstance(owner, UserClass):
            found = owner.lookup(attr)
            if isinstance(found, UserFunction) and found.kind == "classmethod":
                return BoundMethod(found, owner)
            return self.unknown(node) if found is MISSING else found
        if isinstance(owner, FunctionalModel) and attr in ("input", "inputs", "output",
                                                          "outputs", "layers"):
            if attr == "layers":
                return functional_layers(owner)
            tensors = owner.inputs if attr.startswith("input") else owner.outputs
            return tensors[0] if attr in ("input", "output") and len(tensors) == 1 else \
                list(tensors)
        if isinstance(owner, SequentialModel) and attr in ("input", "inputs", "output",
                                                           "outputs", "layers"):
            graph = self.sequential_graph(owner)
            if attr == "layers":
                return [item for item in owner.items if isinstance(item, LayerObj)]
            if graph is None:
                return self.unknown(node)
            tensors = graph[0] if attr.startswith("input") else graph[1]
            return tensors[0] if attr in ("input", "output") else list(tensors)
        if isinstance(owner, (SequentialModel, FunctionalModel)):
            return Builtin(f"model.{attr}", owner)
        if isinstance(owner, Tensor) and isinstance(owner.source, InputNode) and \
                attr == "output":
            return owner                  # model.layers[0] of a functional model: its input
        if isinstance(owner, (Tensor, CallResult)) and attr == "shape":
            shape = self.tensor_shape(_tensor(owner))   # a symbolic tensor's static shape
            return shape if shape is not None else self.unknown(node)
        if isinstance(owner, LayerObj) and attr in ("output", "input") and \
                len(owner.calls) == 1:
            call = owner.calls[0]
            if attr == "output":
                return CallResult(call)
            return call.inputs[0] if len(call.inputs) == 1 else list(call.inputs)
        if isinstance(owner, SuperProxy):
            return Builtin(f"super.{attr}", owner.self_value)
        if isinstance(owner, LayerObj):
            return Builtin(f"layer.{attr}", owner)
        if isinstance(owner, (list, dict, str, tuple)) and f"{_kind(owner)}.{attr}" in _METHODS:
            return Builtin(f"{_kind(owner)}.{attr}", owner)
        return self.unknown(node)

    def ev_Subscript(self, node: ast.Subscript, scope: Scope) -> Any:
        owner = self.ev(node.value, scope)
        key = self.index_value(node.slice, scope) if isinstance(owner, (Tensor, CallResult)) \
            else self.ev(node.slice, scope)
        if isinstance(owner, CallResult) and isinstance(key, int) and key >= 0:
            return owner.tensor(key)
        if isinstance(owner, (Tensor, CallResult)):
            if isinstance(key, Unknown):
                return Opaque(needs(key, f"the index of '{_source(node)}' ({self.where(node)})"))
            return self.tensor_subscript(owner, key, node)    # Keras' GetItem
        if isinstance(owner, (list, tuple, str)) and isinstance(key, (int, slice)) and \
                not isinstance(key, bool):
            try:
                return owner[key]
            except IndexError:
                return self.unknown(node)
        if isinstance(owner, dict) and _hashable(key) and key in owner:
            return owner[key]
        return self.unknown(node)

    def index_value(self, node: ast.expr, scope: Scope) -> Any:
        """A subscript of a tensor: ``...`` is an index there (Ellipsis is unknown elsewhere)."""
        if isinstance(node, ast.Constant) and node.value is Ellipsis:
            return Ellipsis
        if isinstance(node, ast.Tuple):
            items = tuple(self.index_value(e, scope) for e in node.elts)
            unknown = [i for i in items if isinstance(i, Unknown)]
            return unknown[0] if unknown else items
        return self.ev(node, scope)

    def ev_Slice(self, node: ast.Slice, scope: Scope) -> Any:
        parts = [None if p is None else self.ev(p, scope) for p in (node.lower, node.upper,
                                                                     node.step)]
        if all(p is None or (isinstance(p, int) and not isinstance(p, bool)) for p in parts):
            return slice(*parts)
        return self.unknown(node)

    def ev_Tuple(self, node: ast.Tuple, scope: Scope) -> Any:
        return tuple(self.elements(node.elts, scope, node))

    def ev_List(self, node: ast.List, scope: Scope) -> Any:
        return self.elements(node.elts, scope, node)

    def ev_Set(self, node: ast.Set, scope: Scope) -> Any:
        items = self.elements(node.elts, scope, node)
        return set(items) if all(_hashable(i) for i in items) else self.unknown(node)

    def elements(self, elts: list[ast.expr], scope: Scope, node: ast.expr) -> list[Any]:
        items: list[Any] = []
        for element in elts:
            if isinstance(element, ast.Starred):
                inner = self.ev(element.value, scope)
                if isinstance(inner, (list, tuple)):
                    items.extend(inner)
                else:
                    items.append(self.unknown(element))
            else:
                items.append(self.ev(element, scope))
        return items

    def ev_Dict(self, node: ast.Dict, scope: Scope) -> Any:
        result: dict[Any, Any] = {}
        for key, value in zip(node.keys, node.values):
            if key is None:
                inner = self.ev(value, scope)
                if not isinstance(inner, dict):
                    return self.unknown(node)
                result.update(inner)
                continue
            k = self.ev(key, scope)
            if not _hashable(k):
                return self.unknown(node)
            result[k] = self.ev(value, scope)
        return result

    def ev_JoinedStr(self, node: ast.JoinedStr, scope: Scope) -> Any:
        parts = []
        for value in node.values:
            if isinstance(value, ast.Constant):
                parts.append(str(value.value))
                continue
            if not isinstance(value, ast.FormattedValue):
                return self.unknown(node)
            inner = self.ev(value.value, scope)
            if not _plain_scalar(inner):
                return self.unknown(node)
            spec = ""
            if value.format_spec is not None:
                spec = self.ev(value.format_spec, scope)
                if not isinstance(spec, str):
                    return self.unknown(node)
            if value.conversion == ord("r"):
                inner = repr(inner)
            elif value.conversion in (ord("s"), ord("a")):
                inner = str(inner)
            try:
                parts.append(format(inner, spec))
            except (ValueError, TypeError):
                return self.unknown(node)
        text = "".join(parts)
        return text if len(text) <= MAX_ITEMS else self.unknown(node)

    def ev_BinOp(self, node: ast.BinOp, scope: Scope) -> Any:
        return self.binop(node.op, self.ev(node.left, scope), self.ev(node.right, scope), node)

    def binop(self, op: ast.operator, a: Any, b: Any, node: ast.AST) -> Any:
        for side in (a, b):
            if isinstance(side, Opaque):
                return side
        if isinstance(a, (Tensor, CallResult)) or isinstance(b, (Tensor, CallResult)):
            return self.tensor_operator(op, a, b, node)     # a Keras operation node
        for side in (a, b):
            if isinstance(side, Unknown):
                return side
        if isinstance(op, ast.Add) and type(a) is type(b) and isinstance(a, (list, tuple)):
            return a + b if len(a) + len(b) <= MAX_ITEMS else self.unknown(node)
        func = _BINOPS.get(type(op))
        if func is None or not (_plain(a) and _plain(b)):
            return self.unknown(node)
        if isinstance(op, ast.Pow) and isinstance(b, (int, float)) and abs(b) > 256:
            return self.unknown(node)
        if isinstance(op, (ast.LShift, ast.RShift)) and isinstance(b, int) and b > 256:
            return self.unknown(node)
        if isinstance(op, ast.Mult) and isinstance(a, (str, list, tuple)) or \
                isinstance(op, ast.Mult) and isinstance(b, (str, list, tuple)):
            size = (len(a) * b) if isinstance(a, (str, list, tuple)) and isinstance(b, int) \
                else (len(b) * a) if isinstance(a, int) else MAX_ITEMS + 1
            if size > MAX_ITEMS:
                return self.unknown(node)
        try:
            result = func(a, b)
        except Exception:      # ZeroDivisionError, TypeError, ... on plain data
            return self.unknown(node)
        if isinstance(result, (int, float)) and not isinstance(result, bool) and \
                abs(result) > MAX_NUMBER:
            return self.unknown(node)
        if isinstance(result, (str, list, tuple)) and len(result) > MAX_ITEMS:
            return self.unknown(node)
        return result

    def ev_UnaryOp(self, node: ast.UnaryOp, scope: Scope) -> Any:
        operand = self.ev(node.operand, scope)
        if isinstance(operand, (Tensor, CallResult)) and not isinstance(node.op, ast.Not):
            return self.tensor_operator(node.op, operand, None, node)
        if isinstance(node.op, ast.Not):
            test = self.truth(operand)
            return self.unknown(node) if test is None else not test
        if isinstance(operand, (int, float)) and not isinstance(operand, bool):
            if isinstance(node.op, ast.USub):
                return -operand
            if isinstance(node.op, ast.UAdd):
                return operand
            if isinstance(node.op, ast.Invert) and isinstance(operand, int):
                return ~operand
        return operand if isinstance(operand, Unknown) else self.unknown(node)

    def ev_BoolOp(self, node: ast.BoolOp, scope: Scope) -> Any:
        last: Any = None
        for value_node in node.values:
            last = self.ev(value_node, scope)
            test = self.truth(last)
            if test is None:
                return self.unknown(node)
            if isinstance(node.op, ast.And) and not test:
                return last
            if isinstance(node.op, ast.Or) and test:
                return last
        return last

    def ev_Compare(self, node: ast.Compare, scope: Scope) -> Any:
        left = self.ev(node.left, scope)
        for op, right_node in zip(node.ops, node.comparators):
            right = self.ev(right_node, scope)
            if isinstance(left, (Tensor, CallResult)) or isinstance(right, (Tensor, CallResult)):
                if len(node.ops) > 1 or isinstance(op, (ast.Is, ast.IsNot, ast.In, ast.NotIn)):
                    return self.unknown(node)
                return self.tensor_operator(op, left, right, node)
            if isinstance(op, (ast.Is, ast.IsNot)):
                if isinstance(left, Unknown) or isinstance(right, Unknown):
                    return self.unknown(node)
                same = left is right or (left is None and right is None)
                result = same if isinstance(op, ast.Is) else not same
            else:
                if not (_plain(left) and _plain(right)):
                    return self.unknown(node)
                try:
                    result = _COMPARE[type(op)](left, right)
                except Exception:
                    return self.unknown(node)
            if not result:
                return False
            left = right
        return True

    def ev_IfExp(self, node: ast.IfExp, scope: Scope) -> Any:
        test = self.truth(self.ev(node.test, scope))
        if test is None:
            return self.unknown(node)
        return self.ev(node.body if test else node.orelse, scope)

    def ev_Lambda(self, node: ast.Lambda, scope: Scope) -> Any:
        return UserFunction(node, scope, self.defaults(node.args, scope), place=self.place)

    def ev_NamedExpr(self, node: ast.NamedExpr, scope: Scope) -> Any:
        value = self.ev(node.value, scope)
        self.assign(node.target, value, scope)
        return value

    def ev_ListComp(self, node: ast.ListComp, scope: Scope) -> Any:
        items = self.comprehension(node, node.generators, scope, lambda s: [self.ev(node.elt, s)])
        return self.unknown(node) if items is None else items

    ev_GeneratorExp = ev_ListComp

    def ev_SetComp(self, node: ast.SetComp, scope: Scope) -> Any:
        items = self.ev_ListComp(node, scope)  # type: ignore[arg-type]
        if isinstance(items, list) and all(_hashable(i) for i in items):
            return set(items)
        return self.unknown(node)

    def ev_DictComp(self, node: ast.DictComp, scope: Scope) -> Any:
        pairs = self.comprehension(node, node.generators, scope,
                                   lambda s: [(self.ev(node.key, s), self.ev(node.value, s))])
        if pairs is None or not all(_hashable(k) for k, _ in pairs):
            return self.unknown(node)
        return dict(pairs)

    def comprehension(self, node: ast.expr, generators: list[ast.comprehension], scope: Scope,
                      produce) -> list[Any] | None:
        inner = Scope(scope)
        results: list[Any] = []

        def walk(k: int) -> bool:
            if k == len(generators):
                results.extend(produce(inner))
                return len(results) <= MAX_ITEMS
            gen = generators[k]
            items = self.iterate(self.ev(gen.iter, inner))
            if items is None:
                return False
            for item in items:
                self.assign(gen.target, item, inner)
                tests = [self.truth(self.ev(t, inner)) for t in gen.ifs]
                if any(t is None for t in tests):
                    return False
                if all(tests) and not walk(k + 1):
                    return False
            return True

        own = self.push_deadline()
        try:
            return results if walk(0) else None
        except _OverBudget:
            if not own:
                raise
            return None
        finally:
            self.deadlines.pop()

    def ev_Await(self, node: ast.Await, scope: Scope) -> Any:
        return self.ev(node.value, scope)

    # -- calls ------------------------------------------------------------------------

    def ev_Call(self, node: ast.Call, scope: Scope) -> Any:
        func = self.ev(node.func, scope)
        args: list[Any] = []
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                inner = self.ev(arg.value, scope)
                if isinstance(inner, (list, tuple)):
                    args.extend(inner)
                else:
                    return self.unknown(node)
            else:
                args.append(self.ev(arg, scope))
        kwargs: dict[str, Any] = {}
        for kw in node.keywords:
            if kw.arg is None:
                inner = self.ev(kw.value, scope)
                if not isinstance(inner, dict) or not all(isinstance(k, str) for k in inner):
                    return self.unknown(node)
                kwargs.update(inner)
            else:
                kwargs[kw.arg] = self.ev(kw.value, scope)
        return self.call(func, args, kwargs, node)

    def call(self, func: Any, args: list[Any], kwargs: dict[str, Any], node: ast.Call) -> Any:
        if isinstance(func, Unknown) and isinstance(node.func, ast.Attribute) and \
                node.func.attr == "add" and isinstance(node.func.value, ast.Name) and \
                args and isinstance(args[0], LayerObj) and \
                self.globals.lookup(node.func.value.id) is MISSING:
            name = node.func.value.id
            self.notes.append(f"{self.where(node)}: '{name}.add(...)' but no Sequential model "
                              f"named '{name}' was built before; skipped")
        if isinstance(func, Module):
            return self.keras_call(func, args, kwargs, node)
        if isinstance(func, str) and touches_tensors(args, kwargs):
            dotted = dotted_name(node.func)      # tf.nn.softmax: read as an activation name
            found = self.foreign_function(dotted, args, kwargs, node) if dotted and \
                dotted.split(".")[0] in ("tf", "tensorflow", "K") else None
            if found is not None:
                return found
        if isinstance(func, Builtin):
            return self.builtin(func, args, kwargs, node)
        if isinstance(func, UserFunction):
            return self.invoke(func, args, kwargs, node)
        if isinstance(func, BoundMethod):
            return self.invoke(func.function, [func.self_value, *args], kwargs, node)
        if isinstance(func, UserClass):
            return self.instantiate(func, args, kwargs, node)
        if isinstance(func, Partial):
            return self.call(func.func, [*func.args, *args], {**func.kwargs, **kwargs}, node)
        if isinstance(func, LayerObj):
            return self.call_layer(func, args, kwargs, node)
        if isinstance(func, SequentialModel) and not func.has_input and args and \
                isinstance(args[0], Unknown):
            return self.model_method(func, "predict_on_batch", args, kwargs, node)
        if isinstance(func, SequentialModel) and not func.has_input and args and \
                isinstance(_tensor(args[0]), Tensor):
            shape = self.tensor_shape(_tensor(args[0]))
            if shape is not None:
                func.build_shape = shape          # Keras builds it on this first call
                func.has_input = True
                self.namer.auto("InputLayer")
                self.namer.auto("Functional")
        if isinstance(func, SequentialModel) and func.items and all(
                isinstance(item, (LayerObj, InputNode)) for item in func.items):
            return self.call_layer(self.nested_sequential(func, node), args, kwargs, node)
        if isinstance(func, FunctionalModel):
            nested = self.nested_functional(func, node)
            if isinstance(nested, Opaque):
                return nested
            return self.call_layer(nested, args, kwargs, node)
        if isinstance(func, SequentialModel):
            return Opaque(f"model '{func.name}' is used as a layer ({self.where(node)}) before "
                          "it has layers")
        if isinstance(func, SubclassedModel):
            self.trace(func, args, kwargs, node)
            return Opaque(f"model '{func.name}' is used as a layer ({self.where(node)}); "
                          "nested models are not supported yet")
        if isinstance(func, Instance) and func.cls.keras_base == "Layer" and \
                has_sublayers(func):
            layer = composite_layer(self, func, args, kwargs, node)
            if isinstance(layer, Opaque):
                return layer
            return self.call_layer(layer, args, {k: v for k, v in kwargs.items()
                                                 if k == "initial_state"}, node)
        if isinstance(func, Instance) and func.cls.keras_base == "Layer":
            inputs = [_tensor(v) for v in _flatten(list(args) if args else kwargs.get("inputs"))]
            bad = next((v for v in inputs if not isinstance(v, Tensor)), None)
            if bad is not None or not inputs:
                return bad if isinstance(bad, Opaque) else Opaque(self.explain(
                    bad, f"the input of custom layer '{func.cls.name}' ({self.where(node)})"))
            shapes = [self.tensor_shape(v) for v in inputs]
            why = next((shape_problem(v) for v, s in zip(inputs, shapes) if s is None), None)
            layer = custom_layer(self, func, shapes, node, why, separate=len(args) > 1)
            if isinstance(layer, Opaque):
                return layer
            return self.call_layer(layer, args, kwargs, node)
        return self.unknown(node)

    def nested_sequential(self, model: SequentialModel, node: ast.AST) -> LayerObj:
        """A Sequential called on a tensor, as the one layer Keras makes of it: its layers
        (their Keras names kept, their own input arguments dropped) inside a nested model."""
        cached = getattr(model, "as_layer", None)
        if cached is not None:
            return cached
        inner = [Call(item.call.name, item.call.args,
                      {**{k: v for k, v in item.call.kwargs.items()
                          if k not in ("input_shape", "batch_input_shape", "input_dim",
                                       "input_length")}, "name": item.name})
                 for item in model.items if isinstance(item, LayerObj)]
        layer = LayerObj(Call("Sequential", (), {"name": model.name, "layers": inner}),
                         model.name, self.where(node))
        model.as_layer = layer        # a second call is a shared call of the same layer
        return layer

    def name_custom_layer(self, instance: Instance, kwargs: dict[str, Any]) -> None:
        """Keras' ``Layer.__init__`` names the object: ``name=``, else its class in
        snake_case with the session's counter."""
        if "name" in instance.layer_state:
            return
        given = kwargs.get("name")
        instance.layer_state["name"] = given if isinstance(given, str) else \
            self.namer.auto(instance.cls.name)

    def nested_functional(self, model: FunctionalModel, node: ast.AST) -> LayerObj | Opaque:
        """A functional model called on tensors, as the one layer Keras makes of it: its
        inputs, layers (Keras names kept) and outputs inside a nested model; a second call is
        a shared call of the same layer. Opaque when the model itself cannot be read."""
        from rnncalc.interop.code_specs import nested_model_call

        cached = getattr(model, "as_layer", None)
        if cached is not None:
            return cached
        call, problem = nested_model_call(model, self.source)
        if call is None:
            return Opaque(f"model '{model.name}' is used as a layer ({self.where(node)}) but "
                          f"cannot be read: {problem}")
        layer = LayerObj(call, model.name, self.where(node))
        model.as_layer = layer
        return layer

    def invoke(self, func: UserFunction, args: list[Any], kwargs: dict[str, Any],
               node: ast.AST) -> Any:
        if self.depth >= MAX_DEPTH:
            return self.unknown(node, "calls nested too deeply")
        self.functions_called.add(id(func))
        scope = Scope(func.scope)
        spec = func.node.args
        positional = [*spec.posonlyargs, *spec.args]
        for k, arg in enumerate(positional):
            if k < len(args):
                scope.vars[arg.arg] = args[k]
            elif arg.arg in kwargs:
                scope.vars[arg.arg] = kwargs.pop(arg.arg)
            elif arg.arg in func.defaults:
                scope.vars[arg.arg] = func.defaults[arg.arg]
            else:
                scope.vars[arg.arg] = Unknown(arg.arg, self.where(node),
                                              "an argument the call does not give")
        if spec.vararg is not None:
            scope.vars[spec.vararg.arg] = tuple(args[len(positional):])
        for arg in spec.kwonlyargs:
            if arg.arg in kwargs:
                scope.vars[arg.arg] = kwargs.pop(arg.arg)
            else:
                scope.vars[arg.arg] = func.defaults.get(
                    arg.arg, Unknown(arg.arg, self.where(node), "a missing argument"))
        if spec.kwarg is not None:
            scope.vars[spec.kwarg.arg] = dict(kwargs)
        self.depth += 1
        method = func.owner is not None and func.kind == "function" and bool(args)
        if method:
            self.selves.append(args[0])
        caller_place = self.place
        if func.place is not None:
            self.place = func.place      # lines inside the function are in its own cell
        try:
            if isinstance(func.node, ast.Lambda):
                return self.ev(func.node.body, scope)
            self.block(func.node.body, scope)
        except _Return as ret:
            return ret.value
        except _Halt:
            return self.unknown(node)
        except (_Break, _Continue):
            return None
        finally:
            self.depth -= 1
            self.place = caller_place
            if method:
                self.selves.pop()
        return None

    def instantiate(self, cls: UserClass, args: list[Any], kwargs: dict[str, Any],
                    node: ast.Call) -> Any:
        if cls.keras_base == "Model":
            model = SubclassedModel(name="", where=self.where(node), cls=cls)
            self.models.append(model)
            init = cls.lookup("__init__")
            if isinstance(init, UserFunction):
                self.invoke(init, [model, *args], kwargs, node)
            if not model.named:
                self.name_model(model, kwargs)
            return model
        instance = Instance(cls)
        init = cls.lookup("__init__")
        if isinstance(init, UserFunction):
            self.invoke(init, [instance, *args], dict(kwargs), node)
        if cls.keras_base == "Layer" and "name" not in instance.layer_state:
            # no __init__ (Keras' own takes the keywords) or none calling super().__init__
            self.name_custom_layer(instance, kwargs)
        elif cls.fields is not None:          # a dataclass: fields in order, then keywords
            instance.attrs.update(zip(cls.fields, args))
            instance.attrs.update({k: v for k, v in kwargs.items() if k in cls.fields})
        return instance

    # -- builtins ---------------------------------------------------------------------

    def builtin(self, func: Builtin, args: list[Any], kwargs: dict[str, Any],
                node: ast.Call) -> Any:
        name = func.name
        owner = func.self_value
        if name.startswith("model."):
            return self.model_method(owner, name[6:], args, kwargs, node)
        if name == "custom.add_weight" and isinstance(owner, Instance):
            return add_weight(owner, args, kwargs, self.where(node))
        if name.startswith("custom."):
            return None if name in ("custom.build", "custom.built") else self.unknown(node)
        if name == "super.__init__" and isinstance(owner, Instance) and \
                owner.cls.keras_base == "Layer":
            self.name_custom_layer(owner, kwargs)
            return None
        if name.startswith("super."):
            if name == "super.__init__" and isinstance(owner, SubclassedModel) and \
                    not owner.named:
                self.name_model(owner, kwargs)
                if args:      # tf.keras took super().__init__(self); Keras 3 does not
                    owner.fail(f"Keras 3 refuses super().__init__() with positional arguments "
                               f"({self.where(node)}): Layer.__init__() takes 1 positional "
                               f"argument but {len(args) + 1} were given")
            return None
        if name == "layer.get_initial_state":
            return ZERO_STATE         # zeros: the same as giving no initial state
        if name.startswith("layer."):
            return self.unknown(node)
        if name == "super":
            return SuperProxy(self.selves[-1]) if self.selves else self.unknown(node)
        if name in _METHODS and owner is not None:
            return self.data_method(name, owner, args, kwargs, node)
        if name == "print":
            return None
        if name.startswith("argparse."):
            return self.argparse_method(name, owner, args, kwargs, node)
        if name == "getattr" and len(args) in (2, 3) and isinstance(args[0], Module) and \
                isinstance(args[1], str) and args[1].isidentifier():
            return Module(f"{args[0].path}.{args[1]}")
        if name == "isinstance" and len(args) == 2:
            kinds = args[1] if isinstance(args[1], tuple) else (args[1],)
            if isinstance(args[0], Unknown) or not all(
                    isinstance(k, Builtin) and k.name in _TYPES for k in kinds):
                return self.unknown(node)
            return isinstance(args[0], tuple(_TYPES[k.name] for k in kinds)) and \
                not (isinstance(args[0], bool) and all(k.name != "bool" for k in kinds))
        if name == "len":
            if args and isinstance(args[0], (list, tuple, str, dict, range, set)):
                return len(args[0])
            if args and isinstance(args[0], CallResult):
                return self.unknown(node)
            return self.unknown(node)
        structural = name in ("list", "tuple", "enumerate", "zip", "reversed") and all(
            isinstance(a, (list, tuple, range, str, dict)) for a in args)
        if not structural and not all(_plain(a) or isinstance(a, range)
                                      for a in [*args, *kwargs.values()]):
            return self.unknown(node)
        try:
            result = _SAFE[name](*args, **kwargs)
        except Exception:
            return self.unknown(node)
        if isinstance(result, range):
            return result
        if name in ("enumerate", "zip", "reversed", "sorted", "map", "filter"):
            result = list(result)
            if len(result) > MAX_ITEMS:
                return self.unknown(node)
        if isinstance(result, (int, float)) and not isinstance(result, bool) and \
                abs(result) > MAX_NUMBER:
            return self.unknown(node)
        return result

    def argparse_method(self, name: str, parser: Instance, args: list[Any],
                        kwargs: dict[str, Any], node: ast.Call) -> Any:
        """``argparse`` as a script run without arguments sees it: every option its default."""
        method = name.split(".", 1)[1]
        if method in ("add_argument_group", "add_mutually_exclusive_group"):
            return parser
        if method == "add_argument":
            flags = [a for a in args if isinstance(a, str)]
            longs = [f for f in flags if f.startswith("--")]
            dest = kwargs.get("dest") or (longs[0] if longs else flags[0] if flags else None)
            if not isinstance(dest, str):
                return None
            dest = dest.lstrip("-").replace("-", "_")
            if flags and not flags[0].startswith("-"):
                value: Any = Unknown(f"args.{dest}", self.where(node),
                                     "a required command-line argument")
            elif kwargs.get("action") == "store_true":
                value = kwargs.get("default", False)
            elif kwargs.get("action") == "store_false":
                value = kwargs.get("default", True)
            else:
                value = kwargs.get("default")
            parser.attrs[dest] = value
            return None
        if method in ("parse_args", "parse_known_args"):
            namespace = Instance(_NAMESPACE, dict(parser.attrs))
            return (namespace, []) if method == "parse_known_args" else namespace
        return self.unknown(node)

    def data_method(self, name: str, owner: Any, args: list[Any], kwargs: dict[str, Any],
                    node: ast.Call) -> Any:
        if name.startswith("str.") and not all(_plain(a) for a in [*args, *kwargs.values()]):
            return self.unknown(node)
        if name == "str.format" and ("__" in owner or "." in owner.replace("{:.", "")):
            return self.unknown(node)     # no attribute walks inside format fields
        method = getattr(owner, name.split(".", 1)[1])
        try:
            result = method(*args, **kwargs)
        except Exception:
            return self.unknown(node)
        if isinstance(result, (str, list, tuple)) and len(result) > MAX_ITEMS:
            return self.unknown(node)
        if name in ("dict.items", "dict.keys", "dict.values"):
            return [tuple(i) if isinstance(i, tuple) else i for i in result]
        return result



    # -- truth ------------------------------------------------------------------------

    def truth(self, value: Any) -> bool | None:
        if isinstance(value, Unknown):
            return None
        if _plain(value) or isinstance(value, (set, range)):
            return bool(value)
        if isinstance(value, (LayerObj, Model, Tensor, CallResult, UserFunction, UserClass,
                              Instance, Module)):
            return True
        return None


# -- helpers ------------------------------------------------------------------------------


def _load(target: ast.expr) -> ast.expr:
    copy = ast.parse(ast.unparse(target), mode="eval").body
    return ast.copy_location(copy, target)


def _kind(value: Any) -> str:
    return {list: "list", dict: "dict", str: "str", tuple: "tuple"}[type(value)]


def _hashable(value: Any) -> bool:
    return isinstance(value, (int, float, str, bool, type(None))) or (
        isinstance(value, tuple) and all(_hashable(v) for v in value))


def _plain_scalar(value: Any) -> bool:
    return isinstance(value, (int, float, str, bool, type(None)))


def _plain(value: Any, depth: int = 0) -> bool:
    """Plain data only: numbers, strings, and lists/tuples/dicts of them."""
    if _plain_scalar(value):
        return True
    if depth > 20:
        return False
    if isinstance(value, (list, tuple, set, frozenset)):
        return len(value) <= MAX_ITEMS and all(_plain(v, depth + 1) for v in value)
    if isinstance(value, dict):
        return all(_plain(k, depth + 1) and _plain(v, depth + 1) for k, v in value.items())
    return False


_BINOPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
           ast.Div: operator.truediv, ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod,
           ast.Pow: operator.pow, ast.LShift: operator.lshift, ast.RShift: operator.rshift,
           ast.BitOr: operator.or_, ast.BitAnd: operator.and_, ast.BitXor: operator.xor}
_COMPARE = {ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt,
            ast.LtE: operator.le, ast.Gt: operator.gt, ast.GtE: operator.ge,
            ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b}
_SAFE = {"range": range, "enumerate": enumerate, "zip": zip, "min": min, "max": max,
         "sum": sum, "abs": abs, "round": round, "int": int, "float": float, "str": str,
         "bool": bool, "list": list, "tuple": tuple, "dict": dict, "set": set,
         "sorted": sorted, "reversed": reversed, "divmod": divmod, "any": any, "all": all}
_BUILTINS = set(_SAFE) | {"len", "print", "super", "isinstance", "getattr"}
_TYPES = {"int": int, "float": float, "str": str, "bool": bool, "list": list, "tuple": tuple,
          "dict": dict, "set": set}
_ACCELERATORS = ("gpu", "cuda", "tpu")
_PARSER = UserClass("ArgumentParser", [], {}, None, "argparse")
_NAMESPACE = UserClass("Namespace", [], {}, None, "argparse")
_MUTATORS = {"add", "append", "extend", "insert", "build", "pop", "update", "setdefault"}
_METHODS = {
    "list.append", "list.extend", "list.insert", "list.pop", "list.copy", "list.index",
    "list.count", "list.reverse", "dict.get", "dict.items", "dict.keys", "dict.values",
    "dict.update", "dict.copy", "dict.setdefault", "dict.pop", "str.format", "str.join",
    "str.lower", "str.upper", "str.strip", "str.split", "str.replace", "str.startswith",
    "str.endswith", "str.title", "str.capitalize", "tuple.index", "tuple.count",
}
