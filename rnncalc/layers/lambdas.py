"""Lambda: a layer whose body is a Python ``lambda``, read as source text and never run.

Keras runs the function to learn its output shape; rnncalc must not run
user text, so it walks the body's ``ast`` instead, with a closed vocabulary:
subscripts, reshape/expand/squeeze/transpose, reductions over an axis,
concatenation and stacking, element-wise arithmetic and unary functions,
spelled ``ops.``/``keras.ops.``, ``tf.``/``tf.math.``/``tf.nn.`` or
``K.``/``tf.keras.backend.``. The same walker computes shapes (on integer
shapes, as Keras' torch backend does: unknown dims filled with 83 and then
89, dims that differ are unknown) and the NumPy forward pass. Anything else
is refused with a request for ``output_shape``; nothing is exec'd or eval'd.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass
from math import prod
from typing import Any

from rnncalc.errors import SpecError
from rnncalc.layers.arguments import Arg, anything, dims, optional, show
from rnncalc.layers.base import Layer
from rnncalc.layers.calls import dotted_name
from rnncalc.layers.counting import ACT, ADD, MAC, CostTerm, describe_dims, size
from rnncalc.layers.shapes import Shape

ASK = "give output_shape (the per-sample output shape) to use it"
MAX_SOURCE = 2000
FILLS = (83, 89)     # Keras' torch backend traces unknown dims with these sizes

# Dotted prefixes -> the API family whose signatures (and defaults) apply.
FAMILY = {"ops": "ops", "keras.ops": "ops", "tf": "tf", "tf.math": "tf", "tf.nn": "tf",
          "K": "K", "backend": "K", "keras.backend": "K", "tf.keras.backend": "K"}

_UNARY = ("abs", "exp", "log", "sqrt", "square", "tanh", "sigmoid", "relu", "negative",
          "sin", "cos", "softplus", "elu", "gelu", "silu", "swish", "sign", "floor", "ceil",
          "round", "rsqrt", "reciprocal")
_BINARY = {"add": "add", "subtract": "sub", "multiply": "mul", "divide": "div",
           "truediv": "div", "maximum": "maximum", "minimum": "minimum", "power": "pow",
           "pow": "pow"}
_REDUCE = ("mean", "sum", "max", "min", "prod")


@dataclass(frozen=True)
class Sig:
    """One function: the canonical op and its parameters (name, default; ``...`` = required)."""

    op: str
    params: tuple[tuple[str, Any], ...]


def _signatures() -> dict[tuple[str, str], Sig]:
    table: dict[tuple[str, str], Sig] = {}
    for fam in ("ops", "tf", "K"):
        for name in _UNARY:
            table[fam, name] = Sig(name, (("x", ...),))
        for name, op in _BINARY.items():
            table[fam, name] = Sig(op, (("x", ...), ("y", ...)))
        for name in _REDUCE:
            spelled = f"reduce_{name}" if fam == "tf" else name
            table[fam, spelled] = Sig(name, (("x", ...), ("axis", None), ("keepdims", False)))
        table[fam, "softmax"] = Sig("softmax", (("x", ...), ("axis", -1)))
    table["ops", "reshape"] = Sig("reshape", (("x", ...), ("newshape", ...)))
    table["tf", "reshape"] = Sig("reshape", (("tensor", ...), ("shape", ...)))
    table["K", "reshape"] = Sig("reshape", (("x", ...), ("shape", ...)))
    table["ops", "expand_dims"] = Sig("expand_dims", (("x", ...), ("axis", ...)))
    table["tf", "expand_dims"] = Sig("expand_dims", (("input", ...), ("axis", ...)))
    table["K", "expand_dims"] = Sig("expand_dims", (("x", ...), ("axis", -1)))
    table["ops", "squeeze"] = Sig("squeeze", (("x", ...), ("axis", None)))
    table["tf", "squeeze"] = Sig("squeeze", (("input", ...), ("axis", None)))
    table["K", "squeeze"] = Sig("squeeze", (("x", ...), ("axis", ...)))
    table["ops", "concatenate"] = Sig("concat", (("xs", ...), ("axis", 0)))
    table["tf", "concat"] = Sig("concat", (("values", ...), ("axis", ...)))
    table["K", "concatenate"] = Sig("concat", (("tensors", ...), ("axis", -1)))
    for fam in ("ops", "tf", "K"):
        table[fam, "stack"] = Sig("stack", (("x", ...), ("axis", 0)))
    table["ops", "transpose"] = Sig("transpose", (("x", ...), ("axes", None)))
    table["tf", "transpose"] = Sig("transpose", (("a", ...), ("perm", None)))
    table["K", "permute_dimensions"] = Sig("transpose", (("x", ...), ("pattern", ...)))
    table["ops", "matmul"] = Sig("matmul", (("x1", ...), ("x2", ...)))
    table["tf", "matmul"] = Sig("matmul", (("a", ...), ("b", ...)))
    table["K", "dot"] = Sig("matmul", (("x", ...), ("y", ...)))
    for fam in ("ops", "tf", "K"):
        table[fam, "cast"] = Sig("cast", (("x", ...), ("dtype", ...)))
    return table


SIGNATURES = _signatures()
_BINOPS = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "div", ast.Pow: "pow",
           ast.MatMult: "matmul"}


class Refused(SpecError):
    """A body rnncalc does not shape: the message says what, the hint asks for output_shape."""


def _refuse(what: str) -> Refused:
    return Refused(f"Lambda body: {what}; rnncalc never runs a Lambda, {ASK}")


def parse_body(text: str) -> ast.Lambda:
    """The ``lambda`` of a function string, checked for a closed vocabulary (nothing run)."""
    if len(text) > MAX_SOURCE:
        raise _refuse(f"{len(text):,} characters of source")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as err:
        raise SpecError(f"Lambda function {show(text)} is not a Python lambda expression: "
                        f"{err.msg}") from None
    if not isinstance(tree.body, ast.Lambda):
        raise SpecError(f"Lambda function {show(text)}: expected 'lambda x: ...'")
    fn = tree.body
    a = fn.args
    if a.vararg or a.kwarg or a.kwonlyargs or a.posonlyargs or not a.args:
        raise _refuse("only plain positional parameters ('lambda x: ...') are read")
    for node in ast.walk(fn):
        for name in ("id", "attr", "arg"):
            value = getattr(node, name, None)
            if isinstance(value, str) and value.startswith("__"):
                raise _refuse(f"dunder name '{value}' is not allowed")
    return fn


# -- values ------------------------------------------------------------------------


class Dims:
    """A tensor in the shape pass: its concrete dims (unknowns filled)."""

    def __init__(self, shape: tuple[int, ...]) -> None:
        self.shape = shape


def _axis(axis: int, rank: int) -> int:
    if not isinstance(axis, int) or isinstance(axis, bool) or not -rank <= axis < rank:
        raise SpecError(f"Lambda body: axis {axis!r} is out of range for rank {rank}")
    return axis % rank


def _broadcast(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...]:
    out = []
    for i in range(1, max(len(a), len(b)) + 1):
        x = a[-i] if i <= len(a) else 1
        y = b[-i] if i <= len(b) else 1
        if x != y and 1 not in (x, y):
            raise SpecError(f"Lambda body: shapes {a} and {b} do not broadcast")
        out.append(max(x, y) if 1 in (x, y) else x)
    return tuple(reversed(out))


def _index_shape(shape: tuple[int, ...], key: Any) -> tuple[int, ...]:
    items = list(key) if isinstance(key, tuple) else [key]
    if sum(k is Ellipsis for k in items) > 1:
        raise SpecError("Lambda body: an index may hold one '...'")
    used = sum(1 for k in items if k is not None and k is not Ellipsis)
    if used > len(shape):
        raise SpecError(f"Lambda body: too many indices for a tensor of rank {len(shape)}")
    if Ellipsis in items:
        at = items.index(Ellipsis)
        items[at:at + 1] = [slice(None)] * (len(shape) - used)
    else:
        items += [slice(None)] * (len(shape) - used)
    out, axis = [], 0
    for k in items:
        if k is None:
            out.append(1)
        elif isinstance(k, slice):
            if axis < len(shape):
                out.append(len(range(*k.indices(shape[axis]))))
            axis += 1
        elif isinstance(k, int) and not isinstance(k, bool):
            if not -shape[axis] <= k < shape[axis]:
                raise SpecError(f"Lambda body: index {k} is out of range for a dim of "
                                f"{shape[axis]}")
            axis += 1
        else:
            raise _refuse(f"index {k!r} (only ints, slices, '...' and None)")
    return tuple(out)


def _reshape(shape: tuple[int, ...], target: Any) -> tuple[int, ...]:
    if not isinstance(target, (tuple, list)) or not all(
            isinstance(d, int) and not isinstance(d, bool) for d in target):
        raise _refuse(f"reshape target {target!r} (a tuple of ints is read)")
    total, known = prod(shape), prod(d for d in target if d != -1)
    if list(target).count(-1) > 1 or (-1 in target and (known == 0 or total % known)) or (
            -1 not in target and known != total):
        raise SpecError(f"Lambda body: cannot reshape {shape} to {tuple(target)}")
    return tuple(total // known if d == -1 else d for d in target)


class ShapeOps:
    """The shape pass: every op on :class:`Dims`, counting element-wise work."""

    def __init__(self) -> None:
        self.work: list[tuple[str, tuple[int, ...]]] = []

    def is_tensor(self, v: Any) -> bool:
        return isinstance(v, Dims)

    def shape(self, v: Any) -> tuple[int, ...]:
        return v.shape if isinstance(v, Dims) else ()

    def apply(self, op: str, args: dict[str, Any]) -> Any:
        x = args.get("x")
        if op in _UNARY or op == "softmax":
            if op == "softmax":
                _axis(args["axis"], len(self.shape(x)))
            self.work.append((op, self.shape(x)))
            return Dims(self.shape(x))
        if op in ("add", "sub", "mul", "div", "maximum", "minimum", "pow"):
            out = _broadcast(self.shape(x), self.shape(args["y"]))
            self.work.append((op, out))
            return Dims(out)
        if op in _REDUCE:
            s = self.shape(x)
            axes = args["axis"]
            axes = range(len(s)) if axes is None else (
                axes if isinstance(axes, (list, tuple)) else [axes])
            axes = {_axis(a, len(s)) for a in axes}
            self.work.append((op, s))
            kept = [1 if i in axes else d for i, d in enumerate(s)] if args["keepdims"] else [
                d for i, d in enumerate(s) if i not in axes]
            return Dims(tuple(kept))
        if op == "reshape":
            return Dims(_reshape(self.shape(x), args["newshape"]))
        if op == "expand_dims":
            s = list(self.shape(x))
            s.insert(_axis(args["axis"], len(s) + 1), 1)
            return Dims(tuple(s))
        if op == "squeeze":
            s = self.shape(x)
            if args["axis"] is None:
                return Dims(tuple(d for d in s if d != 1))
            axis = _axis(args["axis"], len(s))
            if s[axis] != 1:        # Keras on torch: squeezing a dim other than 1 keeps it
                return Dims(s)
            return Dims(s[:axis] + s[axis + 1:])
        if op in ("concat", "stack"):
            shapes = [self.shape(t) for t in args["xs"]]
            if not shapes or len({len(s) for s in shapes}) != 1:
                raise SpecError("Lambda body: concatenation of tensors of different ranks")
            rank = len(shapes[0]) + (op == "stack")
            axis = _axis(args["axis"], rank)
            if op == "stack":
                if len(set(shapes)) != 1:
                    raise SpecError(f"Lambda body: cannot stack shapes {shapes}")
                return Dims(shapes[0][:axis] + (len(shapes),) + shapes[0][axis:])
            rest = {s[:axis] + s[axis + 1:] for s in shapes}
            if len(rest) != 1:
                raise SpecError(f"Lambda body: cannot concatenate shapes {shapes} on axis "
                                f"{args['axis']}")
            s = shapes[0]
            return Dims(s[:axis] + (sum(t[axis] for t in shapes),) + s[axis + 1:])
        if op == "transpose":
            s = self.shape(x)
            perm = args["axes"]
            perm = tuple(reversed(range(len(s)))) if perm is None else tuple(perm)
            if sorted(_axis(p, len(s)) for p in perm) != list(range(len(s))):
                raise SpecError(f"Lambda body: {perm} is not a permutation of rank {len(s)}")
            return Dims(tuple(s[_axis(p, len(s))] for p in perm))
        if op == "index":
            return Dims(_index_shape(self.shape(x), args["key"]))
        if op == "matmul":
            from rnncalc.layers.tensor_ops import matmul_shape

            out = matmul_shape(self.shape(x), self.shape(args["y"]))
            self.work.append(("matmul", out + self.shape(x)[-1:]))
            return Dims(out)
        if op == "cast":
            return Dims(self.shape(x))
        raise _refuse(f"'{op}'")


class NumpyOps:
    """The forward pass: the same ops on NumPy arrays (Keras inference semantics)."""

    def __init__(self) -> None:
        import numpy as np

        self.np = np

    def is_tensor(self, v: Any) -> bool:
        return isinstance(v, self.np.ndarray)

    def apply(self, op: str, args: dict[str, Any]) -> Any:
        np = self.np
        x = args.get("x")
        unary: dict[str, Callable[[Any], Any]] = {
            "abs": np.abs, "exp": np.exp, "log": np.log, "sqrt": np.sqrt, "square": np.square,
            "tanh": np.tanh, "negative": np.negative, "sin": np.sin, "cos": np.cos,
            "sign": np.sign, "floor": np.floor, "ceil": np.ceil, "round": np.round,
            "sigmoid": lambda v: 1 / (1 + np.exp(-v)), "relu": lambda v: np.maximum(v, 0),
            "softplus": lambda v: np.logaddexp(0, v), "rsqrt": lambda v: 1 / np.sqrt(v),
            "reciprocal": lambda v: 1 / v,
            "elu": lambda v: np.where(v > 0, v, np.expm1(np.minimum(v, 0))),
            "silu": lambda v: v / (1 + np.exp(-v)), "swish": lambda v: v / (1 + np.exp(-v)),
        }
        if op in unary:
            return np.asarray(unary[op](x), dtype=_dtype(x))
        if op == "gelu":
            from math import pi, sqrt
            c = sqrt(2 / pi)
            return np.asarray(0.5 * x * (1 + np.tanh(c * (x + 0.044715 * x ** 3))), _dtype(x))
        if op == "softmax":
            e = np.exp(x - np.max(x, axis=args["axis"], keepdims=True))
            return e / np.sum(e, axis=args["axis"], keepdims=True)
        binary = {"add": np.add, "sub": np.subtract, "mul": np.multiply, "div": np.divide,
                  "maximum": np.maximum, "minimum": np.minimum, "pow": np.power}
        if op in binary:
            return binary[op](x, args["y"])
        if op in _REDUCE:
            axis = args["axis"]
            axis = tuple(axis) if isinstance(axis, list) else axis
            fn = {"mean": np.mean, "sum": np.sum, "max": np.max, "min": np.min,
                  "prod": np.prod}[op]
            return fn(x, axis=axis, keepdims=args["keepdims"])
        if op == "reshape":
            return np.reshape(x, tuple(args["newshape"]))
        if op == "expand_dims":
            return np.expand_dims(x, args["axis"])
        if op == "squeeze":
            axis = args["axis"]
            if axis is not None and x.shape[axis] != 1:
                return x            # as Keras on torch: a dim other than 1 is kept
            return np.squeeze(x, axis=axis)
        if op == "concat":
            return np.concatenate(list(args["xs"]), axis=args["axis"])
        if op == "stack":
            return np.stack(list(args["xs"]), axis=args["axis"])
        if op == "transpose":
            perm = args["axes"]
            return np.transpose(x, None if perm is None else tuple(perm))
        if op == "index":
            return x[args["key"]]
        if op == "matmul":
            return np.matmul(x, args["y"])
        if op == "cast":
            return x
        raise _refuse(f"'{op}'")


def _dtype(x: Any) -> Any:
    return getattr(x, "dtype", None)


# -- the walker ------------------------------------------------------------------


class Walker:
    """Evaluates a checked lambda body over one backend (shapes or NumPy)."""

    def __init__(self, fn: ast.Lambda, ops: ShapeOps | NumpyOps, env: dict[str, Any]) -> None:
        self.fn, self.ops, self.env = fn, ops, env

    def run(self) -> Any:
        return self.eval(self.fn.body)

    def eval(self, node: ast.AST) -> Any:    # noqa: C901 - one case per node type
        ops = self.ops
        if isinstance(node, ast.Constant):
            if isinstance(node.value, (int, float)) or node.value is None or \
                    node.value is Ellipsis:
                return node.value
            raise _refuse(f"constant {ast.unparse(node)}")
        if isinstance(node, ast.Name):
            if node.id in self.env:
                return self.env[node.id]
            raise _refuse(f"unknown name '{node.id}'")
        if isinstance(node, (ast.Tuple, ast.List)):
            items = [self.eval(e) for e in node.elts]
            return tuple(items) if isinstance(node, ast.Tuple) else items
        if isinstance(node, ast.UnaryOp):
            v = self.eval(node.operand)
            if isinstance(node.op, ast.UAdd):
                return v
            if isinstance(node.op, ast.USub):
                return ops.apply("negative", {"x": v}) if ops.is_tensor(v) else -_number(v)
            raise _refuse(f"operator in {ast.unparse(node)}")
        if isinstance(node, ast.BinOp):
            op = _BINOPS.get(type(node.op))
            if op is None:
                raise _refuse(f"operator in {ast.unparse(node)}")
            a, b = self.eval(node.left), self.eval(node.right)
            if not ops.is_tensor(a) and not ops.is_tensor(b):
                return _constant(op, _number(a), _number(b))
            for v in (a, b):
                if not ops.is_tensor(v):
                    _number(v)
            return ops.apply(op, {"x": a, "y": b})
        if isinstance(node, ast.Slice):
            parts = [None if p is None else self.eval(p) for p in
                     (node.lower, node.upper, node.step)]
            for p in parts:
                if p is not None and (not isinstance(p, int) or isinstance(p, bool)):
                    raise _refuse(f"slice bound {p!r}")
            return slice(*parts)
        if isinstance(node, ast.Subscript):
            value = self.eval(node.value)
            key = self.eval(node.slice)
            if isinstance(value, (list, tuple)):
                if not isinstance(key, (int, slice)) or isinstance(key, bool):
                    raise _refuse(f"index {ast.unparse(node.slice)} of a list")
                try:
                    return value[key]
                except IndexError:
                    raise SpecError(f"Lambda body: index {key} is out of range for "
                                    f"{len(value)} inputs") from None
            if not ops.is_tensor(value):
                raise _refuse(f"subscript of a non-tensor in {ast.unparse(node)}")
            return ops.apply("index", {"x": value, "key": key})
        if isinstance(node, ast.Call):
            return self.call(node)
        raise _refuse(f"{type(node).__name__.lower()} '{ast.unparse(node)}' is not read")

    def call(self, node: ast.Call) -> Any:
        name = dotted_name(node.func)
        if name is None or "." not in name:
            raise _refuse(f"call of '{ast.unparse(node.func)}' (only ops./tf./K. functions)")
        prefix, _, short = name.rpartition(".")
        family = FAMILY.get(prefix)
        if family is None:
            raise _refuse(f"'{name}': attribute access outside ops., keras.ops., tf., "
                          "tf.math., tf.nn., K., tf.keras.backend.")
        sig = SIGNATURES.get((family, short))
        if sig is None:
            raise _refuse(f"'{name}' is not a function rnncalc shapes")
        if any(isinstance(a, ast.Starred) for a in node.args) or any(
                k.arg is None for k in node.keywords):
            raise _refuse("*args/**kwargs")
        names = [p for p, _ in sig.params]
        if len(node.args) > len(names):
            raise _refuse(f"too many arguments to '{name}'")
        given: dict[str, Any] = {}
        # a dtype argument (tf.cast) is not a value the walk needs: the dtype stays
        for pname, arg in zip(names, node.args):
            given[pname] = None if pname == "dtype" else self.eval(arg)
        for kw in node.keywords:
            if kw.arg not in names or kw.arg in given:
                raise _refuse(f"argument '{kw.arg}' of '{name}'")
            given[kw.arg] = None if kw.arg == "dtype" else self.eval(kw.value)
        args: dict[str, Any] = {}
        for i, (pname, default) in enumerate(sig.params):
            if pname not in given and default is ...:
                raise _refuse(f"'{name}' needs its '{pname}' argument")
            args[_canonical(sig.op, i, pname)] = given.get(pname, default)
        return self.ops.apply(sig.op, args)


_ALIASES = {"shape": "newshape", "perm": "axes", "pattern": "axes"}


def _canonical(op: str, i: int, pname: str) -> str:
    """The op's own name for parameter ``i`` (``x``, ``xs``, ``y``, ``axis``, ...)."""
    if i == 0:
        return "xs" if op in ("concat", "stack") else "x"
    if op == "matmul":
        return "y"
    return _ALIASES.get(pname, pname)


