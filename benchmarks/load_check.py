"""Load check: big specs stay fast, long runs stay within their memory estimate.

1. ``rnncalc summary`` on a generated 2,000-layer spec and on a 200-input
   functional graph, each as a fresh process (cold start included), in every
   output format: each must finish in under 2 s. Then deep stacks of 2,000,
   4,000 and 10,000 layers: the time per 1,000 layers (the slope) and the
   10,000-layer table and JSON against their targets (1.0 s and 0.5 s).
2. ``rnncalc run`` from 8 to 1,024 LSTM units and from 10 to 100,000
   timesteps: the process's peak RSS growth over a 1-unit, 1-step run of the
   same cell (the interpreter, NumPy and rich are the baseline) must stay
   within 1.25x of the memory estimate ``run`` prints (initialisation
   included); growth under 4 MiB is allocator noise and only shown.

Peak RSS is the child's ``ru_maxrss`` (Linux: KiB), each command run in its
own process through a tiny wrapper so the numbers don't mix.

    python benchmarks/load_check.py            # exits 1 if a bound is missed
    python benchmarks/load_check.py --part summary   # part 1 only (or --part run)
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TIME_BOUND = 2.0
MEMORY_FACTOR = 1.25
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
    """The memory estimate ``rnncalc run`` checks against --max-memory, less the 1-unit,
    1-step baseline's own estimate."""
    import rnncalc
    from rnncalc.engine.inputs import concrete_input_shapes
    from rnncalc.engine.memory import estimate_bytes as estimate

    def of(u: int, t: int) -> int:
        graph = rnncalc.load(layers=[f"{cell}({u}, return_sequences=True)"],
                             input_shape=(t, 4)).graph()
        return estimate(graph, concrete_input_shapes(graph))

    return of(units, timesteps) - of(1, 1)


NOISE = 4 * 2**20      # RSS growth below this is allocator noise, not a measurement
SCALE_LAYERS = (2000, 4000, 10000)
SCALE_TARGETS = {"table": 1.0, "json": 0.5}    # seconds at 10,000 layers


def _summary_scale(tmp: str, failures: list[str]) -> None:
    print("summary of deep stacks, fresh process each (cold start included):")
    times: dict[str, list[float]] = {"table": [], "json": []}
    for n in SCALE_LAYERS:
        path = Path(tmp) / f"deep_{n}.json"
        path.write_text(json.dumps(deep_spec(n)))
        for fmt in times:
            seconds = min(measure(["summary", str(path), "--format", fmt])[0] for _ in range(3))
            times[fmt].append(seconds)
            print(f"  {n:>6} layers  --format {fmt:<6} {seconds:5.2f} s")
    for fmt, ts in times.items():
        slope = (ts[-1] - ts[0]) / (SCALE_LAYERS[-1] - SCALE_LAYERS[0]) * 1000
        early = (ts[1] - ts[0]) / (SCALE_LAYERS[1] - SCALE_LAYERS[0]) * 1000
        ok = ts[-1] <= SCALE_TARGETS[fmt]
        failures += [] if ok else [f"10,000-layer {fmt}: {ts[-1]:.2f} s"]
        print(f"  {fmt:<6} slope {slope * 1000:5.1f} ms per 1,000 layers (2k-4k: "
              f"{early * 1000:5.1f}); 10,000 layers {ts[-1]:.2f} s "
              f"{'ok' if ok else 'OVER'} (target {SCALE_TARGETS[fmt]} s)")


def _run_memory(cell: str, units: int, timesteps: int, failures: list[str],
                extra: tuple[str, ...] = ()) -> None:
    args = ["run", "--cell", cell, "--input-dim", "4", *extra]
    _, base = measure([*args, "--units", "1", "--timesteps", "1"])
    seconds, peak = measure([*args, "--units", str(units), "--timesteps", str(timesteps)])
    estimate = estimate_bytes(cell, timesteps, units)
    growth = peak - base
    if estimate < NOISE:
        verdict = "below noise"
    else:
        ok = growth <= MEMORY_FACTOR * estimate
        failures += [] if ok else [f"run {cell}({units}) T={timesteps}: {growth / estimate:.2f}x"]
        verdict = f"{growth / estimate:.2f}x {'ok' if ok else 'OVER'}"
    print(f"  {cell:<9} units {units:>5}  T {timesteps:>7} {' '.join(extra):<7} "
          f"{seconds:6.2f} s  estimate {estimate / 2**20:7.1f} MiB  growth "
          f"{growth / 2**20:7.1f} MiB  {verdict}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--part", choices=("summary", "run", "all"), default="all",
                        help="run only part 1 (summary) or part 2 (run memory)")
    part = parser.parse_args(argv).part
    failures: list[str] = []
    if part in ("summary", "all"):
        _summary_part(failures)
    if part in ("run", "all"):
        _run_part(failures)
    if failures:
        print("FAILED: " + "; ".join(failures))
        return 1
    return 0


def _summary_part(failures: list[str]) -> None:
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
        _summary_scale(tmp, failures)


def _run_part(failures: list[str]) -> None:
    print(f"run: peak RSS growth over a 1-unit, 1-step run of the same cell, against the "
          f"estimate (bound {MEMORY_FACTOR}x; initialisation included):")
    for units in (8, 64, 256, 1024):
        _run_memory("LSTM", units, 10, failures)
    for cell in ("SimpleRNN", "GRU", "LSTM"):
        for timesteps in (10, 1000, 100_000):
            _run_memory(cell, 8, timesteps, failures)
    _run_memory("SimpleRNN", 8, 100_000, failures, ("--json",))


if __name__ == "__main__":
    sys.exit(main())
