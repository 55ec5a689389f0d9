"""`--convention pytorch`: counts, state_dict names and shapes against real torch.

The fixtures in tests/golden/torch_modules.json were written by
scripts/make_torch_golden.py with torch 2.13; torch is not needed here.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rnncalc.errors import SpecError
from rnncalc.graph import ShapeOptions, build_graph
from rnncalc.reports.pytorch import build_torch_graph, torch_record
from tests.support import load_spec

GOLDEN = Path(__file__).resolve().parent / "golden"
MODULES = json.loads((GOLDEN / "torch_modules.json").read_text())["modules"]
RECURRENT = [m for m in MODULES if m["module"] in ("RNN", "LSTM", "GRU")]
KERAS_KIND = {"RNN": "SimpleRNN", "LSTM": "LSTM", "GRU": "GRU"}


def _recurrent_expr(m: dict) -> str:
    c = m["config"]
    args = [str(c["hidden_size"]), "return_sequences=True"]
    if c.get("nonlinearity") == "relu":
        args.append("activation='relu'")
    if not c["bias"]:
        args.append("use_bias=False")
    if c["num_layers"] > 1:
        args.append(f"num_layers={c['num_layers']}")
    if c["bidirectional"]:
        args.append("bidirectional=True")
    if c.get("proj_size"):
        args.append(f"proj_size={c['proj_size']}")
    return f"{KERAS_KIND[m['module']]}({', '.join(args)})"


def _torch_layer(exprs: list[str], per_sample: tuple, batch: int | None = None):
    options = ShapeOptions(input_shape=per_sample, batch_size=batch)
    graph = build_torch_graph(load_spec(None, exprs), options)
    return graph, torch_record(graph)


def test_enough_recurrent_fixtures_with_every_option():
    assert len(RECURRENT) >= 30
    configs = [m["config"] for m in RECURRENT]
    assert any(c["num_layers"] > 1 for c in configs)
    assert any(c["bidirectional"] for c in configs)
    assert any(c.get("proj_size") for c in configs)
    assert any(not c["bias"] for c in configs)


@pytest.mark.parametrize("m", RECURRENT, ids=[m["id"] for m in RECURRENT])
def test_recurrent_state_dict_matches_torch(m):
    c, fwd = m["config"], m["forward"]
    graph, record = _torch_layer([_recurrent_expr(m)], (fwd["time"], c["input_size"]),
                                 fwd["batch"])
    (layer,) = record.layers
    got = [(key.split(".", 1)[1], list(p.shape)) for key, p in layer.state_dict]
    assert got == [(e["name"], e["shape"]) for e in m["state_dict"]]
    assert layer.params == m["params"]
    assert layer.trainable_params == m["trainable_params"]
    assert record.total_params == m["params"]
    # batch_first output (B, T, H_out·directions), as torch returned it
    assert list(graph.nodes[0].output_shapes[0]) == [fwd["batch"], fwd["time"],
                                                     fwd["output_shape"][-1]]


ONE_LAYER_BI = [m for m in RECURRENT
                if m["config"]["bidirectional"] and m["config"]["num_layers"] == 1
                and not m["config"].get("proj_size")]


@pytest.mark.parametrize("m", ONE_LAYER_BI, ids=[m["id"] for m in ONE_LAYER_BI])
def test_keras_bidirectional_wrapper_maps_to_one_bidirectional_module(m):
    c = m["config"]
    inner = _recurrent_expr({**m, "config": {**c, "bidirectional": False}})
    _, record = _torch_layer([f"Bidirectional({inner})"], (5, c["input_size"]))
    (layer,) = record.layers
    assert [k.split(".", 1)[1] for k, _ in layer.state_dict] == [
        e["name"] for e in m["state_dict"]]
    assert layer.params == m["params"]
    assert "bidirectional=True" in layer.calls


@pytest.mark.parametrize("m", [m for m in MODULES if m["module"] == "Embedding"],
                         ids=lambda m: m["id"])
def test_embedding_matches_torch(m):
    c = m["config"]
    expr = f"Embedding({c['num_embeddings']}, {c['embedding_dim']}"
    expr += ", mask_zero=True" if c.get("padding_idx") == 0 else ""
    expr += ", trainable=False)" if c.get("_freeze") else ")"
    _, record = _torch_layer([expr], (5,))
    (layer,) = record.layers
    assert [(k.split(".", 1)[1], list(p.shape)) for k, p in layer.state_dict] == [
        (e["name"], e["shape"]) for e in m["state_dict"]]
    assert (layer.params, layer.trainable_params) == (m["params"], m["trainable_params"])
    if c.get("padding_idx") == 0:
        assert "padding_idx=0" in layer.calls


@pytest.mark.parametrize("m", [m for m in MODULES if m["module"] == "Linear"],
                         ids=lambda m: m["id"])
def test_linear_matches_torch(m):
    c = m["config"]
    expr = f"Dense({c['out_features']}{'' if c['bias'] else ', use_bias=False'})"
    _, record = _torch_layer([expr], (5, c["in_features"]))
    (layer,) = record.layers
    assert [(k.split(".", 1)[1], list(p.shape)) for k, p in layer.state_dict] == [
        (e["name"], e["shape"]) for e in m["state_dict"]]
    assert layer.params == m["params"]


def test_keras_lstm_counts_one_bias_pytorch_two():
    _, record = _torch_layer(["LSTM(256)"], (100, 128))
    (layer,) = record.layers
    assert layer.keras_params == 4 * 256 * (128 + 256 + 1) == 394_240
    assert layer.params == 395_264       # torch_cost_reference.json: LSTM params
    assert any("two bias vectors" in n for n in layer.notes)


def test_gru_reset_after_true_has_the_same_count_and_no_bias_note():
    _, record = _torch_layer(["GRU(256)"], (100, 128))
    (layer,) = record.layers
    assert layer.keras_params == layer.params == 296_448
    assert not any("two bias vectors" in n for n in layer.notes)
    assert not any("reset_after" in n for n in layer.notes)


@pytest.mark.parametrize("expr, phrase", [
    ("GRU(8, reset_after=False)", "reset_after=False"),
    ("LSTM(8, activation='relu')", "always uses tanh and sigmoid"),
    ("SimpleRNN(8, activation='sigmoid')", "only nonlinearity='tanh' or 'relu'"),
    ("Bidirectional(LSTM(8), merge_mode='sum')", "merge_mode='sum'"),
    ("LSTM(8, go_backwards=True)", "flip the input"),
])
def test_no_equivalent_settings_get_a_note(expr, phrase):
    _, record = _torch_layer([expr], (5, 3))
    assert any(phrase in n for n in record.layers[0].notes), record.layers[0].notes


def test_gru_reset_before_counts_pytorch_two_biases():
    _, record = _torch_layer(["GRU(8, reset_after=False)"], (5, 3))
    (layer,) = record.layers
    assert layer.keras_params == 3 * 8 * (3 + 8 + 1)
    assert layer.params == 3 * 8 * (3 + 8 + 2)


@pytest.mark.parametrize("option", ["num_layers=2", "bidirectional=True", "proj_size=2",
                                    "num_layers=1"])
def test_pytorch_only_options_are_rejected_under_keras(option):
    with pytest.raises(SpecError, match="PyTorch option .*--convention pytorch"):
        build_graph(load_spec(None, [f"LSTM(8, {option})"]), ShapeOptions(input_shape=(5, 3)))


def test_pytorch_only_option_errors_under_pytorch():
    with pytest.raises(SpecError, match="only torch.nn.LSTM has proj_size"):
        _torch_layer(["GRU(8, proj_size=2)"], (5, 3))
    with pytest.raises(SpecError, match="smaller than units"):
        _torch_layer(["LSTM(8, proj_size=8)"], (5, 3))
    with pytest.raises(SpecError, match="wrapped layer cannot set"):
        _torch_layer(["Bidirectional(LSTM(8, num_layers=2))"], (5, 3))


def test_cli_rejects_torch_option_without_convention(cli):
    res = cli("summary", "--input-shape", "5,3", "--layer", "LSTM(8, num_layers=2)")
    assert res.code == 2
    assert res.err.startswith("error:") and "--convention pytorch" in res.err


def test_stacked_output_feeds_next_layer():
    graph, record = _torch_layer(["LSTM(16, num_layers=2, bidirectional=True, proj_size=4)",
                                  "Dense(3)"], (5, 8))
    assert graph.nodes[0].output_shapes == [(None, 8)]
    assert record.layers[1].params == 3 * 8 + 3
