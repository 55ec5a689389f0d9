"""Recurrent families against real Keras 3: RNN(cell), stacked cells, ConvLSTM, masks,
zero_output_for_mask and softmax-family activations inside cells.

tests/golden/keras_recurrent_families.json is written by
scripts/make_keras_recurrent_families.py with Keras installed; these tests
need only the JSON (and NumPy for the numeric part).
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from rnncalc.engine.executor import execute
from rnncalc.engine.weights import assign_weights
from rnncalc.errors import SpecError
from tests.conftest import GOLDEN
from tests.support import graph_from_data, summary_dict

FIXTURE = json.loads((GOLDEN / "keras_recurrent_families.json").read_text())
SUMMARIES = FIXTURE["summaries"]
NUMERIC = FIXTURE["numeric"]
REFUSALS = FIXTURE["refusals"]


def test_fixture_is_large_enough():
    assert len(SUMMARIES) >= 60
    assert len(NUMERIC) >= 30
    assert len(REFUSALS) >= 8


def _our_weight_name(layer: dict, path: str, subs: list[str]) -> str:
    """Keras' variable path as rnncalc names the weight.

    ``sequential/bidirectional/forward_rnn/stacked_rnn_cells/lstm_cell/kernel``
    becomes ``forward/lstm_cell/kernel``: the model and layer names go, a
    Bidirectional's sub-layers become ``forward``/``backward``, a wrapped
    layer's own name goes, a single cell's name goes, and a stack keeps each
    cell's name so the weights stay distinct.
    """
    parts = path.split("/")
    parts = parts[parts.index(layer["name"]) + 1:]
    head = []
    if layer["type"] == "Bidirectional":
        if parts[0] not in subs:
            subs.append(parts[0])
        head = ["forward" if parts[0] == subs[0] else "backward"]
        parts = parts[1:]
    elif layer["type"] == "TimeDistributed" and len(parts) > 2:
        parts = parts[1:]
    if parts[0] == "stacked_rnn_cells":
        parts = parts[1:]
    elif len(parts) == 2:
        parts = parts[1:]
    return "/".join([*head, *parts])


@pytest.mark.parametrize("model", SUMMARIES, ids=[m["id"] for m in SUMMARIES])
def test_summary_matches_keras(model):
    got = summary_dict(model["spec"])
    expected = [e for e in model["layers"] if e["type"] != "InputLayer"]
    assert [g["name"] for g in got["layers"]] == [e["name"] for e in expected]
    for ours, keras in zip(got["layers"], expected):
        assert ours["type"] == keras["type"]
        assert ours["output_shapes"] == keras["output_shapes"], ours["name"]
        assert ours["params"] == keras["params"], ours["name"]
        assert ours["trainable_params"] == keras["trainable_params"], ours["name"]
        subs: list[str] = []
        assert [(w["name"], w["shape"]) for w in ours["weights"]] == [
            (_our_weight_name(keras, w["path"], subs), w["shape"]) for w in keras["weights"]]


@pytest.mark.parametrize("model", NUMERIC, ids=[m["id"] for m in NUMERIC])
def test_engine_matches_keras(model):
    graph = graph_from_data(model["spec"])
    inputs = {node.name: np.asarray(x) for node, x in zip(graph.inputs,
                                                           model["inputs"].values())}
    arrays = {f"arr_{k}": np.asarray(w, np.float32) for k, w in enumerate(model["weights"])}
    weights = assign_weights(arrays, graph, "fixture")
    outputs = execute(graph, inputs, weights)
    assert len(outputs) == len(model["outputs"])
    for k, (got, want) in enumerate(zip(outputs, model["outputs"])):
        want = np.asarray(want, np.float32)
        assert got.shape == want.shape, f"output {k}"
        np.testing.assert_allclose(got, want, atol=FIXTURE["atol"], rtol=0,
                                   err_msg=f"output {k}")


@pytest.mark.parametrize("model", REFUSALS, ids=[m["id"] for m in REFUSALS])
def test_keras_refusals_are_refused(model):
    with pytest.raises(SpecError):
        graph_from_data(model["spec"])


@pytest.mark.parametrize("model", REFUSALS[:4], ids=[m["id"] for m in REFUSALS[:4]])
def test_refusals_exit_2_with_one_error_line(model, cli, tmp_path):
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(model["spec"]))
    res = cli("summary", str(path))
    assert res.code == 2
    assert res.err.startswith("error:") and res.err.count("\n") == 1
    assert "Traceback" not in res.err
