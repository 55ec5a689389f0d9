#!/usr/bin/env python3
"""Benchmark: rnncalc's NumPy recurrent forward pass beside torch.nn.LSTM/GRU/RNN.

Batch 32, timesteps 100, input 128, units 256, float32, CPU, same thread
count for both. Prints the median time of each, their ratio, and rnncalc's
peak extra memory (tracemalloc) against the target: the output plus one
(batch, timesteps, gates·units) input-projection buffer.

    python benchmarks/engine.py              # rnncalc alone
    /path/to/venv-with-torch/bin/python benchmarks/engine.py   # side by side
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
from rnncalc.engine.sequence import run_sequence  # noqa: E402
from rnncalc.engine.weights import initial_weights  # noqa: E402

KINDS = {"LSTM": 4, "GRU": 3, "SimpleRNN": 1}


def _timed(fn, repeat: int) -> float:
    fn()                                   # warm-up
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def bench_rnncalc(kind: str, b: int, t: int, f: int, u: int, repeat: int):
    graph = rnncalc.load({"input": {"shape": [t, f]},
                          "layers": [{kind: {"units": u, "return_sequences": True}}]}).graph()
    node = graph.nodes[0]
    w = initial_weights(graph, seed=0)[node.name]
    x = np.random.default_rng(0).random((b, t, f), dtype=np.float32)
    layer = node.layer
    elapsed = _timed(lambda: layer.forward([x], w, loop=run_sequence), repeat)
    tracemalloc.start()
    (y,) = layer.forward([x], w, loop=run_sequence)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    target = 4 * (b * t * u + b * t * KINDS[kind] * u)
    return elapsed, peak, target, y


def bench_torch(kind: str, b: int, t: int, f: int, u: int, repeat: int, w, threads: int):
    import torch

    torch.set_num_threads(threads)
    cls = {"LSTM": torch.nn.LSTM, "GRU": torch.nn.GRU, "SimpleRNN": torch.nn.RNN}[kind]
    module = cls(f, u, batch_first=True).eval()
    x = torch.rand(b, t, f)
    with torch.no_grad():
        return _timed(lambda: module(x), repeat)


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


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--timesteps", type=int, default=100)
    ap.add_argument("--input", type=int, default=128)
    ap.add_argument("--units", type=int, default=256)
    ap.add_argument("--repeat", type=int, default=15)
    args = ap.parse_args(argv)
    b, t, f, u = args.batch, args.timesteps, args.input, args.units
    threads = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    try:
        import torch  # noqa: F401
        have_torch = True
    except ImportError:
        have_torch = False
    print(f"machine: {cpu_model()}, {threads} cores; numpy {np.__version__}"
          + (f", torch {__import__('torch').__version__}" if have_torch else ", torch absent"))
    print(f"batch {b}, timesteps {t}, input {f}, units {u}, float32, median of {args.repeat}")
    print(f"{'kind':<10} {'rnncalc ms':>11} {'torch ms':>9} {'ratio':>6} "
          f"{'peak extra MiB':>15} {'target MiB':>11}")
    for kind in KINDS:
        ms, peak, target, _ = bench_rnncalc(kind, b, t, f, u, args.repeat)
        line = f"{kind:<10} {ms * 1e3:>11.1f}"
        if have_torch:
            tms = bench_torch(kind, b, t, f, u, args.repeat, None, threads)
            line += f" {tms * 1e3:>9.1f} {ms / tms:>6.2f}"
        else:
            line += f" {'-':>9} {'-':>6}"
        line += f" {peak / 2**20:>15.2f} {target / 2**20:>11.2f}"
        line += "" if peak <= target else f"  (over target by {(peak - target) / 1024:.1f} KiB)"
        print(line)
    heads = 8
    ms, tms, peak, target = bench_mha(b, t, u, heads, args.repeat, threads, have_torch)
    line = f"{'MHA':<10} {ms * 1e3:>11.1f}"
    line += f" {tms * 1e3:>9.1f} {ms / tms:>6.2f}" if tms else f" {'-':>9} {'-':>6}"
    line += f" {peak / 2**20:>15.2f} {target / 2**20:>11.2f}"
    print(line + f"  (MultiHeadAttention self-attention, {heads} heads, embed {u})")
    cb, ct, cs, cc, cf = 4, 10, 32, 3, 16
    ours, keras_s, diff = bench_convlstm(cb, ct, cs, cc, cf, max(3, args.repeat // 3))
    print(f"ConvLSTM2D({cf}, 3, same) on ({cb}, {ct}, {cs}, {cs}, {cc}): rnncalc "
          f"{ours * 1e3:.1f} ms" + (f", Keras (torch backend) {keras_s * 1e3:.1f} ms, ratio "
                                    f"{ours / keras_s:.2f}, max |diff| {diff:.1e}"
                                    if keras_s else ", Keras absent"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
