#!/usr/bin/env python3
"""Benchmark: rnncalc's NumPy recurrent forward pass beside torch.nn.LSTM/GRU/RNN.

Four shapes (B, T, I, H), each cell alone and in Bidirectional, float32, CPU,
the same thread count for both. Prints rnncalc's and torch's times (minimum of
interleaved repeats), their ratio against the issue-14 target, and the GEMM
floor beside it: the input projection plus the T recurrent matmuls alone, in
rnncalc's layout, over torch's time. Then the peak extra memory, self-attention
and ConvLSTM2D.

    python benchmarks/engine.py              # rnncalc alone
    /path/to/venv-with-torch/bin/python benchmarks/engine.py   # side by side

OpenBLAS picks its kernel from OPENBLAS_CORETYPE; unset it (and OPENBLAS_L2_SIZE)
for this command alone to measure the kernel the processor would get. The first
line names the kernel that ran.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

import rnncalc  # noqa: E402
from rnncalc.engine import fused  # noqa: E402
from rnncalc.engine.sequence import run_sequence  # noqa: E402
from rnncalc.engine.weights import initial_weights  # noqa: E402

KINDS = {"LSTM": 4, "GRU": 3, "SimpleRNN": 1}


SHAPES = [(1, 100, 32, 64), (32, 100, 128, 256), (256, 50, 128, 512), (32, 400, 128, 256)]
# ratio targets against torch: (batch 1, batch >= 32)
TARGETS = {"LSTM": (2.0, 1.3), "Bi-LSTM": (2.0, 1.3), "GRU": (1.0, 1.0),
           "SimpleRNN": (1.0, 1.0), "Bi-GRU": (1.0, 1.0), "Bi-SimpleRNN": (1.0, 1.0)}


def _timed(fn, repeat: int) -> float:
    fn()                                   # warm-up
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _interleaved(fns: list, repeat: int) -> list[float]:
    """Minimum time of each of ``fns``, run in turn ``repeat`` times (a shared, noisy
    machine: interleaving spreads the noise over all, the minimum drops most of it).

    The order rotates every round: torch's OpenMP threads keep spinning for a while
    after a call returns and take CPU from whichever call is timed next (measured at
    (32, 100, 128, 256) under load: the LSTM run right after torch's took 1.5-2.5x as
    long as the same run placed second), so no runner always follows torch."""
    for fn in fns:
        fn()                               # warm-up
    best = [float("inf")] * len(fns)
    for r in range(repeat):
        for i in range(len(fns)):
            j = (i + r) % len(fns)
            t0 = time.perf_counter()
            fns[j]()
            best[j] = min(best[j], time.perf_counter() - t0)
    return best


def _layer(kind: str, b: int, t: int, f: int, u: int):
    """An rnncalc layer (``Bi-`` prefix: Bidirectional) with its initial weights."""
    cell = {kind.removeprefix("Bi-"): {"units": u, "return_sequences": True}}
    layer = {"Bidirectional": {"layer": cell}} if kind.startswith("Bi-") else cell
    graph = rnncalc.load({"input": {"shape": [t, f]}, "layers": [layer]}).graph()
    node = graph.nodes[0]
    return node.layer, initial_weights(graph, seed=0)[node.name]


def recurrent_runner(kind: str, b: int, t: int, f: int, u: int):
    layer, w = _layer(kind, b, t, f, u)
    x = np.random.default_rng(0).random((b, t, f), dtype=np.float32)
    return lambda: layer.forward([x], w, loop=run_sequence)


def numpy_path_runner(kind: str, b: int, t: int, f: int, u: int):
    """The same layer forced onto the NumPy path (``RNNCALC_ENGINE=numpy``), for an A/B
    of the C kernel in the same run."""
    run = recurrent_runner(kind, b, t, f, u)

    def forced() -> None:
        old = os.environ.get(fused.ENV)
        os.environ[fused.ENV] = "numpy"
        try:
            run()
        finally:
            if old is None:
                del os.environ[fused.ENV]
            else:
                os.environ[fused.ENV] = old
    return forced


def gemm_floor_runner(kind: str, b: int, t: int, f: int, u: int):
    """The GEMMs alone: the input projection and ``t`` recurrent products per direction,
    in the engine's feature-major layout (what no element-wise work can go below)."""
    g = KINDS[kind.removeprefix("Bi-")] * u
    dirs = 2 if kind.startswith("Bi-") else 1
    rng = np.random.default_rng(0)
    x = rng.random((b, t, f), dtype=np.float32)
    wx = rng.random((dirs, f, g), dtype=np.float32)
    wh = rng.random((dirs, g, u), dtype=np.float32)
    h = rng.random((u, b), dtype=np.float32)
    xz = np.empty((t, g, b), np.float32)
    out = np.empty((g, b), np.float32)

    def run() -> None:
        for d in range(dirs):
            np.matmul(wx[d].T, x.transpose(1, 2, 0), out=xz)
            for _ in range(t):
                np.matmul(wh[d], h, out=out)
    return run


