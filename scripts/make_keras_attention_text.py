#!/usr/bin/env python3
"""Write tests/golden/keras_attention_text.json from real Keras 3.

Why: rnncalc promises Keras-3-exact shapes, names, counts and inference numerics for
the attention layers (Attention, AdditiveAttention, MultiHeadAttention) and the text
and feature front ends (TextVectorization, StringLookup, IntegerLookup, Hashing,
CategoryEncoding, Normalization). Keras itself is the oracle: this script builds
every case below with real Keras, records what Keras reports (the summary of every
case, and for numeric cases the inputs, the weights in ``get_weights()`` order and
the outputs), and the tests compare rnncalc against the recording without Keras.

Keras' text layers run on TensorFlow string ops, so this script needs TensorFlow
(any Keras backend would need it for these layers; the TensorFlow backend is used)::

    python3 -m venv ~/tfenv
    ~/tfenv/bin/pip install tensorflow-cpu keras pyyaml
    ~/tfenv/bin/python scripts/make_keras_attention_text.py

Cases are specs in rnncalc's canonical form, built by the shared
``scripts/keras_builder.py`` (call arguments beside ``inputs:``, MultiHeadAttention
called as ``mha(query, value, key)``, the list attentions as ``layer([q, v, k])``).
They live here rather than in ``scripts/cases/`` because Keras' text layers need the
TensorFlow backend, while the shared generators run on torch. Numeric cases get
every float weight redrawn (normal, σ 0.5; variances uniform in [0.5, 2]) so biases
and scales are exercised, and inputs either given in the case or drawn from a fixed
seed.
"""

from __future__ import annotations

import argparse
import copy
import os
import re
import sys
import time
import warnings
from pathlib import Path
from typing import Any

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import keras_builder as kb  # noqa: E402  (after the backend is chosen)

REPO = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO / "tests" / "golden" / "keras_attention_text.json"

Spec = dict[str, Any]

TEXTS = ["The cat sat on the mat.", "a dog, THE dog!", "", "  cat\tsat  \n the  ",
         "Ünïcode Cat — sat", "it's the cat's hat", "sat sat sat cat", "x"]
WORDS = ["cat", "sat", "the", "mat", "dog", "hat"]


def entry(kind: str, inputs: Any = None, **kwargs: Any) -> Spec:
    """A functional layer entry; keys starting ``call_`` become call arguments."""
    out: Spec = {kind: {k: v for k, v in kwargs.items() if not k.startswith("call_")}}
    if inputs is not None:
        out["inputs"] = inputs
    for k, v in kwargs.items():
        if k.startswith("call_"):
            out[k[5:]] = v
    return out


def fn(inputs: dict[str, Spec], layers: list[Spec], outputs: list[str] | None = None) -> Spec:
    spec: Spec = {"inputs": inputs, "layers": layers}
    if outputs is not None:
        spec["outputs"] = outputs
    return spec


def case(cid: str, spec: Spec, *, numeric: bool = False, data: dict[str, Any] | None = None,
         error: str | None = None, t: int = 5) -> dict[str, Any]:
    return {"id": cid, "spec": spec, "numeric": numeric, "data": data or {}, "error": error,
            "t": t}


