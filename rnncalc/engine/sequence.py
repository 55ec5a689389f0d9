"""The one sequence loop: any recurrent cell stepped over time, as Keras' ``backend.rnn``.

A cell (a recurrent layer, or a cell of ``RNN(cell)``) knows one step; this
loop knows time, masks, ``go_backwards``, ``return_sequences``,
``zero_output_for_mask`` and initial states. The cell protocol (what the
loop asks of a cell) is:

- ``STATES``: the names of its states (``("h", "c")``); ``h`` comes first and
  is the step's output;
- ``prepare(weights)``: the weights as ``step`` uses them (views, no copies);
- ``state_units(p)``: rows of one state (units or filters);
- ``step_rows(p)``: rows of one step's block (gates·units);
- ``state_grid(x_shape)``: the positions of one state per sample: ``()`` for
  a dense cell, the output feature map's spatial shape for a convolutional
  one;
- ``project(p, x, out)``: the input part (bias included) of every timestep,
  written into ``out`` (steps, step_rows, batch·positions);
- ``step(p, z, states, work)``: one step in place (see :func:`run_sequence`);
- ``fused_prepare(weights)``: ``(kind, p)`` when the optional C kernel
  (:mod:`rnncalc.engine.fused`) covers this cell's configuration, else ``None``.

Layout (feature-major): a state is a C-contiguous (units, batch·positions)
array and a step's gate pre-activations one (gates·units, batch·positions)
block, so every gate is a contiguous block of rows and a dense cell's
recurrent product is one (gates·units, units) × (units, batch) GEMM. The
input projection of every timestep is one buffer ``xz`` (steps,
gates·units, batch·positions) filled before the loop; each step works in
a slot of ``xz`` that an earlier step has used up: no per-step allocation.
"""

from __future__ import annotations

from math import prod
from typing import Any

import numpy as np

from rnncalc.engine import fused
from rnncalc.engine.progress import ticker


def run_sequence(cell: Any, x: Any, initial: list[Any], weights: dict[str, Any],
                 mask: Any = None, *, return_sequences: bool = False,
                 return_state: bool = False, go_backwards: bool = False,
                 zero_output_for_mask: bool = False) -> list[Any]:
    """Step ``cell`` over ``x`` (batch, steps, *features); outputs in Keras order.

    Returns ``[output, *final states]`` (states only with ``return_state``),
    batch first: the output is (batch, steps, *grid, units) with
    ``return_sequences``, else (batch, *grid, units). A masked timestep keeps
    the previous states and repeats the previous output, or outputs zeros with
    ``zero_output_for_mask``. With ``go_backwards`` the output sequence is in
    processing (reversed) order, as in Keras.

    The first step without an initial state needs no recurrent product and
    works in its own slot; the second parks the states in output rows not
    yet written to free a slot. Each step's ``h`` is copied (transposed) into
    the output.
    """
    if x.shape[1] and fused.enabled():
        prepared = cell.fused_prepare(weights)
        if prepared is not None:
            return fused.run(cell, *prepared, x, initial, mask,
                             return_sequences=return_sequences, return_state=return_state,
                             go_backwards=go_backwards,
                             zero_output_for_mask=zero_output_for_mask, tick=ticker())
    dtype = np.float32
    batch, steps = x.shape[:2]
    p = cell.prepare(weights)
    grid = tuple(cell.state_grid(x.shape))
    cols = batch * prod(grid)
    units = cell.state_units(p)
    # xz[t]: (gates·units, batch·positions), the input part of every gate at step t
    xz = np.empty((steps, cell.step_rows(p), cols), dtype)
    if steps:
        cell.project(p, x.astype(dtype, copy=False), xz)
    # (units, batch·positions) states; None: all zeros (no initial_state)
    states = [np.array(np.asarray(s, dtype).reshape(cols, units).T, order="C")
              for s in initial] or None
    seq = (np.empty((batch, steps, *grid, units), dtype) if return_sequences else None)
    last = (np.zeros((batch, *grid, units), dtype)
            if mask is not None and seq is None else None)
    order = range(steps - 1, -1, -1) if go_backwards else range(steps)
    masking = None
    if mask is not None:
        mask = np.asarray(mask, bool)
        # per column (state), and per sample broadcast over an output row
        still_cols = np.repeat(np.logical_not(mask), prod(grid), axis=0)
        keep_rows = mask.reshape(batch, steps, *(1,) * (len(grid) + 1))
        masking = (still_cols, keep_rows)
    # Small ufunc buffers: the few element-wise operations that broadcast or mix
    # layouts (masking, a first step's bias) would otherwise allocate 8192-element ones.
    bufsize = np.setbufsize(256)
    try:
        states = _loop(cell, p, xz, states, seq, last, order, masking,
                       zero_output_for_mask, grid, ticker())
    finally:
        np.setbufsize(bufsize)
    if states is None:               # no timesteps and no initial state
        states = [np.zeros((units, cols), dtype) for _ in cell.STATES]
    del xz

    def batch_first(s: Any) -> Any:
        return np.ascontiguousarray(s.T).reshape(batch, *grid, units)

    if seq is not None:
        output = seq
    elif last is not None:
        output = last
    else:
        output = batch_first(states[0])
    if not return_state:
        return [output]
    return [output, *(batch_first(s) for s in states)]


