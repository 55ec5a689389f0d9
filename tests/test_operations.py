"""Keras 3 operations (``keras.ops.X``, tensor operators) as graph nodes.

Shapes, names and numerics against real Keras are in the fixture cases
(``summary_ops``, ``numeric_ops``, ``interop_ops``) and the code corpus; here:
each kind against the ``keras.ops`` function it declares
(``tests/golden/keras_ops.json``, written by ``scripts/check_keras_ops.py``),
the spec and expression spellings, the code reader's operators and TensorFlow
spellings, export, and bad input.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import rnncalc
from rnncalc.interop.notebook import read_code_text
from rnncalc.layers import KIND_MODULES, layer_class, operation_kinds
from tests.conftest import GOLDEN, ROOT

KERAS_OPS = json.loads((GOLDEN / "keras_ops.json").read_text())["ops"]
OPERATIONS = sorted(k for k in KIND_MODULES if k.startswith("ops."))


def test_every_operation_kind_is_recorded_from_keras():
    assert sorted(KERAS_OPS) == OPERATIONS
    assert len(OPERATIONS) >= 45


@pytest.mark.parametrize("kind", OPERATIONS)
def test_operation_matches_keras_ops(kind):
    """Class (summary type, default names), module (to_json), parameters in Keras' order."""
    keras = KERAS_OPS[kind]
    cls = layer_class(kind)
    assert cls.KERAS_CLASS == keras["class"]
    assert cls.KERAS_MODULE == keras["module"]
    params = [p["name"] if p["kind"] != "VAR_POSITIONAL" else f"*{p['name']}"
              for p in keras["params"] if p["kind"] != "VAR_KEYWORD"]
    assert list(cls.parameters()) == params
    declared = {a.name for a in cls.declared_args()} | {"name"}
    assert set(keras["config"]) <= declared      # every key to_json writes is read


def test_keras_class_names_map_back_to_kinds():
    kinds = operation_kinds()
    assert kinds["Sum"] == "ops.sum" and kinds["Absolute"] == "ops.absolute"
    assert kinds["GetItem"] == "ops.get_item" and kinds["TrueDivide"] == "ops.true_divide"


def _layers(spec) -> list[tuple[str, str, list]]:
    summary = rnncalc.load(spec).summary().to_dict()
    return [(x["name"], x["type"], x["output_shapes"]) for x in summary["layers"]]


def test_spec_spellings_agree():
    inputs = {"x": {"shape": [10, 8]}}
    forms = [
        [{"ops.sum": {"axis": 1}, "inputs": "x"}, {"ops.expand_dims": 1}, "ops.negative"],
        [{"type": "ops.sum", "axis": 1, "inputs": "x"}, "ops.expand_dims(axis=1)",
         {"ops.negative": None}],
        [{"ops.sum": [1], "inputs": "x"}, "keras.ops.expand_dims(1)", "ops.negative()"],
    ]
    results = [_layers({"inputs": inputs, "layers": f}) for f in forms]
    assert results[0] == [("sum", "Sum", [[None, 8]]),
                          ("expand_dims", "ExpandDims", [[None, 1, 8]]),
                          ("negative", "Negative", [[None, 1, 8]])]
    assert results[1] == results[0] and results[2] == results[0]


def test_layer_expressions_make_a_functional_model():
    model = rnncalc.load(layers=["LSTM(4, return_sequences=True)", "ops.mean(axis=1)",
                                 "Dense(2)"], input_shape=(5, 3))
    summary = model.summary().to_dict()
    assert summary["name"] == "functional"            # Keras' Sequential takes no ops
    assert [x["type"] for x in summary["layers"]] == ["LSTM", "Mean", "Dense"]


