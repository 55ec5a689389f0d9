"""Sampling Keras 3 initializers in NumPy.

The distributions, fans and scales are Keras 3's
(``keras/src/initializers``); the random streams are NumPy's, seeded by
``--seed`` (or by the initializer's own ``seed``), so values are reproducible
but not bit-equal to Keras'. ``Zeros``, ``Ones``, ``Constant`` and
``Identity`` are exact.

Values are drawn in float32 (as Keras draws them) straight into the weight's
own array, so initialising holds no float64 copy of a weight: the memory a
run needs is its estimate, initialisation included (:func:`init_scratch_values`
is the largest temporary any initializer needs beside its weight).
"""

from __future__ import annotations

import math

import numpy as np

from rnncalc.errors import SpecError
from rnncalc.layers.initializers import Initializer


def compute_fans(shape: tuple[int, ...]) -> tuple[int, int]:
    """Keras' ``compute_fans``: (fan_in, fan_out) of a weight shape."""
    if len(shape) < 1:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    receptive = math.prod(shape[:-2])
    return shape[-2] * receptive, shape[-1] * receptive


F32 = np.float32


def _normal(rng: np.random.Generator, mean: float, stddev: float,
            shape: tuple[int, ...]) -> np.ndarray:
    out = rng.standard_normal(shape, dtype=F32)
    out *= stddev
    out += mean
    return out


def _uniform(rng: np.random.Generator, low: float, high: float,
             shape: tuple[int, ...]) -> np.ndarray:
    out = rng.random(shape, dtype=F32)
    out *= high - low
    out += low
    return out


def _truncated_normal(rng: np.random.Generator, mean: float, stddev: float,
                      shape: tuple[int, ...]) -> np.ndarray:
    """Normal values redrawn until within two standard deviations (as Keras)."""
    out = rng.standard_normal(shape, dtype=F32)
    bad = np.abs(out) > 2
    while bad.any():
        out[bad] = rng.standard_normal(int(bad.sum()), dtype=F32)
        bad = np.abs(out) > 2
    out *= stddev
    out += mean
    return out


_VARIANCE = {  # name -> (scale, mode, distribution)
    "GlorotUniform": (1.0, "fan_avg", "uniform"),
    "GlorotNormal": (1.0, "fan_avg", "truncated_normal"),
    "HeUniform": (2.0, "fan_in", "uniform"),
    "HeNormal": (2.0, "fan_in", "truncated_normal"),
    "LecunUniform": (1.0, "fan_in", "uniform"),
    "LecunNormal": (1.0, "fan_in", "truncated_normal"),
}


def _variance_scaling(rng: np.random.Generator, shape: tuple[int, ...], scale: float,
                      mode: str, distribution: str) -> np.ndarray:
    fan_in, fan_out = compute_fans(shape)
    fan = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[mode]
    scale /= max(1.0, fan)
    if distribution == "truncated_normal":
        return _truncated_normal(rng, 0.0, math.sqrt(scale) / 0.87962566103423978, shape)
    if distribution == "untruncated_normal":
        return _normal(rng, 0.0, math.sqrt(scale), shape)
    limit = math.sqrt(3.0 * scale)
    return _uniform(rng, -limit, limit, shape)


_BLOCK = 1024    # rows of the tall factor handled at a time in float64


