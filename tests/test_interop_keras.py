"""Keras files in: to_json() configs, .keras archives and legacy .h5, against real Keras.

Fixtures come from scripts/make_keras_interop.py (run with Keras 3); the
tests only read them. ``facts.json`` holds what Keras reported for each model.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.conftest import GOLDEN

INTEROP = GOLDEN / "interop"
FACTS = json.loads((INTEROP / "facts.json").read_text())
KERAS3 = sorted(k for k in FACTS if not k.startswith("keras2/"))
KERAS2 = sorted(k for k in FACTS if k.startswith("keras2/"))
SAVED = sorted((k, ext) for k in KERAS3 for ext in FACTS[k].get("files", []))


def _rows(layers):
    return [(x["name"], x["type"], x["output_shapes"], x["params"], x["trainable_params"])
            for x in layers]


def _check_summary(cli, path, facts, *, input_names=True):
    result = cli("summary", path, "--json")
    assert result.code == 0, result.err
    record = json.loads(result.out)
    assert _rows(record["layers"]) == _rows(facts["layers"])
    for key in ("total_params", "trainable_params", "non_trainable_params"):
        assert record[key] == facts[key], key
    assert [i["shape"] for i in record["inputs"]] == [i["shape"] for i in facts["inputs"]]
    assert [i["dtype"] for i in record["inputs"]] == [i["dtype"] for i in facts["inputs"]]
    if input_names:
        assert [i["name"] for i in record["inputs"]] == [i["name"] for i in facts["inputs"]]


def test_enough_models():
    assert len(KERAS3) >= 40
    assert len(SAVED) >= 40


@pytest.mark.parametrize("case", KERAS3)
def test_to_json_summary_equals_keras(cli, case):
    _check_summary(cli, INTEROP / f"{case}.json", FACTS[case])


@pytest.mark.parametrize("case", KERAS2)
def test_keras2_config_summary_equals_keras(cli, case):
    # Hand-written tf.keras configs; the oracle is the same model built in Keras 3.
    _check_summary(cli, INTEROP / f"{case}.json", FACTS[case], input_names=False)


@pytest.mark.parametrize(("case", "ext"), SAVED, ids=[f"{c}.{e}" for c, e in SAVED])
def test_saved_model_summary_equals_keras(cli, case, ext):
    if ext == "h5":
        pytest.importorskip("h5py")
    _check_summary(cli, INTEROP / f"{case}.{ext}", FACTS[case])


@pytest.mark.parametrize(("case", "ext"), SAVED, ids=[f"{c}.{e}" for c, e in SAVED])
def test_saved_model_run_equals_predict(cli, case, ext):
    pytest.importorskip("h5py")
    x = INTEROP / f"{case}.in.npy"
    if not x.exists():
        x = INTEROP / f"{case}.in.npz"
    result = cli("run", INTEROP / f"{case}.{ext}", "--input", x, "--json")
    assert result.code == 0, result.err
    outputs = json.loads(result.out)["outputs"]
    want = np.load(INTEROP / f"{case}.out.npz")
    assert len(outputs) == len(want.files)
    for i, out in enumerate(outputs):
        expected = want[f"arr_{i}"]
        got = np.asarray(out["values"], dtype=np.float64)
        assert got.shape == expected.shape
        np.testing.assert_allclose(got, expected, atol=1e-5, rtol=0)


def test_summary_of_keras_archive_needs_no_h5py(monkeypatch, cli):
    import builtins

    real = builtins.__import__

    def no_h5py(name, *args, **kwargs):
        if name == "h5py":
            raise ImportError("no h5py")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_h5py)
    assert cli("summary", INTEROP / "lstm_basic.keras").code == 0
    result = cli("run", INTEROP / "lstm_basic.keras")
    assert result.code == 2
    assert "pip install 'rnncalc[keras]'" in result.err
    assert "Traceback" not in result.err
    result = cli("summary", INTEROP / "lstm_basic.h5")
    assert result.code == 2 and "rnncalc[keras]" in result.err


def _config(layers, *, functional=False):
    return {"class_name": "Functional" if functional else "Sequential",
            "config": {"name": "m", "layers": layers}}


def _write(tmp_path, data, name="model.json"):
    path = tmp_path / name
    path.write_text(json.dumps(data))
    return path


def test_unsupported_layer_is_named(cli, tmp_path):
    path = _write(tmp_path, _config([
        {"class_name": "InputLayer", "config": {"batch_shape": [None, 8, 8, 3]}},
        {"class_name": "Conv2DTranspose", "config": {"name": "conv2d_transpose", "filters": 3}}]))
    result = cli("summary", path)
    assert result.code == 2
    assert result.err.startswith("error:")
    assert "layers[1] 'conv2d_transpose'" in result.err
    assert "unsupported layer type 'Conv2DTranspose'" in result.err


def test_nested_model_and_shared_layer_are_refused(cli, tmp_path):
    nested = _write(tmp_path, _config([
        {"class_name": "InputLayer", "config": {"batch_shape": [None, 3]}},
        {"class_name": "Sequential", "config": {"name": "inner", "layers": []}}]), "n.json")
    result = cli("summary", nested)
    assert result.code == 2 and "nested model" in result.err
    shared = _write(tmp_path, _config([
        {"class_name": "InputLayer", "name": "a", "config": {"batch_input_shape": [None, 3]},
         "inbound_nodes": []},
        {"class_name": "Dense", "name": "d", "config": {"units": 2},
         "inbound_nodes": [[["a", 0, 0, {}]], [["a", 0, 0, {}]]]}],
        functional=True), "s.json")
    result = cli("summary", shared)
    assert result.code == 2 and "shared layer" in result.err


def test_unknown_config_key_is_an_error(cli, tmp_path):
    path = _write(tmp_path, _config([
        {"class_name": "InputLayer", "config": {"batch_shape": [None, 4, 3]}},
        {"class_name": "LSTM", "config": {"name": "lstm", "units": 2, "retrun_sequences": True}}]))
    result = cli("summary", path)
    assert result.code == 2
    assert "retrun_sequences" in result.err and "did you mean 'return_sequences'" in result.err


def test_keras2_generic_rnn_cell_and_tensorshape(cli, tmp_path):
    # tf.keras RNN(LSTMCell) and a SavedModel-style TensorShape dict.
    path = _write(tmp_path, _config([
        {"class_name": "InputLayer", "config": {
            "batch_input_shape": {"class_name": "TensorShape", "items": [None, 4, 5]}}},
        {"class_name": "RNN", "config": {"name": "rnn", "return_sequences": True, "cell": {
            "class_name": "LSTMCell", "config": {"name": "lstm_cell", "units": 3}}}}]))
    result = cli("summary", path, "--json")
    assert result.code == 0, result.err
    layer = json.loads(result.out)["layers"][0]
    assert layer["type"] == "RNN" and layer["output_shapes"] == [[None, 4, 3]]  # as Keras 3
    assert layer["params"] == 4 * (5 * 3 + 3 * 3 + 3)


def test_not_a_keras_archive(cli, tmp_path):
    bad = tmp_path / "x.keras"
    bad.write_bytes(b"not a zip")
    result = cli("summary", bad)
    assert result.code == 2 and "not a .keras archive" in result.err
