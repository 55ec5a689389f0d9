"""The values a static reading of Keras code works with.

Plain Python data (numbers, strings, lists, dicts) stands for itself. Every
Keras object the code would make is a small record instead: a layer object
(:class:`LayerObj`), a symbolic tensor (:class:`Tensor`) made by an input or a
layer call (:class:`CallNode`), and models (:class:`SequentialModel`,
:class:`FunctionalModel`, :class:`SubclassedModel`). Anything else (data,
library calls, files) is :class:`Unknown`, which remembers the source text of
what could not be known, so a note can name it and ``--set`` can bind it.
"""

from __future__ import annotations

import ast
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from rnncalc.layers.base import snake_case
from rnncalc.layers.calls import Call


@dataclass(frozen=True)
class Unknown:
    """A value only running the code (or the data) would give.

    ``text`` is the smallest expression that could not be known
    (``x_train.shape[1]``, ``len(chars)``); ``where`` is its place.
    """

    text: str
    where: str = ""
    reason: str = ""
    origin: str = ""         # the expression a name was assigned from (``df.shape[1]``)

    def __repr__(self) -> str:
        return f"<unknown {self.text}>"


@dataclass(frozen=True)
class Module:
    """An imported module or a dotted path inside one (``keras.layers``, ``tf.nn``)."""

    path: str

    @property
    def last(self) -> str:
        return self.path.rsplit(".", 1)[-1]


@dataclass
class Namer:
    """Keras 3's session-wide default names: one counter per snake_case prefix."""

    counts: Counter[str] = field(default_factory=Counter)

    def auto(self, class_name: str) -> str:
        prefix = snake_case(class_name)
        n = self.counts[prefix]
        self.counts[prefix] += 1
        return prefix if n == 0 else f"{prefix}_{n}"


@dataclass(eq=False)
class LayerObj:
    """A layer object: its Keras call (with its name), and every call made on it."""

    call: Call
    name: str
    where: str
    calls: list[CallNode] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return self.call.name


@dataclass(eq=False)
class InputNode:
    """``keras.Input(...)``: a model input with its per-sample shape."""

    name: str
    batch_shape: tuple[Any, ...] | None
    dtype: str | None
    where: str
    call: Call | None = None


@dataclass(eq=False)
class CallNode:
    """One call of a layer on tensors: ``layer(inputs, initial_state=...)``."""

    layer: LayerObj
    inputs: list[Any]
    initial_state: list[Any]
    where: str
    order: int
    shapes: list[Any] | None = None      # output shapes, once worked out
    problem: str | None = None           # why they could not be, when they could not


@dataclass(eq=False)
class Tensor:
    """A symbolic tensor: output ``index`` of an input or of a layer call."""

    source: InputNode | CallNode
    index: int = 0


@dataclass(eq=False)
class CallResult:
    """What a layer call returns: one tensor, or several when unpacked or indexed."""

    node: CallNode

    def tensor(self, index: int = 0) -> Tensor:
        return Tensor(self.node, index)


@dataclass(eq=False)
class Opaque:
    """A tensor that is not a layer's output (tensor arithmetic, a nested model, a
    custom layer): a model built on it cannot be read; ``reason`` says why."""

    reason: str


@dataclass(eq=False)
class Model:
    """Any model the code builds; ``problem`` is why it cannot be read (or ``None``)."""

    name: str
    where: str
    problem: str | None = None
    notes: list[str] = field(default_factory=list)

    def fail(self, reason: str) -> None:
        if self.problem is None:
            self.problem = reason


@dataclass(eq=False)
class SequentialModel(Model):
    items: list[Any] = field(default_factory=list)      # LayerObj / InputNode
    build_shape: tuple[Any, ...] | None = None
    has_input: bool = False
    implicit_input: bool = False     # from a first layer's input_shape
    unbuilt_hint: str | None = None  # the data fit() was given, when its shape is unknown
    input_name: str | None = None    # the InputLayer Keras made for it
    graph: Any = None                # (inputs, outputs) once model.input/output is asked