def torch_runner(kind: str, b: int, t: int, f: int, u: int, threads: int):
    import torch

    torch.set_num_threads(threads)
    base = kind.removeprefix("Bi-")
    cls = {"LSTM": torch.nn.LSTM, "GRU": torch.nn.GRU, "SimpleRNN": torch.nn.RNN}[base]
    module = cls(f, u, batch_first=True, bidirectional=kind.startswith("Bi-")).eval()
    x = torch.rand(b, t, f)

    def run() -> None:
        with torch.no_grad():
            module(x)
    return run


def peak_memory(kind: str, b: int, t: int, f: int, u: int) -> tuple[int, int]:
    """rnncalc's peak extra memory (tracemalloc) and the target: the output plus one
    (batch, timesteps, gates·units) input-projection buffer."""
    run = recurrent_runner(kind, b, t, f, u)
    tracemalloc.start()
    run()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak, 4 * (b * t * u + b * t * KINDS[kind] * u)


def bench_mha(b: int, t: int, e: int, heads: int, repeat: int, threads: int, have_torch: bool):
    """Self-attention ``mha(x, x)`` beside ``nn.MultiheadAttention`` (need_weights=False)."""
    graph = rnncalc.load({"inputs": {"x": {"shape": [t, e]}}, "layers": [
        {"MultiHeadAttention": {"num_heads": heads, "key_dim": e // heads},
         "inputs": ["x", "x"]}]}).graph()
    node = graph.nodes[0]
    w = initial_weights(graph, seed=0)[node.name]
    x = np.random.default_rng(0).random((b, t, e), dtype=np.float32)
    elapsed = _timed(lambda: node.layer.forward([x, x], w, [None, None]), repeat)
    tracemalloc.start()
    node.layer.forward([x, x], w, [None, None])
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    # output, Q, K, V, the attention output and two (B, H, T, T) score buffers
    target = 4 * (5 * b * t * e + 2 * b * heads * t * t)
    tms = None
    if have_torch:
        import torch

        torch.set_num_threads(threads)
        module = torch.nn.MultiheadAttention(e, heads, batch_first=True).eval()
        xt = torch.rand(b, t, e)
        with torch.no_grad():
            tms = _timed(lambda: module(xt, xt, xt, need_weights=False), repeat)
    return elapsed, tms, peak, target


def bench_convlstm(b: int, t: int, side: int, c: int, f: int, repeat: int):
    """rnncalc's ConvLSTM2D(f, 3, padding='same', return_sequences=True) forward, and
    Keras' (torch backend) on the same weights and input when Keras is importable."""
    spec = {"input": {"shape": [t, side, side, c]},
            "layers": [{"ConvLSTM2D": {"filters": f, "kernel_size": 3, "padding": "same",
                                       "return_sequences": True}}]}
    graph = rnncalc.load(spec).graph()
    node = graph.nodes[0]
    w = initial_weights(graph, seed=0)[node.name]
    x = np.random.default_rng(0).random((b, t, side, side, c), dtype=np.float32)
    ours = _timed(lambda: node.layer.forward([x], w, loop=run_sequence), repeat)
    try:
        os.environ.setdefault("KERAS_BACKEND", "torch")
        import keras
    except ImportError:
        return ours, None, None
    layer = keras.layers.ConvLSTM2D(f, 3, padding="same", return_sequences=True)
    layer.build((None, t, side, side, c))
    layer.set_weights([w["kernel"], w["recurrent_kernel"], w["bias"]])
    theirs = _timed(lambda: layer(x, training=False), repeat)
    (y,) = node.layer.forward([x], w, loop=run_sequence)
    diff = float(np.max(np.abs(np.asarray(keras.ops.convert_to_numpy(layer(x))) - y)))
    return ours, theirs, diff


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def blas() -> str:
    """NumPy's BLAS and its kernel (OPENBLAS_CORETYPE changes it), via threadpoolctl."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "threadpoolctl absent"
    return ", ".join(f"{i['internal_api']} {i.get('architecture', '?')} "
                     f"{i['num_threads']} threads" for i in threadpool_info()
                     if i["user_api"] == "blas")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=9)
    ap.add_argument("--kinds", default="LSTM,Bi-LSTM,GRU,Bi-GRU,SimpleRNN,Bi-SimpleRNN")
    ap.add_argument("--shapes", default="all", help="'all' or indices into the shape list, "
                    "e.g. 0,1")
    ap.add_argument("--no-extras", action="store_true", help="skip memory, MHA and ConvLSTM")
    args = ap.parse_args(argv)
    threads = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    try:
        import torch  # noqa: F401
        have_torch = True
    except ImportError:
        have_torch = False
    print(f"machine: {cpu_model()}, {threads} cores; numpy {np.__version__} ({blas()})"
          + (f", torch {__import__('torch').__version__}" if have_torch else ", torch absent"))
    print(f"float32, CPU, {threads} threads each; minimum of {args.repeat} interleaved runs "
          "(order rotating)")
    kernel = fused.enabled()
    print(f"recurrent path: {fused.path()}" + (
        " (rnncalc.engine._fused); NumPy ms: the same layer with RNNCALC_ENGINE=numpy"
        if kernel else (" (C kernel not built)" if not fused.available()
                        else f" ({fused.ENV}={os.environ.get(fused.ENV)})")))
    print("ratio: rnncalc / torch; floor: the GEMMs alone (input projection and the T "
          "recurrent products) / torch")
    print(f"{'(B, T, I, H)':<20} {'kind':<13} {'rnncalc ms':>10} {'torch ms':>9} "
          f"{'GEMMs ms':>9} {'ratio':>6} {'floor':>6} {'target':>7}"
          + (f" {'':>7} {'NumPy ms':>9} {'ratio':>6}" if kernel else ""))
    shapes = SHAPES if args.shapes == "all" else [SHAPES[int(i)] for i in args.shapes.split(",")]
    for b, t, f, u in shapes:
        for kind in args.kinds.split(","):
            fns = [recurrent_runner(kind, b, t, f, u), gemm_floor_runner(kind, b, t, f, u)]
            if kernel:
                fns.append(numpy_path_runner(kind, b, t, f, u))
            if have_torch:
                fns.append(torch_runner(kind, b, t, f, u, threads))
            ms, floor, *rest = _interleaved(fns, args.repeat)
            numpy_ms = rest.pop(0) if kernel else None
            tms = rest
            target = TARGETS[kind][0 if b == 1 else 1]
            line = f"{str((b, t, f, u)):<20} {kind:<13} {ms * 1e3:>10.2f}"
            if tms:
                r = ms / tms[0]
                line += (f" {tms[0] * 1e3:>9.2f} {floor * 1e3:>9.2f} {r:>6.2f} "
                         f"{floor / tms[0]:>6.2f} {'<=' + str(target):>7}"
                         f" {'met' if r <= target else 'NOT met':<7}")
            else:
                line += f" {'-':>9} {floor * 1e3:>9.2f}"
            if numpy_ms is not None:
                line += f" {numpy_ms * 1e3:>9.2f}" + (
                    f" {numpy_ms / tms[0]:>6.2f}" if tms else "")
            print(line, flush=True)
    if args.no_extras:
        return 0
    b, t, f, u = SHAPES[1]
    print(f"peak extra memory at {(b, t, f, u)}:")
    for kind in KINDS:
        peak, target = peak_memory(kind, b, t, f, u)
        print(f"  {kind:<10} {peak / 2**20:>8.2f} MiB, target {target / 2**20:.2f} MiB"
              + ("" if peak <= target else f" (over by {(peak - target) / 1024:.1f} KiB)"))
    repeat = 5
    heads = 8
    ms, tms, peak, target = bench_mha(b, t, u, heads, repeat, threads, have_torch)
    line = f"{'MHA':<10} {ms * 1e3:>11.1f}"
    line += f" {tms * 1e3:>9.1f} {ms / tms:>6.2f}" if tms else f" {'-':>9} {'-':>6}"
    line += f" {peak / 2**20:>15.2f} {target / 2**20:>11.2f}"
    print(line + f"  (MultiHeadAttention self-attention, {heads} heads, embed {u})")
    cb, ct, cs, cc, cf = 4, 10, 32, 3, 16
    ours, keras_s, diff = bench_convlstm(cb, ct, cs, cc, cf, 3)
    print(f"ConvLSTM2D({cf}, 3, same) on ({cb}, {ct}, {cs}, {cs}, {cc}): rnncalc "
          f"{ours * 1e3:.1f} ms" + (f", Keras (torch backend) {keras_s * 1e3:.1f} ms, ratio "
                                    f"{ours / keras_s:.2f}, max |diff| {diff:.1e}"
                                    if keras_s else ", Keras absent"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