def _orthogonal(rng: np.random.Generator, shape: tuple[int, ...], gain: float) -> np.ndarray:
    """Keras' Orthogonal: Q of the QR of a normal matrix, R's diagonal made positive.

    Computed as a Cholesky QR (``R = chol(AᵀA)``, ``Q = A R⁻¹``) with the Gram
    matrix and the products in float64 one block of rows at a time and Q
    written over A, so the only large array is the weight itself (NumPy's QR
    would hold float64 copies of the whole matrix). The factor with a
    positive diagonal is unique, so this is the same Q a Householder QR gives,
    to rounding.
    """
    if len(shape) < 2:
        raise SpecError(f"the Orthogonal initializer needs a weight of rank 2 or more, got "
                        f"shape {shape}")
    rows, cols = math.prod(shape[:-1]), shape[-1]
    m, n = max(rows, cols), min(rows, cols)
    a = rng.standard_normal((m, n), dtype=F32)
    gram = np.zeros((n, n))
    for start in range(0, m, _BLOCK):
        block = a[start:start + _BLOCK].astype(np.float64)
        gram += block.T @ block
    factor = np.linalg.cholesky(gram)
    del gram
    inverse = np.linalg.inv(factor.T)      # R⁻¹, upper triangular
    del factor
    if gain != 1.0:
        inverse *= gain
    for start in range(0, m, _BLOCK):
        a[start:start + _BLOCK] = a[start:start + _BLOCK].astype(np.float64) @ inverse
    if rows < cols:
        a = np.ascontiguousarray(a.T)
    return a.reshape(shape)


# Temporary memory beside the weight being filled, in multiples of its size: the boolean
# masks of a truncated normal's redraws.
_SCRATCH = {"TruncatedNormal": 0.5, "GlorotNormal": 0.5, "HeNormal": 0.5,
            "LecunNormal": 0.5, "VarianceScaling": 0.5}


def _scratch(init: Initializer, shape: tuple[int, ...]) -> int:
    """Float32 values an initializer holds besides the weight it fills."""
    if init.name != "Orthogonal" or len(shape) < 2:
        return int(_SCRATCH.get(init.name, 0.0) * math.prod(shape))
    rows, cols = math.prod(shape[:-1]), shape[-1]
    m, n = max(rows, cols), min(rows, cols)
    # the transposed copy when the weight is wide; float64 Gram, Cholesky factor and
    # inverse (n × n), and the two n × n float64 arrays NumPy's inv holds outside
    # Python's allocator (its Fortran-order copy of the factor and an identity); two
    # float64 row blocks
    return (m * n if rows < cols else 0) + 5 * 2 * n * n + 2 * 2 * min(m, _BLOCK) * n


def init_scratch_values(inits: list[tuple[Initializer, tuple[int, ...]]]) -> int:
    """Float32 values of temporary memory the largest weight initialisation needs."""
    return max((_scratch(i, shape) for i, shape in inits), default=0)


def sample(init: Initializer, shape: tuple[int, ...], rng: np.random.Generator,
           dtype: str = "float32") -> np.ndarray:
    """Values for one weight of ``shape`` drawn from ``init``."""
    c = init.config
    if c.get("seed") is not None and isinstance(c["seed"], int):
        rng = np.random.default_rng(c["seed"])
    name = init.name
    if name == "Zeros":
        values = np.zeros(shape, F32)
    elif name == "Ones":
        values = np.ones(shape, F32)
    elif name == "Constant":
        values = np.full(shape, c.get("value", 0.0), F32)
    elif name == "RandomUniform":
        values = _uniform(rng, c.get("minval", -0.05), c.get("maxval", 0.05), shape)
    elif name == "RandomNormal":
        values = _normal(rng, c.get("mean", 0.0), c.get("stddev", 0.05), shape)
    elif name == "TruncatedNormal":
        values = _truncated_normal(rng, c.get("mean", 0.0), c.get("stddev", 0.05), shape)
    elif name == "VarianceScaling":
        values = _variance_scaling(rng, shape, c.get("scale", 1.0), c.get("mode", "fan_in"),
                                   c.get("distribution", "truncated_normal"))
    elif name in _VARIANCE:
        values = _variance_scaling(rng, shape, *_VARIANCE[name])
    elif name == "Orthogonal":
        values = _orthogonal(rng, shape, c.get("gain", 1.0))
    elif name == "Identity":
        if len(shape) != 2:
            raise SpecError(f"the Identity initializer needs a 2-D weight, got shape {shape}")
        values = np.eye(*shape, dtype=F32)
        values *= c.get("gain", 1.0)
    else:  # pragma: no cover - rnncalc.layers.initializers validates names
        raise SpecError(f"no sampler for initializer '{name}'")
    return values if values.dtype == dtype else values.astype(dtype)
