#!/usr/bin/env python3
"""Write the interop fixtures in tests/golden/interop/ from real Keras 3.

Why: rnncalc reads the files Keras writes (``model.to_json()``, ``.keras``
archives, legacy ``.h5``) and writes Keras code back (``rnncalc export --to
keras``). The only trustworthy oracle for both directions is Keras itself, so
this script asks Keras and records what it says; the tests compare rnncalc
against the recordings offline, without Keras.

Run it with the Keras venv (Keras is never a dependency of rnncalc)::

    KERAS_BACKEND=torch ~/kerasenv/bin/python scripts/make_keras_interop.py
    KERAS_BACKEND=torch ~/kerasenv/bin/python scripts/make_keras_interop.py --part export

Part ``models`` (default), for every case of ``scripts/cases/interop_*.yaml``
(built by ``keras_builder``, a fresh session each):

* ``<case>.json``: ``model.to_json()``;
* ``<case>.keras``: the model saved by Keras after its weights were set to
  seeded uniform values (so zero biases are not zero), unless the case is big;
* ``<case>.in.npy`` (one input) or ``<case>.in.npz`` (keyed by input name) and
  ``<case>.out.npz`` (``arr_0..``: Keras ``predict`` outputs in output order);
* ``<case>.h5`` for the cases marked ``h5``: the legacy full-model HDF5 file;
* ``facts.json``: per case the layer names, types, output shapes and params
  that Keras reports, and the totals.

Keras 2 / tf.keras configs cannot be produced here (no TensorFlow 2.x), so
``keras2/*.json`` are hand-written from the tf.keras ``to_json()`` format
(documented examples and the tf.keras source) and marked ``"_note"``; their
facts come from an equivalent model built with Keras 3 (the cases marked
``keras2: true``).

Part ``export``: for each spec (the ``.json`` fixtures above and
``specs/**/*.yaml``), run ``rnncalc export SPEC --to keras`` with the project's
venv, execute the code with Keras, and record the code and Keras' facts in
``export_facts.json``. The tests check that rnncalc still exports the same code
and that its summary equals what Keras built from it.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import subprocess
import sys
import zlib
from pathlib import Path
from typing import Any

import keras_builder as kb
import numpy as np
from fixture_cases import load_cases

REPO = kb.REPO
OUT = REPO / "tests" / "golden" / "interop"
RNNCALC = [str(REPO / ".venv" / "bin" / "python"), "-m", "rnncalc"]


def facts(model: Any) -> dict[str, Any]:
    """What Keras' summary shows: per layer name, type, output shapes, params."""
    d = kb.describe(model)
    keys = ("name", "type", "output_shapes", "params", "trainable_params")
    return {
        "name": d["name"],
        "inputs": d["inputs"],
        "layers": [{k: layer[k] for k in keys} for layer in d["layers"]],
        "total_params": d["total_params"],
        "trainable_params": d["trainable_params"],
        "non_trainable_params": d["non_trainable_params"],
    }


def sample_inputs(model: Any, case: kb.Case, seed: int) -> dict[str, Any]:
    rng = np.random.default_rng(1000 + seed)
    arrays = {}
    for t in model.inputs:
        shape = [2 if i == 0 and d is None else (case["T"] if d is None else d)
                 for i, d in enumerate(t.shape)]
        if "int" in str(t.dtype):
            x = rng.integers(0, case["vocab"], size=shape).astype("int32")
            if len(shape) == 2:
                x[:, -1] = 0           # some padding for mask_zero cases
        else:
            x = rng.uniform(0, 1, size=shape).astype("float32")
            k = case["mask_steps"]
            if k:
                x[0, -k:, :] = 0.0
        arrays[kb.origin(t)[0]] = x
    return arrays


