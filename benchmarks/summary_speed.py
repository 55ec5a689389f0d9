"""Cold-start time of ``rnncalc summary`` beside Keras building the same model.

Each side runs as a fresh process, as a user runs it, on the same machine,
and the best of several runs is kept. Keras is looked for in the Python given
by ``--keras-python`` (default: ``$KERAS_PYTHON``, else this interpreter);
without it only rnncalc's time is printed.

    python benchmarks/summary_speed.py --keras-python ~/kerasenv/bin/python

It measures this environment (an editable install in development) and a
fresh non-editable, byte-compiled install, as users have it.
"""

from __future__ import annotations

import argparse
import os
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


def installed_venv(where: Path) -> Path:
    """A fresh venv with rnncalc installed as users install it (not editable, byte-compiled)."""
    import venv

    venv.EnvBuilder(with_pip=True).create(where)
    python = where / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", str(ROOT)], check=True)
    subprocess.run([str(python), "-m", "compileall", "-q", str(where / "lib")], check=False)
    return where / "bin"


def measure(bin_dir: Path, runs: int, label: str) -> dict[str, float]:
    """Cold-start times of the commands a user types most, with ``python -c pass`` beside."""
    rnncalc = str(bin_dir / "rnncalc")
    python = str(bin_dir / "python")
    times = {
        "python -c pass": best_time([python, "-c", "pass"], runs),
        "summary --json": best_time([rnncalc, "summary", str(SPEC), "--json"], runs),
        "summary (table)": best_time([rnncalc, "summary", str(SPEC)], runs),
        "--help": best_time([rnncalc, "--help"], runs),
        "tab completion": best_time([rnncalc], runs, {
            **os.environ, "_RNNCALC_COMPLETE": "complete_bash",
            "COMP_WORDS": "rnncalc summary --fo", "COMP_CWORD": "2"}),
    }
    print(f"{label}:")
    for what, t in times.items():
        print(f"  {what:<18} {t * 1000:7.1f} ms")
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--keras-python", default=os.environ.get("KERAS_PYTHON", sys.executable))
    parser.add_argument("--no-installed", action="store_true",
                        help="skip building a non-editable install to measure")
    args = parser.parse_args()

    ours = measure(Path(sys.executable).parent, args.runs, "this environment")
    if not args.no_installed:
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            ours = measure(installed_venv(Path(tmp) / "venv"), args.runs,
                           "installed (pip install ., byte-compiled)")
    env = {**os.environ, "KERAS_BACKEND": os.environ.get("KERAS_BACKEND", "torch")}
    probe = subprocess.run([args.keras_python, "-c", "import keras"], env=env,
                           capture_output=True)
    if probe.returncode != 0:
        print("keras: not importable with --keras-python; no ratio")
        return
    theirs = best_time([args.keras_python, "-c", KERAS_SCRIPT], max(1, args.runs // 2), env)
    print(f"keras build + model.summary() ({env['KERAS_BACKEND']}): {theirs * 1000:8.1f} ms")
    for what in ("summary --json", "summary (table)"):
        print(f"ratio keras / rnncalc {what}: {theirs / ours[what]:.1f}x")


if __name__ == "__main__":
    main()
