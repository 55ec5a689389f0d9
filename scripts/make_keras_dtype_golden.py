#!/usr/bin/env python3
"""Write tests/golden/keras_dtype_bytes.json: parameter bytes as real Keras 3 counts them.

Why: Keras' summary footer counts each weight at its own variable dtype. A
wrapped layer keeps the dtype it was built with (``TimeDistributed(Dense(4,
dtype='float16'))`` stores float16 weights; ``Bidirectional(GRU(4),
dtype='float16')`` stores float32 ones), and a mixed policy
(``mixed_float16``, ``mixed_bfloat16``) keeps float32 variables. This script
builds each case with Keras and records the footer lines and byte counts;
``tests/test_dtype_bytes.py`` checks rnncalc against them without Keras.

    KERAS_BACKEND=torch ~/kerasenv/bin/python scripts/make_keras_dtype_golden.py

Each case is rnncalc ``--layer`` expressions plus ``--input-shape``; the same
strings are evaluated here with ``keras.layers`` in scope (this script only).
"""

from __future__ import annotations

import io
import json
import os
import re
import sys
from contextlib import redirect_stdout
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "torch")

OUT = Path(__file__).resolve().parent.parent / "tests" / "golden" / "keras_dtype_bytes.json"

DTYPES = ("float16", "bfloat16", "float64", "mixed_float16", "mixed_bfloat16")

# (layer expression with {d} for the dtype, input shape, input dtype). Recurrent
# layers use a glorot recurrent initializer: torch's CPU QR (orthogonal) has no
# 16-bit kernel, and Keras would silently build them without their later weights.
G = "recurrent_initializer='glorot_uniform', "
KINDS = [
    ("Dense(4, dtype={d})", [5], "float32"),
    ("Embedding(10, 3, dtype={d})", [6], "int32"),
    ("Conv1D(4, 3, dtype={d})", [8, 2], "float32"),
    ("SimpleRNN(3, " + G + "dtype={d})", [4, 2], "float32"),
    ("LSTM(3, " + G + "dtype={d})", [4, 2], "float32"),
    ("GRU(3, " + G + "dtype={d})", [4, 2], "float32"),
    ("BatchNormalization(dtype={d})", [4, 3], "float32"),
    ("LayerNormalization(dtype={d})", [4, 3], "float32"),
    ("TimeDistributed(Dense(4, dtype={d}))", [3, 5], "float32"),
    ("TimeDistributed(Dense(4), dtype={d})", [3, 5], "float32"),
    ("Bidirectional(GRU(4), dtype={d})", [3, 5], "float32"),
    ("Bidirectional(LSTM(2, " + G + "dtype={d}))", [3, 5], "float32"),
    ("Bidirectional(SimpleRNN(2, " + G + "dtype={d}), merge_mode='sum')", [3, 5], "float32"),
    ("RNN(LSTMCell(3, " + G + "dtype={d}))", [4, 2], "float32"),
    ("RNN(LSTMCell(3, " + G + "), dtype={d})", [4, 2], "float32"),
    ("RNN([GRUCell(2, " + G + "), SimpleRNNCell(3, " + G + "dtype={d})])", [4, 2], "float32"),
    ("ConvLSTM1D(2, 3, " + G + "dtype={d})", [4, 6, 2], "float32"),
]
EXTRA = [
    (["Dense(4, dtype='float16')", "Dense(2)"], [5], "float32"),
    (["LSTM(3, return_sequences=True, dtype='mixed_float16')",
      "TimeDistributed(Dense(2, dtype='float64'))"], [4, 2], "float32"),
    (["Dense(4, dtype='float16', trainable=False)", "Dense(3, dtype='float64')"], [5], "float32"),
    (["Bidirectional(LSTM(2, " + G + "dtype='bfloat16'), dtype='float64')"], [3, 5], "float32"),
    (["BatchNormalization(dtype='float16')", "Dense(2, dtype='mixed_bfloat16')"], [4, 3],
     "float32"),
]


def cases() -> list[dict]:
    out = []
    for text, shape, in_dtype in KINDS:
        for d in DTYPES:
            out.append({"layers": [text.format(d=repr(d))], "input_shape": shape,
                        "input_dtype": in_dtype})
    for layers, shape, in_dtype in EXTRA:
        out.append({"layers": layers, "input_shape": shape, "input_dtype": in_dtype})
    return out


def run(case: dict) -> dict:
    import keras
    from keras import layers as kl
    from keras.src.utils.summary_utils import weight_memory_size

    keras.backend.clear_session()
    scope = {name: getattr(kl, name) for name in dir(kl) if not name.startswith("_")}
    model = keras.Sequential([keras.Input(tuple(case["input_shape"]), dtype=case["input_dtype"])]
                             + [eval(text, scope) for text in case["layers"]])  # noqa: S307
    # every weight was built: the same model in float32 has as many parameters
    reference = keras.Sequential(
        [keras.Input(tuple(case["input_shape"]), dtype=case["input_dtype"])]
        + [eval(re.sub(r"'(mixed_)?b?float(16|64)'", "'float32'", text), scope)  # noqa: S307
           for text in case["layers"]])
    assert reference.count_params() == model.count_params(), case
    buffer = io.StringIO()
    with redirect_stdout(buffer):
        model.summary(line_length=100)
    footer = [line.strip() for line in buffer.getvalue().splitlines()
              if line.strip().startswith(("Total params", "Trainable params",
                                          "Non-trainable params"))]
    return {**case,
            "total_params": model.count_params(),
            "param_bytes": int(weight_memory_size(model.weights)),
            "trainable_bytes": int(weight_memory_size(model.trainable_weights)),
            "weight_dtypes": [str(w.dtype) for w in model.weights],
            # the dtype each layer computes in (its activations' bytes), and the model
            # as model.to_json() writes it, policies included
            "compute_dtypes": [str(layer.compute_dtype) for layer in model.layers],
            "config": json.loads(model.to_json()),
            "footer": footer}


def main() -> int:
    import keras

    records = [run(c) for c in cases()]
    OUT.write_text(json.dumps({"keras_version": keras.__version__, "cases": records},
                              indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUT} ({len(records)} cases)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
