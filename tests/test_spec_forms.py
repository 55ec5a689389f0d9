"""Every spec notation of the contract (§2) gives the same model."""

from __future__ import annotations

import json

import pytest

from rnncalc.errors import SpecError
from rnncalc.graph import build_graph
from rnncalc.reports.summary import summarize
from rnncalc.spec.expressions import parse_call
from rnncalc.spec.loader import parse_text
from rnncalc.spec.model import model_spec
from tests.support import summary_dict

LSTM_FORMS = [
    {"LSTM": {"units": 3, "return_sequences": True}},
    {"LSTM": [3]},
    {"LSTM": 3},
    {"type": "LSTM", "units": 3},
    "LSTM(3, return_sequences=True)",
    "tf.keras.layers.LSTM(units=3)",
    {"class_name": "LSTM", "config": {"units": 3}},
]


@pytest.mark.parametrize("form", LSTM_FORMS, ids=range(len(LSTM_FORMS)))
def test_layer_forms_give_the_same_lstm(form):
    got = summary_dict({"input": {"shape": [4, 5]}, "layers": [form]})
    layer = got["layers"][0]
    assert layer["type"] == "LSTM"
    # 4 gates * 3 units * (5 inputs + 3 recurrent + 1 bias)
    assert layer["params"] == 4 * 3 * (5 + 3 + 1)
    ret_seq = isinstance(form, str) and "return_sequences" in form or (
        isinstance(form, dict) and form.get("LSTM", {}) and isinstance(form["LSTM"], dict))
    assert layer["output_shapes"] == [[None, 4, 3] if ret_seq else [None, 3]]


def test_bare_name_and_type_form():
    got = summary_dict({"input": {"shape": [4, 5]},
                        "layers": ["Flatten", {"type": "Dropout", "rate": 0.5}]})
    assert [layer["output_shapes"] for layer in got["layers"]] == [[[None, 20]], [[None, 20]]]


@pytest.mark.parametrize("first", [
    {"SimpleRNN": {"units": 3, "input_shape": [2, 10]}},
    {"SimpleRNN": {"units": 3, "batch_input_shape": [None, 2, 10]}},
    {"SimpleRNN": {"units": 3, "input_dim": 10, "input_length": 2}},
    "SimpleRNN(3, input_shape=(2, 10))",
])
def test_keras2_first_layer_input(first):
    got = summary_dict({"layers": [first]})
    assert got["inputs"][0]["shape"] == [None, 2, 10]
    assert got["total_params"] == 10 * 3 + 3 * 3 + 3


def test_input_layer_takes_keras_default_names():
    """keras.Input in a layer list is named input_layer, input_layer_1, ... as in Keras 3."""
    got = summary_dict({"layers": ["Input(shape=(3,))", "Dense(2)"]})
    assert [i["name"] for i in got["inputs"]] == ["input_layer"]
    got = summary_dict({"layers": [
        {"Input": {"shape": [3], "name": "a"}}, {"Dense": {"units": 2, "name": "d"}},
        {"Input": {"shape": [2]}}, {"Add": {}, "inputs": ["d", "input_layer"]}]})
    assert [i["name"] for i in got["inputs"]] == ["a", "input_layer"]

def test_embedding_input_length_and_dtype():
    got = summary_dict({"layers": [{"Embedding": {"input_dim": 50, "output_dim": 4,
                                                  "input_length": 7, "dtype": "float32"}}]})
    assert got["inputs"][0]["shape"] == [None, 7]
    assert got["layers"][0]["output_shapes"] == [[None, 7, 4]]


@pytest.mark.parametrize("init", [
    "zeros", {"Constant": {"value": 0.1}}, {"class_name": "Constant", "config": {"value": 0.1}},
    "Constant(0.1)", "tf.keras.initializers.Constant(value=0.1)",
])
def test_initializer_forms(init):
    graph = build_graph(model_spec(parse_text(json.dumps(
        {"input": {"shape": [4, 5]}, "layers": [{"LSTM": {"units": 3, "kernel_initializer": init}}]}
    ), "x.json")))
    kernel = graph.nodes[0].weights[0]
    assert kernel.name == "kernel"
    expected = "Zeros" if init == "zeros" else "Constant"
    assert kernel.initializer.name == expected
    if expected == "Constant":
        assert kernel.initializer.config["value"] == pytest.approx(0.1)


@pytest.mark.parametrize("wrapper", [
    {"Bidirectional": {"layer": {"LSTM": {"units": 3, "return_sequences": True}},
                       "merge_mode": "sum"}},
    "Bidirectional(LSTM(3, return_sequences=True), merge_mode='sum')",
    {"Bidirectional": {"layer": "LSTM(3, return_sequences=True)", "merge_mode": "sum"}},
])
def test_wrapper_forms(wrapper):
    got = summary_dict({"input": {"shape": [4, 5]}, "layers": [wrapper]})
    layer = got["layers"][0]
    assert layer["output_shapes"] == [[None, 4, 3]]
    assert layer["params"] == 2 * 4 * 3 * (5 + 3 + 1)
    assert [w["name"] for w in layer["weights"]] == [
        "forward/kernel", "forward/recurrent_kernel", "forward/bias",
        "backward/kernel", "backward/recurrent_kernel", "backward/bias"]


