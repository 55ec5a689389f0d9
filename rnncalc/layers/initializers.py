"""Keras initializer specs: parsed and validated here, sampled by the engine.

Users write initializers as Keras names (``glorot_uniform``), one-key
mappings (``{Constant: {value: 0.1}}``), Keras' own serialized form
(``{class_name: Constant, config: {value: 0.1}}``) or call expressions
(``Constant(0.1)``). All become an :class:`Initializer`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rnncalc.errors import SpecError, did_you_mean
from rnncalc.layers.arguments import Arg, anything, choice, number, optional, show
from rnncalc.layers.calls import Call
from rnncalc.layers.signature import bind

_SEED = Arg("seed", optional(anything), None, positional=False)

# Keras 3 class name -> its arguments in positional order.
INITIALIZER_ARGS: dict[str, tuple[Arg, ...]] = {
    "Zeros": (),
    "Ones": (),
    "Constant": (Arg("value", number, 0.0, positional=True),),
    "RandomNormal": (Arg("mean", number, 0.0, True), Arg("stddev", number, 0.05, True), _SEED),
    "RandomUniform": (Arg("minval", number, -0.05, True), Arg("maxval", number, 0.05, True),
                      _SEED),
    "TruncatedNormal": (Arg("mean", number, 0.0, True), Arg("stddev", number, 0.05, True),
                        _SEED),
    "VarianceScaling": (
        Arg("scale", number, 1.0, True),
        Arg("mode", choice("fan_in", "fan_out", "fan_avg"), "fan_in", True),
        Arg("distribution", choice("truncated_normal", "untruncated_normal", "uniform"),
            "truncated_normal", True),
        _SEED),
    "GlorotUniform": (_SEED,),
    "GlorotNormal": (_SEED,),
    "HeUniform": (_SEED,),
    "HeNormal": (_SEED,),
    "LecunUniform": (_SEED,),
    "LecunNormal": (_SEED,),
    "Orthogonal": (Arg("gain", number, 1.0, True), _SEED),
    "Identity": (Arg("gain", number, 1.0, True),),
}

ALIASES: dict[str, str] = {
    "zeros": "Zeros", "zero": "Zeros", "ones": "Ones", "one": "Ones", "constant": "Constant",
    "random_normal": "RandomNormal", "normal": "RandomNormal",
    "random_uniform": "RandomUniform", "uniform": "RandomUniform",
    "truncated_normal": "TruncatedNormal", "variance_scaling": "VarianceScaling",
    "glorot_uniform": "GlorotUniform", "glorot_normal": "GlorotNormal",
    "he_uniform": "HeUniform", "he_normal": "HeNormal", "lecun_uniform": "LecunUniform",
    "lecun_normal": "LecunNormal", "orthogonal": "Orthogonal", "identity": "Identity",
    "IdentityInitializer": "Identity", "OrthogonalInitializer": "Orthogonal",
}


@dataclass(frozen=True)
class Initializer:
    """A Keras initializer by class name with its validated config."""

    name: str
    config: dict[str, Any] = field(default_factory=dict)

    def __hash__(self) -> int:
        return hash(self.name)

    def describe(self) -> str:
        """Short form for listings: ``Constant(value=0.1)``."""
        shown = {k: v for k, v in self.config.items() if v is not None}
        return f"{self.name}({', '.join(f'{k}={v}' for k, v in shown.items())})"


def _canonical(name: str) -> str:
    if name in INITIALIZER_ARGS:
        return name
    if name in ALIASES:
        return ALIASES[name]
    raise SpecError(f"unknown initializer {show(name)}",
                    hint=did_you_mean(name, [*INITIALIZER_ARGS, *ALIASES]))


def initializer(value: Any) -> Initializer:
    """Validate any accepted initializer notation (an :class:`Arg` validator)."""
    if isinstance(value, Initializer):
        return value
    if isinstance(value, str):
        # Call-shaped strings ('Constant(0.1)') were turned into Calls by the spec parser.
        name, args, kwargs = value, (), {}
    elif isinstance(value, Call):
        name, args, kwargs = value.name, value.args, value.kwargs
    elif isinstance(value, dict) and "class_name" in value:
        name, args, kwargs = value["class_name"], (), value.get("config") or {}
    elif isinstance(value, dict) and len(value) == 1:
        ((name, body),) = value.items()
        if isinstance(body, dict):
            args, kwargs = (), body
        elif isinstance(body, list):
            args, kwargs = tuple(body), {}
        else:
            args, kwargs = (() if body is None else (body,)), {}
    else:
        raise SpecError("expected an initializer (a Keras name such as 'glorot_uniform', "
                        f"or {{Constant: {{value: 0.1}}}}), got {show(value)}")
    if not isinstance(name, str):
        raise SpecError(f"expected an initializer name, got {show(name)}")
    if not isinstance(kwargs, dict):
        raise SpecError(f"initializer config must be a mapping, got {show(kwargs)}")
    canonical = _canonical(name)
    config = bind(INITIALIZER_ARGS[canonical], args, kwargs)
    for common in ("name", "trainable", "dtype", "input_shape", "batch_input_shape",
                   "batch_size", "input_length"):
        config.pop(common, None)
    return Initializer(canonical, config)


def init_arg(name: str, default: str) -> Arg:
    """An ``*_initializer`` argument with a Keras default."""
    return Arg(name, initializer, Initializer(_canonical(default)))
