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
loop.add(layers.Input((5,)))
for n in [8, 4]:
    loop.add(layers.Dense(n))
'''


def test_python_file(cli, tmp_path):
    path = tmp_path / "model.py"
    path.write_text(PY)
    result = cli("summary", path, "--json")
    assert result.code == 0, result.err
    models = json.loads(result.out)["models"]
    # build() is never called, so (as in Keras) it builds no model; the loop is followed
    assert [m["name"] for m in models] == ["clf", "sequential_1", "sequential_2"]
    clf, later, loop = models
    assert [x["output_shapes"][0] for x in clf["layers"]] == [[None, 30, 100], [None, 128],
                                                              [None, 3]]
    assert clf["total_params"] == 500_000 + 4 * (100 * 128 + 128 * 128 + 128) + 129 * 3
    assert later["layers"][0]["output_shapes"] == [[None, 4]]
    assert [x["name"] for x in loop["layers"]] == ["dense_2", "dense_3"]
    assert models[0]["found_at"].endswith("line 9")
    assert "X_train.shape[1]" in result.err and "--set" in result.err   # skipped, with why
    assert "import" not in result.out
    bound = cli("summary", path, "--json", "--set", "X_train.shape[1]=32")
    assert "model 2 of 4, line 23: skipped, no input shape" in bound.err
    picked = cli("summary", path, "--json", "--set", "X_train.shape[1]=32", "--model", "2",
                 "--input-shape", "7")
    assert json.loads(picked.out)["layers"][0]["output_shapes"] == [[None, 32]]


def test_helper_only_file_reads_the_builder_with_its_defaults(cli, tmp_path):
    path = tmp_path / "model.py"
    path.write_text("from keras import layers, Sequential\n"
                    "def build(hidden=16, steps=None):\n"
                    "    return Sequential([layers.Input(shape=(steps, 8)),\n"
                    "                       layers.Bidirectional(layers.GRU(hidden))])\n")
    result = cli("summary", path, "--json")
    assert result.code == 0, result.err
    assert json.loads(result.out)["models"][0]["layers"][0]["output_shapes"] == [[None, 32]]


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
    assert result.code == 2 and "no Keras model" in result.err
    bad = tmp_path / "bad.ipynb"
    bad.write_text("{not json")
    result = cli("summary", bad)
    assert result.code == 2 and "not a notebook" in result.err


def _only(out: str) -> dict:
    doc = json.loads(out)
    models = doc.get("models", [doc])
    assert len(models) == 1
    return models[0]


def _notebook(tmp_path, *cells):
    nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {},
          "cells": [{"cell_type": "code", "execution_count": i, "metadata": {}, "outputs": [],
                     "source": c} for i, c in enumerate(cells, 1)]}
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps(nb))
    return path


def test_cells_are_one_program_and_cell_magics_decide_what_is_python(cli, tmp_path):
    path = _notebook(
        tmp_path,
        "%matplotlib inline\nimport keras\nfrom keras import layers\nunits = 12",
        "%%writefile train.py\nm = keras.Sequential([layers.Input((3, 2)), layers.LSTM(99)])",
        "%%time\nmodel = keras.Sequential()\nmodel.add(layers.Input((7, 3)))",
        "model.add(layers.GRU(units))\n!echo done",
        "model.add(layers.Dense(1))")
    result = cli("summary", path, "--json")
    assert result.code == 0, result.err
    record = _only(result.out)
    assert [x["name"] for x in record["layers"]] == ["gru", "dense"]
    assert record["layers"][0]["output_shapes"] == [[None, 12]]
    assert "cell 3 (In [3]), line 2" in record["found_at"]


def test_set_binds_names_and_expressions_and_says_when_unused(cli, tmp_path):
    path = _notebook(
        tmp_path,
        "import numpy as np\nimport keras\nchars = sorted(set(open('t.txt').read()))\n"
        "x_train = np.load('x.npy')",
        "model = keras.Sequential([keras.Input((x_train.shape[1], len(chars))),\n"
        "                          keras.layers.LSTM(8), keras.layers.Dense(len(chars))])")
    plain = cli("summary", path, "--json")
    assert plain.code == 2 and "len(chars)" in plain.err and "cell 2" in plain.err
    bound = cli("summary", path, "--json", "--set", "len(chars)=40", "--set", "maxlen=3")
    assert bound.code == 0, bound.err
    layers = _only(bound.out)["layers"]
    assert layers[0]["output_shapes"] == [[None, 8]] and layers[1]["params"] == 9 * 40
    assert "x_train.shape[1]" in bound.err and "None" in bound.err     # the time axis
    assert "--set maxlen" in bound.err                                  # never read
    both = cli("summary", path, "--json", "--set", "len(chars)=40",
               "--set", "x_train.shape[1]=25")
    assert both.code == 0 and "None" not in both.err
    assert cli("summary", path, "--set", "len(chars)").code == 2
    assert cli("summary", path, "--set", "=4").code == 2


TEXTGEN = '''\
import tensorflow as tf

