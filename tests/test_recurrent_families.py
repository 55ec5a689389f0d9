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


# -- every spec form ----------------------------------------------------------------

def test_spec_forms_give_the_same_model():
    import rnncalc

    as_dict = rnncalc.load({"input": {"shape": [5, 3]}, "layers": [
        {"RNN": {"cell": [{"LSTMCell": 8}, {"GRUCell": 4}], "return_sequences": True}}]})
    as_yaml = rnncalc.load("input: {shape: [5, 3]}\nlayers:\n"
                           "  - RNN: {cell: [{LSTMCell: 8}, {GRUCell: 4}], "
                           "return_sequences: true}\n")
    as_expr = rnncalc.load(layers=["RNN([LSTMCell(8), GRUCell(4)], return_sequences=True)"],
                           input_shape=(5, 3))
    as_stack = rnncalc.load(layers=["RNN(StackedRNNCells([LSTMCell(8), GRUCell(4)]), "
                                    "return_sequences=True)"], input_shape=(5, 3))
    want = as_dict.summary().to_dict()
    for other in (as_yaml, as_expr, as_stack):
        assert other.summary().to_dict() == want
    assert want["layers"][0]["output_shapes"] == [[None, 5, 4]]
    assert want["total_params"] == 4 * 8 * (3 + 8 + 1) + 3 * 4 * (8 + 4 + 2)


@pytest.mark.parametrize("model", [m for m in SUMMARIES if "to_json" in m],
                         ids=[m["id"] for m in SUMMARIES if "to_json" in m])
def test_keras_to_json_reads_as_keras_built_it(model):
    import rnncalc

    got = rnncalc.load(json.dumps(model["to_json"])).summary().to_dict()
    expected = [e for e in model["layers"] if e["type"] != "InputLayer"]
    assert [(g["name"], g["type"], g["output_shapes"], g["params"]) for g in got["layers"]] == [
        (e["name"], e["type"], e["output_shapes"], e["params"]) for e in expected]


EXPORTED = [m for m in SUMMARIES if "export" in m]


@pytest.mark.parametrize("model", EXPORTED, ids=[m["id"] for m in EXPORTED])
def test_exported_keras_code_builds_the_same_model(model):
    import rnncalc

    m = rnncalc.load(model["spec"])
    assert m.export("keras") == model["export"]["code"], "rerun the fixture script"
    got = m.summary().to_dict()["layers"]
    built = [e for e in model["export"]["layers"] if e["type"] != "InputLayer"]
    assert [(g["name"], g["type"], g["output_shapes"], g["params"]) for g in got] == [
        (e["name"], e["type"], e["output_shapes"], e["params"]) for e in built]


@pytest.mark.parametrize("model", SUMMARIES, ids=[m["id"] for m in SUMMARIES])
def test_yaml_export_round_trips(model):
    import rnncalc

    m = rnncalc.load(model["spec"])
    again = rnncalc.load(m.export("yaml"))
    assert again.summary().to_dict()["layers"] == m.summary().to_dict()["layers"]


# -- PyTorch convention ----------------------------------------------------------------

TORCH = json.loads((GOLDEN / "torch_modules.json").read_text())["modules"]
ONE_LAYER = [m for m in TORCH if m["module"] in ("RNN", "LSTM", "GRU")
             and m["config"]["num_layers"] == 1 and not m["config"].get("proj_size")]
CELL = {"RNN": "SimpleRNNCell", "LSTM": "LSTMCell", "GRU": "GRUCell"}


@pytest.mark.parametrize("m", ONE_LAYER, ids=[m["id"] for m in ONE_LAYER])
def test_rnn_of_a_cell_counts_as_the_torch_module(m):
    """RNN(LSTMCell(H)) is nn.LSTM(I, H): same state_dict names, shapes and params."""
    import rnncalc

    c = m["config"]
    cell = f"{CELL[m['module']]}({c['hidden_size']}"
    cell += ", activation='relu'" if c.get("nonlinearity") == "relu" else ""
    cell += ")" if c["bias"] else ", use_bias=False)"
    expr = f"RNN({cell}, return_sequences=True)"
    if c["bidirectional"]:
        expr = f"Bidirectional({expr})"
    model = rnncalc.load(layers=[expr], input_shape=(5, c["input_size"]))
    doc = model.summary(convention="pytorch").to_dict()
    (layer,) = doc["layers"]
    torch_layer = layer.get("pytorch", layer)
    names = [(e["name"].split(".", 1)[1], e["shape"]) for e in torch_layer["state_dict"]]
    assert names == [(e["name"], e["shape"]) for e in m["state_dict"]]
    assert torch_layer["params"] == m["params"]


def test_convlstm_has_a_clear_pytorch_note():
    import rnncalc

    model = rnncalc.load(layers=["ConvLSTM2D(4, 3)"], input_shape=(3, 8, 8, 2))
    text = json.dumps(model.summary(convention="pytorch").to_dict())
    assert "torch.nn has no ConvLSTM" in text


def test_explain_lists_each_cell_weight_and_cost():
    import rnncalc

    text = str(rnncalc.load(layers=["RNN([LSTMCell(8), GRUCell(4)])"],
                            input_shape=(5, 3)).explain())
    assert "lstm_cell/kernel (3, 32) = 3 × 32 = 96" in text
    assert "gru_cell/bias (2, 12) = 2 × 12 = 24" in text
    assert "MACs = 2,480 per sample" in text       # 5·(96+256) + 5·(96+48)
    conv = str(rnncalc.load(layers=["ConvLSTM2D(2, 3, padding='same')"],
                            input_shape=(4, 5, 5, 1)).explain())
    assert "kernel (3, 3, 1, 8) = 3 × 3 × 1 × 8 = 72" in conv
    assert "input convolution" in conv and "recurrent convolution" in conv


ARCHIVES = sorted((GOLDEN / "recurrent_archives").glob("*.keras"))


@pytest.mark.parametrize("path", ARCHIVES, ids=[p.stem for p in ARCHIVES])
def test_keras_archive_weights_run_as_keras_predicts(path):
    """Stacked cells and ConvLSTM saved by Keras (.keras): weights land on the right cells."""
    pytest.importorskip("h5py")
    import rnncalc

    io = np.load(path.with_name(f"{path.stem}.io.npz"))
    (got,) = rnncalc.load(str(path)).run(inputs=io["input"]).values()
    np.testing.assert_allclose(got, io["output"], atol=FIXTURE["atol"], rtol=0)


def test_unroll_draws_rnn_cells_and_convlstm_state_maps():
    import rnncalc

    stack = rnncalc.load(layers=["RNN([LSTMCell(4), GRUCell(2)])"], input_shape=(5, 3))
    text = stack.plot(format="mermaid", unroll=2)
    assert "lstm_cell c_0 (None, 4)" in text and "gru_cell h_0 (None, 2)" in text
    conv = rnncalc.load(layers=["ConvLSTM2D(2, 3)"], input_shape=(3, 6, 6, 2))
    assert "(None, 4, 4, 2)" in conv.plot(format="mermaid", unroll=2)
