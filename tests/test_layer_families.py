"""CRNN fronts, small layers and merges against real Keras 3 and torch (issues 10 and 12).

The cases live in scripts/cases/summary_crnn.yaml, numeric_crnn.yaml and interop_crnn.yaml
(recorded into the shared Keras fixtures, which tests/test_keras_golden.py,
test_engine_golden.py and test_interop_keras.py check model by model); here: that the
families are large enough, that every one of them exports and reads back, and the
PyTorch convention against tests/golden/torch_modules.json (scripts/make_torch_golden.py).
"""

from __future__ import annotations

import json
import sys

import pytest

from tests.conftest import GOLDEN, ROOT
from tests.support import load_spec

sys.path.insert(0, str(ROOT / "scripts"))
from fixture_cases import read_yaml  # noqa: E402

CASES = ROOT / "scripts" / "cases"
SUMMARY_IDS = {c["id"] for c in read_yaml(CASES / "summary_crnn.yaml")}
NUMERIC_IDS = {c["id"] for c in read_yaml(CASES / "numeric_crnn.yaml")}
SUMMARIES = [m for m in json.loads((GOLDEN / "keras_summaries.json").read_text())["models"]
             if m["id"] in SUMMARY_IDS]
BUILT = [m for m in SUMMARIES if "expected" in m]
REJECTED = [m for m in SUMMARIES if "error" in m]
NUMERIC = {m["id"] for m in json.loads((GOLDEN / "numeric" / "index.json").read_text())[
    "models"]} & NUMERIC_IDS


def test_enough_fixtures() -> None:
    assert len(SUMMARIES) == len(SUMMARY_IDS), "summary_crnn.yaml not recorded"
    assert len(NUMERIC) == len(NUMERIC_IDS), "numeric_crnn.yaml not recorded"
    assert len(BUILT) >= 90
    assert len(REJECTED) >= 15
    assert len(NUMERIC) >= 35
    assert sum(i.startswith("mask_") for i in NUMERIC) >= 20


@pytest.mark.parametrize("model", BUILT, ids=[m["id"] for m in BUILT])
def test_export_round_trip(cli, tmp_path, model: dict) -> None:
    """export --to yaml, read back: the same summary; --to keras names every kind."""
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(model["spec"]))
    exported = cli("export", spec, "--to", "yaml")
    assert exported.code == 0, exported.err
    again = tmp_path / "again.yaml"
    again.write_text(exported.out)
    before = json.loads(cli("summary", spec, "--json").out)
    after = cli("summary", again, "--json")
    assert after.code == 0, after.err
    assert json.loads(after.out) == before
    code = cli("export", spec, "--to", "keras")
    assert code.code == 0, code.err
    for layer in model["expected"]["layers"]:
        assert f"layers.{layer['type']}(" in code.out


TORCH = [m for m in json.loads((GOLDEN / "torch_modules.json").read_text())["modules"]
         if "keras" in m]


def test_enough_torch_fixtures() -> None:
    assert len(TORCH) >= 20


@pytest.mark.parametrize("m", TORCH, ids=[m["id"] for m in TORCH])
def test_pytorch_convention_matches_torch(m: dict) -> None:
    """State_dict names/shapes and counts as torch has them; shapes agree channels-first."""
    from rnncalc.graph import ShapeOptions
    from rnncalc.reports.pytorch import build_torch_graph, torch_record

    options = ShapeOptions(input_shape=tuple(m["keras_input_shape"]),
                           batch_size=m["forward"]["batch"])
    graph = build_torch_graph(load_spec(None, [m["keras"]]), options)
    (layer,) = torch_record(graph).layers
    got = [(key.split(".", 1)[1], list(p.shape)) for key, p in layer.state_dict]
    assert got == [(e["name"], e["shape"]) for e in m["state_dict"]]
    assert (layer.params, layer.trainable_params) == (m["params"], m["trainable_params"])
    keras_out = list(graph.nodes[0].output_shapes[0])
    channels_first = [keras_out[0], keras_out[-1], *keras_out[1:-1]]
    assert m["forward"]["output_shape"] == channels_first
    module = "Conv1d" if m["module"] == "Separable" else m["module"]
    assert f"nn.{module}(" in layer.calls, layer.calls



@pytest.mark.parametrize("model", BUILT, ids=[m["id"] for m in BUILT])
def test_every_view_of_every_model(cli, tmp_path, model: dict) -> None:
    """explain, costed columns, the PyTorch convention and a run all work on each model."""
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(model["spec"]))
    unknown = [i for i in model["expected"]["inputs"] if None in i["shape"][1:]]
    shape = ["--timesteps", "8"] if unknown else []
    for args in (["explain"], ["explain", "--convention", "pytorch"],
                 ["summary", "--columns", "output_shape,params,macs,flops"],
                 ["summary", "--convention", "pytorch", "--json"]):
        result = cli(*args, spec)
        assert result.code == 0, (args, result.err)
    if all(None not in i["shape"][2:] for i in unknown):    # --timesteps binds axis 1
        result = cli("run", spec, "--json", *shape)
        assert result.code == 0 or "runs only 'nearest'" in result.err, result.err


