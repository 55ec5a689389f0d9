#!/usr/bin/env python3
"""Generate Keras 3 numeric golden fixtures for rnncalc's NumPy engine.

This script is NOT part of rnncalc and Keras is NOT a project dependency.  It
needs a separate virtualenv with real Keras 3 on the torch backend::

    python3 -m venv ~/kerasenv
    ~/kerasenv/bin/pip install torch==2.13.0 keras pyyaml
    KERAS_BACKEND=torch ~/kerasenv/bin/python scripts/make_keras_numeric.py

(``--out DIR`` changes the output directory, ``--only ID`` regenerates a
subset, ``--list`` prints the model ids.)

For every case of ``scripts/cases/numeric_*.yaml`` it

1. builds the case's spec with ``keras_builder`` (a fresh session first, so
   default layer names are what a fresh session assigns);
2. replaces every weight with ``rng.uniform(-0.5, 0.5)`` float32 values
   (``rng = np.random.default_rng(seed)``, ``seed`` = CRC32 of the model id;
   BatchNormalization ``moving_variance`` is drawn from uniform(0.5, 1.5)),
   except for cases marked ``randomize: false`` (the seed notebook's
   ``Constant(0.1)`` BiLSTM), which keep their initializer values;
3. draws inputs from the same generator: float inputs uniform in [0, 1),
   token inputs int32 in [1, vocab) with some leading, middle and trailing
   zeros (padding for ``mask_zero=True``), and for ``Masking`` models whole
   timesteps equal to ``mask_value``;
4. calls the model in inference mode (``training=False``) and writes

   * ``<id>.weights.npz``: ``np.savez(path, *model.get_weights())``
     (keys ``arr_0..arr_{n-1}``, Keras ``get_weights()`` order) -- the
     ``--weights`` file format of ``rnncalc run``;
   * ``<id>.io.npz``: ``input/<input name>`` per model input and
     ``output/<k>`` per model output (float32);
   * one ``index.json`` describing every model (spec, inputs, outputs with
     the producing layer, ``weight_keys`` = ``[w.path for w in model.weights]``).

The script is deterministic: the same Keras/torch versions produce the same
arrays.  An ``.npz`` whose arrays are unchanged is not rewritten, so a re-run
leaves git clean.
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
import zlib
from pathlib import Path

import keras_builder as kb
import numpy as np
from fixture_cases import load_cases

DEFAULT_OUT = kb.REPO / "tests" / "golden" / "numeric"
ATOL = 1e-5


# --------------------------------------------------------------------------
# Inputs and weights
# --------------------------------------------------------------------------


def _vocab(spec):
    dims = [kw["input_dim"] for t, kw in kb.walk_layers(spec["layers"]) if t == "Embedding"]
    return min(dims) if dims else 10


def _mask_value(spec):
    for t, kw in kb.walk_layers(spec["layers"]):
        if t == "Masking":
            return float(kw.get("mask_value", 0.0))
    return None


def _pad_rows(arr, value, all_masked_row):
    """Put padding (`value`) at trailing, leading and middle timesteps (axis 1)."""
    b, t = arr.shape[0], arr.shape[1]
    arr[0, t - 2:] = value                 # row 0: two trailing
    if b > 1:
        arr[1, 0] = value                  # row 1: leading + middle
        arr[1, t // 2] = value
    if b > 2:
        arr[2, 1] = value                  # row 2: second + last
        arr[2, t - 1] = value
    if all_masked_row:
        arr[b - 1] = value
    return arr


def draw_inputs(c, model, rng):
    """One array per model input, in the model's input order (see the module doc)."""
    spec = c["spec"]
    mask_value = _mask_value(spec)
    out = {}
    for t in model.inputs:
        name, _ = kb.origin(t)
        dtype = kb.keras.backend.standardize_dtype(t.dtype)
        if c["data"] is not None and name in c["data"]:
            out[name] = np.asarray(c["data"][name], dtype=dtype)
            continue
        if dtype == "string":
            raise SystemExit(f"{c['id']}: string input {name!r} needs `data:`")
        shape = [c["batch"]] + [c["timesteps"] if d is None else int(d) for d in t.shape[1:]]
        if dtype.startswith("int"):
            arr = rng.integers(1, _vocab(spec), size=shape).astype(np.int32)
            if len(shape) >= 2:
                _pad_rows(arr, 0, c["all_masked_row"])
        else:
            arr = rng.uniform(0.0, 1.0, size=shape).astype(np.float32)
            if mask_value is not None and len(shape) >= 3:
                _pad_rows(arr, mask_value, c["all_masked_row"])
                if shape[0] > 2:  # a step where only some features equal mask_value
                    arr[2, shape[1] // 2, 0] = mask_value
        out[name] = arr
    return out


# --------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------


def _same_npz(path, arrays):
    if not path.exists():
        return False
    with np.load(path) as old:
        if sorted(old.files) != sorted(arrays):
            return False
        return all(old[k].dtype == arrays[k].dtype and old[k].shape == arrays[k].shape
                   and np.array_equal(old[k], arrays[k]) for k in arrays)


def save_npz(path, arrays):
    """np.savez(path, **arrays), skipped when the content is unchanged."""
    if _same_npz(path, arrays):
        return
    np.savez(path, **arrays)


def run_case(c, out_dir):
    import torch

    keras = kb.keras
    seed = zlib.crc32(c["id"].encode()) & 0xFFFFFFFF
    kb.fresh_session(seed % (2**31))
    rng = np.random.default_rng(seed)
    model = kb.build_model(c["spec"])
    if c["randomize"]:
        kb.randomize_weights(model, rng)
    inputs = draw_inputs(c, model, rng)
    names = [kb.origin(t)[0] for t in model.inputs]
    feed = [inputs[n] for n in names]
    with torch.no_grad():
        result = model(feed[0] if len(feed) == 1 else feed, training=False)
    if not isinstance(result, (list, tuple)):
        result = [result]
    result = [np.asarray(keras.ops.convert_to_numpy(r), dtype=np.float32) for r in result]

    weights = model.get_weights()
    # exactly what users write: np.savez(path, *model.get_weights())
    save_npz(out_dir / f"{c['id']}.weights.npz",
             {f"arr_{i}": w for i, w in enumerate(weights)})
    io = {f"input/{n}": inputs[n] for n in names}
    io.update({f"output/{k}": r for k, r in enumerate(result)})
    save_npz(out_dir / f"{c['id']}.io.npz", io)

    outputs = []
    for k, (t, r) in enumerate(zip(model.outputs, result, strict=True)):
        hist = t._keras_history
        outputs.append({"index": k, "layer": hist.operation.name,
                        "layer_output_index": hist.tensor_index,
                        "shape": list(r.shape)})
    entry = {
        "id": c["id"],
        "spec": c["spec"],
        "seed": seed,
        "random_weights": c["randomize"],
        "inputs": [{"name": n, "shape": list(inputs[n].shape),
                    "dtype": str(inputs[n].dtype)} for n in names],
        "outputs": outputs,
        "weight_keys": [w.path for w in model.weights],
        "weight_shapes": [list(w.shape) for w in weights],
    }
    if c["note"]:
        entry["note"] = c["note"]
    return entry


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--only", action="append", default=[], help="model id (repeatable)")
    ap.add_argument("--list", action="store_true")
    args = ap.parse_args(argv)
    cases = load_cases("numeric")
    if args.list:
        print("\n".join(c["id"] for c in cases))
        return 0

    import torch

    keras = kb.keras

    torch.set_num_threads(1)
    if keras.backend.backend() != "torch":
        sys.exit("error: run with KERAS_BACKEND=torch")
    out_dir = args.out
    out_dir.mkdir(parents=True, exist_ok=True)
    index_path = out_dir / "index.json"
    old = {}
    if args.only and index_path.exists():
        old = {m["id"]: m for m in json.loads(index_path.read_text())["models"]}
    models = []
    for c in cases:
        if args.only and c["id"] not in args.only:
            if c["id"] in old:
                models.append(old[c["id"]])
            continue
        models.append(run_case(copy.deepcopy(c), out_dir))
        print(f"{c['id']}: ok", file=sys.stderr)
    index = {
        "keras_version": keras.__version__,
        "backend": keras.backend.backend(),
        "torch_version": torch.__version__.split("+")[0],
        "generated_by": "scripts/make_keras_numeric.py",
        "atol": ATOL,
        "models": models,
    }
    index_path.write_text(kb.dump_json(index, sort_keys=True))
    print(f"{len(models)} models -> {out_dir}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