def _loop(cell: Any, p: Any, xz: Any, states: list[Any] | None, seq: Any, last: Any,
          order: range, masking: tuple[Any, Any] | None, zero_output_for_mask: bool,
          grid: tuple[int, ...], tick: Any) -> list[Any] | None:
    """The time loop of :func:`run_sequence`; returns the final (units, cols) states."""
    free: list[Any] = []   # (gates·units, cols) slots of xz whose step is done
    home = None            # the slot that holds the current states
    batch = xz.shape[2] // max(1, prod(grid))
    rows = (batch, *grid, -1) if grid else None    # a feature map's h as (batch, *grid, F)
    for k, t in enumerate(order):
        z = xz[t]
        if states is None:                       # zero states: work in z's own slot
            work = z
        else:
            if not free:
                parked = _park(states, seq, k) if home is not None else None
                if parked is not None:               # frees the states' slot
                    free.append(home)
                    states, home = parked, None
                else:
                    free.append(np.empty_like(z))
            work = free.pop()
        new = cell.step(p, z, states, work)
        if masking is not None:                  # masked samples keep their states
            off = masking[0][:, t]
            for s, old in zip(new, states or [0] * len(new)):
                np.copyto(s, old, where=off)
        h_rows = new[0].T if rows is None else new[0].T.reshape(rows)   # batch first, a view
        if seq is not None:
            out = seq[:, k]
            np.copyto(out, h_rows)
            if masking is not None:
                prev = 0 if zero_output_for_mask or k == 0 else seq[:, k - 1]
                np.copyto(out, prev, where=np.logical_not(masking[1][:, t]))
        elif last is not None:
            keep = masking[1][:, t]                # type: ignore[index]
            np.copyto(last, h_rows, where=keep)
            if zero_output_for_mask:
                np.copyto(last, 0, where=np.logical_not(keep))
        if home is not None and home is not work and len(free) < 2:
            free.append(home)
        if work is not z and len(free) < 2:
            free.append(z)
        home, states = work, new
        if tick is not None:
            tick()
    return states


def _park(states: list[Any], seq: Any, k: int) -> list[Any] | None:
    """Copies of ``states`` in output memory that step ``k`` and later do not need yet.

    The last sample's rows after step ``k`` are one contiguous run of the
    output, so the copies are C-contiguous (units, cols) arrays like the
    states (element-wise work on mixed layouts would need ufunc buffers).
    ``None`` when there is no output sequence or it is too short.
    """
    if seq is None:
        return None
    size = states[0].size
    run = seq[-1, k + 1:].reshape(-1)
    if run.size < len(states) * size:
        return None
    parked = [run[j * size:(j + 1) * size].reshape(states[0].shape)
              for j in range(len(states))]
    for dst, src in zip(parked, states):
        np.copyto(dst, src)
    return parked
