"""Keras 3 operations (``keras.ops.X``, tensor operators) as graph nodes: the base class,
element-wise and reduction operations.

Why they are kinds: in a Keras 3 functional model ``ops.sum(x, axis=1)`` or
``x * y`` is recorded as a node of its own (an ``Operation``), printed in the
summary as a row with 0 params (``sum (Sum)``), serialized in ``to_json()``
with module ``keras.src.ops.*``, and named from the same session-wide
counters as layers (an ``ops.add`` node and a later ``layers.Add()`` are
``add`` and ``add_1``). So an operation is declared like a layer kind: its
arguments, output shapes (Keras' own rules, broadcasting included), forward
pass, cost, mask rule (operations drop the mask) and PyTorch view.

Spec spelling: ``ops.<function>`` (``ops.sum: {axis: 1}``, ``"ops.sum(axis=1)"``),
parallel to layers. The tensors an operation reads come from ``inputs:`` and
fill its tensor parameters in Keras' order (``x1``, ``x2``); a parameter given
a value in the mapping is a constant instead (``ops.multiply: {x2: 0.5}`` is
``x * 0.5``; ``ops.subtract: {x1: 1.0}`` is ``1.0 - x``).
"""

from __future__ import annotations

from math import prod
from typing import TYPE_CHECKING, Any, ClassVar

from rnncalc.errors import SpecError
from rnncalc.layers.arguments import (
    DTYPES,
    Arg,
    boolean,
    choice,
    integer,
    is_int,
    layer_name,
    optional,
    show,
)
from rnncalc.layers.base import Layer, Namer
from rnncalc.layers.counting import ACT, ADD, CMP, MUL, CostTerm, describe_dims, size
from rnncalc.layers.shapes import Dim, Shape, format_shape
from rnncalc.layers.torch_modules import TorchModule

if TYPE_CHECKING:
    from rnncalc.layers.signature import Signature

NAME_ARG = (Arg("name", optional(layer_name), None, positional=False),)
_SIGNATURES: dict[type, Signature] = {}


def constant(value: Any) -> Any:
    """A constant operand: a number, a bool, or a nested list of them (no strings)."""
    if isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, (list, tuple)) and all(
            isinstance(v, (bool, int, float, list, tuple)) for v in value):
        for v in value:
            constant(v)
        return list(value)
    raise SpecError(f"expected a number (or a list of numbers) for a constant operand, got "
                    f"{show(value)}")


def constant_shape(value: Any) -> Shape:
    """The shape of a constant operand, as NumPy sees it (a scalar is ``()``)."""
    shape: list[int] = []
    while isinstance(value, list):
        shape.append(len(value))
        value = value[0] if value else 0
    return tuple(shape)


def axis_or_none(value: Any) -> int | tuple[int, ...] | None:
    """``axis=None`` (every axis), one axis, or a list of axes, as Keras' reductions take it."""
    if value is None or is_int(value):
        return value
    if isinstance(value, (list, tuple)) and all(is_int(a) for a in value):
        return tuple(value)
    raise SpecError(f"expected an axis (integer), a list of axes or null, got {show(value)}")


def check_axis(axis: int, rank: int) -> int:
    """A possibly negative axis as an index, with NumPy's message when out of bounds."""
    if not -rank <= axis < rank:
        raise SpecError(f"axis {axis} is out of bounds for an array with dimension {rank}")
    return axis % rank


def keras_shape(shape: Shape) -> str:
    """A shape as Keras writes it in its messages: ``[None, 10, 16]``."""
    return "[" + ", ".join("None" if d is None else str(d) for d in shape) + "]"


def broadcast(a: Shape, b: Shape) -> Shape:
    """Keras' ``broadcast_shapes``: right-aligned; an unknown dim meets a known one as
    the known one, a 1 meets anything as the other."""
    x = [1] * (len(b) - len(a)) + list(a)
    y = [1] * (len(a) - len(b)) + list(b)
    out: list[Dim] = []
    for i, j in zip(x, y):
        if i == 1:
            out.append(j)
        elif i is None:
            out.append(None if j == 1 else j)
        elif j in (1, None) or j == i:
            out.append(i)
        else:
            raise SpecError(f"Cannot broadcast shape, the failure dim has value {i}, which "
                            f"cannot be broadcasted to {j}. Input shapes are: "
                            f"{keras_shape(a)} and {keras_shape(b)}.")
    return tuple(out)


