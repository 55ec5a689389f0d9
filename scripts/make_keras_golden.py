#!/usr/bin/env python3
"""Write tests/golden/keras_summaries.json from real Keras 3.

Why: rnncalc promises Keras-3-exact layer names, output shapes, weight names and
parameter counts (see the contract, §3-§4) without depending on Keras. The only
trustworthy oracle for that promise is Keras itself, so this script builds every
case of ``scripts/cases/summary_*.yaml`` with real Keras 3 (through
``keras_builder``) and records what Keras reports. The tests then feed the same
spec to rnncalc and compare, offline and without Keras installed.

Setting up Keras (never a dependency of rnncalc itself)::

    python3 -m venv ~/kerasenv
    ~/kerasenv/bin/pip install torch==2.13.0 keras pyyaml
    KERAS_BACKEND=torch ~/kerasenv/bin/python scripts/make_keras_golden.py

Notes on what is recorded:

* A fresh Keras session per model, so default layer names are those of a fresh
  session (``lstm``, ``lstm_1``, ...). Layers are constructed in spec order; a
  wrapper's inner layer (and its ``backward_layer``) before the wrapper.
* Cases marked ``error: build`` / ``error: call`` record
  ``"error": "<ExceptionClass>: <first line>"`` and the stage; the script fails
  if a case expected to raise builds, or vice versa. ``call`` cases build
  symbolically and raise when run on zeros.
* Per built case, ``keras_builder.describe``: layers with output shapes, params
  and weights (path, name, shape, trainable, dtype), model inputs and outputs,
  totals and the ``get_weights()`` order.
"""

from __future__ import annotations

import argparse
import copy
import re
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import keras_builder as kb
import numpy as np
from fixture_cases import load_cases

DEFAULT_OUT = kb.REPO / "tests" / "golden" / "keras_summaries.json"


def _run_once(model: Any) -> None:
    """Call the model on a batch of zeros (unknown dims -> 1 for batch, 3 otherwise)."""
    data = []
    for t in model.inputs:
        shape = [(1 if i == 0 else 3) if d is None else int(d) for i, d in enumerate(t.shape)]
        data.append(np.zeros(shape, dtype=str(t.dtype)))
    model(data if len(data) > 1 else data[0])


def record(case: kb.Case) -> dict[str, Any]:
    spec, expect = case["spec"], case["error"]
    if expect not in (False, "build", "call"):
        raise SystemExit(f"{case['id']}: error must be build or call, not {expect!r}")
    kb.fresh_session()
    stage = "build"
    try:
        model = kb.build_model(copy.deepcopy(spec))
        if expect == "call":
            stage = "call"
            _run_once(model)
    except SystemExit:
        raise
    except Exception as exc:  # noqa: BLE001 - Keras raises many kinds
        if expect != stage:
            raise SystemExit(
                f"{case['id']}: Keras raised at {stage}, expected {expect or 'no error'}: {exc!r}"
            ) from exc
        return {"id": case["id"], "spec": spec, "error": kb.error_text(exc), "error_stage": stage}
    if expect:
        raise SystemExit(f"{case['id']}: expected Keras to raise at {expect}, but it did not")
    return {"id": case["id"], "spec": spec, "expected": kb.describe(model)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--only", help="regex: record only matching case ids (prints, no write)")
    args = parser.parse_args(argv)

    warnings.filterwarnings("ignore")
    cases = load_cases("summary")
    if args.only:
        cases = [c for c in cases if re.search(args.only, c["id"])]
    start = time.time()
    models = [record(c) for c in cases]
    doc = {
        "keras_version": kb.keras.__version__,
        "backend": kb.keras.backend.backend(),
        "generated_by": "scripts/make_keras_golden.py",
        "models": models,
    }
    if args.only:
        sys.stdout.write(kb.dump_json(doc))
    else:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(kb.dump_json(doc), encoding="utf-8")
        print(f"wrote {args.out}", file=sys.stderr)
    n_err = sum("error" in m for m in models)
    print(
        f"{len(models)} models ({n_err} errors) in {time.time() - start:.1f}s "
        f"with keras {kb.keras.__version__} / {kb.keras.backend.backend()}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
