"""The layer contract every layer kind implements, and the kind registry.

A layer kind declares, in its own module and nowhere else:

1. its Keras arguments (:attr:`Layer.ARGS`),
2. its weights as named shapes (:meth:`Layer.build_weights`), from which
   parameter counts, ``explain`` and the engine's weight handling all derive,
3. its output shapes (:meth:`Layer.output_shapes`),
4. its forward pass (``forward``, used by the NumPy engine).
"""

from __future__ import annotations

import copy
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from math import prod
from typing import TYPE_CHECKING, Any, ClassVar

from rnncalc.errors import SpecError, did_you_mean
from rnncalc.layers.arguments import (
    COMMON_ARGS,
    LAYER_IGNORED,
    Arg,
    compute_dtype,
    value_bytes,
    variable_dtype,
)
from rnncalc.layers.calls import Call
from rnncalc.layers.counting import CostTerm, MemoryTerm
from rnncalc.layers.initializers import Initializer
from rnncalc.layers.shapes import Shape, format_shape
from rnncalc.layers.signature import Signature

if TYPE_CHECKING:  # built only for --convention pytorch
    from rnncalc.layers.torch_modules import TorchModule


@dataclass(frozen=True)
class Weight:
    """One weight tensor as Keras declares it in ``build``.

    ``dims`` says what each axis is made of (``"4 gates × 128 units"``), so
    ``explain`` can show the arithmetic without knowing the layer kind.
    """

    name: str
    shape: tuple[int, ...]
    initializer: Initializer
    trainable: bool = True
    role: str = ""
    dims: tuple[str, ...] = ()
    #: The variable's dtype; "" until :meth:`Layer.weights` stamps the owning
    #: layer's (a wrapped layer stamps its own, as Keras keeps it; Normalization's
    #: count is int64).
    dtype: str = ""

    @property
    def params(self) -> int:
        """Element count (a product of a few dims: cheaper than ``cached_property``'s
        lookup, which takes a lock in Python 3.11)."""
        return prod(self.shape)

    @property
    def bytes(self) -> int:
        """Storage of this weight, as Keras' summary counts it (size × dtype bytes)."""
        return self.params * value_bytes(self.dtype)

    def held(self, dtype: str, trainable: bool) -> Weight:
        """This weight as a layer with this variable dtype and ``trainable`` flag holds it:
        its own dtype if it has one (a wrapped layer's), frozen if the layer is.

        Copied as ``copy.copy`` copies (a new instance, its fields' dict copied), then
        changed: ``dataclasses.replace`` re-reads the fields and a frozen ``__init__``
        sets them one by one, twice the time, and every weight of every layer of a
        model is copied here.
        """
        if self.dtype and (trainable or not self.trainable):
            return self
        copy = object.__new__(type(self))
        fields = copy.__dict__
        fields.update(self.__dict__)
        fields["dtype"] = self.dtype or dtype
        fields["trainable"] = self.trainable and trainable
        return copy

    def renamed(self, name: str, role: str) -> Weight:
        """This weight under another name and role (a wrapper's ``forward/kernel``), copied
        as in :meth:`held`."""
        copy = object.__new__(type(self))
        fields = copy.__dict__
        fields.update(self.__dict__)
        fields["name"] = name
        fields["role"] = role
        return copy


class Namer:
    """Default layer names as a fresh Keras 3 session assigns them.

    Keras keeps one counter per snake_case prefix: ``lstm``, ``lstm_1``, ...
    """

    def __init__(self) -> None:
        self._counts: Counter[str] = Counter()

    def peek(self, kind: str) -> str:
        """The name the next ``kind`` would get, without taking it."""
        prefix = snake_case(kind)
        n = self._counts[prefix]
        return prefix if n == 0 else f"{prefix}_{n}"

    def auto(self, kind: str) -> str:
        """Take the next default name for ``kind``."""
        prefix = snake_case(kind)
        n = self._counts[prefix]
        self._counts[prefix] = n + 1
        return prefix if n == 0 else f"{prefix}_{n}"


