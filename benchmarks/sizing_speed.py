"""How fast ``solve`` and ``sweep`` are, beside the loop of summaries they replace.

``solve --range 1..10**9`` must answer in under a second although a search
over the range would build a billion models: it fits the polynomials from a
few built models and solves them. ``sweep`` over 100 combinations builds 100
models. Both are timed in-process (best of several runs, the cold start of
the CLI excluded: see summary_speed.py for that) and compared with a plain
loop of ``Model.summary()`` calls over models of the same sizes, the work a
user would otherwise script.

    python benchmarks/sizing_speed.py
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import rnncalc

SPEC = """
name: tagger
input: {shape: [null], dtype: int32}
layers:
  - Embedding: [20000, 128]
  - Bidirectional: {layer: "LSTM(?u, return_sequences=True)"}
  - LSTM: "?u"
  - Dense: {units: 10, activation: softmax}
"""


def best(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def summaries(values: list[tuple[int, int]]) -> None:
    """What solve/sweep replace: one Model.summary() (with costs) per combination."""
    for units, steps in values:
        text = SPEC.replace("\"?u\"", str(units)).replace("?u", str(units))
        m = rnncalc.load(text, timesteps=steps, batch_size=32)
        m.summary(columns=["params", "macs"]).cost()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    model = rnncalc.load(SPEC)

    def solve() -> object:
        return rnncalc.solve(model, max_params=10_000_000, max_memory="4GiB", training=True,
                             optimizer="adam", batch_size=32, timesteps=100,
                             range=(1, 10**9))

    answer = solve()
    t_solve = best(solve, args.runs)
    grid = {"u": [16 * k for k in range(1, 26)], "timesteps": [50, 100, 200, 400]}

    def sweep() -> object:
        return rnncalc.sweep(model, grid, batch_size=32, optimizer="adam")

    rows = len(sweep().rows)
    t_sweep = best(sweep, args.runs)
    combos = [(u, t) for u in grid["u"] for t in grid["timesteps"]]
    t_loop = best(lambda: summaries(combos), max(1, args.runs // 2))
    per_summary = t_loop / len(combos)

    print(f"solve --range 1..10**9 (?u = {answer.value:,}): {t_solve * 1000:8.1f} ms = "
          f"{t_solve / per_summary:.1f} summaries ({per_summary * 1000:.2f} ms each); a scan of "
          f"the range would take ~{per_summary * 10**9 / 86400:,.0f} days")
    print(f"sweep, {rows} combinations: {t_sweep * 1000:8.1f} ms; a loop of {len(combos)} "
          f"summaries: {t_loop * 1000:.1f} ms (ratio {t_sweep / t_loop:.2f})")
    ok = t_solve < 1 and t_sweep < 1
    print("both under a second" if ok else "OVER A SECOND")
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
