#!/usr/bin/env python3
"""Write tests/golden/optimizer_state.json from real Keras 3.

Why: ``--optimizer`` promises the optimizer state exactly as each Keras 3
optimizer allocates it (slot variables per trainable weight, plus its scalar
variables). The oracle is Keras itself: for every model below and every
optimizer, this script calls ``optimizer.build(model.trainable_variables)``
and records the name, shape and dtype of every entry of
``optimizer.variables``. The tests compare rnncalc's count against these,
offline and without Keras.

Each model is written as rnncalc ``--layer`` expressions plus an input shape,
so the test feeds the very same text to rnncalc. (This script is the only
place the expressions are evaluated, with Keras' layer classes in scope.)

    KERAS_BACKEND=torch ~/kerasenv/bin/python scripts/make_optimizer_golden.py
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "torch")

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "tests" / "golden" / "optimizer_state.json"

# rnncalc's optimizer names (with options) -> the Keras 3 constructor call.
OPTIMIZERS = {
    "sgd": "SGD()",
    "momentum": "SGD(momentum=0.9)",
    "rmsprop": "RMSprop()",
    "rmsprop(momentum=0.9, centered=True)": "RMSprop(momentum=0.9, centered=True)",
    "adam": "Adam()",
    "adam(amsgrad=True)": "Adam(amsgrad=True)",
    "adamw": "AdamW()",
    "adamw(amsgrad=True)": "AdamW(amsgrad=True)",
    "nadam": "Nadam()",
    "adamax": "Adamax()",
    "adagrad": "Adagrad()",
    "adadelta": "Adadelta()",
    "lion": "Lion()",
    "ftrl": "Ftrl()",
}

MODELS = [
    ("simple_rnn", [2, 10], ["SimpleRNN(3)"]),
    ("sentiment", [30], ["Embedding(5000, 100)", "SimpleRNN(128)",
                         "Dense(1, activation='sigmoid')"]),
    ("lstm", [20, 8], ["LSTM(16)"]),
    ("gru", [20, 8], ["GRU(16)"]),
    ("gru_v1", [20, 8], ["GRU(16, reset_after=False)"]),
    ("bilstm", [12, 5], ["Bidirectional(LSTM(7, return_sequences=True))", "Dense(3)"]),
    ("stacked", [None, 6], ["LSTM(10, return_sequences=True)", "GRU(9, return_sequences=True)",
                            "SimpleRNN(4)"]),
    ("frozen_embedding", [25], ["Embedding(300, 16, trainable=False)", "LSTM(8)", "Dense(2)"]),
    ("batchnorm", [10, 4], ["LSTM(6, return_sequences=True)", "BatchNormalization()",
                            "GlobalAveragePooling1D()", "Dense(3)"]),
    ("conv_gru", [40, 3], ["Conv1D(8, 3)", "MaxPooling1D(2)", "GRU(5)", "Dense(1)"]),
    ("no_bias", [7, 4], ["LSTM(5, use_bias=False)", "Dense(2, use_bias=False)"]),
    ("layernorm", [9, 3], ["SimpleRNN(6, return_sequences=True)", "LayerNormalization()",
                           "TimeDistributed(Dense(2))"]),
    ("float16_dense", [5], ["Dense(7, dtype='float16')", "Dense(3)"]),
]


def main() -> None:
    import keras
    from keras import layers, optimizers

    scope = {name: getattr(layers, name) for name in dir(layers) if name[:1].isupper()}
    out = {"keras_version": keras.__version__, "backend": keras.backend.backend(),
           "models": []}
    for name, shape, exprs in MODELS:
        keras.backend.clear_session()
        model = keras.Sequential([keras.Input(shape=tuple(shape))]
                                 + [eval(e, {}, dict(scope)) for e in exprs])
        trainable = [{"name": v.path, "shape": list(v.shape), "dtype": v.dtype}
                     for v in model.trainable_variables]
        entry = {"name": name, "input_shape": shape, "layers": exprs,
                 "trainable_variables": trainable, "optimizers": {}}
        for label, call in OPTIMIZERS.items():
            opt = eval(call, {}, {n: getattr(optimizers, n) for n in dir(optimizers)})
            opt.build(model.trainable_variables)
            variables = [{"name": v.path, "shape": list(v.shape), "dtype": v.dtype}
                         for v in opt.variables]
            values = sum(math.prod(v["shape"]) for v in variables)
            nbytes = sum(math.prod(v["shape"]) * _bytes(v["dtype"]) for v in variables)
            entry["optimizers"][label] = {"keras": call, "variables": variables,
                                          "values": values, "bytes": nbytes}
        out["models"].append(entry)
    OUT.write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {OUT} ({len(out['models'])} models x {len(OPTIMIZERS)} optimizers)")


def _bytes(dtype: str) -> int:
    return {"float16": 2, "bfloat16": 2, "float32": 4, "float64": 8, "int32": 4,
            "int64": 8}[dtype]


if __name__ == "__main__":
    main()