class Op(Layer):
    """A Keras 3 operation node: no weights, no mask, arguments as its ``keras.ops`` function.

    A subclass declares ``kind`` (``"ops.sum"``), ``KERAS_CLASS`` (``"Sum"``, what
    the summary prints and what names derive from), ``OPERANDS`` (its tensor
    parameters in Keras' order), ``ARGS`` (the rest) and :meth:`shape`/:meth:`compute`.
    """

    KERAS_CLASS: ClassVar[str] = ""
    #: The Keras module its class lives in (``keras.src.ops.<module>``), for to_json.
    KERAS_MODULE: ClassVar[str] = "numpy"
    #: Tensor parameters in Keras' order; each is a tensor from ``inputs:`` unless given.
    OPERANDS: ClassVar[tuple[str, ...]] = ("x",)
    #: One parameter holding a list of any number of tensors (``concatenate``, ``stack``).
    VARIADIC: ClassVar[bool] = False
    #: The torch function PyTorch code would call (``torch.sum``).
    TORCH: ClassVar[str] = ""
    ACCEPTS_INPUT_DIM = False
    LAYER_KWARGS = False
    IGNORED_ARGS = frozenset()
    MAX_INPUTS: ClassVar[int | None] = None

    def __init__(self, config: dict[str, Any], namer: Namer) -> None:
        self.config = config
        self.name = config["name"] or namer.auto(self.KERAS_CLASS)
        self.call_config = {}

    KERAS_FUNCTION = True

    @classmethod
    def declared_args(cls) -> tuple[Arg, ...]:
        """The function's own arguments, then its operands given as constants."""
        operands = () if cls.VARIADIC else tuple(
            Arg(n, optional(constant), None, positional=False) for n in cls.OPERANDS)
        return (*cls.ARGS, *operands)

    @classmethod
    def signature(cls) -> Signature:
        """How a call binds: the declared arguments and ``name`` only (a function takes no
        layer keywords such as ``trainable``), laid out once per kind."""
        found = _SIGNATURES.get(cls)
        if found is None:
            from rnncalc.layers.signature import Signature

            found = _SIGNATURES[cls] = Signature(cls.declared_args(), ignored=frozenset(),
                                                 kind=f"{cls.kind}()", common_args=NAME_ARG)
        return found

    @property
    def type_name(self) -> str:
        return self.KERAS_CLASS

    @classmethod
    def parameters(cls) -> tuple[str, ...]:
        """The ``keras.ops`` function's parameters in order (``*name``: the rest), which
        the code reader binds a call's positional arguments to."""
        return (*cls.OPERANDS, *(a.name for a in cls.ARGS))

    def output_count(self) -> int:
        """How many tensors the operation returns (a split returns several)."""
        return 1

    @property
    def dtype(self) -> str:
        return "float32"

    # -- operands: tensors from inputs, constants from the config ----------------------

    def tensor_slots(self) -> list[str]:
        """The tensor parameters the graph's inbound tensors fill, in order."""
        return [n for n in self.OPERANDS if self.config.get(n) is None]

    def check_inputs(self, inputs: list[Shape]) -> None:
        if self.VARIADIC:
            if not inputs:
                raise SpecError(f"{self.kind} needs at least one input tensor")
            return
        slots = self.tensor_slots()
        if len(inputs) != len(slots):
            given = [n for n in self.OPERANDS if n not in slots]
            raise SpecError(
                f"{self.kind} takes {len(self.OPERANDS)} operand"
                f"{'s' if len(self.OPERANDS) != 1 else ''} ({', '.join(self.OPERANDS)})"
                + (f", {', '.join(given)} given as constant" if given else "")
                + f": it needs {len(slots)} input tensor{'s' if len(slots) != 1 else ''}, "
                f"got {len(inputs)}")

    def operands(self, tensors: list[Any], constant_as: Any = None) -> list[Any]:
        """Every operand in Keras' order: the tensors, and the constants (through
        ``constant_as``, e.g. their shape) in the slots the config gives."""
        if self.VARIADIC:
            return list(tensors)
        rest = iter(tensors)
        out = []
        for name in self.OPERANDS:
            value = self.config.get(name)
            if value is None:
                out.append(next(rest))
            else:
                out.append(constant_as(value) if constant_as else value)
        return out

    def operand_shapes(self, inputs: list[Shape]) -> list[Shape]:
        return self.operands(inputs, constant_shape)

    # -- what a kind declares -------------------------------------------------------

    def output_shapes(self, inputs: list[Shape]) -> list[Shape]:
        return self.shape(self.operand_shapes(inputs))

    def shape(self, operands: list[Shape]) -> list[Shape]:
        """Output shapes from every operand's shape (constants included)."""
        return [operands[0]]

    def forward(self, inputs: list[Any], weights: dict[str, Any], mask: Any = None) -> list[Any]:
        import numpy as np

        # Keras lets a Python constant take the tensors' dtype (x * 0.5 stays float32).
        floats = [x.dtype for x in inputs if np.asarray(x).dtype.kind == "f"]
        values = self.operands(inputs, lambda v: np.asarray(
            v, dtype=floats[0] if floats else None))
        return [np.asarray(y) for y in self.compute(values)]

    def compute(self, values: list[Any]) -> list[Any]:
        """The operation on NumPy arrays (the operands in Keras' order)."""
        raise NotImplementedError(f"{self.kind} has no forward pass")

    def compute_mask(self, inputs: list[Any], masks: list[Any]) -> list[Any]:
        """Keras' operations carry no mask: a masked tensor's mask stops here."""
        return [None] * len(self.output_shapes([tuple(x.shape) for x in inputs]))

    def cost(self, inputs: list[Shape], outputs: list[Shape],
             convention: str = "keras") -> list[CostTerm]:
        return []

    def torch_modules(self, inputs: list[Shape]) -> list[TorchModule]:
        return [TorchModule(f"({self.torch_call()})", (), (
            "an operation: a torch function call, no module and no parameters",))]

    def torch_call(self) -> str:
        """The PyTorch function call of this operation (``torch.sum(x, dim=1)``)."""
        return f"{self.TORCH or 'torch.' + self.kind.removeprefix('ops.')}(...)"

    # -- writing it back -----------------------------------------------------------

    def keras_code(self, tensors: list[str]) -> str:
        """This operation as Keras 3 code on tensors named ``tensors`` (for export)."""
        if self.VARIADIC:
            operands = ["[" + ", ".join(tensors) + "]"]
        else:
            rest = iter(tensors)
            operands = [next(rest) if self.config.get(n) is None else repr(self.config[n])
                        for n in self.OPERANDS]
        given = [f"{a.name}={_plain(self.config[a.name])!r}" for a in self.ARGS
                 if a.name in self.config and self.config[a.name] != a.default]
        return f"ops.{self.kind.removeprefix('ops.')}({', '.join([*operands, *given])})"


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value




