"""The time loop on the optional C kernel (``rnncalc.engine._fused``).

Why: at small batches NumPy's per-call dispatch (about 0.7 µs per ufunc call,
ten calls per LSTM step) costs more than the arithmetic, and at batch 32 each
element-wise pass re-reads the gate block from memory. The kernel does a step's
whole element-wise part in one C pass (gates, state update, mask, the output
row); the recurrent product stays ``np.matmul`` (BLAS), called from the loop
below, except at batch 1 with a small recurrent kernel, where the kernel's own
matrix-vector product beats np.matmul's dispatch and the whole loop runs in C.

The kernel covers dense SimpleRNN (tanh), LSTM (tanh, sigmoid) and GRU (tanh,
sigmoid, either reset rule), cells of ``RNN`` included; a layer says which with
``fused_prepare``. Everything else, a missing kernel (no C compiler at install
time) and ``RNNCALC_ENGINE=numpy`` run the NumPy step of
:mod:`rnncalc.engine.sequence`; both paths give the same results (tests compare
them and run every Keras fixture through each).
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

try:
    from rnncalc.engine import _fused
except ImportError:          # built without a C compiler: the NumPy path serves
    _fused = None

#: Environment variable choosing the engine's recurrent path: ``numpy`` forces NumPy.
ENV = "RNNCALC_ENGINE"
#: The kernel's step kinds (the enum of _fused.c).
KINDS = {"simple": 0, "lstm": 1, "gru_after": 2, "gru_before": 3}
_BACKWARDS, _ZERO_OUTPUT, _HAS_INITIAL = 1, 2, 4
#: Values (steps·gates·units·batch) of the input-projection buffer: a chunk of steps
#: that stays in cache (2 MiB), projected just before it runs.
CHUNK_VALUES = 1 << 19
#: At batch 1, recurrent kernels below this many values are multiplied in C (they stay
#: in cache; np.matmul's dispatch costs more than the product).
OWN_PRODUCT_LIMIT = 1 << 16


def available() -> bool:
    """True when the C kernel was built and imports."""
    return _fused is not None


def enabled() -> bool:
    """True when the C kernel runs (built, and not switched off by ``RNNCALC_ENGINE``)."""
    return _fused is not None and os.environ.get(ENV, "").strip().lower() != "numpy"


def path() -> str:
    """Which path the recurrent layers run: ``"C kernel"`` or ``"NumPy"``."""
    return "C kernel" if enabled() else "NumPy"


def macs() -> int:
    """Multiply-adds the kernel's own products have done (MAC instrumentation)."""
    return 0 if _fused is None else _fused.macs()


def run(cell: Any, kind: str, p: dict[str, Any], x: Any, initial: list[Any], mask: Any, *,
        return_sequences: bool, return_state: bool, go_backwards: bool,
        zero_output_for_mask: bool, tick: Any = None) -> list[Any]:
    """:func:`rnncalc.engine.sequence.run_sequence` of a dense cell on the C kernel.

    ``p`` is the cell's ``fused_prepare`` output (Keras gate order, unfolded);
    ``x`` has at least one timestep.
    """
    dtype = np.float32
    batch, steps = x.shape[:2]
    units = cell.units
    # (gates·units, units) C-contiguous: BLAS runs this product about twice as fast as on
    # the transposed view of Keras' kernel (measured at batch 32)
    rec = np.ascontiguousarray(p["recurrent"])
    rows = rec.shape[0]
    # x_t·W_x as the cell projects it but without the bias (the kernel adds it in its
    # pass), a chunk of steps at a time into a buffer that stays in cache; W_x in Fortran
    # order so that its transpose is C-contiguous for BLAS
    chunk = max(1, min(steps, CHUNK_VALUES // (rows * batch)))
    xz = np.empty((chunk, rows, batch), dtype)
    projection = np.asfortranarray(p["kernel"]).T
    xs = x.astype(dtype, copy=False)
    if go_backwards:                                  # processing order
        xs = xs[:, ::-1]
    bias = None
    if p["input_biases"]:
        vector = np.zeros(rows, dtype)
        for where, b in p["input_biases"]:
            vector[where] += b
        bias = np.ascontiguousarray(np.broadcast_to(vector[:, None], (rows, batch)))
    states = [np.array(np.asarray(s, dtype).reshape(batch, units).T, order="C")
              for s in initial]
    lstm = kind == "lstm"
    if not states:
        states = [np.zeros((units, batch), dtype) for _ in range(2 if lstm else 1)]
    work = np.empty((rows, batch), dtype)
    seq = np.empty((batch, steps, units), dtype) if return_sequences else None
    last = np.zeros((batch, units), dtype) if mask is not None and seq is None else None
    keep = None if mask is None else np.ascontiguousarray(mask, dtype=np.bool_)
    rbias = p.get("recurrent_bias")
    if rbias is not None:
        rbias = np.ascontiguousarray(np.broadcast_to(rbias, (units, batch)), dtype)
    own = batch == 1 and rec.size < OWN_PRODUCT_LIMIT
    rk = np.ascontiguousarray(rec.T) if own else None   # Keras' (units, gates·units)
    flags = ((_BACKWARDS if go_backwards else 0) | (_ZERO_OUTPUT if zero_output_for_mask else 0)
             | (_HAS_INITIAL if initial else 0))
    h = states[0]
    kernel = _fused.Sequence(KINDS[kind], flags, units, batch, steps, chunk, xz, work, h,
                             states[1] if lstm else None, seq, last, keep, rbias, rk, bias)
    for k0 in range(0, steps, chunk):
        k1 = min(steps, k0 + chunk)
        np.matmul(projection, xs[:, k0:k1].transpose(1, 2, 0), out=xz[:k1 - k0])
        if own and tick is None:
            kernel.run(k0, k1)
        elif own:
            for k in range(k0, k1):
                kernel.run(k, k + 1)
                tick()
        else:
            _products_loop(kernel, kind, rec, work, h, xz, k0, k1, bool(initial), tick)
    del xz

    def batch_first(s: Any) -> Any:
        return np.ascontiguousarray(s.T).reshape(batch, units)

    output = seq if seq is not None else last if last is not None else batch_first(h)
    if not return_state:
        return [output]
    return [output, *(batch_first(s) for s in states)]


def _products_loop(kernel: Any, kind: str, rec: Any, work: Any, h: Any, xz: Any, k0: int,
                   k1: int, has_initial: bool, tick: Any) -> None:
    """Steps ``k0..k1-1`` (one chunk, projected into ``xz``): the recurrent products in
    NumPy (BLAS), everything else of a step in one C call.

    A zero-state first step has no product (the kernel zeroes ``work`` itself).
    """
    matmul, step = np.matmul, kernel.step
    if kind == "gru_before":                          # (r ⊙ h) W_hh between two C calls
        units = h.shape[0]
        rec_zr, rec_h, work_zr, work_h = rec[:2 * units], rec[2 * units:], work[:2 * units], \
            work[2 * units:]
        for k in range(k0, k1):
            first = k == 0 and not has_initial
            if not first:
                matmul(rec_zr, h, out=work_zr)
            kernel.gates(k)                           # r ⊙ h_{t-1} into its slot's z rows
            if not first:
                matmul(rec_h, xz[k - k0, :units], out=work_h)
            step(k)
            if tick is not None:
                tick()
        return
    for k in range(k0, k1):
        if k or has_initial:
            matmul(rec, h, out=work)
        step(k)
        if tick is not None:
            tick()