def _number(v: Any) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise _refuse(f"arithmetic on {v!r}")
    return v


def _constant(op: str, a: float, b: float) -> float:
    try:
        return {"add": a + b, "sub": a - b, "mul": a * b}.get(op) if op in (
            "add", "sub", "mul") else (a / b if op == "div" else a ** b)
    except (ZeroDivisionError, OverflowError):
        raise SpecError("Lambda body: constant arithmetic fails") from None


def _merge(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int | None, ...]:
    return tuple(x if x == y else None for x, y in zip(a, b))


def _flat(value: Any, is_tensor: Callable[[Any], bool]) -> list[Any]:
    if isinstance(value, (list, tuple)):
        if not value or not all(is_tensor(v) for v in value):
            raise _refuse("the body must return a tensor or a list of tensors")
        return list(value)
    if not is_tensor(value):
        raise _refuse("the body must return a tensor")
    return [value]


class Lambda(Layer):
    """``Lambda(function, output_shape=None, mask=None, arguments=None)``."""

    kind = "Lambda"
    ARGS = (Arg("function", anything), Arg("output_shape", optional(anything), None),
            Arg("mask", optional(anything), None), Arg("arguments", optional(anything), None))
    MAX_INPUTS = None
    SOURCE_ARGS = ("function",)
    BODY = "Lambda body"      # how cost terms name the walked function

    @classmethod
    def check_config(cls, config: dict[str, Any]) -> None:
        fn = config["function"]
        if config["output_shape"] is not None:
            try:
                config["output_shape"] = dims(config["output_shape"])
            except SpecError as err:
                raise err.at("argument 'output_shape'") from None
        if config["mask"] is not None:
            raise SpecError("Lambda: 'mask' is not read (a Lambda's output here is unmasked)")
        arguments = config["arguments"] or {}
        if not isinstance(arguments, dict):
            raise SpecError(f"argument 'arguments': expected a mapping, got {show(arguments)}")
        if isinstance(fn, str):
            parse_body(fn)
        elif not (isinstance(fn, dict) and config["output_shape"] is not None):
            raise SpecError(
                "Lambda: the function is compiled Python (as Keras' to_json stores it) or not "
                "source text; rnncalc never runs it: give output_shape, or write the function "
                "as text, e.g. function: \"lambda x: x[:, -1, :]\"")

    # -- the body ----------------------------------------------------------------

    def _walk(self, inputs: list[Any], ops: ShapeOps | NumpyOps) -> Any:
        fn = parse_body(self.config["function"])
        params = [a.arg for a in fn.args.args]
        defaults = dict(zip(params[len(params) - len(fn.args.defaults):], fn.args.defaults))
        arguments = self.config["arguments"] or {}
        env: dict[str, Any] = {params[0]: inputs[0] if len(inputs) == 1 else list(inputs)}
        for p in params[1:]:
            if p in arguments:
                env[p] = arguments[p]
            elif p in defaults:
                env[p] = Walker(fn, ops, {}).eval(defaults[p])
            else:
                raise _refuse(f"parameter '{p}' has no value (give it in 'arguments')")
        return Walker(fn, ops, env).run()

    def _traced(self, inputs: list[Shape]) -> tuple[list[Shape], list[tuple[str, Shape]]]:
        runs = []
        for fill in FILLS:
            ops = ShapeOps()
            filled = [Dims(tuple(fill if d is None else d for d in s)) for s in inputs]
            out = _flat(self._walk(filled, ops), ops.is_tensor)
            runs.append(([o.shape for o in out], ops.work))
            if not any(d is None for s in inputs for d in s):
                break
        shapes, work = runs[0]
        if len(runs) > 1:
            shapes = [_merge(a, b) for a, b in zip(shapes, runs[1][0])]
            work = [(op, _merge(a, b)) for (op, a), (_, b) in zip(work, runs[1][1])]
        return [tuple(s) for s in shapes], [(op, tuple(s)) for op, s in work]

    def output_shapes(self, inputs: list[Shape]) -> list[Shape]:
        given = self.config["output_shape"]
        if given is not None:
            return [(inputs[0][0], *given)]
        return self._traced(inputs)[0]

    def cost(self, inputs: list[Shape], outputs: list[Shape],
             convention: str = "keras") -> list[CostTerm]:
        if not isinstance(self.config["function"], str):
            return []
        try:
            work = self._traced(inputs)[1]
        except SpecError:
            return []
        terms = []
        for op, shape in work:
            if op == "matmul":      # recorded as (*output, k): k MACs per output value
                terms.append(CostTerm(f"matmul ({self.BODY})", MAC, shape[-1],
                                      size(shape[:-1]), "K", str(shape[-1]),
                                      describe_dims(shape[:-1], 0)))
                continue
            kind = ADD if op in ("add", "sub", "mean", "sum", "max", "min", "prod") else ACT
            terms.append(CostTerm(f"{op} ({self.BODY})", kind, 1, size(shape), "1", "1",
                                  describe_dims(shape, 0)))
        return terms

    def forward(self, inputs: list[Any], weights: dict[str, Any], mask: Any = None) -> list[Any]:
        if not isinstance(self.config["function"], str):
            raise SpecError("Lambda: the function is compiled Python from a Keras config; "
                            "rnncalc never runs it, so this model cannot be run")
        import numpy as np

        ops = NumpyOps()
        out = _flat(self._walk([np.asarray(x) for x in inputs], ops), ops.is_tensor)
        return [np.asarray(o, dtype=inputs[0].dtype) if o.dtype.kind == "f" else o
                for o in out]

    def scratch_values(self, inputs: list[Shape], outputs: list[Shape]) -> int:
        return sum(prod(d or 1 for d in s) for s in outputs)
