"""Declared layer arguments and their validators.

Each layer kind lists its Keras arguments once as :class:`Arg` values (in
Keras' positional order). Binding a call against that list gives validated,
defaulted config, unknown-argument errors with did-you-mean hints, and
Keras-style messages naming the argument, what was expected and what came.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from rnncalc.errors import SpecError, did_you_mean

Validator = Callable[[Any], Any]

_MISSING = object()
REQUIRED: Any = _MISSING


def show(value: Any) -> str:
    """A value as the user wrote it, for error messages."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, str):
        return repr(value) if len(value) <= 60 else repr(value[:57]) + "..."
    from rnncalc.layers.calls import source_text

    text = source_text(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _bad(expected: str, value: Any) -> SpecError:
    return SpecError(f"expected {expected}, got {show(value)}")


def is_int(value: Any) -> bool:
    """True for ints but not bools (YAML ``true`` must not pass as 1)."""
    return isinstance(value, int) and not isinstance(value, bool)


def positive_int(value: Any) -> int:
    """Sizes such as ``units``: a whole number of at least 1."""
    if not is_int(value) or value < 1:
        raise _bad("a positive integer", value)
    return value


def non_negative_int(value: Any) -> int:
    """Counts that may be zero."""
    if not is_int(value) or value < 0:
        raise _bad("a non-negative integer", value)
    return value


def integer(value: Any) -> int:
    """Any whole number (axes, offsets)."""
    if not is_int(value):
        raise _bad("an integer", value)
    return value


def boolean(value: Any) -> bool:
    """Flags: only real booleans, so ``'yes'`` or ``1`` are caught."""
    if not isinstance(value, bool):
        raise _bad("true or false", value)
    return value


def number(value: Any) -> float:
    """Any real number (epsilon, momentum, mask_value)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _bad("a number", value)
    return float(value)


def rate(value: Any) -> float:
    """Dropout rates: Keras requires 0 <= rate <= 1."""
    result = number(value) if not isinstance(value, bool) else None
    if result is None or not 0.0 <= result <= 1.0:
        raise _bad("a number between 0 and 1", value)
    return result


def string(value: Any) -> str:
    """Free text such as layer names."""
    if not isinstance(value, str) or not value:
        raise _bad("a non-empty string", value)
    return value


def layer_name(value: Any) -> str:
    """A layer or input name: Keras refuses ``/`` (it separates weight paths)."""
    name = string(value)
    if "/" in name:
        raise SpecError(f"a name cannot contain '/' (Keras refuses it: it separates weight "
                        f"paths), got {show(name)}")
    return name


def choice(*options: Any) -> Validator:
    """One of a fixed set of values, with a did-you-mean for near misses."""

    def check(value: Any) -> Any:
        if value in options and not (isinstance(value, bool) and True in options):
            return value
        names = [show(o) for o in options]
        err = _bad("one of " + ", ".join(names), value)
        if isinstance(value, str):
            err.hint = did_you_mean(value, [o for o in options if isinstance(o, str)])
        raise err

    return check


def optional(inner: Validator) -> Validator:
    """``None`` or whatever ``inner`` accepts."""

    def check(value: Any) -> Any:
        return None if value is None else inner(value)

    return check


def int_tuple(length: int | None = None, *, positive: bool = True, scalar_ok: bool = True,
              allow: tuple[int, ...] = ()) -> Validator:
    """Tuples of ints (kernel_size, dims, target_shape); a bare int is a 1-tuple."""

    def check(value: Any) -> tuple[int, ...]:
        items = [value] if scalar_ok and is_int(value) else value
        what = f"a list of {length} " if length else "a list of "
        what += "positive integers" if positive else "integers"
        if not isinstance(items, (list, tuple)) or not all(is_int(i) for i in items):
            raise _bad(what if not scalar_ok else f"an integer or {what}", value)
        if length is not None and len(items) != length:
            raise _bad(what, value)
        for i in items:
            if positive and i < 1 and i not in allow:
                raise _bad(what, value)
        return tuple(items)

    return check


def dims(value: Any) -> tuple[int | None, ...]:
    """A shape: positive ints or ``None`` for unknown dims."""
    if is_int(value):
        value = [value]
    if not isinstance(value, (list, tuple)):
        raise _bad("a shape (a list of positive integers or null)", value)
    for d in value:
        if d is not None and (not is_int(d) or d < 1):
            raise _bad("a shape (a list of positive integers or null)", value)
    return tuple(value)


def axes(value: Any) -> int | tuple[int, ...]:
    """A single axis or a list of axes (LayerNormalization)."""
    if is_int(value):
        return value
    if isinstance(value, (list, tuple)) and value and all(is_int(a) for a in value):
        return tuple(value)
    raise _bad("an axis (integer) or a list of axes", value)


FLOAT_DTYPES = ("float16", "bfloat16", "float32", "float64")
DTYPES = (*FLOAT_DTYPES, "int8", "int16", "int32", "int64", "uint8", "bool")
# Keras mixed-precision policies compute in 16 bits but keep float32 variables.
POLICIES = {"mixed_float16": ("float16", "float32"), "mixed_bfloat16": ("bfloat16", "float32")}
DTYPE_BYTES = {"float16": 2, "bfloat16": 2, "float32": 4, "float64": 8, "int8": 1,
               "int16": 2, "int32": 4, "int64": 8, "uint8": 1, "bool": 1}


def variable_dtype(dtype: str | None) -> str:
    """The dtype Keras stores a layer's weights in (a policy's ``variable_dtype``)."""
    if dtype in POLICIES:
        return POLICIES[dtype][1]
    return dtype or "float32"


def compute_dtype(dtype: str | None) -> str:
    """The dtype a layer computes (and so holds activations) in."""
    if dtype in POLICIES:
        return POLICIES[dtype][0]
    return dtype or "float32"


@cache
def value_bytes(dtype: str | None) -> int:
    """Bytes per stored value of a dtype or policy: the one table every byte count uses
    (remembered per dtype: every weight of every layer asks)."""
    return DTYPE_BYTES.get(variable_dtype(dtype), 4)

dtype = choice(*DTYPES, *POLICIES)


def anything(value: Any) -> Any:
    """Arguments that change neither shapes, counts nor inference."""
    return value


@dataclass(frozen=True)
class Arg:
    """One Keras argument: its name, validator, default and whether it may be positional."""

    name: str
    check: Validator
    default: Any = REQUIRED
    positional: bool = True
    used: bool = True        # False: accepted where Keras takes it, changes nothing here

    @property
    def required(self) -> bool:
        return self.default is _MISSING


# Arguments every Keras layer takes. The input ones are the Keras 2 spellings
# the seed notebook uses; they only matter on a model's first layer.
COMMON_ARGS: tuple[Arg, ...] = (  # keyword-only in Keras
    Arg("name", optional(layer_name), None, positional=False),
    Arg("trainable", boolean, True, positional=False),
    Arg("dtype", optional(dtype), None, positional=False),
    Arg("input_shape", optional(dims), None, positional=False),
    Arg("batch_input_shape", optional(dims), None, positional=False),
    Arg("batch_size", optional(positive_int), None, positional=False),
    Arg("input_length", optional(positive_int), None, positional=False),
)

# Keywords keras.layers.Layer takes on every layer besides COMMON_ARGS; they
# change neither shapes, counts nor inference, so they are accepted and ignored.
LAYER_IGNORED = frozenset({"activity_regularizer", "autocast"})

# The old shared list, for a kind that sets ``IGNORED_ARGS = None`` (not audited
# against Keras yet); audited kinds declare their own set.
IGNORED_ARGS = frozenset({
    "activity_regularizer", "kernel_regularizer", "bias_regularizer", "recurrent_regularizer",
    "embeddings_regularizer", "beta_regularizer", "gamma_regularizer", "kernel_constraint",
    "bias_constraint", "recurrent_constraint", "embeddings_constraint", "beta_constraint",
    "gamma_constraint", "seed", "noise_shape", "autocast", "lora_alpha",
})


# What Keras 3's base ``Layer`` takes besides the common arguments: every layer accepts
# these, so a kind that declares all its own arguments ignores only these.
LAYER_BASE_ARGS = frozenset({"activity_regularizer", "autocast"})


def regularized(*prefixes: str) -> frozenset[str]:
    """``X_regularizer`` and ``X_constraint`` for each weight ``X``: training-only arguments."""
    return frozenset(f"{p}_{k}" for p in prefixes for k in ("regularizer", "constraint"))


_REGULARIZERS = {"l1": "L1", "l2": "L2", "l1_l2": "L1L2", "L1": "L1", "L2": "L2",
                 "L1L2": "L1L2", "orthogonal_regularizer": "OrthogonalRegularizer",
                 "OrthogonalRegularizer": "OrthogonalRegularizer"}
_CONSTRAINTS = {"max_norm": "MaxNorm", "MaxNorm": "MaxNorm", "min_max_norm": "MinMaxNorm",
                "MinMaxNorm": "MinMaxNorm", "non_neg": "NonNeg", "NonNeg": "NonNeg",
                "unit_norm": "UnitNorm", "UnitNorm": "UnitNorm"}


def _keras_object(value: Any, known: dict[str, str], what: str, examples: str) -> None:
    """Check a regularizer or constraint as Keras reads one: a name, ``L2(0.01)`` or
    ``{class_name, config}``; factors are non-negative numbers. Its value changes nothing
    rnncalc computes, but Keras refuses a wrong one, and so does rnncalc."""
    from rnncalc.layers.calls import Call

    if value is None:
        return
    if isinstance(value, str):
        name, params = value, {}
    elif isinstance(value, Call):
        name, params = value.name, {**{str(i): v for i, v in enumerate(value.args)},
                                    **value.kwargs}
    elif isinstance(value, dict) and "class_name" in value:
        name, params = value["class_name"], value.get("config") or {}
    else:
        raise SpecError(f"expected a Keras {what} ({examples}), got {show(value)}")
    if not isinstance(name, str) or name.split(".")[-1] not in known:
        raise SpecError(f"unknown {what} {show(name)} (Keras knows "
                        f"{', '.join(sorted(set(known.values())))})",
                        hint=did_you_mean(str(name), list(known)))
    if not isinstance(params, dict):
        raise SpecError(f"{what} config must be a mapping, got {show(params)}")
    for key, factor in params.items():
        if key in ("mode", "axis", "name") or factor is None:
            continue
        if isinstance(factor, bool) or not isinstance(factor, int | float) or factor < 0:
            raise SpecError(f"{name}: {key} must be a non-negative number, got {show(factor)}")


def check_side_argument(name: str, value: Any) -> None:
    """Regularizers and constraints: accepted and unused, but checked as Keras checks them."""
    if name.endswith("_regularizer"):
        _keras_object(value, _REGULARIZERS, "regularizer", "'l2', L2(0.01), 'l1_l2'")
    elif name.endswith("_constraint"):
        _keras_object(value, _CONSTRAINTS, "constraint", "'max_norm', MaxNorm(3), 'non_neg'")