def build_cases() -> list[dict[str, Any]]:  # noqa: PLR0915 - one flat list of cases
    cases = []
    qv = {"q": {"shape": [5, 16]}, "v": {"shape": [7, 16]}}
    qvk = {**qv, "k": {"shape": [7, 16]}}
    self_in = {"x": {"shape": [6, 16]}}
    tokens = {"ids": {"shape": [6], "dtype": "int32"}}
    tok_data = {"ids": [[3, 5, 2, 0, 0, 0], [7, 1, 4, 9, 2, 6], [1, 0, 0, 0, 0, 0]]}
    masked_q = [[[0.0] * 16 if t >= 3 else [0.1 * (t + 1) + 0.01 * d for d in range(16)]
                 for t in range(5)]] * 2
    masked_v = [[[0.0] * 16 if t in (2, 5, 6) else [0.2 - 0.03 * t + 0.02 * d for d in range(16)]
                 for t in range(7)]] * 2

    # -- Attention and AdditiveAttention ------------------------------------------------
    for kind, variants in (("Attention", [
            ("dot", {}), ("scale", {"use_scale": True}), ("concat", {"score_mode": "concat"}),
            ("concat_scale", {"score_mode": "concat", "use_scale": True}),
            ("dropout", {"dropout": 0.5})]),
            ("AdditiveAttention", [("default", {}), ("no_scale", {"use_scale": False}),
                                   ("dropout", {"dropout": 0.3})])):
        low = "att" if kind == "Attention" else "additive"
        snake = "attention" if kind == "Attention" else "additive_attention"
        for name, kw in variants:
            cases.append(case(f"{low}_{name}_qv", fn(qv, [entry(kind, ["q", "v"], **kw)]),
                              numeric=True))
        cases.append(case(f"{low}_qvk", fn(qvk, [entry(kind, ["q", "v", "k"])]), numeric=True))
        cases.append(case(f"{low}_scores", fn(qv, [entry(
            kind, ["q", "v"], call_return_attention_scores=True)]), numeric=True))
        square = {"q": {"shape": [6, 8]}, "v": {"shape": [6, 8]}}
        cases.append(case(f"{low}_causal", fn(square, [
            entry(kind, ["q", "v"], call_use_causal_mask=True)]), numeric=True))
        cases.append(case(f"{low}_causal_scores", fn(
            {"q": {"shape": [6, 8]}, "v": {"shape": [6, 8]}},
            [entry(kind, ["q", "v"], call_use_causal_mask=True,
                   call_return_attention_scores=True)]), numeric=True))
        cases.append(case(f"{low}_masking", fn(qv, [
            entry("Masking", "q", name="mq"), entry("Masking", "v", name="mv"),
            entry(kind, ["mq", "mv"], call_return_attention_scores=True)]),
            numeric=True, data={"q": masked_q, "v": masked_v}))
        cases.append(case(f"{low}_embedding_mask", fn(tokens, [
            entry("Embedding", "ids", input_dim=10, output_dim=8, mask_zero=True),
            entry(kind, ["embedding", "embedding"], call_use_causal_mask=True),
            entry("GlobalAveragePooling1D"), entry("Dense", None, units=2)]),
            numeric=True, data=tok_data))
        cases.append(case(f"{low}_unknown_time", fn(
            {"q": {"shape": [None, 16]}, "v": {"shape": [None, 16]}},
            [entry(kind, ["q", "v"], call_return_attention_scores=True)])))
        cases.append(case(f"{low}_rank4", fn(
            {"q": {"shape": [3, 5, 8]}, "v": {"shape": [3, 4, 8]}},
            [entry(kind, ["q", "v"])]), numeric=True))
        cases.append(case(f"{low}_twice_named", fn(qv, [
            entry(kind, ["q", "v"]), entry(kind, ["v", "q"]),
            entry(kind, ["q", "v"], name="third")], [snake, f"{snake}_1", "third"])))
    cases.append(case("att_value_dim_differs", fn(
        {"q": {"shape": [5, 16]}, "v": {"shape": [7, 12]}, "k": {"shape": [7, 16]}},
        [entry("Attention", ["q", "v", "k"], use_scale=True)]), numeric=True))

    # -- MultiHeadAttention -------------------------------------------------------------
    mha = "MultiHeadAttention"
    cases += [
        case("mha_basic", fn(qv, [entry(mha, ["q", "v"], num_heads=2, key_dim=8)]),
             numeric=True),
        case("mha_self", fn(self_in, [entry(mha, ["x", "x"], num_heads=4, key_dim=4)]),
             numeric=True),
        case("mha_key_dims_differ", fn(
            {"q": {"shape": [5, 16]}, "v": {"shape": [7, 10]}, "k": {"shape": [7, 12]}},
            [entry(mha, ["q", "v", "k"], num_heads=2, key_dim=8)]), numeric=True),
        case("mha_value_dim", fn(qv, [entry(mha, ["q", "v"], num_heads=3, key_dim=8,
                                            value_dim=4)]), numeric=True),
        case("mha_output_shape_int", fn(qv, [entry(mha, ["q", "v"], num_heads=2, key_dim=8,
                                                   output_shape=10)]), numeric=True),
        case("mha_output_shape_list", fn(qv, [entry(mha, ["q", "v"], num_heads=2, key_dim=8,
                                                    output_shape=[3, 4])]), numeric=True),
        case("mha_no_bias", fn(qv, [entry(mha, ["q", "v"], num_heads=2, key_dim=8,
                                          use_bias=False)]), numeric=True),
        case("mha_scores", fn(qv, [entry(mha, ["q", "v"], num_heads=2, key_dim=8,
                                         call_return_attention_scores=True)]), numeric=True),
        case("mha_causal", fn(self_in, [entry(mha, ["x", "x"], num_heads=2, key_dim=8,
                                              call_use_causal_mask=True)]), numeric=True),
        case("mha_causal_scores", fn(self_in, [entry(
            mha, ["x", "x"], num_heads=2, key_dim=8, call_use_causal_mask=True,
            call_return_attention_scores=True)]), numeric=True),
        case("mha_embedding_mask_fused", fn(tokens, [
            entry("Embedding", "ids", input_dim=10, output_dim=8, mask_zero=True),
            entry(mha, ["embedding", "embedding"], num_heads=2, key_dim=4)]),
            numeric=True, data=tok_data),
        case("mha_embedding_mask_scores", fn(tokens, [
            entry("Embedding", "ids", input_dim=10, output_dim=8, mask_zero=True),
            entry(mha, ["embedding", "embedding"], num_heads=2, key_dim=4,
                  call_return_attention_scores=True)]), numeric=True, data=tok_data),
        case("mha_embedding_mask_causal", fn(tokens, [
            entry("Embedding", "ids", input_dim=10, output_dim=8, mask_zero=True),
            entry(mha, ["embedding", "embedding"], num_heads=2, key_dim=4,
                  call_use_causal_mask=True),
            entry("GlobalAveragePooling1D"), entry("Dense", None, units=3)]),
            numeric=True, data=tok_data),
        case("mha_dropout_masked", fn(tokens, [
            entry("Embedding", "ids", input_dim=10, output_dim=8, mask_zero=True),
            entry(mha, ["embedding", "embedding"], num_heads=2, key_dim=4, dropout=0.1)]),
            numeric=True, data=tok_data),
        case("mha_masking_value_only", fn(qv, [
            entry("Masking", "v", name="mv"),
            entry(mha, ["q", "mv"], num_heads=2, key_dim=8)]),
            numeric=True, data={"q": [[[0.3] * 16] * 5] * 2, "v": masked_v}),
        case("mha_masking_query_and_value", fn(qv, [
            entry("Masking", "q", name="mq"), entry("Masking", "v", name="mv"),
            entry(mha, ["mq", "mv"], num_heads=2, key_dim=8)]),
            numeric=True, data={"q": masked_q, "v": masked_v}),
        case("mha_rank4", fn({"q": {"shape": [3, 4, 8]}, "v": {"shape": [3, 5, 8]}},
                             [entry(mha, ["q", "v"], num_heads=2, key_dim=4)]), numeric=True),
        case("mha_rank4_axes", fn({"q": {"shape": [3, 4, 8]}, "v": {"shape": [3, 5, 8]}},
                                  [entry(mha, ["q", "v"], num_heads=2, key_dim=4,
                                         attention_axes=[2])]), numeric=True),
        case("mha_transformer_block", fn(self_in, [
            entry(mha, ["x", "x"], num_heads=2, key_dim=8, name="attn"),
            entry("Add", ["x", "attn"]), entry("LayerNormalization", None),
            entry("Dense", None, units=32, activation="relu"), entry("Dense", None, units=16)]),
            numeric=True),
        case("mha_gate", fn(qv, [entry(mha, ["q", "v"], num_heads=2, key_dim=8,
                                       use_gate=True)]), numeric=True),
        case("mha_sliding_window", fn(self_in, [entry(mha, ["x", "x"], num_heads=2, key_dim=8,
                                                      sliding_window=2)]), numeric=True),
        case("mha_unknown_time_scores", fn(
            {"q": {"shape": [None, 16]}, "v": {"shape": [None, 16]}},
            [entry(mha, ["q", "v"], num_heads=2, key_dim=8,
                   call_return_attention_scores=True)])),
        case("mha_two_default_names", fn(self_in, [
            entry(mha, ["x", "x"], num_heads=2, key_dim=8),
            entry(mha, ["x", "multi_head_attention"], num_heads=1, key_dim=16)])),
        case("mha_initializers", fn(qv, [entry(mha, ["q", "v"], num_heads=2, key_dim=8,
                                              kernel_initializer="he_normal",
                                              bias_initializer="ones", seed=3)])),
        case("mha_trainable_false", fn(qv, [entry(mha, ["q", "v"], num_heads=2, key_dim=8,
                                                 trainable=False)])),
    ]

    # -- TextVectorization ----------------------------------------------------------------
    vocab = ["the", "cat", "sat", "on", "mat", "dog"]
    text_in = {"text": {"shape": [], "dtype": "string"}}
    text_data = {"text": TEXTS}

    def tv(cid: str, numeric: bool = True, shape: list[Any] | None = None, **kw: Any) -> None:
        inputs = {"text": {"shape": shape if shape is not None else [], "dtype": "string"}}
        data = {"text": [[s] for s in TEXTS]} if shape == [1] else text_data
        cases.append(case(cid, fn(inputs, [entry("TextVectorization", "text", **kw)]),
                          numeric=numeric, data=data))

    tv("tv_int_seq12", max_tokens=100, output_sequence_length=12, vocabulary=vocab)
    tv("tv_int_seq3_truncates", output_sequence_length=3, vocabulary=vocab)
    tv("tv_int_ragged_to_dense", vocabulary=vocab)
    tv("tv_multi_hot", output_mode="multi_hot", vocabulary=vocab)
    tv("tv_count", output_mode="count", vocabulary=vocab)
    tv("tv_tf_idf", output_mode="tf_idf", vocabulary=vocab,
       idf_weights=[0.5, 1.0, 1.5, 2.0, 2.5, 3.0])
    tv("tv_count_pad_max_tokens", output_mode="count", vocabulary=vocab, max_tokens=12,
       pad_to_max_tokens=True)
    tv("tv_tf_idf_pad_max_tokens", output_mode="tf_idf", vocabulary=vocab, max_tokens=10,
       pad_to_max_tokens=True, idf_weights=[1.0, 0.5, 0.25, 2.0, 1.0, 1.0])
    tv("tv_ngrams_2", vocabulary=["the", "cat", "the cat", "cat sat", "sat"], ngrams=2,
       output_sequence_length=10)
    tv("tv_ngrams_list", vocabulary=["the", "the cat sat", "sat"], ngrams=[1, 3],
       output_mode="count")
    tv("tv_split_character", vocabulary=list("abcdefghijklmnopqrstuvwxyz"),
       split="character", output_sequence_length=16)
    tv("tv_standardize_lower", vocabulary=vocab + ["mat."], standardize="lower",
       output_sequence_length=8)
    tv("tv_standardize_strip", vocabulary=vocab + ["The", "THE"],
       standardize="strip_punctuation", output_sequence_length=8)
    tv("tv_standardize_none", vocabulary=vocab + ["mat.", "The"], standardize=None,
       output_sequence_length=8)
    tv("tv_input_shape_1", shape=[1], vocabulary=vocab, output_sequence_length=6)
    tv("tv_input_shape_1_multi_hot", shape=[1], vocabulary=vocab, output_mode="multi_hot")
    tv("tv_vocab_with_specials", vocabulary=["", "[UNK]", *vocab], output_sequence_length=6)
    tv("tv_split_none", shape=[1], vocabulary=["the cat sat on the mat", "x"], split=None,
       output_sequence_length=2)
    tv("tv_split_character_bigrams", vocabulary=["c", "a", "ca", "at", "t"],
       split="character", ngrams=2, output_mode="count")
    tv("tv_one_hot", numeric=False, vocabulary=vocab, output_mode="one_hot")
    tv("tv_no_vocabulary", numeric=False, max_tokens=50, output_sequence_length=4)
    cases.append(case("tv_embedding_lstm", {
        "input": {"shape": [], "dtype": "string"},
        "layers": [{"TextVectorization": {"vocabulary": vocab, "output_sequence_length": 7}},
                   {"Embedding": {"input_dim": 8, "output_dim": 4, "mask_zero": True}},
                   {"LSTM": {"units": 3}}, {"Dense": {"units": 1, "activation": "sigmoid"}}]},
        numeric=True, data={"input_layer": TEXTS}))
    cases.append(case("tv_attention_classifier", fn(text_in, [
        entry("TextVectorization", "text", vocabulary=vocab, output_sequence_length=8),
        entry("Embedding", None, input_dim=8, output_dim=8, mask_zero=True),
        entry(mha, ["embedding", "embedding"], num_heads=2, key_dim=4),
        entry("GlobalAveragePooling1D"), entry("Dense", None, units=2, activation="softmax")]),
        # no empty text: a fully masked row makes GlobalAveragePooling1D divide 0 by 0
        numeric=True, data={"text": [t for t in TEXTS if t.strip()]}))

    # -- StringLookup / IntegerLookup ---------------------------------------------------
    words_in = {"w": {"shape": [4], "dtype": "string"}}
    words = [["cat", "sat", "zebra", "the"], ["", "dog", "cat", "??"],
             ["mat", "mat", "owl", "cat"]]

    def lookup(cid: str, kind: str = "StringLookup", numeric: bool = True,
               data: Any = None, inputs: Any = None, **kw: Any) -> None:
        ins = inputs or words_in
        name = next(iter(ins))
        cases.append(case(cid, fn(ins, [entry(kind, name, **kw)]), numeric=numeric,
                          data={name: data if data is not None else words}))

    lookup("sl_int", vocabulary=["cat", "sat", "the", "mat"])
    lookup("sl_mask_token", vocabulary=["cat", "sat", "the", "mat"], mask_token="")
    lookup("sl_oov_3", vocabulary=["cat", "sat"], num_oov_indices=3)
    lookup("sl_oov_3_salt", vocabulary=["cat", "sat"], num_oov_indices=3, salt=[5, 9])
    lookup("sl_oov_0", vocabulary=["cat", "sat", "the", "mat"], num_oov_indices=0,
           data=[["cat", "sat", "the", "mat"], ["mat", "mat", "cat", "the"]])
    lookup("sl_oov_token", vocabulary=["cat", "sat"], oov_token="<oov>")
    lookup("sl_one_hot", vocabulary=["cat", "sat", "the"], output_mode="one_hot")
    lookup("sl_multi_hot", vocabulary=["cat", "sat", "the"], output_mode="multi_hot")
    lookup("sl_count", vocabulary=["cat", "sat", "the", "mat"], output_mode="count")
    lookup("sl_tf_idf", vocabulary=["cat", "sat", "the"], output_mode="tf_idf",
           idf_weights=[0.25, 0.75, 2.0])
    lookup("sl_multi_hot_pad", vocabulary=["cat", "sat"], output_mode="multi_hot",
           max_tokens=6, pad_to_max_tokens=True)
    lookup("sl_multi_hot_mask", vocabulary=["cat", "sat"], output_mode="multi_hot",
           mask_token="")
    lookup("sl_invert", inputs={"ids": {"shape": [4], "dtype": "int64"}},
           vocabulary=["cat", "sat", "the"], invert=True,
           data=[[0, 1, 2, 3], [4, 9, 1, 2]])
    lookup("sl_invert_mask", inputs={"ids": {"shape": [4], "dtype": "int64"}},
           vocabulary=["cat", "sat", "the"], invert=True, mask_token="",
           data=[[0, 1, 2, 3], [4, 9, 1, 2]])
    lookup("sl_vocab_with_oov", vocabulary=["[UNK]", "cat", "sat"])
    lookup("sl_mask_oov_2", vocabulary=["cat", "sat"], mask_token="", num_oov_indices=2)
    lookup("sl_count_mask", vocabulary=["cat", "sat", "mat"], mask_token="",
           output_mode="count")
    ints_in = {"n": {"shape": [4], "dtype": "int64"}}
    ints = [[5, 7, 0, 12], [7, 7, -3, 100], [42, 5, 5, 8]]
    lookup("il_int", "IntegerLookup", inputs=ints_in, data=ints, vocabulary=[5, 7, 12])
    lookup("il_mask_0", "IntegerLookup", inputs=ints_in, data=ints, vocabulary=[5, 7, 12],
           mask_token=0)
    lookup("il_oov_2_floormod", "IntegerLookup", inputs=ints_in, data=ints,
           vocabulary=[5, 7], num_oov_indices=2)
    lookup("il_oov_3_farmhash", "IntegerLookup", inputs=ints_in, data=ints,
           vocabulary=[5, 7], num_oov_indices=3, oov_method="farmhash")
    lookup("il_multi_hot", "IntegerLookup", inputs=ints_in, data=ints, vocabulary=[5, 7, 12],
           output_mode="multi_hot")
    lookup("il_count_pad", "IntegerLookup", inputs=ints_in, data=ints, vocabulary=[5, 7, 12],
           output_mode="count", max_tokens=8, pad_to_max_tokens=True)
    lookup("il_one_hot", "IntegerLookup", inputs=ints_in, data=ints, vocabulary=[5, 7, 12],
           output_mode="one_hot")
    lookup("il_tf_idf", "IntegerLookup", inputs=ints_in, data=ints, vocabulary=[5, 7, 12],
           output_mode="tf_idf", idf_weights=[0.5, 2.0, 1.0])
    lookup("il_invert", "IntegerLookup", inputs=ints_in, data=[[0, 1, 2, 3], [3, 9, 2, 1]],
           vocabulary=[5, 7, 12], invert=True)

    # -- Hashing ------------------------------------------------------------------------
    many = [[w, w.upper(), w + " " + w, ""] for w in WORDS] + [
        ["a" * n, "b" * (n + 20), "ünï" * n, str(n)] for n in (1, 7, 15, 17, 33, 65, 130)]
    lookup("hash_strings", "Hashing", data=many, num_bins=1000)
    lookup("hash_strings_3", "Hashing", data=many, num_bins=3)
    lookup("hash_salt_int", "Hashing", data=many, num_bins=97, salt=1337)
    lookup("hash_salt_pair", "Hashing", data=many, num_bins=1 << 20, salt=[11, 2 ** 40 + 3])
    lookup("hash_mask_value", "Hashing", data=many, num_bins=10, mask_value="")
    lookup("hash_ints", "Hashing", inputs=ints_in, data=ints, num_bins=50)
    lookup("hash_ints_mask_salt", "Hashing", inputs=ints_in, data=ints, num_bins=50,
           mask_value=0, salt=[3, 4])
    lookup("hash_floats", "Hashing", inputs={"f": {"shape": [3]}},
           data=[[1.0, 2.7, -3.2], [100.0, 0.0, 5.5]], num_bins=20)
    lookup("hash_multi_hot", "Hashing", data=many, num_bins=8, output_mode="multi_hot")
    lookup("hash_count", "Hashing", data=many, num_bins=8, output_mode="count")
    lookup("hash_one_hot", "Hashing", inputs={"w": {"shape": [1], "dtype": "string"}},
           data=[[w] for w in WORDS], num_bins=8, output_mode="one_hot")

    # -- CategoryEncoding ------------------------------------------------------------------
    cat_in = {"c": {"shape": [4], "dtype": "int32"}}
    cats = [[0, 1, 1, 3], [5, 5, 5, 5], [2, 0, 4, 1]]
    lookup("ce_multi_hot", "CategoryEncoding", inputs=cat_in, data=cats, num_tokens=6)
    lookup("ce_count", "CategoryEncoding", inputs=cat_in, data=cats, num_tokens=6,
           output_mode="count")
    lookup("ce_one_hot", "CategoryEncoding", inputs=cat_in, data=cats, num_tokens=6,
           output_mode="one_hot")
    lookup("ce_one_hot_last1", "CategoryEncoding", inputs={"c": {"shape": [1],
                                                               "dtype": "int32"}},
           data=[[0], [3], [5]], num_tokens=6, output_mode="one_hot")

    # -- Normalization ----------------------------------------------------------------------
    feats = {"f": {"shape": [4]}}
    seqf = {"f": {"shape": [5, 4]}}
    cases += [
        case("norm_adaptable", fn(feats, [entry("Normalization", "f")]), numeric=True),
        case("norm_given", fn(feats, [entry("Normalization", "f", mean=[1.0, 2.0, 3.0, 4.0],
                                            variance=[1.0, 4.0, 0.25, 2.0])]), numeric=True),
        case("norm_given_scalar", fn(seqf, [entry("Normalization", "f", mean=0.5,
                                                  variance=2.0)]), numeric=True),
        case("norm_invert", fn(feats, [entry("Normalization", "f", mean=[1.0, 2.0, 3.0, 4.0],
                                             variance=[1.0, 4.0, 0.25, 2.0], invert=True)]),
             numeric=True),
        case("norm_axis_none", fn(seqf, [entry("Normalization", "f", axis=None)]),
             numeric=True),
        case("norm_axes_1_2", fn(seqf, [entry("Normalization", "f", axis=[1, 2])]),
             numeric=True),
        case("norm_axis_1_rank3", fn(seqf, [entry("Normalization", "f", axis=1)]),
             numeric=True),
        case("norm_given_rank3", fn(seqf, [entry("Normalization", "f",
                                                 mean=[0.1, 0.2, 0.3, 0.4],
                                                 variance=[1.0, 2.0, 3.0, 4.0])]),
             numeric=True),
        case("norm_then_dense", {"input": {"shape": [4]}, "layers": [
            {"Normalization": {}}, {"Dense": {"units": 2}}]}, numeric=True),
    ]

    # -- the example spec shipped in specs/ --------------------------------------------------
    import yaml  # noqa: PLC0415

    example = yaml.safe_load((REPO / "specs" / "text_attention.yaml").read_text())
    example.pop("name")
    cases.append(case("spec_text_attention", example, numeric=True,
                      data={"text": [t for t in TEXTS if t.strip()] + ["the movie was good"]}))

    # -- what Keras refuses -------------------------------------------------------------------
    cases += [
        case("error_mha_without_value", fn(self_in, [entry(mha, "x", num_heads=2, key_dim=4)]),
             error="build"),
        case("error_mha_value_key_mismatch", fn(
            {"q": {"shape": [5, 16]}, "v": {"shape": [7, 16]}, "k": {"shape": [6, 16]}},
            [entry(mha, ["q", "v", "k"], num_heads=2, key_dim=4)]), error="build"),
        case("error_mha_num_heads_zero", fn(qv, [entry(mha, ["q", "v"], num_heads=0,
                                                       key_dim=4)]), error="build"),
        case("error_mha_unknown_kwarg", fn(qv, [entry(mha, ["q", "v"], num_heads=2,
                                                      key_dim=4, heads=3)]), error="build"),
        case("error_attention_one_input", fn(qv, [entry("Attention", "q")]), error="build"),
        case("error_attention_score_mode", fn(qv, [entry("Attention", ["q", "v"],
                                                         score_mode="general")]),
             error="build"),
        case("error_attention_unknown_kwarg", fn(qv, [entry("Attention", ["q", "v"],
                                                            use_scales=True)]), error="build"),
        case("error_tv_seq_len_multi_hot", fn(text_in, [entry(
            "TextVectorization", "text", output_mode="multi_hot", output_sequence_length=4,
            vocabulary=vocab)]), error="build"),
        case("error_tv_bad_split", fn(text_in, [entry("TextVectorization", "text",
                                                      split="comma")]), error="build"),
        case("error_tv_vocab_over_max_tokens", fn(text_in, [entry(
            "TextVectorization", "text", max_tokens=4, vocabulary=vocab)]), error="build"),
        case("error_sl_invert_multi_hot", fn(words_in, [entry(
            "StringLookup", "w", vocabulary=["a"], invert=True, output_mode="multi_hot")]),
            error="build"),
        case("error_sl_repeated_vocab", fn(words_in, [entry(
            "StringLookup", "w", vocabulary=["a", "b", "a"])]), error="build"),
        case("error_hash_bad_salt", fn(words_in, [entry("Hashing", "w", num_bins=3,
                                                        salt=[1, 2, 3])]), error="build"),
        case("error_hash_zero_bins", fn(words_in, [entry("Hashing", "w", num_bins=0)]),
             error="build"),
        case("error_ce_no_num_tokens", fn(cat_in, [entry("CategoryEncoding", "c")]),
             error="build"),
        case("error_norm_mean_without_variance", fn(feats, [entry("Normalization", "f",
                                                                  mean=[1.0] * 4)]),
             error="build"),
    ]
    return cases


