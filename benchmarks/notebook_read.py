"""Notebook reading speed: a generated 5 MB notebook with 50 models reads in under 1 s.

The notebook looks like a long working notebook: markdown, data cells, cells
whose outputs hold plots (base64 images, which make most of the size) and
printed logs, and 50 model cells mixing the idioms rnncalc follows
(Sequential over several cells, functional graphs with ``return_state`` and
``initial_state``, loops, helper functions, ``**kwargs``, subclassed models,
magics), plus a training loop to skip. "Reads" is ``rnncalc.load_all``:
every model found, turned into a spec and built once (shapes and counts).

    python benchmarks/notebook_read.py       # prints the time; exits 1 over the bound
"""

from __future__ import annotations

import base64
import json
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BOUND = 1.0
TARGET_BYTES = int(5.2 * 1024 * 1024)   # the estimate runs a little low
MODELS = 50

SETUP = """\
%matplotlib inline
import numpy as np
import keras
from keras import layers
max_features = 20000
maxlen = 100
hidden = [64, 32]
rnn_kwargs = dict(return_sequences=True, dropout=0.1)

def build(units=32, steps=maxlen, features=8, depth=2):
    inputs = keras.Input(shape=(steps, features))
    x = inputs
    for i in range(depth):
        x = layers.LSTM(units, return_sequences=i < depth - 1)(x)
    return keras.Model(inputs, layers.Dense(1)(x))

class TextModel(keras.Model):
    def __init__(self, vocab, dim, units):
        super().__init__()
        self.embedding = layers.Embedding(vocab, dim)
        self.gru = layers.GRU(units, return_sequences=True, return_state=True)
        self.dense = layers.Dense(vocab)

    def call(self, inputs, states=None, return_state=False):
        x = self.embedding(inputs)
        x, states = self.gru(x)
        x = self.dense(x)
        return (x, states) if return_state else x
"""

MODEL_CELLS = [
    ["model_{k} = keras.Sequential()\nmodel_{k}.add(layers.Input(shape=(maxlen,)))",
     "model_{k}.add(layers.Embedding(max_features, 64))\n"
     "model_{k}.add(layers.Bidirectional(layers.LSTM({u}, **rnn_kwargs)))",
     "model_{k}.add(layers.GlobalMaxPooling1D())\nmodel_{k}.add(layers.Dense(1))"],
    ["enc_in = keras.Input(shape=(None, {u}))\n"
     "_, h, c = layers.LSTM(64, return_state=True)(enc_in)\n"
     "dec_in = keras.Input(shape=(None, 20))\n"
     "seq = layers.LSTM(64, return_sequences=True)(dec_in, initial_state=[h, c])\n"
     "s2s_{k} = keras.Model([enc_in, dec_in], layers.Dense(20)(seq))"],
    ["deep_{k} = build(units={u}, depth=3)"],
    ["stack_{k} = keras.Sequential([layers.Input((50, 4))] +\n"
     "    [layers.GRU(n, return_sequences=True) for n in hidden] +\n"
     "    [layers.GRU(8), layers.Dense(2)])"],
    ["lm_{k} = TextModel(vocab=80, dim=32, units={u})\n"
     "lm_{k}(keras.Input(shape=(40,), dtype='int32'))"],
]

TRAINING = """\
for epoch in range(100):
    history = model_0.fit(x_train, y_train, epochs=1, verbose=0)
    for i in range(200):
        preds = model_0.predict(x_train[i:i + 1], verbose=0)
        print(epoch, i, float(preds[0]))
"""


def _cell(kind: str, source: str, outputs: list | None = None) -> dict:
    cell = {"cell_type": kind, "metadata": {}, "source": source.splitlines(keepends=True)}
    if kind == "code":
        cell.update(execution_count=None, outputs=outputs or [])
    return cell


def make_notebook(path: Path) -> int:
    rng = random.Random(0)
    cells = [_cell("markdown", "# A long notebook"), _cell("code", SETUP)]
    built = 0
    while built < MODELS:
        for template in MODEL_CELLS:
            if built == MODELS:
                break
            for part in template:
                cells.append(_cell("code", part.format(k=built, u=rng.choice([16, 32, 64]))))
            built += 1
            cells.append(_cell("markdown", "Training curves for this model:\n" * 3))
    cells.append(_cell("code", TRAINING))
    size = len(json.dumps({"cells": cells}))
    plot = base64.b64encode(rng.randbytes(60_000)).decode()
    while size < TARGET_BYTES:
        output = {"output_type": "display_data", "metadata": {},
                  "data": {"image/png": plot, "text/plain": ["<Figure size 640x480>"]}}
        log = {"output_type": "stream", "name": "stdout",
               "text": [f"epoch {i}: loss {rng.random():.4f}\n" for i in range(200)]}
        plot_cell = _cell("code", "plt.plot(history.history['loss'])", [output, log])
        cells.insert(rng.randrange(2, len(cells)), plot_cell)
        size += len(plot) + 9000
    notebook = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells}
    path.write_text(json.dumps(notebook))
    return path.stat().st_size


def main() -> int:
    import rnncalc

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.ipynb"
        size = make_notebook(path)
        start = time.perf_counter()
        models = rnncalc.load_all(str(path))
        elapsed = time.perf_counter() - start
    ok = len(models) == MODELS and elapsed < BOUND
    print(f"notebook of {size / 2**20:.1f} MB: {len(models)} models read and built in "
          f"{elapsed:.3f} s (bound {BOUND} s) {'ok' if ok else 'FAILED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