def test_constant_operands_fill_their_parameter():
    spec = {"inputs": {"x": {"shape": [3]}}, "layers": [
        {"ops.subtract": {"x1": 1.0}, "inputs": "x"},
        {"ops.where": {"x2": 0.0}, "inputs": ["x", "subtract"]}]}
    model = rnncalc.load(spec)
    import numpy as np

    x = np.array([[0.5, 0.0, 2.0]], dtype=np.float32)
    out = model.run(inputs={"x": x})
    (value,) = out.values()
    np.testing.assert_allclose(value, np.where(x != 0, 1.0 - x, 0.0))
    assert value.dtype == np.float32
    code = model.export("keras")
    assert "subtract = ops.subtract(1.0, x)" in code
    assert "where = ops.where(x, subtract, 0.0)" in code


def test_pytorch_view_is_a_function_call():
    spec = {"inputs": {"x": {"shape": [10, 8]}}, "layers": [
        {"ops.sum": {"axis": 1}, "inputs": "x"}, {"ops.get_item": {"key": "[:, :4]"}}]}
    text = str(rnncalc.load(spec).summary(convention="pytorch"))
    assert "torch.sum(x, dim=1)" in text and "x[:, :4]" in text


def test_operations_load_lazily():
    code = ("import sys, rnncalc; rnncalc.load(layers=['LSTM(3)'], input_shape=(4, 2))"
            ".summary(); print(' '.join(m for m in sys.modules if 'operations' in m or "
            "'tensor_ops' in m))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, check=True).stdout.split()
    assert out == []


BAD = [
    ("ops.summ(axis=1)", "did you mean 'ops.sum'?"),
    ("ops.sum(axis=3)", "axis 3 is out of bounds for an array with dimension 3"),
    ("ops.multiply()", "ops.multiply takes 2 operands (x1, x2): it needs 2 input tensors"),
    ("ops.get_item(key='[:, t]')", "only integers, slices (a:b:c), None and ..."),
    ("ops.sum(axis=1, foo=2)", "unknown argument 'foo'"),
    ("ops.multiply(x2='a')", "argument 'x2': expected a number"),
    ("ops.add(x2=[1.0, 2.0])", "Cannot broadcast shape, the failure dim has value 8, which "
                               "cannot be broadcasted to 2"),
    ("ops.squeeze(axis=1)", "Cannot squeeze axis 1, because the dimension is not 1."),
    ("ops.transpose(axes=[0, 1])", "axis must be a list of the same length as the input"),
    ("ops.reshape(newshape=[-1, -1])", "at most one -1"),
    ("ops.einsum(subscripts='ab...')", "explicit output"),
]


@pytest.mark.parametrize(("expr", "message"), BAD, ids=[b[0] for b in BAD])
def test_bad_operations_are_one_error_line(cli, expr, message):
    result = cli("summary", "--input-shape", "10,8", "--layer", expr)
    assert result.code == 2
    assert result.err.startswith("error: --layer[0]") and result.err.count("\n") == 1
    assert message in result.err


# -- the code reader ------------------------------------------------------------------


def _read(source: str):
    notes: list[str] = []
    models = read_code_text(source, "nb.py", False, {}, notes)
    return models, notes


def test_tensorflow_and_backend_spellings_are_read_with_a_note():
    models, notes = _read(
        "import tensorflow as tf\n"
        "from tensorflow.keras import layers, Model, Input\n"
        "from tensorflow.keras import backend as K\n"
        "inp = Input(shape=(20, 5))\n"
        "h = layers.LSTM(8, return_sequences=True)(inp)\n"
        "w = tf.nn.softmax(tf.squeeze(layers.Dense(1)(h), axis=-1), axis=1)\n"
        "ctx = tf.reduce_sum(h * K.expand_dims(w), axis=1)\n"
        "out = layers.Dense(1)(tf.concat([ctx, h[:, -1, :]], axis=-1))\n"
        "model = Model(inp, out)\n")
    (model,) = models
    assert model.problem is None
    from rnncalc.graph import build_graph

    graph = build_graph(model.spec)
    rows = [(n.name, n.type_name, n.output_shapes) for n in graph.nodes]
    assert rows == [
        ("lstm", "LSTM", [(None, 20, 8)]), ("dense", "Dense", [(None, 20, 1)]),
        ("squeeze", "Squeeze", [(None, 20)]), ("softmax", "Softmax", [(None, 20)]),
        ("expand_dims", "ExpandDims", [(None, 20, 1)]),
        ("multiply", "Multiply", [(None, 20, 8)]), ("sum", "Sum", [(None, 8)]),
        ("get_item", "GetItem", [(None, 8)]), ("concatenate", "Concatenate", [(None, 16)]),
        ("dense_1", "Dense", [(None, 1)])]
    text = " ".join(notes)
    for line, written, op in ((6, "tf.nn.softmax", "softmax"), (6, "tf.squeeze", "squeeze"),
                              (7, "K.expand_dims", "expand_dims"), (7, "tf.reduce_sum", "sum"),
                              (8, "tf.concat", "concatenate")):
        assert f"line {line}: {written}(...) is read as keras.ops.{op}" in text
    assert "Keras 3 refuses TensorFlow and keras.backend functions" in text


def test_operators_and_subscripts_on_tensors():
    models, _ = _read(
        "import keras\n"
        "from keras import layers, ops\n"
        "x = keras.Input((6, 4))\n"
        "t = 2\n"
        "a = x[..., t] ** 2 + 1.0\n"
        "b = 3.0 / (x[:, None, ::2] @ ops.transpose(x, (0, 2, 1)))\n"
        "c = -ops.max(x, axis=1) - x[:, 0]\n"
        "model = keras.Model(x, [a, b, c])\n")
    from rnncalc.graph import build_graph

    graph = build_graph(models[0].spec)
    rows = {n.name: (n.type_name, n.output_shapes[0]) for n in graph.nodes}
    assert rows["add"] == ("Add", (None, 6))
    assert rows["power"] == ("Power", (None, 6))
    assert rows["get_item_1"] == ("GetItem", (None, 1, 3, 4))
    assert rows["matmul"] == ("Matmul", (None, None, 3, 6))      # as Keras broadcasts
    assert rows["true_divide"] == ("TrueDivide", (None, None, 3, 6))
    assert rows["subtract"] == ("Subtract", (None, 4))
    assert rows["negative"] == ("Negative", (None, 4))


def test_what_keras_refuses_on_tensors_is_a_problem_naming_the_line():
    models, _ = _read(
        "import keras\n"
        "x = keras.Input((6, 4))\n"
        "y = keras.layers.Dense(2)(+x)\n"
        "model = keras.Model(x, y)\n")
    assert "line 3" in models[0].problem and "unary '+'" in models[0].problem
    models, _ = _read(
        "import keras\n"
        "x = keras.Input((6, 4))\n"
        "y = keras.ops.cumsum(x, axis=1)\n"
        "model = keras.Model(x, keras.layers.Dense(2)(y))\n")
    assert "ops.cumsum" in models[0].problem and "line 3" in models[0].problem


def test_a_wrong_axis_in_code_is_the_models_problem():
    models, _ = _read(
        "import keras\n"
        "from keras import ops\n"
        "x = keras.Input((6, 4))\n"
        "model = keras.Model(x, ops.sum(x, axis=4))\n")
    assert "axis 4 is out of bounds" in models[0].problem


def test_tensorflow_one_hot_argmax_and_clip_read_as_keras_ops():
    models, notes = _read(
        "import tensorflow as tf\n"
        "from tensorflow.keras import layers, Model, Input\n"
        "ids = Input(shape=(12,), dtype='int32')\n"
        "h = layers.LSTM(16)(tf.one_hot(ids, 40))\n"
        "p = layers.Dense(40)(h)\n"
        "model = Model(ids, [tf.clip_by_value(p, -1.0, 1.0), tf.argmax(p)])\n")
    from rnncalc.graph import build_graph

    graph = build_graph(models[0].spec)
    rows = {n.name: (n.type_name, n.output_shapes[0]) for n in graph.nodes}
    assert rows["one_hot"] == ("OneHot", (None, 12, 40))
    assert rows["clip"] == ("Clip", (None, 40))
    assert rows["argmax"] == ("Argmax", (40,))          # tf.argmax's axis defaults to 0
    assert sum("is read as keras.ops" in n for n in notes) == 3