# ---------------------------------------------------------------------------------------
# Recording
# ---------------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """Arrays as nested lists; byte strings as text."""
    import numpy as np

    arr = np.asarray(value)
    if arr.dtype.kind in "SO":
        return np.vectorize(lambda b: b.decode("utf-8") if isinstance(b, bytes) else str(b),
                            otypes=[object])(arr).tolist()
    if arr.dtype.kind == "f":
        return arr.astype(np.float64).tolist()
    return arr.tolist()


def numerics(keras: Any, model: Any, c: dict[str, Any]) -> dict[str, Any]:
    import numpy as np

    rng = np.random.default_rng(sum(map(ord, c["id"])))
    new = []
    for w in model.weights:
        shape = tuple(int(d) for d in w.shape)
        if "int" in str(w.dtype):
            new.append(np.full(shape, 7, dtype=str(w.dtype)))
        elif w.path.endswith("variance"):
            new.append(rng.uniform(0.5, 2.0, shape).astype("float32"))
        else:
            new.append(rng.normal(0.0, 0.5, shape).astype("float32"))
    model.set_weights(new)
    for layer in model.layers:
        if type(layer).__name__ == "Normalization" and layer.input_mean is None:
            layer.finalize_state()
    data = []
    names = [t._keras_history[0].name for t in model.inputs]
    for t, name in zip(model.inputs, names):
        if name in c["data"]:
            dtype = "object" if str(t.dtype) == "string" else str(t.dtype)
            arr = np.array(c["data"][name], dtype=dtype)
        else:
            shape = [2 if i == 0 else (c["t"] if d is None else int(d))
                     for i, d in enumerate(t.shape)]
            arr = rng.normal(0.0, 1.0, shape).astype("float32")
        data.append(arr)
    out = model(data if len(data) > 1 else data[0])
    outs = list(out) if isinstance(out, (list, tuple)) else [out]
    return {
        "inputs": {n: _plain(a) for n, a in zip(names, data)},
        "input_dtypes": {n: str(t.dtype) for n, t in zip(names, model.inputs)},
        "weights": [_plain(w) for w in new],
        "outputs": [_plain(keras.ops.convert_to_numpy(o) if not hasattr(o, "numpy")
                           else o.numpy()) for o in outs],
    }