@lru_cache(maxsize=512)
def snake_case(name: str) -> str:
    """Keras' ``to_snake_case``: ``SimpleRNN`` -> ``simple_rnn``, ``Conv1D`` -> ``conv1d``."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


class Forward:
    """The forward-pass contract (used by :mod:`rnncalc.engine`), mixed into :class:`Layer`.

    ``forward(inputs, weights, mask)`` takes NumPy arrays (batch first), the
    layer's weights by declared name and the Keras mask of the first input
    (``None`` when unmasked), and returns the outputs in Keras order.
    NumPy is imported inside the methods, never at module import.
    """

    #: Keras' ``supports_masking``: the default ``compute_mask`` passes the
    #: first input's mask on; without it the mask stops here.
    SUPPORTS_MASKING: ClassVar[bool] = False

    def forward(self, inputs: list[Any], weights: dict[str, Any], mask: Any = None) -> list[Any]:
        """Inference-time outputs for these inputs (a list, one array per output)."""
        raise NotImplementedError(f"{type(self).__name__} has no forward pass")

    def uses_sequence_loop(self) -> bool:
        """True when ``forward`` takes ``loop=``, the engine's sequence loop.

        Recurrent layers (and wrappers around them) hold a cell that knows one
        step; the engine owns the loop over time (``rnncalc.engine.sequence``)
        and hands it to ``forward``, so layers never import the engine.
        """
        return False

    def uses_graph_executor(self) -> bool:
        """True when ``forward`` takes ``execute=``, the engine's graph executor.

        A model used as a layer runs its inner graph with it (``rnncalc.submodel``).
        """
        return False

    def compute_mask(self, inputs: list[Any], masks: list[Any]) -> list[Any]:
        """Keras' ``compute_mask``: the mask of each output (``None``: unmasked)."""
        return [masks[0] if self.SUPPORTS_MASKING else None]

    def initial_value(self, weight: Weight, sample: Any) -> Any:
        """A weight's initial value; ``sample(initializer, shape)`` draws one."""
        return sample(weight.initializer, weight.shape)

    def input_range(self) -> tuple[int, int] | None:
        """Valid integer values of the first input (token ids), if the layer has a range."""
        return None

    def forward_steps(self, inputs: list[Shape]) -> int:
        """Units of work of one forward call, for progress display (timesteps for RNNs)."""
        return 1

    def scratch_values(self, inputs: list[Shape], outputs: list[Shape]) -> int:
        """Temporary values a forward call holds besides its outputs (memory estimate)."""
        return sum(prod(d or 1 for d in s) for s in outputs)


LAYER_KINDS: dict[str, type[Layer]] = {}
#: Each kind's :class:`Signature`, made at its first call (see :meth:`Layer.signature`).
_SIGNATURES: dict[type[Layer], Signature] = {}


