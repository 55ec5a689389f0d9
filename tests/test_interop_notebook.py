"""Notebooks and .py files: every Sequential model found statically, one summary each."""

from __future__ import annotations

import json

from tests.seed_notebook import text_to_notebook

# The seed notebook's printed summaries: (output shape, params) per layer.
SEED_MODELS = [
    [([None, 3], 42)],
    [([8, 3], 42)],
    [([8, 2, 3], 42)],
    [([None, 10, 3], 27), ([None, 10, 3], 21)],
    [([None, None, 100], 500_000), ([None, 128], 29_312), ([None, 1], 129)],
]


def test_seed_notebook_models_match_the_notebook(cli, seed_notebook):
    result = cli("summary", seed_notebook, "--json")
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    assert doc["schema"] == "rnncalc/summary/1"
    models = doc["models"]
    assert [[(x["output_shapes"][0], x["params"]) for x in m["layers"]] for m in models] == \
        SEED_MODELS
    assert [m["total_params"] for m in models] == [42, 42, 42, 48, 529_441]
    assert "cell" in models[0]["found_at"] and "In [3]" in models[0]["found_at"]
    # the pseudocode cell adds to a model that was never built: a note, not a model
    assert "no Sequential model named 'model'" in result.err


def test_seed_notebook_table_titles_and_pick(cli, seed_notebook):
    result = cli("summary", seed_notebook)
    assert result.code == 0
    assert result.out.count("Total params") == 5
    assert "model 5 of 5" in result.out and "529,441" in result.out
    picked = cli("summary", seed_notebook, "--model", "4", "--json")
    record = json.loads(picked.out)
    assert [x["params"] for x in record["layers"]] == [27, 21]
    assert cli("summary", seed_notebook, "--model", "6").code == 2


def test_run_needs_one_model(cli, seed_notebook):
    result = cli("run", seed_notebook)
    assert result.code == 2 and "--model N" in result.err
    assert cli("run", seed_notebook, "--model", "2", "--json").code == 0


def test_text_to_notebook_splits_code_from_output():
    nb = text_to_notebook("intro\n\nIn [1]:\nx = 1\n\nprint(x)\n\n1\n\nsome 텍스트 here\n")
    kinds = [c["cell_type"] for c in nb["cells"]]
    assert kinds == ["markdown", "code", "markdown"]
    assert "".join(nb["cells"][1]["source"]) == "x = 1\n\nprint(x)\n\n1"


PY = '''\
import tensorflow as tf
from tensorflow import keras
from keras import layers

vocab_size = 5000
units = 2 * 64
k_init = tf.keras.initializers.Constant(value=0.1)

model = keras.Sequential(name="clf")
model.add(layers.Embedding(vocab_size, 100, input_length=30))
model.add(layers.LSTM(units, kernel_initializer=k_init))
model.add(layers.Dense(3, activation=tf.nn.softmax))
model.add(layers.Dropout(0.1))
model.pop()

def build(hidden=16, steps=None):
    net = tf.keras.models.Sequential([
        layers.Input(shape=(steps, 8)),
        layers.Bidirectional(layers.GRU(hidden)),
    ])
    return net

other = keras.Sequential()
other.add(layers.Dense(X_train.shape[1]))

later = keras.Sequential()
later.add(layers.LSTM(4))
later.build((None, 7, 3))

loop = keras.Sequential()
for n in [8, 4]:
    loop.add(layers.Dense(n))
'''


def test_python_file(cli, tmp_path):
    path = tmp_path / "model.py"
    path.write_text(PY)
    result = cli("summary", path, "--json")
    assert result.code == 0, result.err
    models = json.loads(result.out)["models"]
    assert [m["name"] for m in models] == ["clf", "sequential", "sequential"]
    clf, built, later = models
    assert [x["output_shapes"][0] for x in clf["layers"]] == [[None, 30, 100], [None, 128],
                                                              [None, 3]]
    assert clf["total_params"] == 500_000 + 4 * (100 * 128 + 128 * 128 + 128) + 129 * 3
    assert built["layers"][0]["output_shapes"] == [[None, 32]]
    assert later["layers"][0]["output_shapes"] == [[None, 4]]
    assert models[0]["found_at"].endswith("line 9")
    assert "X_train.shape[1]" in result.err      # skipped, with the reason
    assert "loop or branch" in result.err
    assert "import" not in result.out


def test_nothing_is_executed(cli, tmp_path):
    path = tmp_path / "evil.py"
    marker = tmp_path / "ran"
    path.write_text(f"open({str(marker)!r}, 'w')\nimport keras\n"
                    f"m = keras.Sequential([keras.layers.Dense(2, input_shape=(3,))])\n")
    assert cli("summary", path).code == 0
    assert not marker.exists()


def test_no_model_found(cli, tmp_path):
    path = tmp_path / "empty.py"
    path.write_text("x = 1\n")
    result = cli("summary", path)
    assert result.code == 2 and "no Sequential model" in result.err
    bad = tmp_path / "bad.ipynb"
    bad.write_text("{not json")
    result = cli("summary", bad)
    assert result.code == 2 and "not a notebook" in result.err
