"""Cold-start time of ``rnncalc summary`` beside Keras building the same model.

Each side runs as a fresh process, as a user runs it, on the same machine,
and the best of several runs is kept. Keras is looked for in the Python given
by ``--keras-python`` (default: ``$KERAS_PYTHON``, else this interpreter);
without it only rnncalc's time is printed.

    python benchmarks/summary_speed.py --keras-python ~/kerasenv/bin/python
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "specs" / "cnn_gru.yaml"   # five layers around a GRU, plus a head

KERAS_SCRIPT = """
import keras
from keras import layers
model = keras.Sequential([
    keras.Input((128, 9)),
    layers.Conv1D(32, 5, padding="same", activation="relu"),
    layers.MaxPooling1D(2),
    layers.Conv1D(64, 3, activation="relu"),
    layers.BatchNormalization(),
    layers.GRU(64, dropout=0.2),
    layers.Dense(6, activation="softmax"),
], name="har_cnn_gru")
model.summary()
"""


def best_time(cmd: list[str], runs: int, env: dict[str, str] | None = None) -> float:
    """Best wall time of ``runs`` fresh processes (output discarded)."""
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env=env)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keras-python", default=os.environ.get("KERAS_PYTHON", sys.executable))
    args = parser.parse_args()

    rnncalc = shutil.which("rnncalc", path=str(Path(sys.executable).parent)) or "rnncalc"
    ours = best_time([rnncalc, "summary", str(SPEC)], args.runs)
    print(f"rnncalc summary ({SPEC.name}): {ours * 1000:8.1f} ms (best of {args.runs})")

    env = {**os.environ, "KERAS_BACKEND": os.environ.get("KERAS_BACKEND", "torch")}
    probe = subprocess.run([args.keras_python, "-c", "import keras"], env=env,
                           capture_output=True)
    if probe.returncode != 0:
        print("keras: not importable with --keras-python; no ratio")
        return
    theirs = best_time([args.keras_python, "-c", KERAS_SCRIPT], max(1, args.runs // 2), env)
    print(f"keras model.summary() ({env['KERAS_BACKEND']}): {theirs * 1000:8.1f} ms")
    print(f"ratio keras / rnncalc: {theirs / ours:.1f}x faster")


if __name__ == "__main__":
    main()
