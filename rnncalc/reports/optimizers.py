"""Optimizer state as each Keras 3 optimizer allocates it.

``optimizer.build(trainable_variables)`` in Keras 3 adds, for every trainable
weight, one slot variable of the weight's shape and dtype per kind of state
the optimizer keeps (Adam: ``momentum`` and ``velocity``), and the base class
holds two scalars: ``iteration`` (int32) and ``learning_rate`` (float32).
Options that change the state are declared with the optimizer (``amsgrad``
adds ``velocity_hat``; RMSprop's ``momentum`` and ``centered`` add one each).
The fixtures in ``tests/golden/optimizer_state.json`` come from real Keras.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from rnncalc.errors import SpecError, did_you_mean

# (name, bytes) of the scalars every Keras 3 optimizer holds.
BASE_SCALARS = (("iteration", 4), ("learning_rate", 4))
# Options that change nothing in the state; accepted so a Keras call can be pasted.
_NEUTRAL = ("learning_rate", "beta_1", "beta_2", "epsilon", "weight_decay", "rho", "nesterov",
            "initial_accumulator_value", "clipnorm", "clipvalue", "global_clipnorm",
            "learning_rate_power", "l1_regularization_strength", "l2_regularization_strength",
            "l2_shrinkage_regularization_strength", "beta", "momentum_decay", "name",
            "loss_scale_factor")


def _flag(key: str, slot: str) -> Callable[[dict[str, Any]], list[str]]:
    return lambda o: [slot] if o.get(key) else []


@dataclass(frozen=True)
class OptimizerKind:
    """One Keras 3 optimizer: its slots per trainable weight and what options add."""

    name: str
    keras: str
    slots: tuple[str, ...]
    options: dict[str, Callable[[dict[str, Any]], list[str]]]
    defaults: dict[str, Any]
    #: Scalars beyond the base two, in the dtype of the first trainable weight.
    weight_scalars: tuple[str, ...] = ()


KINDS: dict[str, OptimizerKind] = {k.name: k for k in (
    OptimizerKind("sgd", "SGD", (), {"momentum": _flag("momentum", "momentum")}, {}),
    OptimizerKind("momentum", "SGD(momentum=0.9)", (),
                  {"momentum": _flag("momentum", "momentum")}, {"momentum": 0.9}),
    OptimizerKind("rmsprop", "RMSprop", ("velocity",),
                  {"momentum": _flag("momentum", "momentum"),
                   "centered": _flag("centered", "average_gradient")}, {}),
    OptimizerKind("adam", "Adam", ("momentum", "velocity"),
                  {"amsgrad": _flag("amsgrad", "velocity_hat")}, {}),
    OptimizerKind("adamw", "AdamW", ("momentum", "velocity"),
                  {"amsgrad": _flag("amsgrad", "velocity_hat")}, {}),
    OptimizerKind("nadam", "Nadam", ("momentum", "velocity"), {}, {},
                  weight_scalars=("u_product",)),
    OptimizerKind("adamax", "Adamax", ("m", "u"), {}, {}),
    OptimizerKind("adagrad", "Adagrad", ("accumulator",), {}, {}),
    OptimizerKind("adadelta", "Adadelta", ("accumulated_grad", "accumulated_delta_var"), {}, {}),
    OptimizerKind("lion", "Lion", ("momentum",), {}, {}),
    OptimizerKind("ftrl", "Ftrl", ("accumulator", "linear"), {}, {}),
)}
NAMES = tuple(KINDS)


@dataclass(frozen=True)
class Optimizer:
    """An optimizer with its options, as the user named it (``adam(amsgrad=True)``)."""

    kind: OptimizerKind
    options: dict[str, Any]
    label: str

    @property
    def slots(self) -> tuple[str, ...]:
        extra = [s for key, add in self.kind.options.items()
                 for s in add({**self.kind.defaults, **self.options})]
        return (*self.kind.slots, *extra)

    def state(self, weights: Iterable[tuple[int, int]]) -> OptimizerState:
        """State for trainable weights given as ``(values, bytes per value)``, in Keras order."""
        weights = list(weights)
        slots = self.slots
        values = sum(v for v, _ in weights) * len(slots)
        nbytes = sum(v * b for v, b in weights) * len(slots)
        scalar_bytes = sum(b for _, b in BASE_SCALARS)
        first = weights[0][1] if weights else 4
        scalar_bytes += first * len(self.kind.weight_scalars)
        scalars = len(BASE_SCALARS) + len(self.kind.weight_scalars)
        return OptimizerState(self.label, slots, values + scalars, nbytes + scalar_bytes,
                              scalars)


@dataclass(frozen=True)
class OptimizerState:
    """What the optimizer holds: slot names, values and bytes (slots plus scalars)."""

    optimizer: str
    slots: tuple[str, ...]
    values: int
    bytes: int
    scalars: int

    def to_dict(self) -> dict[str, Any]:
        return {"optimizer": self.optimizer, "slots_per_weight": list(self.slots),
                "values": self.values, "bytes": self.bytes, "scalars": self.scalars}


def parse_optimizer(text: str) -> Optimizer:
    """``adam``, ``Adam``, ``adam(amsgrad=True)``, ``SGD(momentum=0.9)`` -> :class:`Optimizer`."""
    source = text.strip()
    if "(" in source:
        from rnncalc.spec.expressions import parse_call

        try:
            call = parse_call(source)
        except SpecError as err:
            raise err.at("--optimizer") from None
        name, args, kwargs = call.name, call.args, dict(call.kwargs)
    else:
        name, args, kwargs = source, (), {}
    key = name.lower()
    if key not in KINDS:
        raise SpecError(f"--optimizer: unknown optimizer {name!r}; expected one of "
                        f"{', '.join(NAMES)}", hint=did_you_mean(key, NAMES))
    kind = KINDS[key]
    if args:
        kwargs.setdefault("learning_rate", args[0])
    for option in kwargs:
        if option not in kind.options and option not in _NEUTRAL:
            known = [*kind.options, *_NEUTRAL]
            raise SpecError(f"--optimizer: {kind.keras.split('(')[0]} has no option "
                            f"'{option}'", hint=did_you_mean(option, known))
    return Optimizer(kind, kwargs, source)


def trainable_weights(graph: Any, dtype: str | None = None) -> list[tuple[int, int]]:
    """``(values, bytes per value)`` of every trainable weight, in the graph's layer order."""
    from rnncalc.layers.arguments import value_bytes

    # slot variables take their weight's dtype (float32 under a mixed policy)
    return [(w.params, value_bytes(dtype or w.dtype)) for node in graph.nodes
            for w in node.weights if w.trainable]


def optimizer_state(graph: Any, optimizer: Optimizer | str,
                    dtype: str | None = None) -> OptimizerState:
    """The optimizer state of a built graph."""
    opt = parse_optimizer(optimizer) if isinstance(optimizer, str) else optimizer
    return opt.state(trainable_weights(graph, dtype))