class MyModel(tf.keras.Model):
    def __init__(self, vocab_size, embedding_dim, rnn_units):
        super().__init__({self_arg})
        self.embedding = tf.keras.layers.Embedding(vocab_size, embedding_dim)
        self.gru = tf.keras.layers.GRU(rnn_units, return_sequences=True, return_state=True)
        self.dense = tf.keras.layers.Dense(vocab_size)

    def call(self, inputs, states=None, return_state=False, training=False):
        x = self.embedding(inputs, training=training)
        if states is None:
            states = self.gru.get_initial_state(x)
        x, states = self.gru(x, initial_state=states, training=training)
        x = self.dense(x, training=training)
        return (x, states) if return_state else x

model = MyModel(vocab_size=len(vocab), embedding_dim=256, rnn_units=1024)
for input_example_batch, target_example_batch in dataset.take(1):
    example_batch_predictions = model(input_example_batch)
'''


def test_subclassed_model_first_called_on_a_data_batch(cli, tmp_path):
    path = tmp_path / "textgen.py"
    path.write_text(TEXTGEN.format(self_arg=""))
    missing = cli("summary", path, "--set", "len(vocab)=65")
    assert missing.code == 2 and "input_example_batch.shape=(BATCH, ...)" in missing.err
    result = cli("summary", path, "--json", "--set", "len(vocab)=65",
                 "--set", "input_example_batch.shape=(64, 100)")
    assert result.code == 0, result.err
    layers = _only(result.out)["layers"]
    assert [(x["output_shapes"], x["params"]) for x in layers] == [
        ([[64, 100, 256]], 16640), ([[64, 100, 1024], [64, 1024]], 3938304),
        ([[64, 100, 65]], 66625)]
    path.write_text(TEXTGEN.format(self_arg="self"))      # tf.keras took it; Keras 3 refuses
    refused = cli("summary", path, "--set", "len(vocab)=65",
                  "--set", "input_example_batch.shape=(64, 100)")
    assert refused.code == 2 and "Keras 3 refuses super().__init__()" in refused.err


def test_magic_lines_only_where_a_statement_starts():
    from rnncalc.interop.notebook import strip_magics

    text = ('%matplotlib inline\n'
            'doc = """\n%not a magic\n!nor this\n"""\n'
            'x = (1\n     % 2)\n'
            'y = 3 \\\n    % 2\n'
            '  !pip install keras\n'
            'files = !ls -la\n'
            "s = '%d' % 4  # ! not a shell line\n")
    lines = strip_magics(text).split("\n")
    assert lines[0] == ""
    assert lines[2:4] == ["%not a magic", "!nor this"]
    assert lines[6] == "     % 2)" and lines[8] == "    % 2"
    assert lines[9] == "" and lines[10] == "files = __shell_output__"
    assert lines[11].startswith("s = '%d' % 4")
    assert strip_magics("%%bash\nmodel = 1\n") == ""
    assert strip_magics("%%time\nmodel = 1").split("\n")[1] == "model = 1"
