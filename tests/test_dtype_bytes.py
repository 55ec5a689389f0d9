"""Parameter bytes per weight dtype, against real Keras 3 (tests/golden/keras_dtype_bytes.json).

Written by scripts/make_keras_dtype_golden.py: every case's footer lines and
byte counts as Keras' summary reports them, across layer kinds, wrappers with
the dtype inside or outside, and the mixed-precision policies.
"""

from __future__ import annotations

import json

import pytest

from tests.conftest import GOLDEN

CASES = json.loads((GOLDEN / "keras_dtype_bytes.json").read_text(encoding="utf-8"))["cases"]


def _args(case: dict) -> list[str]:
    args = ["summary"]
    for text in case["layers"]:
        args += ["--layer", text]
    return args + ["--input-shape", ",".join(str(d) for d in case["input_shape"])]


def test_fixture_covers_kinds_and_policies():
    assert len(CASES) >= 40
    text = " ".join(t for c in CASES for t in c["layers"])
    for policy in ("mixed_float16", "mixed_bfloat16", "float16", "bfloat16", "float64"):
        assert policy in text


@pytest.mark.parametrize("case", CASES, ids=lambda c: " + ".join(c["layers"]))
def test_param_bytes_match_keras(cli, case):
    result = cli(*_args(case), "--json")
    assert result.code == 0, result.err
    record = json.loads(result.out)
    assert record["total_params"] == case["total_params"]
    assert record["param_bytes"] == case["param_bytes"]


@pytest.mark.parametrize("case", CASES, ids=lambda c: " + ".join(c["layers"]))
def test_footer_matches_keras(cli, case):
    result = cli(*_args(case))
    assert result.code == 0, result.err
    footer = [line.strip() for line in result.out.splitlines()
              if line.strip().startswith(("Total params", "Trainable params",
                                          "Non-trainable params"))]
    assert footer == case["footer"]


def _compute_dtypes(model) -> list[str]:
    from rnncalc.layers.arguments import compute_dtype

    return [compute_dtype(node.dtype) for node in model.graph().nodes]


@pytest.mark.parametrize("case", CASES, ids=lambda c: " + ".join(c["layers"]))
def test_compute_dtypes_match_keras_from_spec_and_from_to_json(tmp_path, case):
    """Each layer computes (holds its activations) in Keras' compute dtype, whether the
    model comes from expressions or from the ``model.to_json()`` Keras wrote (a mixed
    policy computes in 16 bits over float32 weights)."""
    import rnncalc

    spec = rnncalc.load(layers=case["layers"], input_shape=tuple(case["input_shape"]))
    assert _compute_dtypes(spec) == case["compute_dtypes"]
    path = tmp_path / "model.json"
    path.write_text(json.dumps(case["config"]), encoding="utf-8")
    from_keras = rnncalc.load(str(path))
    assert _compute_dtypes(from_keras) == case["compute_dtypes"]
    assert from_keras.summary().to_dict()["param_bytes"] == case["param_bytes"]