# -- element-wise -------------------------------------------------------------------------


class Elementwise(Op):
    """Element-wise over broadcast operands: the output has the broadcast shape."""

    #: The cost of one output element: (what, op kind).
    WORK: ClassVar[tuple[str, str]] = ("element-wise", ACT)
    OUT_DTYPE: ClassVar[str] = "float32"

    def shape(self, operands: list[Shape]) -> list[Shape]:
        out = operands[0]
        for s in operands[1:]:
            out = broadcast(out, s)
        return [out]

    @property
    def dtype(self) -> str:
        return self.OUT_DTYPE

    def cost(self, inputs: list[Shape], outputs: list[Shape],
             convention: str = "keras") -> list[CostTerm]:
        what, op = self.WORK
        y = outputs[0]
        return [CostTerm(what, op, 1, size(y), "1", "1", describe_dims(y, 0))]

    def torch_call(self) -> str:
        return f"{self.TORCH}({', '.join(self.OPERANDS)})"


def _numpy(name: str) -> Any:
    import numpy as np

    return getattr(np, name)


def _activation(name: str) -> Any:
    from rnncalc.layers.ops import apply

    return lambda x: apply(name, x)


#: Element-wise operations of one tensor: spec name -> (Keras class, Keras module,
#: NumPy function, torch function, cost op). ``ops.abs`` is Keras' ``Absolute``.
UNARY: dict[str, tuple[str, str, Any, str, str]] = {
    "tanh": ("Tanh", "numpy", lambda: _numpy("tanh"), "torch.tanh", ACT),
    "sigmoid": ("Sigmoid", "nn", lambda: _activation("sigmoid"), "torch.sigmoid", ACT),
    "relu": ("Relu", "nn", lambda: _activation("relu"), "torch.relu", ACT),
    "softplus": ("Softplus", "nn", lambda: _activation("softplus"),
                 "torch.nn.functional.softplus", ACT),
    "silu": ("Silu", "nn", lambda: _activation("silu"), "torch.nn.functional.silu", ACT),
    "exp": ("Exp", "numpy", lambda: _numpy("exp"), "torch.exp", ACT),
    "log": ("Log", "numpy", lambda: _numpy("log"), "torch.log", ACT),
    "log1p": ("Log1p", "numpy", lambda: _numpy("log1p"), "torch.log1p", ACT),
    "sqrt": ("Sqrt", "numpy", lambda: _numpy("sqrt"), "torch.sqrt", ACT),
    "square": ("Square", "numpy", lambda: _numpy("square"), "torch.square", MUL),
    "absolute": ("Absolute", "numpy", lambda: _numpy("abs"), "torch.abs", ACT),
    "negative": ("Negative", "numpy", lambda: _numpy("negative"), "torch.neg", ADD),
    "sign": ("Sign", "numpy", lambda: _numpy("sign"), "torch.sign", CMP),
    "reciprocal": ("Reciprocal", "numpy", lambda: _numpy("reciprocal"), "torch.reciprocal",
                   MUL),
    "floor": ("Floor", "numpy", lambda: _numpy("floor"), "torch.floor", ACT),
    "ceil": ("Ceil", "numpy", lambda: _numpy("ceil"), "torch.ceil", ACT),
    "sin": ("Sin", "numpy", lambda: _numpy("sin"), "torch.sin", ACT),
    "cos": ("Cos", "numpy", lambda: _numpy("cos"), "torch.cos", ACT),
    "expm1": ("Expm1", "numpy", lambda: _numpy("expm1"), "torch.expm1", ACT),
    "log_sigmoid": ("LogSigmoid", "nn", lambda: _activation("log_sigmoid"),
                    "torch.nn.functional.logsigmoid", ACT),
}
#: Element-wise operations of two operands (either may be a constant), as ``UNARY``.
#: Comparisons give bool tensors (``where`` takes them).
BINARY: dict[str, tuple[str, str, Any, str, str]] = {
    "add": ("Add", "numpy", lambda: _numpy("add"), "torch.add", ADD),
    "subtract": ("Subtract", "numpy", lambda: _numpy("subtract"), "torch.sub", ADD),
    "multiply": ("Multiply", "numpy", lambda: _numpy("multiply"), "torch.mul", MUL),
    "divide": ("Divide", "numpy", lambda: _numpy("true_divide"), "torch.div", MUL),
    "true_divide": ("TrueDivide", "numpy", lambda: _numpy("true_divide"), "torch.div", MUL),
    "power": ("Power", "numpy", lambda: _numpy("power"), "torch.pow", MUL),
    "maximum": ("Maximum", "numpy", lambda: _numpy("maximum"), "torch.maximum", CMP),
    "minimum": ("Minimum", "numpy", lambda: _numpy("minimum"), "torch.minimum", CMP),
    "greater": ("Greater", "numpy", lambda: _numpy("greater"), "torch.gt", CMP),
    "greater_equal": ("GreaterEqual", "numpy", lambda: _numpy("greater_equal"), "torch.ge",
                      CMP),
    "less": ("Less", "numpy", lambda: _numpy("less"), "torch.lt", CMP),
    "less_equal": ("LessEqual", "numpy", lambda: _numpy("less_equal"), "torch.le", CMP),
    "equal": ("Equal", "numpy", lambda: _numpy("equal"), "torch.eq", CMP),
    "not_equal": ("NotEqual", "numpy", lambda: _numpy("not_equal"), "torch.ne", CMP),
    "floor_divide": ("FloorDivide", "numpy", lambda: _numpy("floor_divide"),
                     "torch.floor_divide", MUL),
    "mod": ("Mod", "numpy", lambda: _numpy("mod"), "torch.remainder", MUL),
}
COMPARISONS = frozenset({"greater", "greater_equal", "less", "less_equal", "equal",
                         "not_equal"})
