"""NumPy building blocks the layers' ``forward`` methods share: activations.

Every activation in :data:`rnncalc.layers.activations.ACTIVATIONS` is here with
Keras 3's default arguments. ``apply_inplace`` overwrites its argument (the
recurrent loops use it on preallocated buffers); ``apply`` returns a new array.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

Array = np.ndarray

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def bfloat16_as_float32(value: np.ndarray, declared: str = "") -> np.ndarray:
    """A bfloat16 array (ml_dtypes' ``bfloat16`` from ``get_weights()``, or the raw
    2-byte ``|V2`` data a ``.keras`` file stores with ``dtype: bfloat16``) as float32.

    Why: bfloat16 is the top half of a float32, so widening needs no library;
    rnncalc does not depend on ml_dtypes. Anything else is returned unchanged.
    """
    if value.dtype.itemsize == 2 and value.dtype.kind == "V" and (
            value.dtype.name == "bfloat16" or declared == "bfloat16"):
        bits = np.ascontiguousarray(value).view(np.uint16).astype(np.uint32) << 16
        return bits.view(np.float32)
    return value


def _sigmoid_(x: Array) -> Array:
    # sigmoid(x) = 0.5 * tanh(x / 2) + 0.5: three in-place passes, no overflow.
    x *= 0.5
    np.tanh(x, out=x)
    x *= 0.5
    x += 0.5
    return x


def _tanh_(x: Array) -> Array:
    return np.tanh(x, out=x)


def _relu_(x: Array) -> Array:
    return np.maximum(x, 0, out=x)


def _linear_(x: Array) -> Array:
    return x


def _softplus(x: Array) -> Array:
    return np.logaddexp(x, 0).astype(x.dtype, copy=False)


def _erf(x: Array) -> Array:
    # Abramowitz & Stegun 7.1.26: max abs error 1.5e-7, below what float32 resolves.
    x64 = np.asarray(x, dtype=np.float64)
    s = np.sign(x64)
    a = np.abs(x64)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (
        -1.453152027 + t * 1.061405429))))
    return s * (1.0 - poly * np.exp(-a * a))


def _softmax(x: Array, axis: int = -1) -> Array:
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def _log_softmax(x: Array, axis: int = -1) -> Array:
    shifted = x - np.max(x, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def _sparsemax(x: Array, axis: int = -1) -> Array:
    z = np.moveaxis(x, axis, -1)
    srt = -np.sort(-z, axis=-1)
    k = np.arange(1, z.shape[-1] + 1, dtype=z.dtype)
    cum = np.cumsum(srt, axis=-1)
    support = srt - (cum - 1) / k > 0
    k_z = np.sum(support, axis=-1, keepdims=True)
    # Keras 3 (every backend) sums the cumulative sums over the support here.
    tau = (np.sum(np.where(support, cum, 0), axis=-1, keepdims=True) - 1) / k_z
    return np.moveaxis(np.maximum(z - tau, 0), -1, axis)


#: Activations whose output has a different last dim than their input.
SHAPE_CHANGING = frozenset({"glu"})


def _glu(x: Array, axis: int = -1) -> Array:
    if x.shape[axis] % 2:
        from rnncalc.errors import SpecError

        raise SpecError(f"activation 'glu' halves the last axis, which must then have an even "
                        f"size; got {x.shape[axis]} (Keras fails here too)")
    a, b = np.split(x, 2, axis=axis)
    return a * (1.0 / (1.0 + np.exp(-b)))


def _sigmoid(x: Array) -> Array:
    return _sigmoid_(np.array(x, copy=True))


_FUNCTIONS: dict[str, Callable[[Array], Array]] = {
    "linear": lambda x: x,
    "relu": lambda x: np.maximum(x, 0),
    "relu6": lambda x: np.clip(x, 0, 6),
    "sigmoid": _sigmoid,
    "tanh": np.tanh,
    "softmax": _softmax,
    "log_softmax": _log_softmax,
    "softplus": _softplus,
    "softsign": lambda x: x / (1 + np.abs(x)),
    "elu": lambda x: np.where(x > 0, x, np.expm1(np.minimum(x, 0))),
    "selu": lambda x: _SELU_SCALE * np.where(x > 0, x, _SELU_ALPHA * np.expm1(np.minimum(x, 0))),
    "celu": lambda x: np.maximum(x, 0) + np.minimum(0, np.expm1(np.minimum(x, 0))),
    # keras.activations.gelu defaults to the exact (erf) form.
    "gelu": lambda x: 0.5 * x * (1.0 + _erf(x / math.sqrt(2.0))),
    "silu": lambda x: x * _sigmoid(x),
    "swish": lambda x: x * _sigmoid(x),
    "mish": lambda x: x * np.tanh(_softplus(x)),
    "exponential": np.exp,
    "hard_sigmoid": lambda x: np.clip(x / 6.0 + 0.5, 0, 1),
    "hard_silu": lambda x: x * np.clip(x / 6.0 + 0.5, 0, 1),
    "hard_swish": lambda x: x * np.clip(x / 6.0 + 0.5, 0, 1),
    "hard_tanh": lambda x: np.clip(x, -1, 1),
    "leaky_relu": lambda x: np.where(x >= 0, x, 0.2 * x),
    "log_sigmoid": lambda x: -_softplus(-x),
    "tanh_shrink": lambda x: x - np.tanh(x),
    "soft_shrink": lambda x: np.where(x > 0.5, x - 0.5, np.where(x < -0.5, x + 0.5, 0)),
    "hard_shrink": lambda x: np.where(np.abs(x) > 0.5, x, 0),
    "glu": _glu,
    "sparse_plus": lambda x: np.where(x <= -1, 0, np.where(x < 1, 0.25 * (x + 1) ** 2, x)),
    "sparse_sigmoid": lambda x: np.where(x <= -1, 0, np.where(x >= 1, 1, 0.5 * (x + 1))),
    "squareplus": lambda x: (x + np.sqrt(x * x + 4)) / 2,
    "sparsemax": _sparsemax,
}

_INPLACE: dict[str, Callable[[Array], Array]] = {
    "sigmoid": _sigmoid_, "tanh": _tanh_, "relu": _relu_, "linear": _linear_,
}


def _function(name: str) -> Callable[[Array], Array]:
    if name not in _FUNCTIONS:
        from rnncalc.errors import SpecError

        # keras.activations.threshold has no defaults, so Keras cannot call it by name.
        raise SpecError(f"activation '{name}' cannot run by name: Keras needs its arguments "
                        "(threshold, default_value)")
    return _FUNCTIONS[name]


def apply(name: str, x: Array) -> Array:
    """``activation(x)`` as a new array of x's dtype."""
    out = np.asarray(_function(name)(x))
    return np.asarray(out, dtype=x.dtype) if out.dtype != x.dtype else out


#: Activations that normalise or split along an axis (Keras: the last one).
AXIS_DEPENDENT = frozenset({"softmax", "log_softmax", "sparsemax", "glu"})


def apply_inplace(name: str, x: Array, axis: int = -1) -> Array:
    """``x[...] = activation(x)``; fast paths for the usual recurrent activations.

    ``axis`` is where Keras' last axis sits in ``x``: the recurrent cells keep
    their state feature-major (units, batch), so they pass ``axis=0``.
    """
    fast = _INPLACE.get(name)
    if fast is not None:
        return fast(x)
    if name in SHAPE_CHANGING:
        from rnncalc.errors import SpecError

        raise SpecError(f"activation {name!r} changes the last dim, so it cannot run inside a "
                        "recurrent cell, whose states keep their size (Keras fails here too)")
    if name in AXIS_DEPENDENT:
        x[...] = _function(name)(x, axis=axis)  # type: ignore[call-arg]
        return x
    x[...] = _function(name)(x)
    return x
