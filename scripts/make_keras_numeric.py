#!/usr/bin/env python3
"""Generate Keras 3 numeric golden fixtures for rnncalc's NumPy engine.

This script is NOT part of rnncalc and Keras is NOT a project dependency.  It
needs a separate virtualenv with real Keras 3 on the torch backend::

    python3 -m venv ~/kerasenv
    ~/kerasenv/bin/pip install torch==2.13.0 keras
    KERAS_BACKEND=torch ~/kerasenv/bin/python scripts/make_keras_numeric.py

(``--out DIR`` changes the output directory, ``--only ID`` regenerates a
subset, ``--list`` prints the model ids.)

For every model in ``CASES`` below it

1. translates the rnncalc canonical spec (a Python dict, the same structure as
   a YAML/JSON spec file: ``input``/``layers`` for Sequential models,
   ``inputs``/``layers``/``outputs`` for functional graphs) into a Keras model
   (``keras.backend.clear_session()`` first, so default layer names are what a
   fresh session assigns);
2. replaces every weight with ``rng.uniform(-0.5, 0.5)`` float32 values
   (``rng = np.random.default_rng(seed)``, ``seed`` = CRC32 of the model id;
   BatchNormalization ``moving_variance`` is drawn from uniform(0.5, 1.5)),
   except for models marked ``randomize=False`` (the seed notebook's
   ``Constant(0.1)`` BiLSTM), which keep their initializer values;
3. draws inputs from the same generator: float inputs uniform in [0, 1),
   token inputs int32 in [1, vocab) with some leading, middle and trailing
   zeros (padding for ``mask_zero=True``), and for ``Masking`` models whole
   timesteps equal to ``mask_value``;
4. calls the model in inference mode (``training=False``) and writes

   * ``<id>.weights.npz``: ``np.savez(path, *model.get_weights())``
     (keys ``arr_0..arr_{n-1}``, Keras ``get_weights()`` order) -- the
     ``--weights`` file format of ``rnncalc run``;
   * ``<id>.io.npz``: ``input/<input name>`` per model input and
     ``output/<k>`` per model output (float32);
   * one ``index.json`` describing every model (spec, inputs, outputs with
     the producing layer, ``weight_keys`` = ``[w.path for w in model.weights]``).

The script is deterministic: the same Keras/torch versions produce the same
arrays.  An ``.npz`` whose arrays are unchanged is not rewritten, so a re-run
leaves git clean.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import sys
import zlib
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "torch")

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "tests" / "golden" / "numeric"
ATOL = 1e-5

# --------------------------------------------------------------------------
# Spec helpers
# --------------------------------------------------------------------------


def L(type_name, **kwargs):  # noqa: N802 - reads like the spec
    """One layer entry ``{Type: {kwargs}}``."""
    return {type_name: kwargs}


def F(type_name, inputs=None, initial_state=None, **kwargs):  # noqa: N802
    """A functional layer entry with ``inputs:`` / ``initial_state:``."""
    entry = {type_name: kwargs}
    if inputs is not None:
        entry["inputs"] = inputs
    if initial_state is not None:
        entry["initial_state"] = initial_state
    return entry


def seq(shape, layers, dtype=None, batch_size=None):
    inp = {"shape": list(shape)}
    if dtype is not None:
        inp["dtype"] = dtype
    if batch_size is not None:
        inp["batch_size"] = batch_size
    return {"input": inp, "layers": list(layers)}


def fn(inputs, layers, outputs=None):
    spec = {"inputs": inputs, "layers": list(layers)}
    if outputs is not None:
        spec["outputs"] = list(outputs)
    return spec


CONST01 = {"Constant": {"value": 0.1}}
SEED_X = [
    [
        [0.1, 4.2, 1.5, 1.1, 2.8],
        [1.0, 3.1, 2.5, 0.7, 1.1],
        [0.3, 2.1, 1.5, 2.1, 0.1],
        [2.2, 1.4, 0.5, 0.9, 1.1],
    ]
]

# All activation names Keras 3 resolves by string and can call with defaults
# ("threshold" needs explicit threshold/default_value, so it has no string form
# usable in a layer).
ALL_ACTIVATIONS = [
    "celu", "elu", "exponential", "gelu", "glu", "hard_shrink", "hard_sigmoid",
    "hard_silu", "hard_swish", "hard_tanh", "leaky_relu", "linear", "log_sigmoid",
    "log_softmax", "mish", "relu", "relu6", "selu", "sigmoid", "silu",
    "soft_shrink", "softmax", "softplus", "softsign", "sparse_plus",
    "sparse_sigmoid", "sparsemax", "squareplus", "swish", "tanh", "tanh_shrink",
]

CASES: list[dict] = []


def case(id_, spec, *, batch=2, timesteps=5, randomize=True, data=None,
         all_masked_row=False, note=None):
    """Register a model.

    ``timesteps`` replaces unknown (``None``) dims at axis 1 of every input;
    ``data`` maps input name -> explicit array (no drawing);
    ``all_masked_row`` makes the last row of token/masking inputs fully padded.
    """
    assert all(c["id"] != id_ for c in CASES), id_
    CASES.append(dict(id=id_, spec=spec, batch=batch, timesteps=timesteps,
                      randomize=randomize, data=data,
                      all_masked_row=all_masked_row, note=note))


# --------------------------------------------------------------------------
# The models
# --------------------------------------------------------------------------

# ---- seed notebook BiLSTM: Constant(0.1) kernels, zero bias, fixed input ----
_seed_lstm = dict(units=3, kernel_initializer=CONST01, recurrent_initializer=CONST01,
                  bias_initializer="zeros")
case("seed_bilstm_const_seq_state",
     seq([4, 5], [L("Bidirectional", layer=L("LSTM", return_sequences=True,
                                             return_state=True, **_seed_lstm))]),
     batch=1, randomize=False, data={"input_layer": SEED_X},
     note="seed notebook BiLSTM, initializer weights, return_sequences+return_state")
case("seed_bilstm_const_last",
     seq([4, 5], [L("Bidirectional", layer=L("LSTM", **_seed_lstm))]),
     batch=1, randomize=False, data={"input_layer": SEED_X},
     note="seed notebook BiLSTM, return_sequences=False")
case("seed_bilstm_const_last_state",
     seq([4, 5], [L("Bidirectional", layer=L("LSTM", return_state=True, **_seed_lstm))]),
     batch=1, randomize=False, data={"input_layer": SEED_X},
     note="seed notebook BiLSTM, return_sequences=False, return_state=True")

# ---- SimpleRNN ----
case("simplernn_seq", seq([5, 4], [L("SimpleRNN", units=3, return_sequences=True)]))
case("simplernn_last", seq([6, 3], [L("SimpleRNN", units=4)]), batch=3)
case("simplernn_state_seq",
     seq([5, 4], [L("SimpleRNN", units=3, return_sequences=True, return_state=True)]))
case("simplernn_state_last", seq([4, 2], [L("SimpleRNN", units=5, return_state=True)]))
case("simplernn_backwards_seq",
     seq([5, 4], [L("SimpleRNN", units=3, return_sequences=True, go_backwards=True)]))
case("simplernn_backwards_last", seq([5, 4], [L("SimpleRNN", units=3, go_backwards=True)]))
case("simplernn_nobias_relu",
     seq([6, 3], [L("SimpleRNN", units=4, use_bias=False, activation="relu",
                    return_sequences=True)]))
case("simplernn_act_sigmoid_unroll",
     seq([4, 3], [L("SimpleRNN", units=3, activation="sigmoid", unroll=True,
                    return_sequences=True)]))
case("simplernn_act_linear", seq([5, 3], [L("SimpleRNN", units=3, activation="linear")]))
case("simplernn_act_elu_dropout",
     seq([5, 3], [L("SimpleRNN", units=4, activation="elu", dropout=0.4,
                    recurrent_dropout=0.3, return_sequences=True)]))
case("simplernn_act_gelu", seq([4, 3], [L("SimpleRNN", units=3, activation="gelu",
                                           return_sequences=True)]))
case("simplernn_stacked_none_time",
     seq([None, 4], [L("SimpleRNN", units=5, return_sequences=True),
                     L("SimpleRNN", units=3)]), timesteps=6)

# ---- LSTM ----
case("lstm_seq", seq([5, 4], [L("LSTM", units=3, return_sequences=True)]))
case("lstm_last", seq([6, 5], [L("LSTM", units=4)]), batch=3)
case("lstm_state_seq", seq([5, 4], [L("LSTM", units=3, return_sequences=True,
                                           return_state=True)]))
case("lstm_state_last", seq([4, 3], [L("LSTM", units=4, return_state=True)]))
case("lstm_backwards_seq", seq([5, 4], [L("LSTM", units=3, return_sequences=True,
                                               go_backwards=True)]))
case("lstm_backwards_state_last", seq([5, 4], [L("LSTM", units=3, go_backwards=True,
                                                      return_state=True)]))
case("lstm_nobias", seq([5, 3], [L("LSTM", units=3, use_bias=False, return_sequences=True)]))
case("lstm_no_unit_forget_bias_relu_hardsigmoid",
     seq([5, 3], [L("LSTM", units=4, unit_forget_bias=False, activation="relu",
                    recurrent_activation="hard_sigmoid", return_sequences=True)]))
case("lstm_act_softsign_sigmoid",
     seq([5, 3], [L("LSTM", units=3, activation="softsign", recurrent_activation="sigmoid")]))
case("lstm_act_selu_softplus",
     seq([4, 3], [L("LSTM", units=3, activation="selu", recurrent_activation="softplus",
                    return_sequences=True)]))
case("lstm_act_swish_linear",
     seq([4, 3], [L("LSTM", units=3, activation="swish", recurrent_activation="linear",
                    return_sequences=True)]))
case("lstm_act_exponential_silu",
     seq([4, 3], [L("LSTM", units=3, activation="exponential", recurrent_activation="silu",
                    return_sequences=True)]))
case("lstm_dropout", seq([5, 4], [L("LSTM", units=4, dropout=0.5, recurrent_dropout=0.5,
                                         return_sequences=True)]))
case("lstm_unroll", seq([4, 3], [L("LSTM", units=3, unroll=True, return_state=True)]))
case("lstm_stacked", seq([None, 4], [L("LSTM", units=5, return_sequences=True),
                                     L("LSTM", units=3, return_sequences=True),
                                     L("LSTM", units=2)]), timesteps=7)

# ---- GRU ----
case("gru_seq", seq([5, 4], [L("GRU", units=3, return_sequences=True)]))
case("gru_last", seq([6, 5], [L("GRU", units=4)]), batch=3)
case("gru_reset_before_seq", seq([5, 4], [L("GRU", units=3, reset_after=False,
                                                 return_sequences=True)]))
case("gru_reset_before_last_state", seq([5, 4], [L("GRU", units=3, reset_after=False,
                                                        return_state=True)]))
case("gru_reset_before_nobias", seq([5, 3], [L("GRU", units=4, reset_after=False,
                                                    use_bias=False, return_sequences=True)]))
case("gru_nobias", seq([5, 3], [L("GRU", units=4, use_bias=False, return_sequences=True)]))
case("gru_state_seq", seq([5, 4], [L("GRU", units=3, return_sequences=True,
                                          return_state=True)]))
case("gru_backwards_seq", seq([5, 4], [L("GRU", units=3, go_backwards=True,
                                              return_sequences=True)]))
case("gru_reset_before_backwards_last",
     seq([5, 4], [L("GRU", units=3, reset_after=False, go_backwards=True)]))
case("gru_act_elu_softsign",
     seq([5, 3], [L("GRU", units=3, activation="elu", recurrent_activation="softsign",
                    return_sequences=True)]))
case("gru_reset_before_act_relu_hardsigmoid",
     seq([5, 3], [L("GRU", units=3, reset_after=False, activation="relu",
                    recurrent_activation="hard_sigmoid", return_sequences=True)]))
case("gru_dropout_unroll", seq([4, 3], [L("GRU", units=3, dropout=0.3, recurrent_dropout=0.3,
                                               unroll=True, return_sequences=True)]))

# ---- Bidirectional: merge modes x return_sequences x return_state ----
for mode in ["concat", "sum", "mul", "ave", None]:
    tag = mode or "none"
    case(f"bilstm_{tag}_seq",
         seq([5, 3], [L("Bidirectional", layer=L("LSTM", units=3, return_sequences=True),
                        merge_mode=mode)]))
    case(f"bigru_{tag}_last",
         seq([5, 3], [L("Bidirectional", layer=L("GRU", units=3), merge_mode=mode)]))
case("bisimplernn_concat_seq_state",
     seq([5, 3], [L("Bidirectional", layer=L("SimpleRNN", units=3, return_sequences=True,
                                             return_state=True))]))
case("bilstm_none_last_state",
     seq([4, 3], [L("Bidirectional", layer=L("LSTM", units=2, return_state=True),
                    merge_mode=None)]))
case("bigru_reset_before_sum_seq_state",
     seq([4, 3], [L("Bidirectional", layer=L("GRU", units=3, reset_after=False,
                                             return_sequences=True, return_state=True),
                    merge_mode="sum")]))
case("bilstm_backward_layer_concat_seq",
     seq([5, 3], [L("Bidirectional",
                    layer=L("LSTM", units=3, return_sequences=True),
                    backward_layer=L("LSTM", units=2, return_sequences=True,
                                     go_backwards=True, activation="relu"))]),
     note="explicit backward_layer with different units and activation")
case("bigru_backward_layer_ave_last",
     seq([5, 3], [L("Bidirectional",
                    layer=L("GRU", units=3),
                    backward_layer=L("GRU", units=3, go_backwards=True, reset_after=False),
                    merge_mode="ave")]))
# ---- initial_state (functional) ----
case("simplernn_initial_state_from_encoder",
     fn({"enc": {"shape": [None, 4]}, "dec": {"shape": [None, 3]}},
        [F("SimpleRNN", inputs="enc", units=4, return_state=True, name="encoder"),
         F("SimpleRNN", inputs="dec", initial_state=["encoder[1]"], units=4,
           return_sequences=True, name="decoder")],
        outputs=["decoder"]), timesteps=5)
case("lstm_initial_state_inputs",
     fn({"x": {"shape": [5, 3]}, "h0": {"shape": [4]}, "c0": {"shape": [4]}},
        [F("LSTM", inputs="x", initial_state=["h0", "c0"], units=4,
           return_sequences=True, return_state=True, name="lstm")],
        outputs=["lstm[0]", "lstm[1]", "lstm[2]"]))
case("gru_initial_state_inputs",
     fn({"x": {"shape": [5, 3]}, "h0": {"shape": [3]}},
        [F("GRU", inputs="x", initial_state=["h0"], units=3, return_sequences=True)]))
case("gru_reset_before_initial_state_backwards",
     fn({"x": {"shape": [5, 3]}, "h0": {"shape": [3]}},
        [F("GRU", inputs="x", initial_state=["h0"], units=3, reset_after=False,
           go_backwards=True)]))
case("seq2seq_lstm",
     fn({"encoder_inputs": {"shape": [None, 6]}, "decoder_inputs": {"shape": [None, 5]}},
        [F("LSTM", inputs="encoder_inputs", units=8, return_state=True, name="encoder"),
         F("LSTM", inputs="decoder_inputs", initial_state=["encoder[1]", "encoder[2]"],
           units=8, return_sequences=True, return_state=True, name="decoder"),
         F("Dense", inputs="decoder[0]", units=5, activation="softmax",
           name="decoder_dense")],
        outputs=["decoder_dense", "decoder[1]", "decoder[2]"]), timesteps=6)
case("bilstm_initial_state_from_encoder",
     fn({"enc": {"shape": [None, 4]}, "dec": {"shape": [None, 3]}},
        [F("Bidirectional", inputs="enc", name="encoder",
           layer=L("LSTM", units=3, return_state=True)),
         F("Bidirectional", inputs="dec", name="decoder",
           initial_state=["encoder[1]", "encoder[2]", "encoder[3]", "encoder[4]"],
           layer=L("LSTM", units=3, return_sequences=True))],
        outputs=["encoder[0]", "decoder"]), timesteps=5)
case("bigru_initial_state_inputs",
     fn({"x": {"shape": [4, 3]}, "hf": {"shape": [2]}, "hb": {"shape": [2]}},
        [F("Bidirectional", inputs="x", initial_state=["hf", "hb"], merge_mode="sum",
           layer=L("GRU", units=2, return_sequences=True))]))

# ---- Embedding / masking ----
case("embedding_only", seq([6], [L("Embedding", input_dim=12, output_dim=4)], dtype="int32"))
case("embedding_mask_flatten_free_dense",
     seq([5], [L("Embedding", input_dim=10, output_dim=3, mask_zero=True),
               L("Dense", units=2)], dtype="int32"),
     note="mask_zero does not change Embedding/Dense values")
for kind, extra in [("lstm", {}), ("gru", {}), ("gru_reset_before", {"reset_after": False}),
                    ("simplernn", {})]:
    cls = {"lstm": "LSTM", "simplernn": "SimpleRNN"}.get(kind, "GRU")
    case(f"embedding_mask_{kind}_seq",
         seq([7], [L("Embedding", input_dim=15, output_dim=4, mask_zero=True),
                   L(cls, units=3, return_sequences=True, **extra)], dtype="int32"),
         batch=3, timesteps=7)
    case(f"embedding_mask_{kind}_last_state",
         seq([7], [L("Embedding", input_dim=15, output_dim=4, mask_zero=True),
                   L(cls, units=3, return_state=True, **extra)], dtype="int32"),
         batch=3)
case("embedding_mask_lstm_backwards_seq",
     seq([7], [L("Embedding", input_dim=15, output_dim=4, mask_zero=True),
               L("LSTM", units=3, return_sequences=True, go_backwards=True)], dtype="int32"),
     batch=3)
case("embedding_mask_gru_backwards_last",
     seq([7], [L("Embedding", input_dim=15, output_dim=4, mask_zero=True),
               L("GRU", units=3, go_backwards=True)], dtype="int32"), batch=3)
case("embedding_mask_bilstm_concat_seq",
     seq([7], [L("Embedding", input_dim=15, output_dim=4, mask_zero=True),
               L("Bidirectional", layer=L("LSTM", units=3, return_sequences=True))],
         dtype="int32"), batch=3)
case("embedding_mask_bilstm_concat_last_state",
     seq([7], [L("Embedding", input_dim=15, output_dim=4, mask_zero=True),
               L("Bidirectional", layer=L("LSTM", units=3, return_state=True))],
         dtype="int32"), batch=3)
case("embedding_mask_bigru_sum_last",
     seq([7], [L("Embedding", input_dim=15, output_dim=4, mask_zero=True),
               L("Bidirectional", layer=L("GRU", units=3), merge_mode="sum")],
         dtype="int32"), batch=3)
case("embedding_mask_bisimplernn_none_seq",
     seq([6], [L("Embedding", input_dim=15, output_dim=4, mask_zero=True),
               L("Bidirectional", layer=L("SimpleRNN", units=3, return_sequences=True),
                 merge_mode=None)], dtype="int32"), batch=3)
case("embedding_mask_lstm_fully_masked_row",
     seq([6], [L("Embedding", input_dim=15, output_dim=4, mask_zero=True),
               L("LSTM", units=3, return_sequences=True, return_state=True)],
         dtype="int32"), batch=3, all_masked_row=True,
     note="last batch row is all padding")
case("embedding_mask_timedistributed_dense_lstm",
     seq([6], [L("Embedding", input_dim=15, output_dim=4, mask_zero=True),
               L("TimeDistributed", layer=L("Dense", units=3, activation="tanh")),
               L("LSTM", units=3, return_sequences=True)], dtype="int32"), batch=3,
     note="does the mask survive TimeDistributed(Dense)?")
case("embedding_mask_dense_dropout_gru",
     seq([6], [L("Embedding", input_dim=15, output_dim=4, mask_zero=True),
               L("Dense", units=3),
               L("Dropout", rate=0.5),
               L("SpatialDropout1D", rate=0.3),
               L("GRU", units=3, return_sequences=True)], dtype="int32"), batch=3,
     note="does the mask survive Dense/Dropout/SpatialDropout1D?")
case("embedding_mask_lstm_stacked",
     seq([6], [L("Embedding", input_dim=15, output_dim=4, mask_zero=True),
               L("LSTM", units=3, return_sequences=True),
               L("LSTM", units=2)], dtype="int32"), batch=3,
     note="mask propagates from the first LSTM (return_sequences) to the second")
case("embedding_mask_global_average_pooling",
     fn({"tokens": {"shape": [6], "dtype": "int32"}},
        [F("Embedding", inputs="tokens", input_dim=15, output_dim=3, mask_zero=True,
           name="emb"),
         F("GlobalAveragePooling1D", inputs="emb", name="gap"),
         F("GlobalMaxPooling1D", inputs="emb", name="gmp"),
         F("GlobalAveragePooling1D", inputs="emb", keepdims=True, name="gap_keep")],
        outputs=["gap", "gmp", "gap_keep"]), batch=3)
case("masking_lstm_seq",
     seq([6, 3], [L("Masking", mask_value=0.0), L("LSTM", units=3, return_sequences=True)]),
     batch=3)
case("masking_gru_last",
     seq([6, 3], [L("Masking"), L("GRU", units=3)]), batch=3)
case("masking_value_simplernn_seq_state",
     seq([6, 3], [L("Masking", mask_value=-1.0),
                  L("SimpleRNN", units=3, return_sequences=True, return_state=True)]),
     batch=3)
case("masking_bilstm_ave_seq",
     seq([6, 3], [L("Masking", mask_value=0.5),
                  L("Bidirectional", layer=L("LSTM", units=2, return_sequences=True),
                    merge_mode="ave")]), batch=3)
case("masking_bigru_concat_last",
     seq([6, 3], [L("Masking"), L("Bidirectional", layer=L("GRU", units=2))]), batch=3)
case("masking_only", seq([5, 3], [L("Masking", mask_value=0.0)]), batch=3,
     note="Masking zeroes masked timesteps in its output")

# ---- application models ----
case("sentiment",
     seq([7], [L("Embedding", input_dim=20, output_dim=6, mask_zero=True),
               L("LSTM", units=8),
               L("Dropout", rate=0.5),
               L("Dense", units=1, activation="sigmoid")], dtype="int32"), batch=3)
case("stacked_bilstm_tagger",
     seq([7], [L("Embedding", input_dim=20, output_dim=5, mask_zero=True),
               L("Bidirectional", layer=L("LSTM", units=4, return_sequences=True)),
               L("Bidirectional", layer=L("LSTM", units=3, return_sequences=True)),
               L("TimeDistributed", layer=L("Dense", units=5, activation="softmax"))],
         dtype="int32"), batch=3)
case("cnn_lstm",
     seq([7, 4], [L("Conv1D", filters=4, kernel_size=3, padding="same", activation="relu"),
                  L("MaxPooling1D", pool_size=2),
                  L("LSTM", units=3),
                  L("Dense", units=2, activation="softmax")]))
case("repeatvector_autoencoder",
     seq([5, 3], [L("LSTM", units=4),
                  L("RepeatVector", n=5),
                  L("LSTM", units=4, return_sequences=True),
                  L("TimeDistributed", layer=L("Dense", units=3))]))

# ---- Dense / core layers ----
case("dense_rank2", seq([6], [L("Dense", units=4, activation="relu"),
                              L("Dense", units=2, use_bias=False)]), batch=3)
case("dense_rank3", seq([4, 5], [L("Dense", units=3, activation="tanh")]))
case("dense_rank4", seq([2, 3, 4], [L("Dense", units=3)]))
case("timedistributed_dense", seq([5, 4], [L("TimeDistributed",
                                               layer=L("Dense", units=3, activation="relu"))]))
case("dropout_spatialdropout_identity",
     seq([5, 4], [L("Dropout", rate=0.5), L("SpatialDropout1D", rate=0.5),
                  L("Dense", units=2)]))
case("flatten_reshape_permute",
     seq([4, 3], [L("Permute", dims=[2, 1]), L("Reshape", target_shape=[2, 6]),
                  L("Flatten"), L("Dense", units=3)]))
case("reshape_minus1", seq([6], [L("Reshape", target_shape=[-1, 2]),
                                 L("SimpleRNN", units=2)]))
for i in range(0, len(ALL_ACTIVATIONS), 8):
    group = ALL_ACTIVATIONS[i:i + 8]
    case(f"dense_activations_{i // 8}",
         fn({"x": {"shape": [5]}},
            [F("Dense", inputs="x", units=4, activation=a, name=f"dense_{a}")
             for a in group],
            outputs=[f"dense_{a}" for a in group]), batch=3)
    case(f"activation_layers_{i // 8}",
         fn({"x": {"shape": [3, 4]}},
            [F("Dense", inputs="x", units=6, name="pre")]
            + [F("Activation", inputs="pre", activation=a, name=f"act_{a}") for a in group],
            outputs=[f"act_{a}" for a in group]),
         batch=2, timesteps=3)

# ---- normalization ----
case("layernorm_default", seq([4, 6], [L("LayerNormalization")]))
case("layernorm_axes_eps",
     seq([4, 3], [L("LayerNormalization", axis=[1, 2], epsilon=0.1)]))
case("layernorm_no_center_scale",
     seq([4, 3], [L("LayerNormalization", center=False, scale=False)]))
# (axis=1 alone on a rank-3 input crashes Keras 3.15's torch fast path; a
# non-contiguous axis list takes the generic path)
case("layernorm_axes_1_3_rank4",
     seq([2, 3, 4], [L("LayerNormalization", axis=[1, 3], epsilon=0.01)]))
case("layernorm_scale_only", seq([5], [L("LayerNormalization", center=False)]), batch=3)
case("batchnorm_default", seq([4, 3], [L("BatchNormalization")]))
case("batchnorm_no_center_scale_eps",
     seq([4, 3], [L("BatchNormalization", center=False, scale=False, epsilon=0.01)]))
case("batchnorm_axis1_rank2", seq([5], [L("BatchNormalization", axis=1, momentum=0.9)]),
     batch=3)
case("batchnorm_axis1_rank3", seq([4, 3], [L("BatchNormalization", axis=1)]))

# ---- Conv1D ----
case("conv1d_valid", seq([7, 3], [L("Conv1D", filters=4, kernel_size=3)]))
case("conv1d_same_even_kernel", seq([6, 3], [L("Conv1D", filters=2, kernel_size=4,
                                                      padding="same")]))
case("conv1d_same_stride2", seq([7, 3], [L("Conv1D", filters=3, kernel_size=3, strides=2,
                                                  padding="same")]))
case("conv1d_causal_dilation2",
     seq([7, 2], [L("Conv1D", filters=3, kernel_size=3, padding="causal", dilation_rate=2)]))
case("conv1d_causal_stride2", seq([7, 2], [L("Conv1D", filters=2, kernel_size=2,
                                                    padding="causal", strides=2)]))
case("conv1d_valid_stride2_dilation",
     seq([7, 2], [L("Conv1D", filters=2, kernel_size=2, strides=1, dilation_rate=3)]))
case("conv1d_groups_nobias_relu",
     seq([6, 4], [L("Conv1D", filters=6, kernel_size=2, groups=2, use_bias=False,
                    activation="relu")]))
case("conv1d_same_dilation_tanh",
     seq([6, 2], [L("Conv1D", filters=2, kernel_size=3, padding="same", dilation_rate=2,
                    activation="tanh")]))

# ---- pooling ----
AVG_QUIRK = ("Keras 3 torch backend: when 'same' padding is asymmetric (odd total) it pads "
             "by edge replication and the replicated values count in the divisor; with "
             "symmetric padding the padded positions are excluded (TF/JAX always exclude)")
case("maxpool_valid", seq([7, 3], [L("MaxPooling1D")]))
case("maxpool_same_pool3_stride2", seq([7, 3], [L("MaxPooling1D", pool_size=3, strides=2,
                                                         padding="same")]))
case("maxpool_same_pool2_stride1", seq([5, 2], [L("MaxPooling1D", pool_size=2, strides=1,
                                                         padding="same")]))
case("avgpool_valid_stride1", seq([6, 3], [L("AveragePooling1D", pool_size=3, strides=1)]))
case("avgpool_same_pool3_stride2", seq([7, 3], [L("AveragePooling1D", pool_size=3, strides=2,
                                                         padding="same")]))
case("avgpool_same_pool2_stride1", seq([5, 2], [L("AveragePooling1D", pool_size=2, strides=1,
                                                         padding="same")]), note=AVG_QUIRK)
case("avgpool_same_pool4", seq([7, 2], [L("AveragePooling1D", pool_size=4,
                                                 padding="same")]), note=AVG_QUIRK)
case("avgpool_same_pool4_stride1_t6",
     seq([6, 2], [L("AveragePooling1D", pool_size=4, strides=1, padding="same")]),
     note=AVG_QUIRK)
case("global_pooling",
     fn({"x": {"shape": [5, 3]}},
        [F("GlobalMaxPooling1D", inputs="x", name="gmp"),
         F("GlobalAveragePooling1D", inputs="x", name="gap"),
         F("GlobalMaxPooling1D", inputs="x", keepdims=True, name="gmp_keep"),
         F("GlobalAveragePooling1D", inputs="x", keepdims=True, name="gap_keep")]))

# ---- merges ----
case("merge_layers",
     fn({"a": {"shape": [4, 3]}, "b": {"shape": [4, 3]}, "c": {"shape": [4, 3]}},
        [F("Add", inputs=["a", "b", "c"], name="add"),
         F("Subtract", inputs=["a", "b"], name="subtract"),
         F("Multiply", inputs=["a", "b", "c"], name="multiply"),
         F("Average", inputs=["a", "b"], name="average"),
         F("Concatenate", inputs=["a", "b"], name="concat_last"),
         F("Concatenate", inputs=["a", "c"], axis=1, name="concat_time")],
        outputs=["add", "subtract", "multiply", "average", "concat_last", "concat_time"]))
case("merge_lstm_branches",
     fn({"x": {"shape": [5, 3]}},
        [F("LSTM", inputs="x", units=3, return_sequences=True, return_state=True, name="l1"),
         F("GRU", inputs="x", units=3, return_sequences=True, name="g1"),
         F("Concatenate", inputs=["l1[0]", "g1"], axis=-1, name="cat"),
         F("Add", inputs=["l1[1]", "l1[2]"], name="hc"),
         F("Dense", inputs="cat", units=2, name="head")],
        outputs=["head", "hc"]))


# --------------------------------------------------------------------------
# Spec -> Keras translation
# --------------------------------------------------------------------------

RESERVED = {"inputs", "initial_state"}


def _type_and_kwargs(entry):
    keys = [k for k in entry if k not in RESERVED]
    assert len(keys) == 1, entry
    return keys[0], dict(entry[keys[0]] or {})


def _initializer(keras, value):
    if isinstance(value, dict):
        (name, cfg), = value.items()
        return getattr(keras.initializers, name)(**cfg)
    return value


def build_layer(keras, entry):
    type_name, kwargs = _type_and_kwargs(entry)
    for key, value in list(kwargs.items()):
        if key.endswith("_initializer"):
            kwargs[key] = _initializer(keras, value)
        elif key in ("layer", "backward_layer"):
            kwargs[key] = build_layer(keras, value)
        elif isinstance(value, list) and key in ("target_shape", "dims", "axis"):
            kwargs[key] = tuple(value) if key != "axis" else list(value)
    return getattr(keras.layers, type_name)(**kwargs)


def _parse_ref(ref):
    if ref.endswith("]"):
        name, idx = ref[:-1].split("[")
        return name, int(idx)
    return ref, None


def build_model(keras, spec):
    keras.backend.clear_session()
    if "input" in spec:  # Sequential
        inp = spec["input"]
        layers = [build_layer(keras, e) for e in spec["layers"]]
        return keras.Sequential([keras.Input(shape=tuple(inp["shape"]),
                                             batch_size=inp.get("batch_size"),
                                             dtype=inp.get("dtype", "float32")),
                                 *layers])
    tensors = {}
    model_inputs = []
    for name, inp in spec["inputs"].items():
        t = keras.Input(shape=tuple(inp["shape"]), batch_size=inp.get("batch_size"),
                        dtype=inp.get("dtype", "float32"), name=name)
        tensors[name] = [t]
        model_inputs.append(t)

    def resolve(ref):
        name, idx = _parse_ref(ref)
        return tensors[name][idx or 0]

    prev = None
    for entry in spec["layers"]:
        layer = build_layer(keras, entry)
        if "inputs" in entry:
            src = entry["inputs"]
            x = [resolve(r) for r in src] if isinstance(src, list) else resolve(src)
        else:
            x = tensors[prev][0]
        call_kwargs = {}
        if "initial_state" in entry:
            call_kwargs["initial_state"] = [resolve(r) for r in entry["initial_state"]]
        out = layer(x, **call_kwargs)
        tensors[layer.name] = list(out) if isinstance(out, (list, tuple)) else [out]
        prev = layer.name
    if "outputs" in spec:
        outs = []
        for ref in spec["outputs"]:
            name, idx = _parse_ref(ref)
            outs.extend(tensors[name] if idx is None else [tensors[name][idx]])
    else:
        outs = tensors[prev]
    return keras.Model(model_inputs, outs if len(outs) > 1 else outs[0])


# --------------------------------------------------------------------------
# Inputs and weights
# --------------------------------------------------------------------------


def _walk_layers(entries):
    for e in entries:
        t, kw = _type_and_kwargs(e)
        yield t, kw
        for key in ("layer", "backward_layer"):
            if key in kw:
                yield from _walk_layers([kw[key]])


def _vocab(spec):
    dims = [kw["input_dim"] for t, kw in _walk_layers(spec["layers"]) if t == "Embedding"]
    return min(dims) if dims else 10


def _mask_value(spec):
    for t, kw in _walk_layers(spec["layers"]):
        if t == "Masking":
            return float(kw.get("mask_value", 0.0))
    return None


def _pad_rows(arr, value, all_masked_row):
    """Put padding (`value`) at trailing, leading and middle timesteps (axis 1)."""
    b, t = arr.shape[0], arr.shape[1]
    arr[0, t - 2:] = value                 # row 0: two trailing
    if b > 1:
        arr[1, 0] = value                  # row 1: leading + middle
        arr[1, t // 2] = value
    if b > 2:
        arr[2, 1] = value                  # row 2: second + last
        arr[2, t - 1] = value
    if all_masked_row:
        arr[b - 1] = value
    return arr


def draw_inputs(c, model, rng):
    spec = c["spec"]
    specs = ({"input_layer": spec["input"]} if "input" in spec else spec["inputs"])
    mask_value = _mask_value(spec)
    out = {}
    for t in model.inputs:
        name = t._keras_history.operation.name
        ispec = specs["input_layer" if "input" in spec else name]
        if c["data"] is not None and name in c["data"]:
            out[name] = np.asarray(c["data"][name], dtype=ispec.get("dtype", "float32"))
            continue
        shape = [c["batch"]] + [c["timesteps"] if d is None else d for d in ispec["shape"]]
        if ispec.get("dtype", "float32").startswith("int"):
            arr = rng.integers(1, _vocab(spec), size=shape).astype(np.int32)
            if len(shape) >= 2:
                _pad_rows(arr, 0, c["all_masked_row"])
        else:
            arr = rng.uniform(0.0, 1.0, size=shape).astype(np.float32)
            if mask_value is not None and len(shape) >= 3:
                _pad_rows(arr, mask_value, c["all_masked_row"])
                if shape[0] > 2:  # a step where only some features equal mask_value
                    arr[2, shape[1] // 2, 0] = mask_value
        out[name] = arr
    return out


def randomize_weights(model, rng):
    new = []
    for w in model.weights:
        shape = tuple(w.shape)
        if w.path.endswith("moving_variance"):
            new.append(rng.uniform(0.5, 1.5, size=shape).astype(np.float32))
        else:
            new.append(rng.uniform(-0.5, 0.5, size=shape).astype(np.float32))
    model.set_weights(new)


# --------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------


def _same_npz(path, arrays):
    if not path.exists():
        return False
    with np.load(path) as old:
        if sorted(old.files) != sorted(arrays):
            return False
        return all(old[k].dtype == arrays[k].dtype and old[k].shape == arrays[k].shape
                   and np.array_equal(old[k], arrays[k]) for k in arrays)


def save_npz(path, arrays):
    """np.savez(path, **arrays), skipped when the content is unchanged."""
    if _same_npz(path, arrays):
        return
    np.savez(path, **arrays)


def run_case(keras, c, out_dir):
    import torch

    seed = zlib.crc32(c["id"].encode()) & 0xFFFFFFFF
    keras.utils.set_random_seed(seed % (2**31))
    rng = np.random.default_rng(seed)
    model = build_model(keras, c["spec"])
    if c["randomize"]:
        randomize_weights(model, rng)
    inputs = draw_inputs(c, model, rng)
    names = [t._keras_history.operation.name for t in model.inputs]
    feed = [inputs[n] for n in names]
    with torch.no_grad():
        sequential = isinstance(model, keras.Sequential)
        result = model(feed[0] if sequential else feed, training=False)
    if not isinstance(result, (list, tuple)):
        result = [result]
    result = [np.asarray(keras.ops.convert_to_numpy(r), dtype=np.float32) for r in result]

    weights = model.get_weights()
    # exactly what users write: np.savez(path, *model.get_weights())
    save_npz(out_dir / f"{c['id']}.weights.npz",
             {f"arr_{i}": w for i, w in enumerate(weights)})
    io = {f"input/{n}": inputs[n] for n in names}
    io.update({f"output/{k}": r for k, r in enumerate(result)})
    save_npz(out_dir / f"{c['id']}.io.npz", io)

    outputs = []
    for k, (t, r) in enumerate(zip(model.outputs, result, strict=True)):
        hist = t._keras_history
        outputs.append({"index": k, "layer": hist.operation.name,
                        "layer_output_index": hist.tensor_index,
                        "shape": list(r.shape)})
    entry = {
        "id": c["id"],
        "spec": c["spec"],
        "seed": seed,
        "random_weights": c["randomize"],
        "inputs": [{"name": n, "shape": list(inputs[n].shape),
                    "dtype": str(inputs[n].dtype)} for n in names],
        "outputs": outputs,
        "weight_keys": [w.path for w in model.weights],
        "weight_shapes": [list(w.shape) for w in weights],
    }
    if c["note"]:
        entry["note"] = c["note"]
    return entry


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--only", action="append", default=[], help="model id (repeatable)")
    ap.add_argument("--list", action="store_true")
    args = ap.parse_args(argv)
    if args.list:
        print("\n".join(c["id"] for c in CASES))
        return 0

    import keras
    import torch

    torch.set_num_threads(1)
    if keras.backend.backend() != "torch":
        sys.exit("error: run with KERAS_BACKEND=torch")
    out_dir = args.out
    out_dir.mkdir(parents=True, exist_ok=True)
    index_path = out_dir / "index.json"
    old = {}
    if args.only and index_path.exists():
        old = {m["id"]: m for m in json.loads(index_path.read_text())["models"]}
    models = []
    for c in CASES:
        if args.only and c["id"] not in args.only:
            if c["id"] in old:
                models.append(old[c["id"]])
            continue
        models.append(run_case(keras, copy.deepcopy(c), out_dir))
        print(f"{c['id']}: ok", file=sys.stderr)
    index = {
        "keras_version": keras.__version__,
        "backend": keras.backend.backend(),
        "torch_version": torch.__version__.split("+")[0],
        "generated_by": "scripts/make_keras_numeric.py",
        "atol": ATOL,
        "models": models,
    }
    index_path.write_text(json.dumps(index, indent=1, sort_keys=True) + "\n")
    print(f"{len(models)} models -> {out_dir}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