def record(keras: Any, c: dict[str, Any]) -> dict[str, Any]:
    kb.fresh_session()
    try:
        model = kb.build_model(copy.deepcopy(c["spec"]))
    except SystemExit:
        raise
    except Exception as exc:  # noqa: BLE001 - Keras raises many kinds
        if c["error"] != "build":
            raise SystemExit(f"{c['id']}: Keras raised {exc!r}") from exc
        return {"id": c["id"], "spec": c["spec"], "error": kb.error_text(exc)}
    if c["error"]:
        raise SystemExit(f"{c['id']}: expected Keras to refuse it")
    import json  # noqa: PLC0415

    out = {"id": c["id"], "spec": c["spec"], "expected": kb.describe(model),
           "keras_json": json.loads(model.to_json())}
    if c["numeric"]:
        out["numeric"] = numerics(keras, model, c)
    return out


SAVED = REPO / "tests" / "golden" / "interop" / "attention_text.keras"


def save_archive(keras: Any, path: Path) -> dict[str, Any]:
    """A .keras archive (TextVectorization, masked causal MHA, adapted Normalization) + outputs.

    Checks that rnncalc reads Keras' own files for these kinds: the config, the
    sub-layer weight groups of MultiHeadAttention and Normalization's int64 count.
    """
    import numpy as np

    kb.fresh_session()
    text = keras.Input(shape=(), dtype="string", name="text")
    x = keras.layers.TextVectorization(vocabulary=["the", "cat", "sat"],
                                       output_sequence_length=6)(text)
    x = keras.layers.Embedding(5, 8, mask_zero=True)(x)
    x = keras.layers.MultiHeadAttention(2, 4)(x, x, use_causal_mask=True)
    x = keras.layers.Normalization()(x)
    model = keras.Model(text, keras.layers.GlobalAveragePooling1D()(x))
    rng = np.random.default_rng(5)
    model.set_weights([np.asarray(7, w.dtype) if "int" in str(w.dtype) else
                       np.abs(rng.normal(size=w.shape)).astype(w.dtype) for w in model.weights])
    for layer in model.layers:
        if type(layer).__name__ == "Normalization":
            layer.finalize_state()
    model.save(path)
    texts = ["the cat sat", "cat cat", "a dog"]
    out = model(np.array(texts, dtype=object))
    return {"file": path.name, "inputs": texts, "outputs": _plain(out.numpy())}


