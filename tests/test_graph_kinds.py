"""Lambda bodies, shared layers (``call:``/``as:``) and nested models, beyond the Keras fixtures.

The Keras fixtures (summary_graph_kinds / numeric_graph_kinds) use the ``ops.``
spelling; these tests check that the ``tf.`` and ``K.`` spellings mean the same,
that nothing in a Lambda body is ever run, and the export / config round trips.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

import rnncalc
from rnncalc.errors import SpecError
from rnncalc.reports.export import export
from tests.support import graph_from_data, load_spec, summary_dict


def _run(spec, x) -> np.ndarray:
    """The single output of running a spec."""
    (value,) = rnncalc.load(spec).run(x).values()
    return np.asarray(value)


def _shapes(body: str, shape: list) -> list:
    spec = {"input": {"shape": shape}, "layers": [{"Lambda": body}]}
    return summary_dict(spec)["layers"][0]["output_shapes"]


@pytest.mark.parametrize(("body", "same_as"), [
    ("lambda x: tf.reduce_mean(x, axis=1)", "lambda x: ops.mean(x, axis=1)"),
    ("lambda x: K.mean(x, axis=1, keepdims=True)", "lambda x: ops.mean(x, 1, True)"),
    ("lambda x: tf.math.reduce_sum(x, -1)", "lambda x: ops.sum(x, axis=-1)"),
    ("lambda x: K.concatenate([x, x])", "lambda x: ops.concatenate([x, x], axis=-1)"),
    ("lambda x: tf.concat([x, x], 1)", "lambda x: ops.concatenate([x, x], axis=1)"),
    ("lambda x: K.expand_dims(x)", "lambda x: ops.expand_dims(x, -1)"),
    ("lambda x: tf.keras.backend.permute_dimensions(x, (0, 2, 1))",
     "lambda x: ops.transpose(x, (0, 2, 1))"),
    ("lambda x: tf.reshape(x, shape=(-1, 15))", "lambda x: keras.ops.reshape(x, (-1, 15))"),
    ("lambda x: tf.nn.relu(x) * tf.math.sigmoid(x)", "lambda x: ops.relu(x) * ops.sigmoid(x)"),
])
def test_tf_and_backend_spellings_mean_the_ops_ones(body, same_as):
    assert _shapes(body, [5, 3]) == _shapes(same_as, [5, 3])
    x = np.random.default_rng(0).normal(size=(2, 5, 3)).astype("float32")
    ours = _run({"input": {"shape": [5, 3]}, "layers": [{"Lambda": body}]}, x)
    ref = _run({"input": {"shape": [5, 3]}, "layers": [{"Lambda": same_as}]}, x)
    np.testing.assert_allclose(ours, ref, rtol=1e-6)


def test_default_axes_differ_by_spelling_as_in_each_api():
    # keras.ops.concatenate joins on axis 0 (the batch), K.concatenate on the last axis
    assert _shapes("lambda x: ops.concatenate([x, x])", [5, 3]) == [[None, 5, 3]]
    assert _shapes("lambda x: K.concatenate([x, x])", [5, 3]) == [[None, 5, 6]]


def test_unknown_dims_follow_keras_tracing():
    assert _shapes("lambda x: x[:, :4]", [None, 3]) == [[None, 4, 3]]
    assert _shapes("lambda x: x[:, 1:]", [None, 3]) == [[None, None, 3]]
    assert _shapes("lambda x: ops.reshape(x, (-1, 3))", [None, 3]) == [[None, 3]]


def test_numpy_forward_of_a_slice_and_a_reduction():
    x = np.arange(2 * 4 * 3, dtype="float32").reshape(2, 4, 3)
    spec = {"input": {"shape": [4, 3]},
            "layers": [{"Lambda": "lambda x: x[:, -1, :] - K.max(x, axis=1)"}]}
    np.testing.assert_array_equal(_run(spec, x), x[:, -1, :] - x.max(axis=1))


def test_a_body_is_checked_even_with_output_shape(tmp_path):
    marker = tmp_path / "ran"
    body = f"lambda x: __import__('pathlib').Path('{marker}').touch()"
    with pytest.raises(SpecError, match="dunder"):
        graph_from_data({"input": {"shape": [3]},
                         "layers": [{"Lambda": {"function": body, "output_shape": [3]}}]})
    assert not marker.exists()


def test_output_shape_is_honoured_and_arguments_bind_parameters():
    spec = {"input": {"shape": [5, 3]}, "layers": [
        {"Lambda": {"function": "lambda x: x[:, -1]", "output_shape": [7]}},
        {"Lambda": {"function": "lambda x, k: x[:, :k]", "arguments": {"k": 2}}}]}
    assert [layer["output_shapes"] for layer in summary_dict(spec)["layers"]] == [
        [[None, 7]], [[None, 2]]]


def test_lambda_in_a_layer_expression_is_carried_as_text():
    spec = load_spec(None, ["Input((5, 3))", "Lambda(lambda x: x[:, -1, :])"])
    assert spec.layers[-1].call.kwargs.get("function", spec.layers[-1].call.args[0]) == \
        "lambda x: x[:, -1, :]"


def test_lambda_exports_as_code_and_round_trips():
    spec = {"input": {"shape": [5, 3]},
            "layers": [{"LSTM": {"units": 4, "return_sequences": True}},
                       {"Lambda": "lambda x: ops.mean(x, axis=1)"}]}
    graph = graph_from_data(spec)
    code = export(graph, "keras")
    assert "layers.Lambda(lambda x: ops.mean(x, axis=1))" in code
    yaml_text = export(graph, "yaml")
    assert summary_dict(load_spec_text(yaml_text)) == summary_dict(spec)


def load_spec_text(text: str):
    import yaml

    return yaml.safe_load(text)


SHARED = {"inputs": {"a": {"shape": [5, 3]}, "b": {"shape": [5, 3]}},
          "layers": [{"LSTM": {"units": 4, "name": "shared"}, "inputs": "a"},
                     {"call": "shared", "inputs": "b", "as": "b_code"},
                     {"Subtract": {}, "inputs": ["shared", "b_code"]}]}


def test_shared_layer_is_one_row_with_every_call_connected():
    graph = graph_from_data(SHARED)
    record = rnncalc.load(SHARED).summary().record
    row = next(r for r in record.layers if r.name == "shared")
    assert row.connected_to == ("a[0][0]", "b[0][0]")
    assert [r.name for r in record.layers] == ["shared", "subtract"]
    assert record.total_params == 128
    sub = next(r for r in record.layers if r.name == "subtract")
    assert sub.connected_to == ("shared[0][0]", "shared[1][0]")
    assert len(graph.nodes) == 3      # the engine runs both calls


def test_shared_layer_runs_both_calls_with_the_same_weights():
    x = np.random.default_rng(1).normal(size=(2, 5, 3)).astype("float32")
    out = _run(SHARED, {"a": x, "b": x})
    np.testing.assert_allclose(out, 0, atol=1e-7)     # same weights, same input: equal


def test_shared_layer_round_trips_through_yaml_and_keras_code():
    graph = graph_from_data(SHARED)
    text = export(graph, "yaml")
    assert "call: shared" in text and "as: b_code" in text
    assert summary_dict(load_spec_text(text)) == summary_dict(SHARED)
    code = export(graph, "keras")
    assert "shared_layer = layers.LSTM(" in code and "b_code = shared_layer(b)" in code


@pytest.mark.parametrize(("entry", "message"), [
    ({"call": "nothing", "inputs": "b"}, "no earlier layer"),
    ({"call": "shared"}, "needs 'inputs:'"),
    ({"call": "shared", "inputs": "zz"}, "unknown reference 'zz'"),
])
def test_bad_calls_are_refused(entry, message):
    spec = {**SHARED, "inputs": {**SHARED["inputs"], "c": {"shape": [5, 4]}},
            "layers": [SHARED["layers"][0], entry]}
    with pytest.raises(SpecError, match=message):
        graph_from_data(spec)


def test_a_second_call_on_other_features_is_refused():
    spec = {"inputs": {"a": {"shape": [5, 3]}, "c": {"shape": [5, 4]}},
            "layers": [SHARED["layers"][0], {"call": "shared", "inputs": "c", "as": "x"}]}
    with pytest.raises(SpecError, match="weights were built for"):
        graph_from_data(spec)


def test_keras_config_with_a_shared_layer_and_a_compiled_lambda():
    """A Keras 3 to_json: shared layers are several inbound nodes; a Lambda's bytecode is
    never read, its output_shape is."""
    def tensor(name: str, node: int, shape: list) -> dict:
        return {"class_name": "__keras_tensor__",
                "config": {"shape": shape, "dtype": "float32",
                           "keras_history": [name, node, 0]}}
    lam = {"class_name": "__lambda__", "config": {"code": "4wEAAAAA", "defaults": None,
                                                  "closure": None}}
    config = {"class_name": "Functional", "config": {"name": "m", "layers": [
        {"class_name": "InputLayer", "name": "a",
         "config": {"batch_shape": [None, 5, 3], "name": "a"}, "inbound_nodes": []},
        {"class_name": "InputLayer", "name": "b",
         "config": {"batch_shape": [None, 5, 3], "name": "b"}, "inbound_nodes": []},
        {"class_name": "LSTM", "name": "shared", "config": {"name": "shared", "units": 4},
         "inbound_nodes": [{"args": [tensor("a", 0, [None, 5, 3])], "kwargs": {}},
                           {"args": [tensor("b", 0, [None, 5, 3])], "kwargs": {}}]},
        {"class_name": "Concatenate", "name": "cat", "config": {"name": "cat"},
         "inbound_nodes": [{"args": [[tensor("shared", 1, [None, 4]),
                                      tensor("shared", 0, [None, 4])]], "kwargs": {}}]},
        {"class_name": "Lambda", "name": "lam",
         "config": {"name": "lam", "function": lam, "output_shape": [2], "arguments": {}},
         "inbound_nodes": [{"args": [tensor("cat", 0, [None, 8])], "kwargs": {}}]}],
        "input_layers": [["a", 0, 0], ["b", 0, 0]], "output_layers": [["lam", 0, 0]]}}
    record = rnncalc.load(json.dumps(config)).summary().record
    assert [(r.name, r.connected_to) for r in record.layers] == [
        ("shared", ("a[0][0]", "b[0][0]")), ("cat", ("shared[1][0]", "shared[0][0]")),
        ("lam", ("cat[0][0]",))]
    assert record.layers[-1].output_shapes == ((None, 2),)
    del config["config"]["layers"][-1]["config"]["output_shape"]
    with pytest.raises(SpecError, match="give output_shape"):
        rnncalc.load(json.dumps(config))


NESTED = {"input": {"shape": [5, 3]},
          "layers": [{"Dense": 2},
                     {"Sequential": {"name": "head", "layers": [
                         {"Dense": 8}, {"Sequential": {"layers": [{"Dense": 1}]}}]}}]}


def test_expand_opens_a_nested_model_row_by_row():
    text = rnncalc.load(NESTED).summary(expand=True).grid()
    text = str(text)
    for row in ("head (Sequential)", "└ dense_1 (Dense)", "└ sequential (Sequential)",
                "└ dense_2 (Dense)"):
        assert row in text


def test_nested_model_round_trips_through_yaml_and_keras_code():
    graph = graph_from_data(NESTED)
    assert summary_dict(load_spec_text(export(graph, "yaml"))) == summary_dict(NESTED)
    code = export(graph, "keras")
    assert "keras.Sequential([layers.Dense(8, name='dense_1'), keras.Sequential(" in code


def test_nested_model_cost_is_its_inner_layers_cost():
    inner = {"input": {"shape": [5, 2]}, "layers": [{"Dense": 8}, {"Dense": 1}]}
    nested = {"input": {"shape": [5, 2]},
              "layers": [{"Sequential": {"layers": [{"Dense": 8}, {"Dense": 1}]}}]}
    flops = [rnncalc.load(s).explain().record.cost.flops for s in (inner, nested)]
    assert flops[0] == flops[1]


@pytest.mark.parametrize(("layer", "message"), [
    ({"Sequential": {"layers": []}}, "non-empty 'layers:'"),
    ({"Sequential": {"layers": [{"Dense": 1}], "units": 3}}, "unknown key 'units'"),
    ({"Model": {"inputs": {"z": {"shape": [4]}}, "layers": [{"Dense": 1}]}},
     "expects input 'z' of shape"),
])
def test_bad_nested_models_are_refused(layer, message):
    with pytest.raises(SpecError, match=message):
        graph_from_data({"input": {"shape": [5, 3]}, "layers": [layer]})


def test_nested_functional_model_is_written_as_keras_code_first():
    spec = {"input": {"shape": [5, 3]}, "layers": [
        {"Model": {"name": "block", "inputs": {"z": {"shape": [5, 3]}},
                   "layers": [{"LSTM": 4, "inputs": "z"}, {"Dense": 2}]}},
        {"Dense": 1}]}
    code = export(graph_from_data(spec), "keras")
    assert "block_model = keras.Model(inputs=z, outputs=dense, name='block')" in code
    assert code.index("block_model = ") < code.index("model = keras.Sequential([")
    assert summary_dict(load_spec_text(export(graph_from_data(spec), "yaml"))) == \
        summary_dict(spec)
