"""Random Keras operations on random shapes, rnncalc against Keras 3 (shapes and refusals).

Run where Keras is installed::

    KERAS_BACKEND=torch ~/kerasenv/bin/python scripts/fuzz_ops_against_keras.py -n 500 --seed 1

Each draw is one operation (its arguments drawn from what the function takes) on one or
two inputs of random rank with random ``None`` dims; Keras builds it symbolically and
rnncalc summarizes the same spec. A mismatch (a shape, or one side refusing) is printed
with its spec; ``--run`` also compares Keras' ``predict`` with ``rnncalc run`` on the same
inputs (within 1e-5); ``--only N`` replays draw N.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import warnings
from pathlib import Path
from typing import Any

os.environ.setdefault("KERAS_BACKEND", "torch")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import keras_builder as kb  # noqa: E402

import rnncalc  # noqa: E402

UNARY = ["tanh", "sigmoid", "relu", "exp", "abs", "negative", "square", "floor", "log_sigmoid"]
BINARY = ["add", "subtract", "multiply", "divide", "maximum", "minimum", "greater", "power",
          "mod", "floor_divide"]
REDUCE = ["sum", "mean", "max", "min", "prod", "std", "var", "logsumexp"]


def shape(rng: random.Random, rank: int | None = None) -> list[Any]:
    rank = rng.randint(1, 3) if rank is None else rank
    return [rng.choice([None, 1, 2, 3, 4]) for _ in range(rank)]


def axis(rng: random.Random, rank: int) -> int:
    return rng.randint(-rank - 1, rank)          # sometimes out of range


def draw(rng: random.Random) -> dict[str, Any]:
    a = shape(rng)
    full = len(a) + 1                            # with the batch axis
    kind = rng.choice(["unary", "binary", "reduce", "softmax", "expand_dims", "squeeze",
                       "concatenate", "stack", "transpose", "reshape", "matmul", "get_item",
                       "take", "split", "tile", "repeat", "argmax", "dot", "clip", "where"])
    inputs = {"a": {"shape": a}}
    refs: Any = "a"
    if kind == "unary":
        entry = {f"ops.{rng.choice(UNARY)}": {}}
    elif kind == "binary":
        if rng.random() < 0.3:
            entry = {f"ops.{rng.choice(BINARY)}": {rng.choice(["x1", "x2"]): 2.0}}
        else:
            b = shape(rng, rng.randint(1, len(a)))
            inputs["b"] = {"shape": b}
            refs = ["a", "b"]
            entry = {f"ops.{rng.choice(BINARY)}": {}}
    elif kind == "where":
        b = shape(rng, len(a))
        inputs["b"] = {"shape": b}
        refs = ["a", "b"]
        entry = {"ops.where": {"x2": 0.0}}
    elif kind == "reduce":
        ax: Any = rng.choice([None, axis(rng, full), [1, -1]])
        entry = {f"ops.{rng.choice(REDUCE)}": {"axis": ax, "keepdims": rng.random() < 0.3}}
    elif kind == "argmax":
        entry = {"ops.argmax": {"axis": rng.choice([None, axis(rng, full)])}}
    elif kind == "softmax":
        entry = {"ops.softmax": {"axis": axis(rng, full)}}
    elif kind == "expand_dims":
        entry = {"ops.expand_dims": {"axis": axis(rng, full + 1)}}
    elif kind == "squeeze":
        entry = {"ops.squeeze": {"axis": rng.choice([None, axis(rng, full)])}}
    elif kind in ("concatenate", "stack"):
        b = list(a)
        if b and rng.random() < 0.5:
            b[rng.randrange(len(b))] = rng.choice([None, 2, 5])
        inputs["b"] = {"shape": b}
        refs = ["a", "b"]
        entry = {f"ops.{kind}": {"axis": axis(rng, full + (kind == "stack"))}}
    elif kind == "transpose":
        perm = list(range(full))
        rng.shuffle(perm)
        entry = {"ops.transpose": {"axes": perm if rng.random() < 0.8 else perm[:-1]}}
    elif kind == "reshape":
        entry = {"ops.reshape": {"newshape": [-1, *rng.choice([[4], [2, 2], [3], [1, 4]])]}}
    elif kind in ("matmul", "dot"):
        b = shape(rng, rng.randint(1, 3))
        inputs["b"] = {"shape": b}
        refs = ["a", "b"]
        entry = {f"ops.{kind}": {}}
    elif kind == "get_item":
        items = [rng.choice([":", "-1", "0", "1:", "::2", "None", "...", "1:3"])
                 for _ in range(rng.randint(1, full))]
        if items.count("...") > 1:
            items = [i for i in items if i != "..."] + ["..."]
        entry = {"ops.get_item": {"key": "[" + ", ".join(items) + "]"}}
    elif kind == "take":
        entry = {"ops.take": {"indices": rng.choice([0, [0, 1], -1, 3]),
                              "axis": rng.choice([None, axis(rng, full)])}}
    elif kind == "split":
        entry = {"ops.split": {"indices_or_sections": rng.choice([1, 2, [1], [1, 3]]),
                               "axis": axis(rng, full)}}
    elif kind == "tile":
        entry = {"ops.tile": {"repeats": rng.choice([2, [1, 2], [2, 1, 3], [1, 1, 1, 2]])}}
    elif kind == "repeat":
        entry = {"ops.repeat": {"repeats": rng.choice([1, 2, 3]),
                                "axis": rng.choice([None, axis(rng, full)])}}
    else:
        entry = {"ops.clip": {"x_min": 0.0, "x_max": 1.0}}
    entry["inputs"] = refs
    return {"inputs": inputs, "layers": [entry]}


def keras_model(spec: dict[str, Any]) -> tuple[Any, list[Any] | None, str]:
    kb.fresh_session()
    kb.SPEC_OPERATIONS.clear()
    try:
        model = kb.build_model(spec)
    except Exception as err:  # noqa: BLE001 - Keras raises many kinds
        return None, None, kb.error_text(err)
    layer = kb.describe(model)["layers"][-1]
    return model, layer["output_shapes"], ""


def compare_values(model: Any, spec: dict[str, Any], k: int) -> str:
    """Keras' predict and rnncalc's run on the same inputs (batch 2, unknown dims 3)."""
    import numpy as np

    rng = np.random.default_rng(k)
    data = {name: rng.uniform(-1, 1, size=[2] + [3 if d is None else d for d in b["shape"]])
            .astype("float32") for name, b in spec["inputs"].items()}
    try:
        want = kb.keras.tree.flatten(model.predict([data[n] for n in spec["inputs"]],
                                                   verbose=0))
    except Exception:  # noqa: BLE001 - Keras fails on these values: nothing to compare
        return ""
    try:
        got = list(rnncalc.load(spec).run(inputs=data).values())
    except rnncalc.SpecError as err:
        return f"rnncalc refused to run: {err}"
    for w, g in zip(want, got):
        w = np.asarray(w)
        if w.shape != g.shape:
            return f"value shapes differ: keras {w.shape}, ours {g.shape}"
        if not np.allclose(w.astype("float64"), g.astype("float64"), atol=1e-5,
                           equal_nan=True):
            return f"values differ by {np.nanmax(np.abs(w - g))}"
    return ""


def our_shapes(spec: dict[str, Any]) -> tuple[list[Any] | None, str]:
    try:
        summary = rnncalc.load(spec).summary().to_dict()
    except rnncalc.SpecError as err:
        return None, str(err)
    return summary["layers"][-1]["output_shapes"], ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--only", type=int)
    parser.add_argument("--run", action="store_true", help="also compare values (predict)")
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore")
    bad = 0
    draws = [args.only] if args.only is not None else range(args.n)
    for k in draws:
        spec = draw(random.Random(f"{args.seed}-{k}"))
        model, theirs, their_err = keras_model(spec)
        ours, our_err = our_shapes(spec)
        if theirs == ours and model is not None and args.run:
            problem = compare_values(model, spec, k)
            if problem:
                bad += 1
                print(f"#{k}: {spec['inputs']} {spec['layers'][0]}\n   {problem}")
        if theirs != ours:
            bad += 1
            print(f"#{k}: {spec['inputs']} {spec['layers'][0]}\n   keras: {theirs or their_err}"
                  f"\n   ours:  {ours or our_err}")
    print(f"{len(draws)} draws, {bad} mismatches", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
