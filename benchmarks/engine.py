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
    elapsed = _timed(lambda: layer.forward([x], w), repeat)
    tracemalloc.start()
    (y,) = layer.forward([x], w)
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