class Layer(Forward):
    """Base class: validated config plus the shape and weight rules of one kind."""

    kind: ClassVar[str] = ""
    aliases: ClassVar[tuple[str, ...]] = ()
    ARGS: ClassVar[tuple[Arg, ...]] = ()
    #: Keras 3 takes ``input_dim`` on every layer (``input_shape=(input_dim,)``).
    ACCEPTS_INPUT_DIM: ClassVar[bool] = True
    #: Keras arguments rnncalc cannot model, with the one value it accepts.
    NOT_MODELLED: ClassVar[dict[str, Any]] = {}
    #: False where Keras' constructor does not pass ``**kwargs`` on to
    #: ``keras.layers.Layer`` (SpatialDropout1D): no trainable/autocast/... then.
    LAYER_KWARGS: ClassVar[bool] = True
    MIN_INPUTS: ClassVar[int] = 1
    MAX_INPUTS: ClassVar[int | None] = 1
    #: Per-axis size arguments whose equal entries export writes as one int
    #: (``kernel_size=3`` for ``(3, 3)``), as Keras users write them.
    COMPACT_ARGS: ClassVar[tuple[str, ...]] = ()
    #: Keras arguments of this kind accepted and ignored (they change neither shapes,
    #: counts nor inference: regularizers, constraints, seeds), besides the
    #: ``keras.layers.Layer`` ones (``LAYER_BASE_ARGS``); checked against Keras by
    #: tests/test_keras_args.py. ``None``: the shared list in :mod:`rnncalc.layers.arguments`.
    IGNORED_ARGS: ClassVar[frozenset[str] | None] = frozenset()
    #: Inbound tensors after the first are initial states (``initial_state:``).
    TAKES_INITIAL_STATE: ClassVar[bool] = False
    #: Keras call arguments besides the inputs (``use_causal_mask``), written beside
    #: ``inputs:`` in a spec; the values of one call are in :attr:`call_config`.
    CALL_ARGS: ClassVar[tuple[Arg, ...]] = ()
    #: ``forward`` receives the masks of every input (a list), not the first one's.
    TAKES_INPUT_MASKS: ClassVar[bool] = False
    #: Keras calls the layer with its inputs as separate arguments (``mha(q, v)``),
    #: not as one list (``attention([q, v])``).
    INPUTS_AS_ARGUMENTS: ClassVar[bool] = False
    #: Arguments that hold Python source text (a Lambda's body): export writes them
    #: as code; nothing ever runs them.
    SOURCE_ARGS: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("kind"):
            for key in (cls.kind, *cls.aliases):
                LAYER_KINDS[key] = cls

    def __init__(self, config: dict[str, Any], namer: Namer) -> None:
        self.config = config
        self.name: str = config["name"] or namer.auto(self.kind)
        self.call_config: dict[str, Any] = \
            {a.name: a.default for a in self.CALL_ARGS} if self.CALL_ARGS else {}

    def called_with(self, given: dict[str, Any]) -> Layer:
        """This layer for one call with these call arguments (validated against ``CALL_ARGS``).

        A copy carries the call's values, so a layer's shape and forward rules read
        them from :attr:`call_config` without a second signature.
        """
        if not given:
            return self
        declared = {a.name: a for a in self.CALL_ARGS}
        config = dict(self.call_config)
        for key, value in given.items():
            if key not in declared and key in {a.name for a in self.ARGS}:
                raise SpecError(f"'{key}' is an argument of {self.kind} itself, not of its "
                                f"call: write it inside the layer's mapping, e.g. "
                                f"{{{self.kind}: {{..., {key}: ...}}}}")
            if key not in declared:
                takes = ", ".join(declared) or "none"
                raise SpecError(f"unknown call argument '{key}' (a {self.kind} call takes: "
                                f"{takes})", hint=did_you_mean(
                                    str(key), [*declared, "inputs", "initial_state"]))
            try:
                config[key] = declared[key].check(value)
            except SpecError as err:
                raise err.at(f"call argument '{key}'") from None
        called = copy.copy(self)
        called.call_config = config
        return called

    def call_args_given(self) -> dict[str, Any]:
        """Call arguments that differ from Keras' defaults (for export)."""
        return {a.name: self.call_config[a.name] for a in self.CALL_ARGS
                if self.call_config.get(a.name) != a.default}

    @classmethod
    def from_call(cls, call: Call, namer: Namer) -> Layer:
        """Validate a call's arguments and construct the layer."""
        config = cls.signature().bind(call.args, call.kwargs)
        cls.check_config(config)
        return cls(config, namer)

    @classmethod
    def signature(cls) -> Signature:
        """This kind's arguments laid out for binding, once per kind (every layer of a
        model binds its call against them)."""
        found = _SIGNATURES.get(cls)
        if found is None or found.args is not cls.ARGS:
            common = COMMON_ARGS if cls.LAYER_KWARGS else tuple(
                a for a in COMMON_ARGS if a.name != "trainable")
            ignored = None if cls.IGNORED_ARGS is None else cls.IGNORED_ARGS | (
                LAYER_IGNORED if cls.LAYER_KWARGS else frozenset())
            found = _SIGNATURES[cls] = Signature(
                cls.ARGS, accepts_input_dim=cls.ACCEPTS_INPUT_DIM, ignored=ignored,
                not_modelled=cls.NOT_MODELLED, kind=cls.kind, common_args=common)
        return found

    @classmethod
    def check_config(cls, config: dict[str, Any]) -> None:
        """Cross-argument checks; override where Keras has them."""

    # -- what a kind declares ---------------------------------------------------

    def build_weights(self, inputs: list[Shape]) -> list[Weight]:
        """The weights Keras' ``build`` creates for these input shapes."""
        return []

    def output_shapes(self, inputs: list[Shape]) -> list[Shape]:
        """Output shapes in Keras order (``[output, *states]``)."""
        return [inputs[0]]

    def implied_input(self) -> tuple[Shape, str | None] | None:
        """Per-sample input shape (batch first) from Keras 2 first-layer arguments.

        Returns ``(batch_shape, dtype)`` or ``None`` when the layer carries none.
        """
        c = self.config
        if c.get("batch_input_shape") is not None:
            return tuple(c["batch_input_shape"]), c.get("dtype")
        if c.get("input_shape") is not None:
            return (c.get("batch_size"), *c["input_shape"]), c.get("dtype")
        if self.ACCEPTS_INPUT_DIM and c.get("input_dim") is not None:
            return self.shape_from_input_dim(c["input_dim"], c.get("input_length")), c.get("dtype")
        if c.get("input_length") is not None:
            return (c.get("batch_size"), c["input_length"]), c.get("dtype")
        return None

    def shape_from_input_dim(self, input_dim: int, input_length: int | None) -> Shape:
        """Keras 2's ``input_dim`` (and ``input_length``) as a batch shape."""
        return (self.config.get("batch_size"), input_dim)

    def default_input(self) -> Shape | None:
        """Batch shape assumed with no input shape anywhere (Keras 2 did this for Embedding)."""
        return None

    def input_dtype(self) -> str | None:
        """The dtype of an input this layer implies as a model's first layer (``string``)."""
        return None

    def output_names(self, inputs: list[Shape]) -> list[str]:
        """What each output tensor holds, for labels (``["output", "h", "c"]``)."""
        n = len(self.output_shapes(inputs))
        return ["output"] if n == 1 else [f"output {k}" for k in range(n)]

    def sequence_option(self) -> str | None:
        """The argument that would make this layer output a whole sequence, when it is off.

        Recurrent layers answer ``"return_sequences"`` unless it is set; the
        graph uses it to teach after a rank error in the next layer.
        """
        return None

    def sublayers(self) -> list[Layer]:
        """Wrapped layers, for wrappers; the graph uses this for dtype and names."""
        return []

    # -- cost and conventions (rnncalc.reports.cost, rnncalc.reports.pytorch) --------------------

    def cost(self, inputs: list[Shape], outputs: list[Shape],
             convention: str = "keras") -> list[CostTerm]:
        """Operations of one forward pass (matmul MACs, bias adds, element-wise work).

        The default is none: layers that only move or relabel values.
        """
        return []

    def memory(self, inputs: list[Shape], outputs: list[Shape]) -> list[MemoryTerm]:
        """Activation values held besides the output tensors (working set, BPTT)."""
        return []

    #: How :mod:`rnncalc.reports.pytorch` lays this layer out in torch.nn: ``""`` asks
    #: :meth:`torch_modules`; ``"rnn"`` / ``"bidirectional"`` are the recurrent
    #: layouts it computes from the layer's facts (``TORCH_MODULE``, ``TORCH_GATES``).
    TORCH_LAYOUT: ClassVar[str] = ""

    def torch_modules(self, inputs: list[Shape]) -> list[TorchModule]:
        """The ``torch.nn`` modules PyTorch would use for this layer (none by default)."""
        return []

    # -- derived, never overridden ---------------------------------------------

    @property
    def type_name(self) -> str:
        """The class name Keras shows for this layer (a user's own class for ``Custom``)."""
        return self.kind

    @property
    def trainable(self) -> bool:
        return bool(self.config.get("trainable", True))

    @property
    def dtype(self) -> str:
        return self.config.get("dtype") or "float32"

    @property
    def variable_dtype(self) -> str:
        """The dtype of this layer's own weights (float32 under a mixed policy)."""
        return variable_dtype(self.config.get("dtype"))

    @property
    def compute_dtype(self) -> str:
        """The dtype this layer computes in (float16 under ``mixed_float16``)."""
        return compute_dtype(self.config.get("dtype"))

    def weights(self, inputs: list[Shape]) -> list[Weight]:
        """Declared weights with ``trainable: false`` and the variable dtype applied.

        A wrapped layer's weights arrive already stamped with its own dtype:
        Keras builds the inner layer from its own config, so a wrapper's dtype
        never reaches them (and an inner dtype is kept inside a wrapper).
        """
        dtype, trainable = self.variable_dtype, self.trainable
        return [w.held(dtype, trainable) for w in self.build_weights(inputs)]

    def check_inputs(self, inputs: list[Shape]) -> None:
        """Arity check shared by all kinds."""
        lo, hi = self.MIN_INPUTS, self.MAX_INPUTS
        if len(inputs) < lo or (hi is not None and len(inputs) > hi):
            want = str(lo) if lo == hi else (f"at least {lo}" if hi is None else f"{lo} to {hi}")
            raise SpecError(f"expects {want} input tensor{'s' if want != '1' else ''}, "
                            f"got {len(inputs)}")


def layer_class(kind: str) -> type[Layer]:
    """Look up a layer kind by its Keras class name (importing the module that declares it)."""
    if kind not in LAYER_KINDS:
        from rnncalc.layers import KIND_MODULES, load_kind

        load_kind(kind)
        if kind not in LAYER_KINDS:
            raise SpecError(f"unknown layer type '{kind}'",
                            hint=did_you_mean(kind, list(KIND_MODULES)))
    return LAYER_KINDS[kind]


def require_rank(shape: Shape, rank: int | tuple[int, ...], what: str) -> None:
    """Keras-style rank check with a readable message."""
    ranks = (rank,) if isinstance(rank, int) else rank
    if len(shape) not in ranks:
        want = " or ".join(str(r) for r in ranks)
        raise SpecError(f"expects input of rank {want} {what}, got {format_shape(shape)}")


def require_known(dim: int | None, what: str, shape: Shape) -> int:
    """A dim that must be known for weights to be built (Keras raises too)."""
    if dim is None:
        raise SpecError(f"the {what} dim of the input must be known to build the weights, "
                        f"got {format_shape(shape)}")
    return dim