CONTRACT_SEQ2SEQ = """\
name: seq2seq
inputs:
  encoder_inputs: {shape: [null, 71]}
  decoder_inputs: {shape: [null, 93]}
layers:
  - LSTM: {units: 256, return_state: true, name: encoder}
    inputs: encoder_inputs
  - LSTM: {units: 256, return_sequences: true, return_state: true, name: decoder}
    inputs: decoder_inputs
    initial_state: [encoder[1], encoder[2]]
  - Dense: {units: 93, activation: softmax, name: decoder_dense}
    inputs: decoder[0]
outputs: [decoder_dense]
"""


def test_contract_seq2seq_yaml_as_written():
    """The contract writes references unquoted inside a flow list; that must parse."""
    record = summarize(build_graph(model_spec(parse_text(CONTRACT_SEQ2SEQ, "s.yaml")))).to_dict()
    # LSTM: 4 * 256 * (71 + 256 + 1); decoder 4 * 256 * (93 + 256 + 1); dense 256 * 93 + 93
    assert [layer["params"] for layer in record["layers"]] == [335_872, 358_400, 23_901]
    assert record["layers"][1]["inputs"] == ["decoder_inputs", "encoder[1]", "encoder[2]"]
    assert record["outputs"] == ["decoder_dense"]


def test_stdin_and_json_spec(cli):
    spec = json.dumps({"input": {"shape": [4, 5]}, "layers": ["GRU(2)"]})
    result = cli("summary", "-", "--json", stdin=spec)
    assert result.code == 0, result.err
    # GRU reset_after: 3 * 2 * (5 + 2) + 2 * 3 * 2
    assert json.loads(result.out)["total_params"] == 3 * 2 * 7 + 12


def test_shape_options_override(cli, tmp_path):
    path = tmp_path / "m.yaml"
    path.write_text("input: {shape: [null, 5]}\nlayers:\n  - LSTM: {units: 3, "
                    "return_sequences: true}\n")
    result = cli("summary", path, "--json", "--timesteps", "7", "--batch-size", "2")
    assert json.loads(result.out)["layers"][0]["output_shapes"] == [[2, 7, 3]]
    result = cli("summary", path, "--json", "--input-shape", "?,9")
    assert json.loads(result.out)["layers"][0]["output_shapes"] == [[None, None, 3]]
    assert json.loads(result.out)["layers"][0]["params"] == 4 * 3 * (9 + 3 + 1)


def test_expression_is_parsed_not_evaluated():
    call = parse_call("Dense(1, activation='sigmoid', dtype=tf.float32)")
    assert (call.name, call.args, call.kwargs) == ("Dense", (1,), {"activation": "sigmoid",
                                                                    "dtype": "float32"})
    for bad in ["__import__('os').system('true')", "LSTM(lambda: 1)", "LSTM([x for x in y])",
                "LSTM(units=hidden_units)", "LSTM(3).__class__", "LSTM(*a)", "open('f')()"]:
        with pytest.raises(SpecError):
            parse_call(bad)


def test_layers_feeding_no_output_are_left_out_with_a_note(cli, tmp_path):
    path = tmp_path / "u.yaml"
    path.write_text("inputs:\n  a: {shape: [4, 2]}\nlayers:\n  - LSTM: {units: 3, name: used}\n"
                    "    inputs: a\n  - Dense: {units: 2, name: side}\n    inputs: a\n"
                    "  - Dense: {units: 1, name: head}\n    inputs: used\n")
    result = cli("summary", path, "--json")
    record = json.loads(result.out)
    assert [layer["name"] for layer in record["layers"]] == ["used", "head"]
    # LSTM 4*3*(2+3+1) + Dense 3+1
    assert record["total_params"] == 72 + 4
    assert "note: layer 'side' feeds no model output" in result.err


TWO_MODELS_PY = """\
from tensorflow.keras.models import Sequential
from tensorflow.keras.layers import SimpleRNN, LSTM

model = Sequential()
model.add(SimpleRNN(3, input_shape=(2, 10)))

model = Sequential([LSTM(4, input_shape=(5, 6))])
"""


def test_model_option_on_every_command(cli, tmp_path):
    """--model N picks one model of a .py file for summary, explain and costs alike."""
    path = tmp_path / "two.py"
    path.write_text(TWO_MODELS_PY)
    # SimpleRNN 10*3 + 3*3 + 3 = 42; LSTM 4 * 4 * (6 + 4 + 1) = 176
    assert json.loads(cli("summary", path, "--model", "2", "--json").out)["total_params"] == 176
    explained = json.loads(cli("explain", path, "--model", "1", "--json").out)
    assert explained["total_params"] == 42
    costed = json.loads(cli("summary", path, "--model", "2", "--columns", "macs", "--json").out)
    assert costed["total_params"] == 176 and "cost" in costed
    result = cli("explain", path)
    assert result.code == 2 and "--model" in result.err
