#!/usr/bin/env python3
"""Write tests/golden/keras_summaries.json from real Keras 3.

Why: rnncalc promises Keras-3-exact layer names, output shapes, weight names and
parameter counts (see the contract, §3-§4) without depending on Keras. The only
trustworthy oracle for that promise is Keras itself, so this script builds every
model in ``CASES`` with real Keras 3 and records what Keras reports. The tests
then compare rnncalc's answers against the recorded ones, offline and without
Keras installed.

Each case is a model spec in rnncalc's canonical spec form (contract §2) written
as JSON-safe Python values, so the golden file can feed the very same spec to
rnncalc. A small translator below turns that form into Keras objects.

Setting up Keras (never a dependency of rnncalc itself)::

    python3 -m venv ~/kerasenv
    ~/kerasenv/bin/pip install torch==2.13.0 keras
    KERAS_BACKEND=torch ~/kerasenv/bin/python scripts/make_keras_golden.py

Notes on what is recorded:

* ``keras.backend.clear_session()`` runs before each model, so default layer
  names are those of a fresh session (``lstm``, ``lstm_1``, ...).
* Layers are constructed in spec order; a wrapper's inner layer (and its
  ``backward_layer``) is constructed before the wrapper, as in Python code
  ``Bidirectional(LSTM(3), backward_layer=LSTM(3, go_backwards=True))``.
* Keras-2 input spellings on the first layer (``input_shape``,
  ``batch_input_shape``, ``input_dim``/``input_length`` on an RNN or
  ``input_length`` on an Embedding) become a ``keras.Input`` with Keras 2
  meaning; a Sequential spec without any input whose first layer is an
  Embedding gets input shape ``(None,)`` as in Keras 2.
* Cases that Keras rejects record ``"error": "<ExceptionClass>: <first line>"``
  (when the first line is Keras' generic "Exception encountered when calling
  X.call()." the next non-empty line, which says why, is appended). The script
  fails if a case expected to raise builds, or vice versa.
* Beyond the fields the tests need, each weight also records its ``dtype`` and
  each model its ``outputs`` (``{"name", "index", "shape"}`` per output tensor).
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import os
import re
import sys
import time
import warnings
from pathlib import Path
from typing import Any

os.environ.setdefault("KERAS_BACKEND", "torch")

Spec = dict[str, Any]
Case = dict[str, Any]

REPO = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO / "tests" / "golden" / "keras_summaries.json"

RNN_TYPES = ("SimpleRNN", "LSTM", "GRU")
WRAPPER_KEYS = {"Bidirectional": ("layer", "backward_layer"), "TimeDistributed": ("layer",)}
KERAS2_INPUT_KEYS = ("input_shape", "batch_input_shape", "input_dim", "input_length", "batch_size")


# ---------------------------------------------------------------------------
# Spec helpers (produce plain dicts in the canonical spec form)
# ---------------------------------------------------------------------------


def ly(type_name: str, **kwargs: Any) -> Spec:
    """One layer entry ``{TypeName: {kwargs}}``."""
    return {type_name: kwargs}


def fl(type_name: str, inputs: Any = None, initial_state: Any = None, **kwargs: Any) -> Spec:
    """One functional layer entry with optional ``inputs`` / ``initial_state``."""
    entry: Spec = {type_name: kwargs}
    if inputs is not None:
        entry["inputs"] = inputs
    if initial_state is not None:
        entry["initial_state"] = initial_state
    return entry


def bi(inner: Spec, **kwargs: Any) -> Spec:
    return {"Bidirectional": {"layer": inner, **kwargs}}


def td(inner: Spec, **kwargs: Any) -> Spec:
    return {"TimeDistributed": {"layer": inner, **kwargs}}


def seq(
    layers: list[Spec],
    shape: list[Any] | None = None,
    batch_size: int | None = None,
    dtype: str | None = None,
    name: str | None = None,
) -> Spec:
    spec: Spec = {}
    if name is not None:
        spec["name"] = name
    if shape is not None:
        inp: Spec = {"shape": shape}
        if batch_size is not None:
            inp["batch_size"] = batch_size
        if dtype is not None:
            inp["dtype"] = dtype
        spec["input"] = inp
    spec["layers"] = layers
    return spec


def fn(
    inputs: dict[str, Spec],
    layers: list[Spec],
    outputs: list[str] | None = None,
    name: str | None = None,
) -> Spec:
    spec: Spec = {}
    if name is not None:
        spec["name"] = name
    spec["inputs"] = inputs
    spec["layers"] = layers
    if outputs is not None:
        spec["outputs"] = outputs
    return spec


# ---------------------------------------------------------------------------
# The cases
# ---------------------------------------------------------------------------


def build_cases() -> list[Case]:
    cases: list[Case] = []

    def add(case_id: str, spec: Spec, error: bool | str = False) -> None:
        # error: False = builds; True = Keras raises while building the model;
        # "call" = Keras builds it symbolically but raises when the model is run.
        cases.append({"id": case_id, "spec": spec, "error": "build" if error is True else error})

    # -- seed notebook models (/work/shared/seed) ---------------------------
    add("seed_simple_rnn_input_shape", seq([ly("SimpleRNN", units=3, input_shape=[2, 10])]))
    add(
        "seed_simple_rnn_batch_input_shape",
        seq([ly("SimpleRNN", units=3, batch_input_shape=[8, 2, 10])]),
    )
    add(
        "seed_simple_rnn_batch_input_shape_seq",
        seq([ly("SimpleRNN", units=3, batch_input_shape=[8, 2, 10], return_sequences=True)]),
    )
    add(
        "seed_simple_rnn_input_length_input_dim_stacked",
        seq(
            [
                ly("SimpleRNN", units=3, input_length=10, input_dim=5, return_sequences=True),
                ly("SimpleRNN", units=3, return_sequences=True),
            ]
        ),
    )
    seed_emb = [
        ly("Embedding", input_dim=5000, output_dim=100),
        ly("SimpleRNN", units=128),
        ly("Dense", units=1, activation="sigmoid"),
    ]
    add("seed_embedding_simple_rnn_no_input", seq(copy.deepcopy(seed_emb)))
    add("seed_embedding_simple_rnn_unknown_length", seq(copy.deepcopy(seed_emb), shape=[None]))
    add(
        "seed_sentiment_length30_int32",
        seq(copy.deepcopy(seed_emb), shape=[30], dtype="int32", name="sentiment"),
    )
    add("seed_simple_rnn_eager_last", seq([ly("SimpleRNN", units=3)], shape=[4, 5], batch_size=1))
    add(
        "seed_simple_rnn_eager_seq_state",
        seq(
            [ly("SimpleRNN", units=3, return_sequences=True, return_state=True)],
            shape=[4, 5],
            batch_size=1,
        ),
    )
    add(
        "seed_lstm_eager_state",
        seq([ly("LSTM", units=3, return_state=True)], shape=[4, 5], batch_size=1),
    )
    add(
        "seed_bilstm_constant_init_state",
        seq(
            [
                bi(
                    ly(
                        "LSTM",
                        units=3,
                        return_sequences=False,
                        return_state=True,
                        kernel_initializer={"Constant": {"value": 0.1}},
                        bias_initializer={"Constant": {"value": 0}},
                        recurrent_initializer={"Constant": {"value": 0.1}},
                    )
                )
            ],
            shape=[4, 5],
            batch_size=1,
        ),
    )
    add(
        "seed_bilstm_constant_init_seq_state",
        seq(
            [
                bi(
                    ly(
                        "LSTM",
                        units=3,
                        return_sequences=True,
                        return_state=True,
                        kernel_initializer={"Constant": {"value": 0.1}},
                        bias_initializer={"Constant": {"value": 0}},
                        recurrent_initializer={"Constant": {"value": 0.1}},
                    )
                )
            ],
            shape=[4, 5],
            batch_size=1,
        ),
    )

    # -- each recurrent kind, option by option ------------------------------
    for cell in RNN_TYPES:
        c = cell.lower()
        add(f"{c}_last", seq([ly(cell, units=4)], shape=[5, 3]))
        add(f"{c}_return_sequences", seq([ly(cell, units=4, return_sequences=True)], shape=[5, 3]))
        add(f"{c}_return_state", seq([ly(cell, units=4, return_state=True)], shape=[5, 3]))
        add(
            f"{c}_return_state_seq",
            seq([ly(cell, units=4, return_sequences=True, return_state=True)], shape=[5, 3]),
        )
        add(f"{c}_go_backwards", seq([ly(cell, units=2, go_backwards=True)], shape=[6, 3]))
        add(
            f"{c}_stateful_batch4",
            seq(
                [ly(cell, units=3, stateful=True, return_sequences=True)],
                shape=[5, 2],
                batch_size=4,
            ),
        )
        add(f"{c}_unroll_known_time", seq([ly(cell, units=3, unroll=True)], shape=[4, 2]))
        add(f"{c}_use_bias_false", seq([ly(cell, units=4, use_bias=False)], shape=[5, 3]))
        add(
            f"{c}_dropout_recurrent_dropout",
            seq([ly(cell, units=4, dropout=0.2, recurrent_dropout=0.3)], shape=[5, 3]),
        )
        add(f"{c}_activation_relu", seq([ly(cell, units=4, activation="relu")], shape=[5, 3]))
        add(f"{c}_unknown_time", seq([ly(cell, units=4, return_sequences=True)], shape=[None, 3]))
        add(
            f"{c}_known_batch_unknown_time",
            seq([ly(cell, units=4, return_sequences=True)], shape=[None, 3], batch_size=2),
        )
        add(
            f"{c}_initializers",
            seq(
                [
                    ly(
                        cell,
                        units=4,
                        kernel_initializer={"Constant": {"value": 0.1}},
                        recurrent_initializer="orthogonal",
                        bias_initializer="ones",
                    )
                ],
                shape=[5, 3],
            ),
        )
        add(
            f"{c}_trainable_false",
            seq([ly(cell, units=4, trainable=False), ly("Dense", units=2)], shape=[5, 3]),
        )
        add(
            f"{c}_dtype_float64",
            seq([ly(cell, units=4, dtype="float64"), ly("Dense", units=1)], shape=[5, 3]),
        )
        add(
            f"{c}_dtype_float16_glorot_recurrent",
            seq(
                [ly(cell, units=4, dtype="float16", recurrent_initializer="glorot_uniform")],
                shape=[5, 3],
            ),
        )
        add(
            f"{c}_dtype_mixed_float16",
            seq([ly(cell, units=4, dtype="mixed_float16")], shape=[5, 3]),
        )
        add(
            f"{c}_stack3",
            seq(
                [
                    ly(cell, units=8, return_sequences=True),
                    ly(cell, units=6, return_sequences=True),
                    ly(cell, units=4),
                    ly("Dense", units=2, activation="softmax"),
                ],
                shape=[7, 5],
            ),
        )
        add(f"{c}_units1", seq([ly(cell, units=1)], shape=[3, 1]))
        add(
            f"{c}_named",
            seq(
                [ly(cell, units=4, name=f"my_{c}"), ly("Dense", units=2, name="head")], shape=[5, 3]
            ),
        )
        add(
            f"{c}_return_state_functional",
            fn(
                {"x": {"shape": [5, 3]}},
                [fl(cell, inputs="x", units=4, return_state=True, name="rnn")],
                outputs=["rnn[0]"] + [f"rnn[{k}]" for k in range(1, 3 if cell == "LSTM" else 2)],
            ),
        )
    for cell in ("SimpleRNN", "GRU", "LSTM"):
        if cell != "SimpleRNN":
            add(
                f"{cell.lower()}_recurrent_activation_relu",
                seq(
                    [ly(cell, units=4, activation="relu", recurrent_activation="hard_sigmoid")],
                    shape=[5, 3],
                ),
            )
    # GRU reset_after False
    add("gru_reset_after_false", seq([ly("GRU", units=4, reset_after=False)], shape=[5, 3]))
    add(
        "gru_reset_after_false_use_bias_false",
        seq([ly("GRU", units=4, reset_after=False, use_bias=False)], shape=[5, 3]),
    )
    add(
        "gru_reset_after_false_return_state_seq",
        seq(
            [ly("GRU", units=4, reset_after=False, return_state=True, return_sequences=True)],
            shape=[5, 3],
        ),
    )
    add(
        "gru_reset_after_mixed_stack",
        seq(
            [
                ly("GRU", units=5, reset_after=False, return_sequences=True),
                ly("GRU", units=3, reset_after=True),
            ],
            shape=[None, 2],
        ),
    )
    add(
        "lstm_unit_forget_bias_false",
        seq([ly("LSTM", units=4, unit_forget_bias=False)], shape=[5, 3]),
    )
    add(
        "lstm_unroll_stateful_batch2",
        seq([ly("LSTM", units=3, unroll=True, stateful=True)], shape=[4, 2], batch_size=2),
    )
    add(
        "lstm_unroll_unknown_time_builds",
        seq([ly("LSTM", units=3, unroll=True)], shape=[None, 2]),
    )
    add(
        "lstm_input_known_batch_and_time",
        seq([ly("LSTM", units=5, return_sequences=True)], shape=[6, 4], batch_size=3),
    )
    add(
        "lstm_go_backwards_return_sequences",
        seq([ly("LSTM", units=3, go_backwards=True, return_sequences=True)], shape=[6, 2]),
    )
    add(
        "simple_rnn_activation_linear_and_sigmoid",
        seq(
            [
                ly("SimpleRNN", units=4, activation="linear", return_sequences=True),
                ly("SimpleRNN", units=4, activation="sigmoid"),
            ],
            shape=[5, 3],
        ),
    )

    # -- Bidirectional -----------------------------------------------------
    for mode in ("concat", "sum", "mul", "ave", None):
        m = "none" if mode is None else mode
        add(f"bilstm_merge_{m}_last", seq([bi(ly("LSTM", units=3), merge_mode=mode)], shape=[4, 5]))
        add(
            f"bilstm_merge_{m}_seq",
            seq([bi(ly("LSTM", units=3, return_sequences=True), merge_mode=mode)], shape=[4, 5]),
        )
    for cell in RNN_TYPES:
        c = cell.lower()
        for mode in ("concat", None, "sum"):
            m = "none" if mode is None else mode
            add(
                f"bi{c}_merge_{m}_return_state_seq",
                seq(
                    [
                        bi(
                            ly(cell, units=3, return_sequences=True, return_state=True),
                            merge_mode=mode,
                        )
                    ],
                    shape=[4, 5],
                ),
            )
        add(
            f"bi{c}_return_state_last",
            seq([bi(ly(cell, units=2, return_state=True))], shape=[4, 5]),
        )
    add(
        "bilstm_merge_none_return_state_last",
        seq([bi(ly("LSTM", units=2, return_state=True), merge_mode=None)], shape=[None, 5]),
    )
    add(
        "bilstm_backward_layer_same_units",
        seq(
            [
                bi(
                    ly("LSTM", units=3, return_sequences=True),
                    backward_layer=ly("LSTM", units=3, return_sequences=True, go_backwards=True),
                )
            ],
            shape=[4, 5],
        ),
    )
    add(
        "bilstm_backward_layer_activation_relu_sum",
        seq(
            [
                bi(
                    ly("LSTM", units=3),
                    backward_layer=ly("LSTM", units=3, activation="relu", go_backwards=True),
                    merge_mode="sum",
                ),
                ly("Dense", units=1),
            ],
            shape=[4, 5],
        ),
    )
    add(
        "bigru_backward_layer_named",
        seq(
            [
                bi(
                    ly("GRU", units=3, return_sequences=True, name="fwd"),
                    backward_layer=ly(
                        "GRU", units=3, return_sequences=True, go_backwards=True, name="bwd"
                    ),
                    name="bigru",
                )
            ],
            shape=[4, 5],
        ),
    )
    add(
        "bilstm_backward_layer_return_state",
        seq(
            [
                bi(
                    ly("LSTM", units=2, return_state=True),
                    backward_layer=ly("LSTM", units=2, return_state=True, go_backwards=True),
                )
            ],
            shape=[4, 5],
        ),
    )
    add(
        "bigru_reset_after_false",
        seq([bi(ly("GRU", units=3, reset_after=False))], shape=[4, 5]),
    )
    add(
        "bisimple_rnn_use_bias_false",
        seq([bi(ly("SimpleRNN", units=3, use_bias=False), merge_mode="ave")], shape=[4, 5]),
    )
    add(
        "bilstm_trainable_false",
        seq([bi(ly("LSTM", units=2), trainable=False), ly("Dense", units=1)], shape=[4, 5]),
    )
    add(
        "bilstm_inner_trainable_false",
        seq([bi(ly("LSTM", units=2, trainable=False)), ly("Dense", units=1)], shape=[4, 5]),
    )
    add(
        "bilstm_then_lstm_naming",
        seq(
            [
                bi(ly("LSTM", units=3, return_sequences=True)),
                ly("LSTM", units=2),
            ],
            shape=[4, 5],
        ),
    )
    add(
        "lstm_then_bilstm_naming",
        seq(
            [
                ly("LSTM", units=3, return_sequences=True),
                bi(ly("LSTM", units=2)),
                ly("Dense", units=1),
            ],
            shape=[4, 5],
        ),
    )
    add(
        "bilstm_named_inner_default_outer",
        seq([bi(ly("LSTM", units=3, name="enc"))], shape=[4, 5]),
    )
    add(
        "bilstm_stateful_batch2",
        seq([bi(ly("LSTM", units=3, stateful=True))], shape=[4, 5], batch_size=2),
    )
    add(
        "bilstm_unknown_time_known_batch",
        seq([bi(ly("LSTM", units=3, return_sequences=True))], shape=[None, 5], batch_size=2),
    )
    add(
        "bilstm_dtype_float64",
        seq([bi(ly("LSTM", units=3), dtype="float64")], shape=[4, 5]),
    )
    add(
        "bilstm_initial_state_functional",
        fn(
            {"x": {"shape": [4, 5]}, "h": {"shape": [3]}, "c": {"shape": [3]}},
            [
                fl(
                    "Bidirectional",
                    inputs="x",
                    initial_state=["h", "c", "h", "c"],
                    layer=ly("LSTM", units=3),
                )
            ],
        ),
    )

    # -- Embedding / Masking ----------------------------------------------
    add(
        "embedding_mask_zero_lstm",
        seq(
            [
                ly("Embedding", input_dim=50, output_dim=8, mask_zero=True),
                ly("LSTM", units=4),
                ly("Dense", units=1, activation="sigmoid"),
            ],
            shape=[12],
            dtype="int32",
        ),
    )
    add(
        "embedding_known_length",
        seq([ly("Embedding", input_dim=20, output_dim=4)], shape=[7], dtype="int32"),
    )
    add(
        "embedding_unknown_length_batch",
        seq([ly("Embedding", input_dim=20, output_dim=4)], shape=[None], batch_size=5),
    )
    add(
        "embedding_trainable_false",
        seq(
            [ly("Embedding", input_dim=30, output_dim=6, trainable=False), ly("GRU", units=4)],
            shape=[None],
            dtype="int32",
        ),
    )
    add(
        "embedding_rank3_input",
        seq([ly("Embedding", input_dim=10, output_dim=3)], shape=[4, 5], dtype="int32"),
    )
    add(
        "embedding_initializer_uniform",
        seq(
            [ly("Embedding", input_dim=10, output_dim=3, embeddings_initializer="glorot_uniform")],
            shape=[4],
            dtype="int32",
        ),
    )
    add(
        "masking_lstm",
        seq([ly("Masking", mask_value=0.0), ly("LSTM", units=4)], shape=[6, 3]),
    )
    add(
        "masking_bigru_seq",
        seq(
            [ly("Masking"), bi(ly("GRU", units=3, return_sequences=True))],
            shape=[None, 3],
        ),
    )

    # -- Dense / TimeDistributed -------------------------------------------
    add("dense_rank2", seq([ly("Dense", units=4)], shape=[6]))
    add("dense_rank3", seq([ly("Dense", units=4)], shape=[5, 6]))
    add("dense_rank4", seq([ly("Dense", units=4, activation="relu")], shape=[2, 5, 6]))
    add("dense_rank3_unknown_time", seq([ly("Dense", units=3)], shape=[None, 6]))
    add("dense_use_bias_false", seq([ly("Dense", units=4, use_bias=False)], shape=[6]))
    add("dense_trainable_false", seq([ly("Dense", units=4, trainable=False)], shape=[6]))
    add("dense_dtype_float64", seq([ly("Dense", units=4, dtype="float64")], shape=[6]))
    add("dense_dtype_float16", seq([ly("Dense", units=4, dtype="float16")], shape=[3, 6]))
    add(
        "time_distributed_dense",
        seq([ly("LSTM", units=4, return_sequences=True), td(ly("Dense", units=3))], shape=[5, 2]),
    )
    add(
        "time_distributed_dense_use_bias_false",
        seq([td(ly("Dense", units=3, use_bias=False))], shape=[None, 4]),
    )
    add(
        "time_distributed_conv1d",
        seq([td(ly("Conv1D", filters=4, kernel_size=3))], shape=[3, 8, 2]),
    )
    add(
        "time_distributed_lstm",
        seq([td(ly("LSTM", units=2)), ly("LSTM", units=3)], shape=[3, 4, 5]),
    )
    add(
        "time_distributed_dense_named",
        seq([td(ly("Dense", units=3, name="proj"), name="td")], shape=[5, 4]),
    )
    add(
        "time_distributed_flatten",
        seq([td(ly("Flatten")), ly("GRU", units=2)], shape=[4, 3, 2]),
    )

    # -- simple shape layers -----------------------------------------------
    add(
        "dropout_spatial_dropout_activation",
        seq(
            [
                ly("SpatialDropout1D", rate=0.2),
                ly("LSTM", units=4, return_sequences=True),
                ly("Dropout", rate=0.5),
                ly("Activation", activation="relu"),
            ],
            shape=[5, 3],
        ),
    )
    add("flatten_rank3", seq([ly("Flatten"), ly("Dense", units=2)], shape=[5, 3]))
    add("flatten_unknown_time", seq([ly("Flatten")], shape=[None, 3]))
    add(
        "reshape_minus_one",
        seq([ly("Reshape", target_shape=[-1, 2]), ly("SimpleRNN", units=3)], shape=[12]),
    )
    add("reshape_known", seq([ly("Reshape", target_shape=[3, 4])], shape=[4, 3]))
    add("reshape_unknown_time_minus_one", seq([ly("Reshape", target_shape=[-1])], shape=[None, 3]))
    add(
        "repeat_vector_lstm",
        seq(
            [
                ly("LSTM", units=4),
                ly("RepeatVector", n=3),
                ly("LSTM", units=2, return_sequences=True),
            ],
            shape=[5, 3],
        ),
    )
    add("permute_lstm", seq([ly("Permute", dims=[2, 1]), ly("LSTM", units=2)], shape=[5, 3]))
    add("permute_rank4", seq([ly("Permute", dims=[3, 1, 2])], shape=[2, 3, 4]))
    add(
        "layer_norm_default",
        seq([ly("LSTM", units=4, return_sequences=True), ly("LayerNormalization")], shape=[5, 3]),
    )
    add("layer_norm_center_false", seq([ly("LayerNormalization", center=False)], shape=[5, 3]))
    add("layer_norm_scale_false", seq([ly("LayerNormalization", scale=False)], shape=[5, 3]))
    add(
        "layer_norm_center_scale_false",
        seq([ly("LayerNormalization", center=False, scale=False)], shape=[5, 3]),
    )
    add("layer_norm_axis1", seq([ly("LayerNormalization", axis=1)], shape=[5, 3]))
    add("layer_norm_axis_list", seq([ly("LayerNormalization", axis=[1, 2])], shape=[5, 3]))
    add("layer_norm_dtype_float16", seq([ly("LayerNormalization", dtype="float16")], shape=[5, 3]))
    add("batch_norm_default", seq([ly("BatchNormalization")], shape=[5, 3]))
    add("batch_norm_center_false", seq([ly("BatchNormalization", center=False)], shape=[5, 3]))
    add("batch_norm_scale_false", seq([ly("BatchNormalization", scale=False)], shape=[5, 3]))
    add("batch_norm_axis1", seq([ly("BatchNormalization", axis=1)], shape=[5, 3]))
    add("batch_norm_rank2", seq([ly("Dense", units=4), ly("BatchNormalization")], shape=[6]))
    add(
        "batch_norm_trainable_false",
        seq([ly("BatchNormalization", trainable=False)], shape=[5, 3]),
    )
    add(
        "batch_norm_after_lstm",
        seq(
            [
                ly("LSTM", units=4, return_sequences=True),
                ly("BatchNormalization"),
                ly("GRU", units=2),
            ],
            shape=[5, 3],
        ),
    )

    # -- Conv1D / pooling ---------------------------------------------------
    add("conv1d_valid", seq([ly("Conv1D", filters=4, kernel_size=3)], shape=[10, 2]))
    add(
        "conv1d_same_strides2",
        seq([ly("Conv1D", filters=4, kernel_size=3, strides=2, padding="same")], shape=[9, 2]),
    )
    add(
        "conv1d_causal_dilation2",
        seq(
            [ly("Conv1D", filters=3, kernel_size=2, padding="causal", dilation_rate=2)],
            shape=[8, 2],
        ),
    )
    add(
        "conv1d_valid_dilation3",
        seq([ly("Conv1D", filters=3, kernel_size=3, dilation_rate=3)], shape=[11, 2]),
    )
    add(
        "conv1d_valid_strides3",
        seq([ly("Conv1D", filters=2, kernel_size=2, strides=3)], shape=[11, 3]),
    )
    add(
        "conv1d_groups2",
        seq([ly("Conv1D", filters=6, kernel_size=3, groups=2)], shape=[8, 4]),
    )
    add(
        "conv1d_use_bias_false",
        seq([ly("Conv1D", filters=4, kernel_size=2, use_bias=False)], shape=[8, 3]),
    )
    add(
        "conv1d_unknown_length",
        seq([ly("Conv1D", filters=4, kernel_size=3, padding="valid")], shape=[None, 3]),
    )
    add(
        "conv1d_kernel_size_list",
        seq([ly("Conv1D", filters=4, kernel_size=[3], strides=[2])], shape=[9, 3]),
    )
    add("max_pool_default", seq([ly("MaxPooling1D")], shape=[9, 3]))
    add(
        "max_pool_size3_strides1",
        seq([ly("MaxPooling1D", pool_size=3, strides=1)], shape=[9, 3]),
    )
    add(
        "max_pool_same",
        seq([ly("MaxPooling1D", pool_size=2, padding="same")], shape=[9, 3]),
    )
    add("avg_pool_size2", seq([ly("AveragePooling1D", pool_size=2)], shape=[9, 3]))
    add(
        "avg_pool_same_strides3",
        seq([ly("AveragePooling1D", pool_size=2, strides=3, padding="same")], shape=[10, 3]),
    )
    add(
        "avg_pool_unknown_length",
        seq([ly("AveragePooling1D", pool_size=3)], shape=[None, 3]),
    )
    add("global_max_pool", seq([ly("GlobalMaxPooling1D")], shape=[6, 3]))
    add(
        "global_max_pool_keepdims",
        seq([ly("GlobalMaxPooling1D", keepdims=True)], shape=[6, 3]),
    )
    add(
        "global_avg_pool_after_lstm",
        seq(
            [ly("LSTM", units=4, return_sequences=True), ly("GlobalAveragePooling1D")],
            shape=[None, 3],
        ),
    )
    add(
        "global_avg_pool_keepdims",
        seq([ly("GlobalAveragePooling1D", keepdims=True)], shape=[6, 3]),
    )
    add(
        "conv1d_dtype_float16",
        seq([ly("Conv1D", filters=2, kernel_size=2, dtype="float16")], shape=[6, 3]),
    )

    # -- merges in functional graphs ---------------------------------------
    two = {"a": {"shape": [5, 3]}, "b": {"shape": [5, 3]}}
    for merge in ("Add", "Subtract", "Multiply", "Average"):
        add(
            f"merge_{merge.lower()}_lstm_outputs",
            fn(
                copy.deepcopy(two),
                [
                    fl("LSTM", inputs="a", units=4),
                    fl("LSTM", inputs="b", units=4),
                    fl(merge, inputs=["lstm", "lstm_1"]),
                    fl("Dense", units=1),
                ],
            ),
        )
    add(
        "merge_concatenate_last_axis",
        fn(
            copy.deepcopy(two),
            [
                fl("GRU", inputs="a", units=4, name="ga"),
                fl("GRU", inputs="b", units=2, name="gb"),
                fl("Concatenate", inputs=["ga", "gb"]),
            ],
        ),
    )
    add(
        "merge_concatenate_axis1_sequences",
        fn(
            {"a": {"shape": [5, 3]}, "b": {"shape": [2, 3]}},
            [
                fl("LSTM", inputs="a", units=4, return_sequences=True, name="la"),
                fl("LSTM", inputs="b", units=4, return_sequences=True, name="lb"),
                fl("Concatenate", inputs=["la", "lb"], axis=1),
                fl("LSTM", units=2),
            ],
        ),
    )
    add(
        "merge_concatenate_states",
        fn(
            {"x": {"shape": [None, 3]}},
            [
                fl("LSTM", inputs="x", units=4, return_state=True, name="enc"),
                fl("Concatenate", inputs=["enc[1]", "enc[2]"], axis=-1, name="hc"),
            ],
        ),
    )
    add(
        "merge_add_three_inputs",
        fn(
            {"a": {"shape": [4]}, "b": {"shape": [4]}, "c": {"shape": [4]}},
            [fl("Add", inputs=["a", "b", "c"])],
        ),
    )
    add(
        "merge_add_broadcast_batch",
        fn(
            {"a": {"shape": [4], "batch_size": 2}, "b": {"shape": [4]}},
            [fl("Add", inputs=["a", "b"])],
        ),
    )
    add(
        "merge_multiply_unknown_time",
        fn(
            {"a": {"shape": [None, 3]}, "b": {"shape": [None, 3]}},
            [fl("Multiply", inputs=["a", "b"])],
        ),
    )
    add(
        "merge_concatenate_three_axis_minus1",
        fn(
            {"x": {"shape": [6, 4]}},
            [
                fl("SimpleRNN", inputs="x", units=2, return_sequences=True),
                fl("GRU", inputs="x", units=3, return_sequences=True),
                fl("LSTM", inputs="x", units=4, return_sequences=True),
                fl("Concatenate", inputs=["simple_rnn", "gru", "lstm"]),
                fl("TimeDistributed", layer=ly("Dense", units=1)),
            ],
        ),
    )
    add(
        "residual_lstm_add",
        fn(
            {"x": {"shape": [6, 4]}},
            [
                fl("LSTM", inputs="x", units=4, return_sequences=True, name="l1"),
                fl("LSTM", units=4, return_sequences=True, name="l2"),
                fl("Add", inputs=["l1", "l2"], name="res"),
                fl("LayerNormalization"),
                fl("GlobalAveragePooling1D"),
            ],
        ),
    )

    # -- realistic models ---------------------------------------------------
    add(
        "real_sentiment_lstm",
        seq(
            [
                ly("Embedding", input_dim=50, output_dim=16, mask_zero=True),
                ly("SpatialDropout1D", rate=0.2),
                ly("LSTM", units=16, dropout=0.2, recurrent_dropout=0.2),
                ly("Dense", units=8, activation="relu"),
                ly("Dropout", rate=0.5),
                ly("Dense", units=1, activation="sigmoid"),
            ],
            shape=[40],
            dtype="int32",
            name="sentiment",
        ),
    )
    add(
        "real_sentiment_bigru_pool",
        seq(
            [
                ly("Embedding", input_dim=50, output_dim=8),
                bi(ly("GRU", units=6, return_sequences=True)),
                ly("GlobalMaxPooling1D"),
                ly("Dense", units=3, activation="softmax"),
            ],
            shape=[None],
            dtype="int32",
        ),
    )
    add(
        "real_stacked_bilstm_tagger",
        seq(
            [
                ly("Embedding", input_dim=50, output_dim=10, mask_zero=True),
                bi(ly("LSTM", units=8, return_sequences=True)),
                ly("Dropout", rate=0.3),
                bi(ly("LSTM", units=8, return_sequences=True)),
                td(ly("Dense", units=9, activation="softmax")),
            ],
            shape=[None],
            dtype="int32",
            name="tagger",
        ),
    )
    add(
        "real_seq2seq_lstm",
        fn(
            {"encoder_inputs": {"shape": [None, 7]}, "decoder_inputs": {"shape": [None, 9]}},
            [
                fl("LSTM", inputs="encoder_inputs", units=8, return_state=True, name="encoder"),
                fl(
                    "LSTM",
                    inputs="decoder_inputs",
                    initial_state=["encoder[1]", "encoder[2]"],
                    units=8,
                    return_sequences=True,
                    return_state=True,
                    name="decoder",
                ),
                fl(
                    "Dense",
                    inputs="decoder[0]",
                    units=9,
                    activation="softmax",
                    name="decoder_dense",
                ),
            ],
            outputs=["decoder_dense"],
            name="seq2seq",
        ),
    )
    add(
        "real_seq2seq_gru_default_names",
        fn(
            {"enc": {"shape": [None, 5]}, "dec": {"shape": [None, 6]}},
            [
                fl("GRU", inputs="enc", units=7, return_state=True),
                fl("GRU", inputs="dec", initial_state=["gru[1]"], units=7, return_sequences=True),
                fl("Dense", units=6, activation="softmax"),
            ],
        ),
    )
    add(
        "real_seq2seq_bilstm_encoder",
        fn(
            {"enc": {"shape": [None, 5]}, "dec": {"shape": [None, 6]}},
            [
                fl(
                    "Bidirectional",
                    inputs="enc",
                    layer=ly("LSTM", units=4, return_state=True),
                    name="bienc",
                ),
                fl("Concatenate", inputs=["bienc[1]", "bienc[3]"], name="state_h"),
                fl("Concatenate", inputs=["bienc[2]", "bienc[4]"], name="state_c"),
                fl(
                    "LSTM",
                    inputs="dec",
                    initial_state=["state_h", "state_c"],
                    units=8,
                    return_sequences=True,
                    name="decoder",
                ),
                fl("TimeDistributed", layer=ly("Dense", units=6, activation="softmax")),
            ],
        ),
    )
    add(
        "real_seq2seq_embedding",
        fn(
            {
                "src": {"shape": [None], "dtype": "int32"},
                "tgt": {"shape": [None], "dtype": "int32"},
            },
            [
                fl(
                    "Embedding",
                    inputs="src",
                    input_dim=40,
                    output_dim=8,
                    mask_zero=True,
                    name="src_emb",
                ),
                fl("GRU", units=10, return_state=True, name="enc_gru"),
                fl(
                    "Embedding",
                    inputs="tgt",
                    input_dim=45,
                    output_dim=8,
                    mask_zero=True,
                    name="tgt_emb",
                ),
                fl(
                    "GRU",
                    initial_state=["enc_gru[1]"],
                    units=10,
                    return_sequences=True,
                    name="dec_gru",
                ),
                fl("Dense", units=45, activation="softmax"),
            ],
        ),
    )
    add(
        "real_repeat_vector_autoencoder",
        seq(
            [
                ly("LSTM", units=8, activation="relu"),
                ly("RepeatVector", n=6),
                ly("LSTM", units=8, activation="relu", return_sequences=True),
                td(ly("Dense", units=2)),
            ],
            shape=[6, 2],
        ),
    )
    add(
        "real_cnn_lstm",
        seq(
            [
                ly("Conv1D", filters=8, kernel_size=3, activation="relu", padding="same"),
                ly("MaxPooling1D", pool_size=2),
                ly("Conv1D", filters=8, kernel_size=3, activation="relu"),
                ly("LSTM", units=6),
                ly("Dense", units=1),
            ],
            shape=[20, 3],
        ),
    )
    add(
        "real_cnn_lstm_text",
        seq(
            [
                ly("Embedding", input_dim=50, output_dim=8),
                ly("Dropout", rate=0.2),
                ly(
                    "Conv1D",
                    filters=6,
                    kernel_size=5,
                    padding="valid",
                    activation="relu",
                    strides=1,
                ),
                ly("MaxPooling1D", pool_size=4),
                ly("LSTM", units=5),
                ly("Dense", units=1, activation="sigmoid"),
            ],
            shape=[30],
            dtype="int32",
        ),
    )
    add(
        "real_time_distributed_cnn_lstm",
        seq(
            [
                td(ly("Conv1D", filters=4, kernel_size=3, activation="relu")),
                td(ly("GlobalMaxPooling1D")),
                ly("LSTM", units=5),
                ly("Dense", units=2, activation="softmax"),
            ],
            shape=[None, 10, 2],
        ),
    )
    add(
        "real_stateful_forecaster",
        seq(
            [
                ly("LSTM", units=8, stateful=True, return_sequences=True),
                ly("LSTM", units=8, stateful=True),
                ly("Dense", units=1),
            ],
            shape=[1, 1],
            batch_size=1,
        ),
    )
    add(
        "real_gru_forecaster_norm",
        seq(
            [
                ly("GRU", units=12, return_sequences=True),
                ly("LayerNormalization"),
                ly("GRU", units=6),
                ly("Dropout", rate=0.1),
                ly("Dense", units=3),
            ],
            shape=[24, 4],
            name="forecaster",
        ),
    )
    add(
        "real_multi_input_multi_output",
        fn(
            {"text": {"shape": [None], "dtype": "int32"}, "meta": {"shape": [4]}},
            [
                fl("Embedding", inputs="text", input_dim=50, output_dim=6),
                fl("LSTM", units=5),
                fl("Dense", inputs="meta", units=5, activation="relu"),
                fl("Concatenate", inputs=["lstm", "dense"]),
                fl("Dense", units=1, activation="sigmoid", name="label"),
                fl("Dense", inputs="concatenate", units=3, activation="softmax", name="topic"),
            ],
            outputs=["label", "topic"],
        ),
    )
    add(
        "real_two_towers_subtract",
        fn(
            {"q": {"shape": [None, 4]}, "d": {"shape": [None, 4]}},
            [
                fl("Bidirectional", inputs="q", layer=ly("GRU", units=3), merge_mode="sum"),
                fl("Bidirectional", inputs="d", layer=ly("GRU", units=3), merge_mode="sum"),
                fl("Subtract", inputs=["bidirectional", "bidirectional_1"]),
                fl("Dense", units=1, activation="sigmoid"),
            ],
        ),
    )
    add(
        "real_attention_free_pooling",
        fn(
            {"x": {"shape": [10, 3]}},
            [
                fl("LSTM", inputs="x", units=6, return_sequences=True),
                fl("GlobalMaxPooling1D", inputs="lstm"),
                fl("GlobalAveragePooling1D", inputs="lstm"),
                fl("Concatenate", inputs=["global_max_pooling1d", "global_average_pooling1d"]),
                fl("Dense", units=2),
            ],
        ),
    )
    add(
        "deep_lstm_stack_6",
        seq(
            [ly("LSTM", units=u, return_sequences=True) for u in (16, 12, 10, 8, 6)]
            + [ly("LSTM", units=4), ly("Dense", units=1)],
            shape=[None, 5],
        ),
    )
    add(
        "deep_mixed_stack",
        seq(
            [
                ly("SimpleRNN", units=6, return_sequences=True),
                ly("GRU", units=6, return_sequences=True, reset_after=False),
                bi(ly("LSTM", units=4, return_sequences=True), merge_mode="ave"),
                ly("SimpleRNN", units=5, return_sequences=True, go_backwards=True),
                bi(ly("GRU", units=3), merge_mode="mul"),
                ly("Dense", units=2),
            ],
            shape=[8, 3],
        ),
    )
    add(
        "deep_bilstm_stack_4",
        seq(
            [bi(ly("LSTM", units=4, return_sequences=True)) for _ in range(3)]
            + [bi(ly("LSTM", units=4)), ly("Dense", units=2)],
            shape=[6, 3],
        ),
    )
    add(
        "deep_gru_stack_batch_fixed",
        seq(
            [ly("GRU", units=5, return_sequences=True) for _ in range(4)] + [ly("GRU", units=5)],
            shape=[7, 2],
            batch_size=8,
        ),
    )
    add(
        "named_model_sequential",
        seq([ly("LSTM", units=3), ly("Dense", units=1)], shape=[4, 2], name="my_model"),
    )
    add(
        "functional_default_names_two_lstms",
        fn(
            {"x": {"shape": [5, 2]}},
            [
                fl("LSTM", inputs="x", units=3, return_sequences=True),
                fl("LSTM", units=3),
                fl("Dense", units=1),
            ],
        ),
    )
    add(
        "functional_outputs_with_states",
        fn(
            {"x": {"shape": [5, 2]}},
            [
                fl("LSTM", inputs="x", units=3, return_sequences=True, return_state=True),
                fl("Dense", inputs="lstm[0]", units=2),
            ],
            outputs=["dense", "lstm[1]", "lstm[2]"],
        ),
    )
    add(
        "functional_initial_state_from_input",
        fn(
            {"x": {"shape": [5, 2]}, "h0": {"shape": [3]}},
            [fl("SimpleRNN", inputs="x", initial_state=["h0"], units=3, return_sequences=True)],
        ),
    )
    add(
        "functional_float64_input_dense",
        fn(
            {"x": {"shape": [4], "dtype": "float64"}},
            [fl("Dense", inputs="x", units=2, dtype="float64")],
        ),
    )

    add(
        "functional_order_unequal_branches",
        fn(
            {"x": {"shape": [5, 3]}},
            [
                fl("LSTM", inputs="x", units=3, name="short"),
                fl("LSTM", inputs="x", units=4, return_sequences=True, name="long1"),
                fl("LSTM", units=4, name="long2"),
                fl("Concatenate", inputs=["short", "long2"], name="joined"),
                fl("Dense", units=1, name="out"),
            ],
        ),
    )
    add(
        "functional_order_outputs_reversed",
        fn(
            {"a": {"shape": [None, 2]}, "b": {"shape": [None, 2]}},
            [
                fl("GRU", inputs="a", units=3, name="ga"),
                fl("Dense", units=1, name="head_a"),
                fl("GRU", inputs="b", units=3, return_sequences=True, name="gb1"),
                fl("GRU", units=3, name="gb2"),
                fl("Dense", units=2, name="head_b"),
            ],
            outputs=["head_b", "head_a"],
        ),
    )

    # -- Keras 2 input spellings on the first layer ------------------------
    add(
        "keras2_lstm_input_shape",
        seq([ly("LSTM", units=4, input_shape=[5, 3]), ly("Dense", units=1)]),
    )
    add(
        "keras2_gru_input_shape_unknown_time",
        seq([ly("GRU", units=4, input_shape=[None, 3], return_sequences=True)]),
    )
    add(
        "keras2_lstm_batch_input_shape_stateful",
        seq([ly("LSTM", units=4, batch_input_shape=[2, 5, 3], stateful=True)]),
    )
    add(
        "keras2_lstm_input_dim_input_length",
        seq([ly("LSTM", units=4, input_dim=3, input_length=6), ly("Dense", units=2)]),
    )
    add("keras2_simple_rnn_input_dim_only", seq([ly("SimpleRNN", units=4, input_dim=3)]))
    add("keras2_dense_input_dim", seq([ly("Dense", units=4, input_dim=6), ly("Dense", units=1)]))
    add(
        "keras2_embedding_input_length",
        seq(
            [
                ly("Embedding", input_dim=50, output_dim=8, input_length=20),
                ly("LSTM", units=4),
                ly("Dense", units=1, activation="sigmoid"),
            ]
        ),
    )
    add(
        "keras2_bidirectional_input_shape_on_wrapper",
        seq([bi(ly("LSTM", units=3, return_sequences=True), input_shape=[5, 4])]),
    )
    add(
        "keras2_time_distributed_input_shape",
        seq([td(ly("Dense", units=3), input_shape=[5, 4])]),
    )
    add(
        "keras2_conv1d_input_shape",
        seq([ly("Conv1D", filters=4, kernel_size=3, input_shape=[10, 2]), ly("LSTM", units=2)]),
    )
    add(
        "keras2_gru_input_shape_batch_size",
        seq([ly("GRU", units=3, input_shape=[4, 2], batch_size=5)]),
    )

    # -- cases Keras rejects -----------------------------------------------
    add("error_lstm_rank2_input", seq([ly("LSTM", units=3)], shape=[4]), error=True)
    add(
        "error_simple_rnn_rank4_input", seq([ly("SimpleRNN", units=3)], shape=[2, 4, 5]), error=True
    )
    add("error_dense_unknown_last_dim", seq([ly("Dense", units=3)], shape=[4, None]), error=True)
    add(
        "error_concatenate_mismatched_dims",
        fn(
            {"a": {"shape": [5, 3]}, "b": {"shape": [4, 3]}},
            [fl("Concatenate", inputs=["a", "b"], axis=-1)],
        ),
        error=True,
    )
    add(
        "error_add_different_shapes",
        fn({"a": {"shape": [3]}, "b": {"shape": [4]}}, [fl("Add", inputs=["a", "b"])]),
        error=True,
    )
    add(
        "error_subtract_three_inputs",
        fn(
            {"a": {"shape": [3]}, "b": {"shape": [3]}, "c": {"shape": [3]}},
            [fl("Subtract", inputs=["a", "b", "c"])],
        ),
        error=True,
    )
    add(
        "error_reshape_wrong_size",
        seq([ly("Reshape", target_shape=[4, 4])], shape=[5, 3]),
        error=True,
    )
    add(
        "error_initial_state_wrong_size",
        fn(
            {"x": {"shape": [5, 2]}, "y": {"shape": [5, 2]}},
            [
                fl("LSTM", inputs="x", units=4, return_state=True, name="enc"),
                fl("LSTM", inputs="y", initial_state=["enc[1]", "enc[2]"], units=8, name="dec"),
            ],
        ),
        error="call",
    )
    add(
        "error_initial_state_wrong_count",
        fn(
            {"x": {"shape": [5, 2]}, "y": {"shape": [5, 2]}},
            [
                fl("LSTM", inputs="x", units=4, return_state=True, name="enc"),
                fl("LSTM", inputs="y", initial_state=["enc[1]"], units=4, name="dec"),
            ],
        ),
        error="call",
    )
    add(
        "error_bidirectional_same_go_backwards",
        seq(
            [bi(ly("LSTM", units=3), backward_layer=ly("LSTM", units=3))],
            shape=[4, 5],
        ),
        error=True,
    )
    add(
        "error_bidirectional_backward_return_sequences_mismatch",
        seq(
            [
                bi(
                    ly("LSTM", units=3, return_sequences=True),
                    backward_layer=ly("LSTM", units=3, go_backwards=True),
                )
            ],
            shape=[4, 5],
        ),
        error=True,
    )
    add(
        "error_bidirectional_inner_go_backwards",
        seq([bi(ly("LSTM", units=3, go_backwards=True, return_sequences=True))], shape=[4, 5]),
        error=True,
    )
    add(
        "error_avg_pool_without_pool_size",
        seq([ly("AveragePooling1D")], shape=[9, 3]),
        error=True,
    )
    add(
        "error_bidirectional_sum_different_units",
        seq(
            [
                bi(
                    ly("LSTM", units=3),
                    backward_layer=ly("LSTM", units=4, go_backwards=True),
                    merge_mode="sum",
                )
            ],
            shape=[4, 5],
        ),
        error="call",
    )
    add(
        "error_bidirectional_bad_merge_mode",
        seq([bi(ly("LSTM", units=3), merge_mode="max")], shape=[4, 5]),
        error=True,
    )
    add(
        "error_stateful_unknown_batch",
        seq([ly("GRU", units=3, stateful=True)], shape=[4, 5]),
        error=True,
    )
    add(
        "error_conv1d_kernel_longer_than_input",
        seq([ly("Conv1D", filters=2, kernel_size=5)], shape=[3, 2]),
        error=True,
    )
    add(
        "error_conv1d_groups_not_dividing_channels",
        seq([ly("Conv1D", filters=4, kernel_size=2, groups=2)], shape=[6, 3]),
        error=True,
    )
    add(
        "error_max_pool_larger_than_input",
        seq([ly("MaxPooling1D", pool_size=4)], shape=[3, 2]),
        error=True,
    )
    add(
        "error_unknown_keyword_argument",
        seq([ly("LSTM", units=3, retrun_sequences=True)], shape=[4, 5]),
        error=True,
    )
    add(
        "error_sequential_return_state_midstack",
        seq(
            [ly("LSTM", units=3, return_state=True, return_sequences=True), ly("LSTM", units=2)],
            shape=[4, 5],
        ),
        error=True,
    )
    add(
        "error_repeat_vector_rank3",
        seq([ly("RepeatVector", n=3)], shape=[4, 5]),
        error=True,
    )
    add(
        "error_global_pool_rank2",
        seq([ly("GlobalMaxPooling1D")], shape=[5]),
        error=True,
    )
    add(
        "error_conv1d_rank2_input",
        seq([ly("Conv1D", filters=2, kernel_size=2)], shape=[6]),
        error=True,
    )
    add(
        "merge_concatenate_single_input",
        fn({"a": {"shape": [3]}}, [fl("Concatenate", inputs=["a"])]),
    )
    add(
        "error_layer_norm_axis_out_of_range",
        seq([ly("LayerNormalization", axis=3)], shape=[5, 3]),
        error=True,
    )
    add(
        "error_keras3_rejects_batch_input_shape_inner",
        seq([bi(ly("LSTM", units=3, batch_input_shape=[2, 4, 5]))], shape=[4, 5]),
        error=True,
    )
    return cases


# ---------------------------------------------------------------------------
# Translator: canonical spec -> Keras objects
# ---------------------------------------------------------------------------


def _type_key(entry: Spec) -> str:
    keys = [k for k in entry if k not in ("inputs", "initial_state")]
    if len(keys) != 1:
        raise SystemExit(f"layer entry must have exactly one type key: {entry!r}")
    return keys[0]


def _tuplify(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_tuplify(v) for v in value)
    return value


def _kwargs_to_keras(keras: Any, type_name: str, kwargs: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in kwargs.items():
        if type_name in WRAPPER_KEYS and key in WRAPPER_KEYS[type_name]:
            out[key] = make_layer(keras, value)
        elif key.endswith("_initializer") and isinstance(value, dict):
            ((cls_name, cfg),) = value.items()
            out[key] = getattr(keras.initializers, cls_name)(**cfg)
        else:
            out[key] = _tuplify(value)
    return out


def make_layer(keras: Any, entry: Spec) -> Any:
    """Construct (but do not call) the Keras layer for one spec entry."""
    type_name = _type_key(entry)
    kwargs = _kwargs_to_keras(keras, type_name, dict(entry[type_name]))
    return getattr(keras.layers, type_name)(**kwargs)


def _keras2_input(first: Spec) -> tuple[Spec, dict[str, Any]] | None:
    """Strip Keras-2 input spellings off a first layer; return (entry, Input kwargs)."""
    entry = copy.deepcopy(first)
    type_name = _type_key(entry)
    kw = entry[type_name]
    shape: list[Any] | None = None
    batch: int | None = None
    if "batch_input_shape" in kw:
        bis = kw.pop("batch_input_shape")
        batch, shape = bis[0], list(bis[1:])
    if "input_shape" in kw:
        shape = list(kw.pop("input_shape"))
    if type_name == "Embedding":
        if "input_length" in kw:
            shape = [kw.pop("input_length")]
        elif shape is None:
            shape = [None]  # Keras 2: Embedding always implies input_shape (None,)
    elif "input_dim" in kw:
        dim = kw.pop("input_dim")
        length = kw.pop("input_length", None)
        shape = [length, dim] if type_name in RNN_TYPES else [dim]
    if "batch_size" in kw:
        batch = kw.pop("batch_size")
    if shape is None:
        return None
    inp: dict[str, Any] = {"shape": tuple(shape)}
    if batch is not None:
        inp["batch_size"] = batch
    return entry, inp


def _input_kwargs(spec: Spec) -> dict[str, Any]:
    out: dict[str, Any] = {"shape": tuple(spec["shape"])}
    if spec.get("batch_size") is not None:
        out["batch_size"] = spec["batch_size"]
    if spec.get("dtype") is not None:
        out["dtype"] = spec["dtype"]
    return out


def build_sequential(keras: Any, spec: Spec) -> Any:
    entries = list(spec["layers"])
    if "input" in spec:
        input_kw = _input_kwargs(spec["input"])
    else:
        found = _keras2_input(entries[0])
        if found is None:
            raise SystemExit(f"sequential spec without an input shape: {spec!r}")
        entries[0], input_kw = found
    inp = keras.Input(**input_kw)
    layers = [make_layer(keras, e) for e in entries]
    kwargs: dict[str, Any] = {}
    if spec.get("name") is not None:
        kwargs["name"] = spec["name"]
    model = keras.Sequential([inp, *layers], **kwargs)
    _ = model.outputs  # Sequential builds lazily and swallows errors; surface them.
    return model


_REF = re.compile(r"^(?P<name>[^\[\]]+)(?:\[(?P<idx>\d+)\])?$")


def build_functional(keras: Any, spec: Spec) -> Any:
    tensors: dict[str, Any] = {}
    model_inputs = []
    for name, ispec in spec["inputs"].items():
        t = keras.Input(name=name, **_input_kwargs(ispec))
        tensors[name] = t
        model_inputs.append(t)

    def resolve(ref: str) -> Any:
        m = _REF.match(ref)
        if m is None or m.group("name") not in tensors:
            raise SystemExit(f"bad reference {ref!r}")
        value = tensors[m.group("name")]
        if isinstance(value, (list, tuple)):
            return value[int(m.group("idx") or 0)]
        if m.group("idx") not in (None, "0"):
            raise SystemExit(f"{ref!r}: layer has a single output")
        return value

    previous: Any = None
    last_name = ""
    for entry in spec["layers"]:
        layer = make_layer(keras, entry)
        if "inputs" in entry:
            refs = entry["inputs"]
            x = [resolve(r) for r in refs] if isinstance(refs, list) else resolve(refs)
        else:
            x = previous
        call_kw: dict[str, Any] = {}
        if "initial_state" in entry:
            call_kw["initial_state"] = [resolve(r) for r in entry["initial_state"]]
        y = layer(x, **call_kw)
        tensors[layer.name] = y
        previous = y[0] if isinstance(y, (list, tuple)) else y
        last_name = layer.name
    out_refs = spec.get("outputs") or [last_name]
    outputs = []
    for ref in out_refs:
        value = tensors[ref] if ref in tensors else resolve(ref)
        if isinstance(value, (list, tuple)):
            outputs.extend(value)
        else:
            outputs.append(value)
    kwargs: dict[str, Any] = {}
    if spec.get("name") is not None:
        kwargs["name"] = spec["name"]
    return keras.Model(model_inputs, outputs, **kwargs)


def build_model(keras: Any, spec: Spec) -> Any:
    if "inputs" in spec:
        return build_functional(keras, spec)
    return build_sequential(keras, spec)


# ---------------------------------------------------------------------------
# Recording what Keras reports
# ---------------------------------------------------------------------------


def _shape(shape: Any) -> list[Any]:
    return [None if d is None else int(d) for d in shape]


def _nparams(weights: Any) -> int:
    return int(sum(math.prod(int(d) for d in w.shape) for w in weights))


def _origin(tensor: Any) -> tuple[str, int]:
    op, _node_index, tensor_index = tensor._keras_history
    return op.name, int(tensor_index)


def describe(model: Any) -> dict[str, Any]:
    inputs = []
    for t in model.inputs:
        name, _ = _origin(t)
        inputs.append({"name": name, "shape": _shape(t.shape), "dtype": str(t.dtype)})
    layers = []
    for layer in model.layers:
        if layer.__class__.__name__ == "InputLayer":
            continue
        out = layer.output
        outs = list(out) if isinstance(out, (list, tuple)) else [out]
        layers.append(
            {
                "name": layer.name,
                "type": layer.__class__.__name__,
                "output_shapes": [_shape(t.shape) for t in outs],
                "params": int(layer.count_params()),
                "trainable_params": _nparams(layer.trainable_weights),
                "non_trainable_params": _nparams(layer.non_trainable_weights),
                "weights": [
                    {
                        "path": w.path,
                        "name": w.name,
                        "shape": _shape(w.shape),
                        "trainable": bool(w.trainable),
                        "dtype": str(w.dtype),
                    }
                    for w in layer.weights
                ],
            }
        )
    outputs = []
    for t in model.outputs:
        name, index = _origin(t)
        outputs.append({"name": name, "index": index, "shape": _shape(t.shape)})
    return {
        "name": model.name,
        "inputs": inputs,
        "layers": layers,
        "outputs": outputs,
        "total_params": int(model.count_params()),
        "trainable_params": _nparams(model.trainable_weights),
        "non_trainable_params": _nparams(model.non_trainable_weights),
        "weights_order": [w.path for w in model.weights],
    }


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def error_text(exc: BaseException) -> str:
    lines = [ln.strip() for ln in _ANSI.sub("", str(exc)).splitlines() if ln.strip()]
    text = lines[0] if lines else ""
    if text.startswith("Exception encountered when calling") and len(lines) > 1:
        text = f"{text} {lines[1]}"
    return f"{type(exc).__name__}: {text}"


def _run_once(model: Any) -> None:
    """Call the model on a batch of zeros (unknown dims -> 1 for batch, 3 otherwise)."""
    import numpy as np  # noqa: PLC0415

    data = []
    for t in model.inputs:
        shape = [(1 if i == 0 else 3) if d is None else int(d) for i, d in enumerate(t.shape)]
        data.append(np.zeros(shape, dtype=str(t.dtype)))
    model(data if len(data) > 1 else data[0])


def record(keras: Any, case: Case) -> dict[str, Any]:
    spec = case["spec"]
    expect = case["error"]
    keras.backend.clear_session()
    stage = "build"
    try:
        model = build_model(keras, copy.deepcopy(spec))
        if expect == "call":
            stage = "call"
            _run_once(model)
    except SystemExit:
        raise
    except Exception as exc:  # noqa: BLE001 - Keras raises many kinds
        if expect != stage:
            raise SystemExit(
                f"{case['id']}: Keras raised at {stage}, expected {expect or 'no error'}: {exc!r}"
            ) from exc
        return {"id": case["id"], "spec": spec, "error": error_text(exc), "error_stage": stage}
    if expect:
        raise SystemExit(f"{case['id']}: expected Keras to raise at {expect}, but it did not")
    return {"id": case["id"], "spec": spec, "expected": describe(model)}


def _is_flat(value: Any) -> bool:
    return isinstance(value, list) and all(
        v is None or isinstance(v, (bool, int, float)) for v in value
    )


def _encode(value: Any, level: int) -> str:
    pad, inner = " " * level, " " * (level + 1)
    if isinstance(value, dict) and value:
        # Insertion order, not sorted: the order of a spec's `inputs:` mapping
        # is the model's input order.
        items = [f"{inner}{json.dumps(k)}: {_encode(v, level + 1)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(value, list) and value and not _is_flat(value):
        items = [f"{inner}{_encode(v, level + 1)}" for v in value]
        return "[\n" + ",\n".join(items) + "\n" + pad + "]"
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def dump(doc: dict[str, Any]) -> str:
    """JSON with indent 1, keys in insertion order; lists of numbers (shapes) on one line."""
    text = _encode(doc, 0) + "\n"
    if json.loads(text) != doc:
        raise SystemExit("internal error: JSON encoding does not round-trip")
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--only", help="regex: record only matching case ids (prints, no write)")
    args = parser.parse_args(argv)

    warnings.filterwarnings("ignore")
    import keras  # noqa: PLC0415 - imported late so --help works without Keras

    cases = build_cases()
    ids = [c["id"] for c in cases]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise SystemExit(f"duplicate case ids: {dupes}")
    if args.only:
        cases = [c for c in cases if re.search(args.only, c["id"])]

    start = time.time()
    models = [record(keras, c) for c in cases]
    doc = {
        "keras_version": keras.__version__,
        "backend": keras.backend.backend(),
        "generated_by": "scripts/make_keras_golden.py",
        "models": models,
    }
    n_err = sum("error" in m for m in models)
    if args.only:
        sys.stdout.write(dump(doc))
    else:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(dump(doc), encoding="utf-8")
        print(f"wrote {args.out}", file=sys.stderr)
    print(
        f"{len(models)} models ({n_err} errors) in {time.time() - start:.1f}s "
        f"with keras {keras.__version__} / {keras.backend.backend()}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