@dataclass(eq=False)
class FunctionalModel(Model):
    inputs: list[Any] = field(default_factory=list)
    outputs: list[Any] = field(default_factory=list)


@dataclass(eq=False)
class SubclassedModel(Model):
    cls: UserClass | None = None
    attrs: dict[str, Any] = field(default_factory=dict)
    inputs: list[Any] = field(default_factory=list)
    outputs: list[Any] = field(default_factory=list)
    traced: bool = False
    named: bool = False


@dataclass(eq=False)
class UserFunction:
    """A ``def`` (or ``lambda``) of the code: read again at every call."""

    node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
    scope: Any
    defaults: dict[str, Any]
    kind: str = "function"         # function / staticmethod / classmethod
    owner: UserClass | None = None
    place: Any = None              # the cell it is written in


@dataclass(eq=False)
class UserClass:
    """A ``class`` of the code; ``keras_base`` is ``"Model"``/``"Layer"`` for Keras subclasses."""

    name: str
    bases: list[Any]
    attrs: dict[str, Any]
    keras_base: str | None
    where: str
    fields: list[str] | None = None      # a dataclass's fields, in order

    def lookup(self, name: str) -> Any:
        if name in self.attrs:
            return self.attrs[name]
        for base in self.bases:
            if isinstance(base, UserClass):
                found = base.lookup(name)
                if found is not _MISSING:
                    return found
        return _MISSING


@dataclass(eq=False)
class Instance:
    """An object of a plain user class (a config holder, a tokenizer, a builder), or of a
    user's ``Layer`` subclass (``layer_state``: its name, weights and the layer it reads as)."""

    cls: UserClass
    attrs: dict[str, Any] = field(default_factory=dict)
    layer_state: dict[str, Any] = field(default_factory=dict)


@dataclass(eq=False)
class WeightRef:
    """What ``self.add_weight(...)`` returned in a custom layer: the weight as declared."""

    name: str | None
    shape: Any
    initializer: Any
    trainable: Any
    where: str


@dataclass(eq=False)
class BoundMethod:
    function: UserFunction
    self_value: Any


@dataclass(eq=False)
class Partial:
    """``functools.partial(func, *args, **kwargs)``."""

    func: Any
    args: tuple[Any, ...]
    kwargs: dict[str, Any]


@dataclass(eq=False)
class Builtin:
    """A safe Python builtin (``len``, ``range``, ...) or a method of plain data."""

    name: str
    self_value: Any = None


@dataclass(eq=False)
class SuperProxy:
    """``super()`` inside a method of a Keras model subclass."""

    self_value: Any


ZERO_STATE = Unknown("get_initial_state()", "", "a zero initial state")


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


_MISSING = _Missing()
MISSING = _MISSING


def contains_unknown(value: Any, depth: int = 0) -> Unknown | None:
    """The first :class:`Unknown` inside a value (lists, dicts, calls), or ``None``."""
    if depth > 50:
        return None
    if isinstance(value, Unknown):
        return value
    if isinstance(value, (list, tuple)):
        items = value
    elif isinstance(value, dict):
        items = [*value.keys(), *value.values()]
    elif isinstance(value, Call):
        items = [*value.args, *value.kwargs.values()]
    else:
        return None
    for item in items:
        found = contains_unknown(item, depth + 1)
        if found is not None:
            return found
    return None


def needs(value: Unknown, what: str) -> str:
    origin = f"= {value.origin}, " if value.origin else ""
    if value.reason:
        return (f"{what} uses '{value.text}' ({origin}{value.where}), which comes from "
                f"{value.reason}")
    return (f"{what} uses '{value.text}' ({origin}{value.where}), which only the data or a "
            f"library call knows: give it with --set '{value.text}=VALUE'")


def source_text(node: ast.AST, limit: int = 120) -> str:
    """A node's source text, shortened for notes."""
    try:
        text = ast.unparse(node)
    except Exception:          # an unusual node: name it by type
        return type(node).__name__
    return text if len(text) <= limit else text[: limit - 3] + "..."
