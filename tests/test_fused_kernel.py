"""The optional C kernel (rnncalc.engine._fused) against the NumPy path.

Both paths must give the same outputs and states for every case the kernel
covers (masks, go_backwards, initial states, zero_output_for_mask, batch 1 where
the kernel also multiplies); where a C compiler exists the kernel must have been
built, so that CI really runs it. The Keras fixtures run through both paths in
tests/test_engine_golden.py.
"""

from __future__ import annotations

import shutil
import sysconfig
from pathlib import Path

import numpy as np
import pytest

import rnncalc
from rnncalc.engine import fused
from rnncalc.engine.sequence import run_sequence
from rnncalc.engine.weights import initial_weights

needs_kernel = pytest.mark.skipif(not fused.available(), reason="C kernel not built")


def _can_build() -> bool:
    """A C compiler (sysconfig's CC, or cc) and Python's headers: what setup.py needs."""
    cc = (sysconfig.get_config_var("CC") or "cc").split()[0]
    headers = Path(sysconfig.get_paths().get("include") or "") / "Python.h"
    return bool(shutil.which(cc) or shutil.which("cc")) and headers.exists()


def test_kernel_built_where_a_compiler_exists(monkeypatch):
    """CI installs with a compiler: the kernel must be there and run by default."""
    if not _can_build():
        pytest.skip("no C compiler or Python headers: the NumPy path serves")
    assert fused.available(), "a C compiler exists but rnncalc.engine._fused was not built"
    monkeypatch.delenv(fused.ENV, raising=False)
    assert fused.enabled() and fused.path() == "C kernel"


def test_env_var_forces_numpy(monkeypatch):
    monkeypatch.setenv(fused.ENV, "numpy")
    assert not fused.enabled() and fused.path() == "NumPy"


@needs_kernel
def test_transcendentals_are_float32_exact_enough():
    from rnncalc.engine import _fused

    x = np.linspace(-100, 100, 400_001, dtype=np.float32)
    for kind, ref in ((1, lambda v: 1 / (1 + np.exp(-v))), (2, np.tanh)):
        y = x.copy()
        _fused.apply(kind, y)
        assert np.abs(y - ref(x.astype(np.float64))).max() < 2e-7
    x = np.linspace(-80, 80, 100_001, dtype=np.float32)
    y = x.copy()
    _fused.apply(0, y)
    want = np.exp(x.astype(np.float64))
    assert (np.abs(y - want) / want).max() < 3e-7


def _cell(kind: str, units: int, features: int, rng, **cfg):
    graph = rnncalc.load({"input": {"shape": [4, features]},
                          "layers": [{kind: {"units": units, **cfg}}]}).graph()
    node = graph.nodes[0]
    weights = {k: rng.standard_normal(v.shape).astype(np.float32) * (1.5 / (units + 1) ** 0.5)
               for k, v in initial_weights(graph, seed=0)[node.name].items()}
    return node.layer, weights


CASES = []
_rng = np.random.default_rng(14)
for _n in range(160):
    _kind = ["SimpleRNN", "LSTM", "GRU", "GRU_before"][_n % 4]
    CASES.append({
        "kind": _kind, "units": int(_rng.integers(1, 12)) if _n % 5 else 70,
        "batch": [1, 1, 2, 5][int(_rng.integers(0, 4))], "steps": int(_rng.integers(1, 8)),
        "features": int(_rng.integers(1, 6)), "backwards": bool(_rng.integers(0, 2)),
        "sequences": bool(_rng.integers(0, 2)), "state": bool(_rng.integers(0, 2)),
        "zero": bool(_rng.integers(0, 2)), "mask": bool(_rng.integers(0, 3)),
        "bias": bool(_rng.integers(0, 4)), "seed": _n})


@needs_kernel
@pytest.mark.parametrize("case", CASES, ids=lambda c: "-".join(
    f"{k}={v}" for k, v in c.items() if k != "seed"))
def test_kernel_equals_numpy_path(case, monkeypatch):
    rng = np.random.default_rng(case["seed"])
    kind, cfg = case["kind"], {"use_bias": case["bias"]}
    if kind == "GRU_before":
        kind, cfg["reset_after"] = "GRU", False
    cell, w = _cell(kind, case["units"], case["features"], rng, **cfg)
    b, t, u = case["batch"], case["steps"], case["units"]
    x = rng.standard_normal((b, t, case["features"])).astype(np.float32) * 2
    initial = ([rng.standard_normal((b, u)).astype(np.float32)
                for _ in cell.STATES] if case["state"] else [])
    mask = None
    if case["mask"]:
        mask = rng.random((b, t)) < 0.6
        mask[0, 0] = False                      # a leading masked step
    opts = {"return_sequences": case["sequences"], "return_state": True,
            "go_backwards": case["backwards"], "zero_output_for_mask": case["zero"]}
    assert cell.fused_prepare(w) is not None
    # the input projection a chunk of steps at a time: one step, a few, or all of them
    chunking = (1, 3 * 4 * u * b, fused.CHUNK_VALUES)[case["seed"] % 3]
    monkeypatch.setattr(fused, "CHUNK_VALUES", chunking)
    c1 = run_sequence(cell, x, initial, w, mask, **opts)
    c2 = run_sequence(cell, x, initial, w, mask, **opts)
    monkeypatch.setenv(fused.ENV, "numpy")
    ref = run_sequence(cell, x, initial, w, mask, **opts)
    assert len(c1) == len(ref)
    for got, again, want in zip(c1, c2, ref):
        assert got.shape == want.shape and got.dtype == want.dtype
        assert np.array_equal(got, again), "the kernel is not deterministic"
        np.testing.assert_allclose(got, want, atol=2e-6, rtol=0)


@needs_kernel
def test_kernel_not_used_outside_its_cover():
    rng = np.random.default_rng(0)
    for kind, cfg in (("LSTM", {"activation": "relu"}), ("GRU", {"recurrent_activation":
                                                               "hard_sigmoid"}),
                      ("SimpleRNN", {"activation": "relu"})):
        cell, w = _cell(kind, 3, 2, rng, **cfg)
        assert cell.fused_prepare(w) is None