def make_models(only: set[str] | None, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    all_facts: dict[str, Any] = {}
    facts_path = out / "facts.json"
    if only and facts_path.exists():
        all_facts = json.loads(facts_path.read_text())
    for case in load_cases("interop"):
        name = case["id"]
        if only and name not in only:
            continue
        seed = case["seed"]
        if seed is None:
            seed = zlib.crc32(name.encode()) % (2**31)
        kb.fresh_session(seed)
        model = kb.build_model(case["spec"])
        if case["keras2"]:
            record = facts(model)
            record["oracle"] = "equivalent model built with Keras 3 (config hand-written)"
            all_facts[f"keras2/{name}"] = record
            continue
        (out / f"{name}.json").write_text(json.dumps(json.loads(model.to_json()), indent=1)
                                          + "\n")
        record = facts(model)
        if not case["big"]:
            if not case["keep_weights"]:
                kb.randomize_weights(model, np.random.default_rng(seed))
            x = sample_inputs(model, case, seed)
            if len(x) == 1:
                np.save(out / f"{name}.in.npy", next(iter(x.values())))
                feed: Any = next(iter(x.values()))
            else:
                np.savez(out / f"{name}.in.npz", **x)
                feed = [x[kb.origin(t)[0]] for t in model.inputs]
            y = kb.keras.tree.flatten(model.predict(feed, verbose=0))
            np.savez(out / f"{name}.out.npz", *[np.asarray(v) for v in y])
            model.save(out / f"{name}.keras")
            if case["h5"]:
                model.save(out / f"{name}.h5")
            record["files"] = ["keras", "h5"] if case["h5"] else ["keras"]
        all_facts[name] = record
        print(f"{name}: {record['total_params']} params", file=sys.stderr)
    facts_path.write_text(kb.dump_json(all_facts, sort_keys=True))


# -- export round trip ----------------------------------------------------------------


def export_specs() -> list[Path]:
    paths = sorted(OUT.glob("*.json"))
    paths = [p for p in paths if p.name not in ("facts.json", "export_facts.json")]
    paths += sorted((OUT / "keras2").glob("*.json"))
    paths += sorted((REPO / "specs").glob("**/*.yaml"))
    return paths


def make_export() -> None:
    results = {}
    for path in export_specs():
        rel = str(path.relative_to(REPO))
        proc = subprocess.run([*RNNCALC, "export", str(path), "--to", "keras"],
                              capture_output=True, text=True, cwd=REPO)
        if proc.returncode == 2:          # refused on purpose: the test keeps it refused
            results[rel] = {"refused": proc.stderr.strip()}
            print(f"{rel}: refused: {proc.stderr.strip()}", file=sys.stderr)
            continue
        if proc.returncode != 0:
            results[rel] = {"error": proc.stderr.strip()}
            print(f"{rel}: export failed: {proc.stderr.strip()}", file=sys.stderr)
            continue
        kb.fresh_session()
        namespace: dict[str, Any] = {}
        try:
            with contextlib.redirect_stdout(io.StringIO()):   # the code prints its summary
                exec(compile(proc.stdout, rel, "exec"), namespace)  # the exported code
        except Exception as err:  # record it; the test fails on it
            if "requires TensorFlow" in str(err):     # a backend without TensorFlow
                print(f"{rel}: left out (this Keras has no TensorFlow: {err})",
                      file=sys.stderr)
                continue
            results[rel] = {"code": proc.stdout, "error": f"{type(err).__name__}: {err}"}
            print(f"{rel}: Keras rejected the code: {err}", file=sys.stderr)
            continue
        results[rel] = {"code": proc.stdout, **facts(namespace["model"])}
        print(f"{rel}: ok", file=sys.stderr)
    (OUT / "export_facts.json").write_text(kb.dump_json(results, sort_keys=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=("models", "export", "all"), default="models")
    parser.add_argument("--only", nargs="*", help="regenerate only these cases")
    parser.add_argument("--out", type=Path, default=OUT, help="directory for part models")
    args = parser.parse_args()
    if args.part in ("models", "all"):
        make_models(set(args.only) if args.only else None, args.out)
    if args.part in ("export", "all"):
        make_export()


if __name__ == "__main__":
    main()