#: Spec spellings that are another name of an operation (Keras' ``ops.abs``).
ALIASES = {"absolute": ("ops.abs",)}


def _elementwise_kind(name: str, row: tuple[str, str, Any, str, str],
                      operands: tuple[str, ...]) -> type[Elementwise]:
    keras_class, module, function, torch, op = row

    def compute(self: Elementwise, values: list[Any]) -> list[Any]:
        return [function()(*values)]

    return type(keras_class, (Elementwise,), {
        "__doc__": f"``keras.ops.{name}``: element-wise {keras_class} (Keras' {keras_class}).",
        "__module__": __name__,
        "kind": f"ops.{name}", "aliases": ALIASES.get(name, ()),
        "KERAS_CLASS": keras_class, "KERAS_MODULE": module, "OPERANDS": operands,
        "TORCH": torch, "WORK": (keras_class.lower(), op),
        "OUT_DTYPE": "bool" if name in COMPARISONS else "float32", "compute": compute,
    })


for _name, _row in UNARY.items():
    globals()[_row[0]] = _elementwise_kind(_name, _row, ("x",))
for _name, _row in BINARY.items():
    globals()[_row[0]] = _elementwise_kind(_name, _row, ("x1", "x2"))


class Where(Elementwise):
    """``ops.where(condition, x1, x2)``: ``x1`` where the condition holds, else ``x2``."""

    kind = "ops.where"
    KERAS_CLASS = "Where"
    OPERANDS = ("condition", "x1", "x2")
    TORCH = "torch.where"
    WORK = ("select", CMP)

    def compute(self, values: list[Any]) -> list[Any]:
        import numpy as np

        cond, a, b = values
        return [np.where(cond.astype(bool), a, b)]


