"""Sampling Keras 3 initializers in NumPy.

The distributions, fans and scales are Keras 3's
(``keras/src/initializers``); the random streams are NumPy's, seeded by
``--seed`` (or by the initializer's own ``seed``), so values are reproducible
but not bit-equal to Keras'. ``Zeros``, ``Ones``, ``Constant`` and
``Identity`` are exact.
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


def _truncated_normal(rng: np.random.Generator, mean: float, stddev: float,
                      shape: tuple[int, ...]) -> np.ndarray:
    """Normal values redrawn until within two standard deviations (as Keras)."""
    out = rng.standard_normal(shape)
    bad = np.abs(out) > 2
    while bad.any():
        out[bad] = rng.standard_normal(int(bad.sum()))
        bad = np.abs(out) > 2
    return mean + stddev * out


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
        return rng.normal(0.0, math.sqrt(scale), shape)
    limit = math.sqrt(3.0 * scale)
    return rng.uniform(-limit, limit, shape)


def _orthogonal(rng: np.random.Generator, shape: tuple[int, ...], gain: float) -> np.ndarray:
    if len(shape) < 2:
        raise SpecError(f"the Orthogonal initializer needs a weight of rank 2 or more, got "
                        f"shape {shape}")
    rows, cols = math.prod(shape[:-1]), shape[-1]
    a = rng.standard_normal((max(rows, cols), min(rows, cols)))
    q, r = np.linalg.qr(a)
    q *= np.sign(np.diag(r))
    if rows < cols:
        q = q.T
    return gain * q.reshape(shape)


def sample(init: Initializer, shape: tuple[int, ...], rng: np.random.Generator,
           dtype: str = "float32") -> np.ndarray:
    """Values for one weight of ``shape`` drawn from ``init``."""
    c = init.config
    if c.get("seed") is not None and isinstance(c["seed"], int):
        rng = np.random.default_rng(c["seed"])
    name = init.name
    if name == "Zeros":
        values = np.zeros(shape)
    elif name == "Ones":
        values = np.ones(shape)
    elif name == "Constant":
        values = np.full(shape, c.get("value", 0.0))
    elif name == "RandomUniform":
        values = rng.uniform(c.get("minval", -0.05), c.get("maxval", 0.05), shape)
    elif name == "RandomNormal":
        values = rng.normal(c.get("mean", 0.0), c.get("stddev", 0.05), shape)
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
        values = c.get("gain", 1.0) * np.eye(*shape)
    else:  # pragma: no cover - rnncalc.layers.initializers validates names
        raise SpecError(f"no sampler for initializer '{name}'")
    return np.asarray(values, dtype=dtype)
