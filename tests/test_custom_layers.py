"""A user's own Layer subclass: the ``Custom`` kind in specs and as the code reader makes it.

Truth for shapes, params and numerics comes from Keras (the ``custom_*`` fixture cases
and corpus files p57/p58); these tests pin the rules around them: counts by arithmetic,
names, refusals with their reasons.
"""

from __future__ import annotations

import json
import textwrap

import rnncalc

ATTENTION = {
    "class_name": "AttentionPooling",
    "weights": {"W": [8, 1], "b": {"shape": [6, 1], "initializer": "zeros"}},
    "function": "lambda x, W, b: ops.sum(ops.softmax(ops.tanh(x @ W + b), axis=1) * x, axis=1)",
}


def _spec(custom: dict, shape: list[int] = (6, 8)) -> dict:
    return {"input": {"shape": list(shape)}, "layers": [{"Custom": custom}, {"Dense": 2}]}


def test_params_are_the_declared_weights_and_the_type_is_the_class():
    record = rnncalc.load(_spec(ATTENTION)).summary().to_dict()
    row = record["layers"][0]
    assert row["name"] == "attention_pooling" and row["type"] == "AttentionPooling"
    assert row["params"] == 8 * 1 + 6 * 1
    assert row["output_shapes"] == [[None, 8]]


def test_output_shape_form_is_shaped_but_not_run(cli, tmp_path):
    custom = {"class_name": "Gate", "weights": {"g": [8]}, "output_shape": [6, 8]}
    path = tmp_path / "m.json"
    path.write_text(json.dumps(_spec(custom)))
    record = json.loads(cli("summary", path, "--json").out)
    assert record["layers"][0]["output_shapes"] == [[None, 6, 8]]
    result = cli("run", path, "--batch-size", "1")
    assert result.code == 2 and "compute_output_shape" in result.err


def test_bad_declarations_are_refused(cli, tmp_path):
    cases = [
        ({**ATTENTION, "function": "lambda x, W, c: x"}, "weight names"),
        ({"class_name": "Gate", "weights": {"g": [8]}}, "give 'function'"),
        ({**ATTENTION, "weights": {"W": [None, 1], "b": [6, 1]}}, "every dim must be known"),
        ({**ATTENTION, "class_name": "not a class"}, "class name"),
        ({**ATTENTION, "weights": {"W": {"shape": [8, 1], "regularizer": "l2"}}}, "unknown key"),
    ]
    for custom, fragment in cases:
        path = tmp_path / "bad.json"
        path.write_text(json.dumps(_spec(custom)))
        result = cli("summary", path)
        assert result.code == 2 and fragment in result.err, (fragment, result.err)
        assert result.err.count("\n") == 1


def test_export_writes_yaml_and_refuses_keras_code(cli, tmp_path):
    path = tmp_path / "m.json"
    path.write_text(json.dumps(_spec(ATTENTION)))
    yaml_text = cli("export", path).out
    again = tmp_path / "again.yaml"
    again.write_text(yaml_text)
    assert cli("summary", again, "--json").out == cli("summary", path, "--json").out
    result = cli("export", path, "--to", "keras")
    assert result.code == 2 and "AttentionPooling" in result.err


CODE = '''
import keras
from keras import layers, ops


class Pool(layers.Layer):
    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], 1), name="w")

    def call(self, x, mask=None):
        e = ops.matmul(x, self.w)
        if mask is not None:
            e = e - 1e9 * (1.0 - ops.expand_dims(ops.cast(mask, "float32"), -1))
        return ops.sum(ops.softmax(e, axis=1) * x, axis=1)


class WithSublayer(layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.proj = layers.Dense(units)

    def build(self, input_shape):
        self.scale = self.add_weight(shape=(1,), name="scale")

    def call(self, x):
        return self.proj(x) * self.scale


a = keras.Input((5, 4))
b = keras.Input((5, 4))
pool = Pool()
merged = layers.Concatenate()([pool(a), pool(b)])
shared_model = keras.Model([a, b], merged)

tokens = keras.Input((7,))
h = layers.Embedding(30, 4, mask_zero=True)(tokens)
masked_model = keras.Model(tokens, Pool(name="masked_pool")(h))

c = keras.Input((5, 4))
skipped = keras.Model(c, WithSublayer(3)(c))
'''


def test_code_reader_shares_a_layer_reads_masks_and_names_what_it_skips(cli, tmp_path):
    path = tmp_path / "custom.py"
    path.write_text(textwrap.dedent(CODE))
    from rnncalc.interop.notebook import read_code

    shared, masked, skipped = read_code(str(path))
    record = rnncalc.load(str(path), model=1).summary().to_dict()
    pools = [row for row in record["layers"] if row["type"] == "Pool"]
    assert len(pools) == 1 and pools[0]["params"] == 4          # called twice, one weight
    assert record["total_params"] == 4
    assert masked.spec is not None
    result = cli("run", path, "--model", "2", "--batch-size", "1")
    assert result.code == 2 and "mask" in result.err            # walked without the mask
    assert skipped.spec is None and "weights of its own and sublayers" in skipped.problem


COMPOSITE = '''
import keras
from keras import layers, ops


class Gate(layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.proj = layers.Dense(units)
        self.gate = layers.Dense(units, activation="sigmoid")

    def call(self, x):
        return ops.multiply(self.proj(x), self.gate(x))


x = keras.Input((6, 4))
h = Gate(3)(x)
y = layers.Add()([h, h])
model = keras.Model(x, y)
'''


def test_a_layer_made_of_sublayers_is_one_row_of_its_class(cli, tmp_path):
    """Its sublayers' params (two Dense(3) on 4 features), its class as the type, its
    operations named apart from the model's (the model's Add stays ``add``); the YAML
    export keeps the class and reads back the same."""
    path = tmp_path / "gate.py"
    path.write_text(textwrap.dedent(COMPOSITE))
    record = rnncalc.load(str(path)).summary().to_dict()
    rows = {row["name"]: row for row in record["layers"]}
    assert rows["gate"]["type"] == "Gate" and rows["gate"]["params"] == 2 * (4 * 3 + 3)
    assert rows["gate"]["output_shapes"] == [[None, 6, 3]]
    assert "add" in rows and rows["add"]["type"] == "Add"
    exported = tmp_path / "gate.yaml"
    exported.write_text(cli("export", path).out)
    again = rnncalc.load(str(exported)).summary().to_dict()
    assert [(r["name"], r["type"], r["params"]) for r in again["layers"]] == \
        [(r["name"], r["type"], r["params"]) for r in record["layers"]]
    assert "Keras 3 refuses" not in cli("summary", path).err
