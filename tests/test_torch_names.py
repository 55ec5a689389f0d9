"""``--convention pytorch`` against real torch (tests/golden/torch_convention.json).

Written by scripts/make_torch_convention_golden.py: the ``nn.Module`` a torch
user would write for each case (frozen where Keras says ``trainable=False``),
its state_dict keys and counts; and, checked numerically against Keras, the
permute that makes torch's normalization equal Keras' for each axis layout.
"""

from __future__ import annotations

import json

import pytest

from rnncalc.reports.pytorch import TORCH_MODULE_ATTRIBUTES
from tests.conftest import GOLDEN

FIXTURE = json.loads((GOLDEN / "torch_convention.json").read_text(encoding="utf-8"))


def _torch_json(cli, case: dict) -> dict:
    args = ["summary", "--convention", "pytorch", "--json"]
    for text in case["layers"]:
        args += ["--layer", text]
    result = cli(*args, "--input-shape", ",".join(str(d) for d in case["input_shape"]))
    assert result.code == 0, result.err
    return json.loads(result.out)


def test_reserved_names_are_torch_module_attributes():
    assert set(FIXTURE["module_attributes"]) <= TORCH_MODULE_ATTRIBUTES


@pytest.mark.parametrize("case", FIXTURE["modules"], ids=lambda c: " + ".join(c["layers"]))
def test_state_dict_and_counts_match_torch(cli, case):
    record = _torch_json(cli, case)
    names = [e["name"] for layer in record["layers"] for e in layer["state_dict"]
             if not e["buffer"]]
    assert names == case["state_dict"]
    assert record["total_params"] == case["params"]
    assert record["trainable_params"] == case["trainable_params"]


@pytest.mark.parametrize("case", FIXTURE["layouts"], ids=lambda c: " + ".join(c["layers"]))
def test_permute_notes_match_torch(cli, case):
    record = _torch_json(cli, case)
    notes = " ".join(record["layers"][0]["notes"])
    if case["permute"] is None:
        assert "permute" not in notes
    else:
        order = ", ".join(str(a) for a in case["permute"])
        back = ", ".join(str(a) for a in case["back"])
        assert f"x.permute({order}) before the module and .permute({back}) after it" in notes