class Cast(Op):
    """``ops.cast(x, dtype)``: the same values in another dtype."""

    kind = "ops.cast"
    KERAS_CLASS = "Cast"
    KERAS_MODULE = "core"
    TORCH = "torch.Tensor.to"

    ARGS = (Arg("dtype", choice(*DTYPES)),)

    @property
    def dtype(self) -> str:
        return self.config["dtype"]

    def compute(self, values: list[Any]) -> list[Any]:
        from rnncalc.layers.ops import bfloat16_as_float32

        target = "float32" if self.config["dtype"] == "bfloat16" else self.config["dtype"]
        return [bfloat16_as_float32(values[0]).astype(target)]

    def torch_call(self) -> str:
        return f"x.to(torch.{self.config['dtype']})"


# -- along an axis --------------------------------------------------------------------


class Softmax(Op):
    """``ops.softmax(x, axis=-1)`` (Keras' ops.nn Softmax): normalised exponentials."""

    kind = "ops.softmax"
    KERAS_CLASS = "Softmax"
    KERAS_MODULE = "nn"
    TORCH = "torch.softmax"
    ARGS = (Arg("axis", axis_or_none, -1),)
    LOG: ClassVar[bool] = False

    def shape(self, operands: list[Shape]) -> list[Shape]:
        axis = self.config["axis"]
        for a in (axis,) if is_int(axis) else (axis or ()):
            check_axis(a, len(operands[0]))
        return [operands[0]]

    def compute(self, values: list[Any]) -> list[Any]:
        import numpy as np

        x, axis = values[0], self.config["axis"]
        axis = tuple(axis) if isinstance(axis, (list, tuple)) else axis
        shifted = x - np.max(x, axis=axis, keepdims=True)
        if self.LOG:
            return [shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))]
        e = np.exp(shifted)
        return [e / np.sum(e, axis=axis, keepdims=True)]

    def cost(self, inputs: list[Shape], outputs: list[Shape],
             convention: str = "keras") -> list[CostTerm]:
        y = outputs[0]
        return [CostTerm("exp", ACT, 1, size(y), "1", "1", describe_dims(y, 0)),
                CostTerm("sum and divide", ADD, 2, size(y), "2", "2", describe_dims(y, 0))]

    def torch_call(self) -> str:
        return f"{self.TORCH}(x, dim={self.config['axis']})"


