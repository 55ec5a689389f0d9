"""Keras 3 activation names accepted by layers.

Only the names live here; the NumPy implementations belong to the engine.
"""

from __future__ import annotations

from typing import Any

from rnncalc.errors import SpecError, did_you_mean
from rnncalc.layers.arguments import show

ACTIVATIONS = (
    "linear", "relu", "relu6", "sigmoid", "tanh", "softmax", "softplus", "softsign", "elu",
    "selu", "gelu", "silu", "swish", "exponential", "hard_sigmoid", "hard_silu", "hard_swish",
    "leaky_relu", "mish", "log_softmax", "log_sigmoid", "tanh_shrink", "hard_tanh",
    "soft_shrink", "hard_shrink", "celu", "glu", "sparse_plus", "squareplus", "sparsemax",
    "threshold", "sparse_sigmoid",
)


def activation(value: Any) -> str:
    """Validate an activation name; ``None`` means ``linear`` as in Keras."""
    if value is None:
        return "linear"
    if isinstance(value, str):
        name = value.split(".")[-1]
        if name in ACTIVATIONS:
            return name
        raise SpecError(f"unknown activation {show(value)}", hint=did_you_mean(name, ACTIVATIONS))
    raise SpecError(f"expected an activation name, got {show(value)}")