def check_export(keras: Any, c: dict[str, Any], recorded: dict[str, Any]) -> str | None:
    """Run rnncalc's ``export --to keras`` code in Keras; a mismatch with the case, or None."""
    sys.path.insert(0, str(REPO))
    import rnncalc  # noqa: PLC0415 - the checkout under test

    kb.fresh_session()
    code = rnncalc.load(c["spec"]).export("keras").replace("model.summary()", "")
    scope: dict[str, Any] = {}
    exec(compile(code, f"<export {c['id']}>", "exec"), scope)  # noqa: S102 - our own output
    got = kb.describe(scope["model"])
    want = recorded["expected"]
    for key in ("total_params", "trainable_params", "non_trainable_params"):
        if got[key] != want[key]:
            return f"{key}: {got[key]} != {want[key]}"
    ours = [(x["name"], x["output_shapes"]) for x in got["layers"]]
    theirs = [(x["name"], x["output_shapes"]) for x in want["layers"]]
    return None if ours == theirs else f"layers {ours} != {theirs}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--only", help="regex: record only matching case ids (prints)")
    parser.add_argument("--check-export", action="store_true",
                        help="also run rnncalc's export --to keras code in Keras and compare")
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
    if args.check_export:
        bad = [(c["id"], why) for c, m in zip(cases, models) if "expected" in m
               for why in [check_export(keras, c, m)] if why]
        for cid, why in bad:
            print(f"export mismatch {cid}: {why}", file=sys.stderr)
        print(f"export --to keras checked on {sum('expected' in m for m in models)} models, "
              f"{len(bad)} mismatches", file=sys.stderr)
    doc = {"keras_version": keras.__version__, "backend": keras.backend.backend(),
           "generated_by": "scripts/make_keras_attention_text.py", "atol": 1e-5,
           "models": models}
    if not args.only:
        # --out elsewhere (a trial run) keeps the committed archive untouched
        doc["archive"] = save_archive(keras, SAVED if args.out == DEFAULT_OUT
                                      else args.out.with_suffix(".keras"))
    text = kb.dump_json(doc)
    if args.only:
        sys.stdout.write(text)
    else:
        args.out.write_text(text, encoding="utf-8")
        print(f"wrote {args.out}", file=sys.stderr)
    print(f"{len(models)} models ({sum('numeric' in m for m in models)} numeric, "
          f"{sum('error' in m for m in models)} refused) in {time.time() - start:.1f}s",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