class LogSoftmax(Softmax):
    """``ops.log_softmax(x, axis=-1)``."""

    kind = "ops.log_softmax"
    KERAS_CLASS = "LogSoftmax"
    TORCH = "torch.log_softmax"
    LOG = True


class Reduction(Op):
    """A reduction over ``axis`` (``None``: every axis, leaving a scalar), as ``keras.ops``."""

    ARGS = (Arg("axis", axis_or_none, None), Arg("keepdims", boolean, False))
    NUMPY: ClassVar[str] = ""
    WORK: ClassVar[str] = ADD

    def axes(self, rank: int) -> tuple[int, ...]:
        axis = self.config["axis"]
        if axis is None:
            return tuple(range(rank))
        picked = [check_axis(a, rank) for a in ((axis,) if is_int(axis) else axis)]
        if len(set(picked)) != len(picked) and not self.config.get("keepdims"):
            raise SpecError(f"axis={list(axis)} names an axis twice (Keras fails: list "
                            "assignment index out of range)")
        return tuple(sorted(set(picked)))

    def shape(self, operands: list[Shape]) -> list[Shape]:
        x = operands[0]
        axes = self.axes(len(x))
        if self.config["keepdims"]:
            return [tuple(1 if i in axes else d for i, d in enumerate(x))]
        return [tuple(d for i, d in enumerate(x) if i not in axes)]

    def compute(self, values: list[Any]) -> list[Any]:
        import numpy as np

        x = values[0]
        extra = {"initial": self.config["initial"]} if self.config.get("initial") is not None \
            else {}
        y = getattr(np, self.NUMPY)(x, axis=self.axes(x.ndim), keepdims=self.config["keepdims"],
                                    **extra)
        return [np.asarray(y, dtype=x.dtype if x.dtype.kind == "f" else None)]

    def cost(self, inputs: list[Shape], outputs: list[Shape],
             convention: str = "keras") -> list[CostTerm]:
        x = self.operand_shapes(inputs)[0]
        return [CostTerm(f"{self.KERAS_CLASS.lower()} over axis", self.WORK, 1, size(x), "1",
                         "1", describe_dims(x, 0))]

    def torch_call(self) -> str:
        axis = self.config["axis"]
        dim = "" if axis is None else f", dim={axis}"
        keep = ", keepdim=True" if self.config["keepdims"] else ""
        return f"{self.TORCH}(x{dim}{keep})"


#: Reductions: spec name -> (Keras class, NumPy function, torch function, cost op).
REDUCTIONS: dict[str, tuple[str, str, str, str]] = {
    "sum": ("Sum", "sum", "torch.sum", ADD),
    "mean": ("Mean", "mean", "torch.mean", ADD),
    "max": ("Max", "max", "torch.amax", CMP),
    "min": ("Min", "min", "torch.amin", CMP),
    "prod": ("Prod", "prod", "torch.prod", MUL),
    "std": ("Std", "std", "torch.std", ADD),
    "var": ("Var", "var", "torch.var", ADD),
}
#: Arguments Keras' reduction classes take besides axis/keepdims (their config holds them).
EXTRA_ARGS: dict[str, tuple[Arg, ...]] = {
    "max": (Arg("initial", optional(constant), None, positional=False),),
    "min": (Arg("initial", optional(constant), None, positional=False),),
    "prod": (Arg("dtype", optional(choice(*DTYPES)), None, positional=False),),
}

for _name, (_cls, _np, _torch, _op) in REDUCTIONS.items():
    globals()[_cls] = type(_cls, (Reduction,), {
        "__doc__": f"``keras.ops.{_name}(x, axis=None, keepdims=False)``.",
        "__module__": __name__, "kind": f"ops.{_name}", "KERAS_CLASS": _cls, "NUMPY": _np,
        "TORCH": _torch, "WORK": _op, "ARGS": (*Reduction.ARGS, *EXTRA_ARGS.get(_name, ())),
    })


