"""Load check: big specs stay fast, long runs stay within their memory estimate.

1. ``rnncalc summary`` on a generated 2,000-layer spec and on a 200-input
   functional graph, each as a fresh process (cold start included), in every
   output format: each must finish in under 2 s.
2. ``rnncalc run`` on a long sequence (timesteps 100,000, small units) for
   each cell: the process's peak RSS growth over the same command at 10
   timesteps (the interpreter, NumPy and rich are the baseline) must stay
   under twice the memory estimate ``run`` prints.

Peak RSS is the child's ``ru_maxrss`` (Linux: KiB), each command run in its
own process through a tiny wrapper so the numbers don't mix.

    python benchmarks/load_check.py            # exits 1 if a bound is missed
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TIME_BOUND = 2.0
MEMORY_FACTOR = 2.0
RNNCALC = [sys.executable, "-m", "rnncalc"]

# Runs a command and reports its own wall time and the child's peak RSS in bytes.
_MEASURE = """
import resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
elapsed = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
scale = 1 if sys.platform == "darwin" else 1024
print(done.returncode, elapsed, peak * scale, done.stderr.decode()[-300:].replace(chr(10), " "))
"""


def measure(args: list[str]) -> tuple[float, int]:
    """(wall seconds, peak RSS bytes) of one fresh ``rnncalc`` process."""
    out = subprocess.run([sys.executable, "-c", _MEASURE, *RNNCALC, *args], check=True,
                         capture_output=True, text=True).stdout.split(maxsplit=3)
    if out[0] != "0":
        raise SystemExit(f"rnncalc {' '.join(args)} failed: {out[3] if len(out) > 3 else ''}")
    return float(out[1]), int(out[2])


def deep_spec(n_layers: int = 2000) -> dict:
    """A Sequential stack of ``n_layers`` mixed layers on (None, 20, 16)."""
    cycle = [{"LSTM": {"units": 16, "return_sequences": True}}, {"Dense": 16},
             {"LayerNormalization": {}}, {"GRU": {"units": 16, "return_sequences": True}},
             {"Dropout": 0.1}, {"Conv1D": {"filters": 16, "kernel_size": 3,
                                           "padding": "same"}},
             {"Bidirectional": {"layer": {"SimpleRNN": {"units": 8, "return_sequences": True}}}},
             {"BatchNormalization": {}}]
    layers = [cycle[i % len(cycle)] for i in range(n_layers - 1)] + [{"GlobalMaxPooling1D": {}}]
    return {"name": f"deep_{n_layers}", "input": {"shape": [20, 16]}, "layers": layers}


def wide_spec(n_inputs: int = 200) -> dict:
    """A functional graph: ``n_inputs`` inputs, an LSTM on each, all concatenated."""
    inputs = {f"in_{i}": {"shape": [None, 3 + i % 5]} for i in range(n_inputs)}
    layers = [{"LSTM": {"units": 4, "name": f"rnn_{i}"}, "inputs": f"in_{i}"}
              for i in range(n_inputs)]
    layers.append({"Concatenate": {"name": "merge"}, "inputs": [f"rnn_{i}" for i in
                                                                 range(n_inputs)]})
    layers.append({"Dense": {"units": 1, "name": "head"}, "inputs": "merge"})
    return {"name": f"wide_{n_inputs}", "inputs": inputs, "layers": layers}


def estimate_bytes(cell: str, timesteps: int, units: int) -> int:
    """The memory estimate ``rnncalc run`` checks against --max-memory."""
    import rnncalc
    from rnncalc.engine.inputs import concrete_input_shapes
    from rnncalc.engine.memory import estimate_bytes as estimate

    graph = rnncalc.load(layers=[f"{cell}({units}, return_sequences=True)"],
                         input_shape=(timesteps, 4)).graph()
    return estimate(graph, concrete_input_shapes(graph))


def main() -> int:
    failures = []
    print("summary, fresh process each (cold start included):")
    with tempfile.TemporaryDirectory() as tmp:
        for spec in (deep_spec(), wide_spec()):
            path = Path(tmp) / f"{spec['name']}.json"
            path.write_text(json.dumps(spec))
            for fmt in ("table", "json", "markdown"):
                seconds = min(measure(["summary", str(path), "--format", fmt])[0]
                              for _ in range(3))
                ok = seconds < TIME_BOUND
                failures += [] if ok else [f"{spec['name']} {fmt}: {seconds:.2f}s"]
                print(f"  {spec['name']:<10} --format {fmt:<9} {seconds:5.2f} s  "
                      f"{'ok' if ok else 'OVER'} (bound {TIME_BOUND:.0f} s)")

    print("run, timesteps 100,000 (RSS growth over the same run at 10 timesteps):")
    for cell, units in (("SimpleRNN", 8), ("GRU", 4), ("LSTM", 8)):
        args = ["run", "--cell", cell, "--units", str(units)]
        _, base = measure([*args, "--timesteps", "10"])
        seconds, peak = measure([*args, "--timesteps", "100000"])
        estimate = estimate_bytes(cell, 100_000, units)
        growth = peak - base
        ok = growth <= MEMORY_FACTOR * estimate
        failures += [] if ok else [f"run {cell}: {growth / 2**20:.1f} MiB"]
        print(f"  {cell:<9} units {units}  {seconds:5.2f} s  estimate {estimate / 2**20:5.1f} MiB"
              f"  peak RSS {peak / 2**20:6.1f} MiB (baseline {base / 2**20:5.1f})  growth "
              f"{growth / 2**20:5.1f} MiB = {growth / estimate:.2f}x  "
              f"{'ok' if ok else 'OVER'} (bound {MEMORY_FACTOR:.0f}x)")
    _, base = measure(["run", "--timesteps", "10", "--json"])
    seconds, peak = measure(["run", "--timesteps", "100000", "--json"])
    estimate = estimate_bytes("SimpleRNN", 100_000, 8)
    growth = peak - base
    ok = growth <= MEMORY_FACTOR * estimate
    failures += [] if ok else [f"run --json: {growth / 2**20:.1f} MiB"]
    print(f"  SimpleRNN units 8 --json  {seconds:5.2f} s  estimate {estimate / 2**20:5.1f} MiB"
          f"  growth {growth / 2**20:5.1f} MiB = {growth / estimate:.2f}x  "
          f"{'ok' if ok else 'OVER'} (bound {MEMORY_FACTOR:.0f}x; values streamed row by row)")
    if failures:
        print("FAILED: " + "; ".join(failures))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