class Logsumexp(Reduction):
    """``ops.logsumexp(x, axis=None, keepdims=False)``: ``log(sum(exp(x)))``, kept finite."""

    kind = "ops.logsumexp"
    KERAS_CLASS = "Logsumexp"
    KERAS_MODULE = "math"
    TORCH = "torch.logsumexp"

    def compute(self, values: list[Any]) -> list[Any]:
        import numpy as np

        x, axes = values[0], self.axes(values[0].ndim)
        top = np.max(x, axis=axes, keepdims=True)
        y = np.log(np.sum(np.exp(x - top), axis=axes, keepdims=True)) + top
        return [y if self.config["keepdims"] else np.squeeze(y, axis=axes)]


def _norm_order(value: Any) -> Any:
    if value in (None, 1, 2) and not isinstance(value, bool):
        return value
    raise SpecError(f"rnncalc models ord=None, 1 or 2 (a vector norm over one axis), got "
                    f"{show(value)}")


class Norm(Reduction):
    """``ops.norm(x, ord=None, axis=None, keepdims=False)``: the vector 2-norm (``ord`` 1:
    the sum of absolute values) over one axis, as cosine-similarity code uses it."""

    kind = "ops.norm"
    KERAS_CLASS = "Norm"
    KERAS_MODULE = "linalg"
    TORCH = "torch.linalg.vector_norm"
    ARGS = (Arg("ord", _norm_order, None), *Reduction.ARGS)
    WORK = MUL

    def axes(self, rank: int) -> tuple[int, ...]:
        axis = self.config["axis"]
        if not is_int(axis):
            raise SpecError(f"rnncalc models ops.norm over one axis (a vector norm), got "
                            f"axis={show(axis)}")
        return (check_axis(axis, rank),)

    def compute(self, values: list[Any]) -> list[Any]:
        import numpy as np

        x, axes = values[0], self.axes(values[0].ndim)
        keep = self.config["keepdims"]
        if self.config["ord"] == 1:
            return [np.sum(np.abs(x), axis=axes, keepdims=keep)]
        return [np.sqrt(np.sum(np.square(x), axis=axes, keepdims=keep))]


class Argmax(Reduction):
    """``ops.argmax(x, axis=None, keepdims=False)``: int32 positions of the largest value
    (``axis=None``: in the flattened tensor, a scalar)."""

    kind = "ops.argmax"
    KERAS_CLASS = "Argmax"
    TORCH = "torch.argmax"
    ARGS = (Arg("axis", lambda v: None if v is None else integer(v), None),
            Arg("keepdims", boolean, False))
    WORK = CMP
    NUMPY = "argmax"

    @property
    def dtype(self) -> str:
        return "int32"

    def compute(self, values: list[Any]) -> list[Any]:
        import numpy as np

        axis = self.config["axis"]
        y = getattr(np, self.NUMPY)(values[0], axis=axis, keepdims=self.config["keepdims"])
        return [np.asarray(y, dtype=np.int32)]


class Argmin(Argmax):
    """``ops.argmin(x, axis=None, keepdims=False)``."""

    kind = "ops.argmin"
    KERAS_CLASS = "Argmin"
    TORCH = "torch.argmin"
    NUMPY = "argmin"


class Clip(Elementwise):
    """``ops.clip(x, x_min, x_max)``: values limited to ``[x_min, x_max]`` (constants)."""

    kind = "ops.clip"
    KERAS_CLASS = "Clip"
    TORCH = "torch.clamp"
    ARGS = (Arg("x_min", constant), Arg("x_max", constant))
    WORK = ("clip", CMP)

    def compute(self, values: list[Any]) -> list[Any]:
        import numpy as np

        x = values[0]
        return [np.clip(x, self.config["x_min"], self.config["x_max"]).astype(x.dtype,
                                                                             copy=False)]

    def torch_call(self) -> str:
        return f"torch.clamp(x, {self.config['x_min']}, {self.config['x_max']})"


def total(shape: Shape) -> int | None:
    """Number of values of a shape, or ``None`` with an unknown dim."""
    return None if any(d is None for d in shape) else prod(shape)  # type: ignore[arg-type]


__all__ = ["BINARY", "REDUCTIONS", "UNARY", "Op", "broadcast", "format_shape"]
