#!/usr/bin/env python3
"""Write the interop fixtures in tests/golden/interop/ from real Keras 3.

Why: rnncalc reads the files Keras writes (``model.to_json()``, ``.keras``
archives, legacy ``.h5``) and writes Keras code back (``rnncalc export --to
keras``). The only trustworthy oracle for both directions is Keras itself, so
this script asks Keras and records what it says; the tests compare rnncalc
against the recordings offline, without Keras.

Run it with the Keras venv (Keras is never a dependency of rnncalc)::

    KERAS_BACKEND=torch /work/kerasenv/bin/python scripts/make_keras_interop.py
    KERAS_BACKEND=torch /work/kerasenv/bin/python scripts/make_keras_interop.py --part export

Part ``models`` (default), for every case in ``CASES`` (a fresh session each):

* ``<case>.json``: ``model.to_json()``;
* ``<case>.keras``: the model saved by Keras after its weights were set to
  seeded uniform values (so zero biases are not zero), unless the case is big;
* ``<case>.in.npy`` (one input) or ``<case>.in.npz`` (keyed by input name) and
  ``<case>.out.npz`` (``arr_0..``: Keras ``predict`` outputs in output order);
* ``<case>.h5`` for the cases marked ``h5``: the legacy full-model HDF5 file;
* ``facts.json``: per case the layer names, types, output shapes and params
  that Keras reports, and the totals.

Keras 2 / tf.keras configs cannot be produced here (no TensorFlow 2.x), so
``keras2/*.json`` are hand-written from the tf.keras ``to_json()`` format
(documented examples and the tf.keras source) and marked ``"_note"``; their
facts come from an equivalent model built with Keras 3 (``KERAS2_EQUIVALENTS``).

Part ``export``: for each spec (the ``.json`` fixtures above and
``specs/**/*.yaml``), run ``rnncalc export SPEC --to keras`` with the project's
venv, execute the code with Keras, and record the code and Keras' facts in
``export_facts.json``. The tests check that rnncalc still exports the same code
and that its summary equals what Keras built from it.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras  # noqa: E402
import numpy as np  # noqa: E402
from keras import layers as L  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "tests" / "golden" / "interop"
RNNCALC = [str(REPO / ".venv" / "bin" / "python"), "-m", "rnncalc"]


def seq(*items: Any, name: str | None = None) -> keras.Model:
    return keras.Sequential(list(items), name=name)


def inp(*shape: Any, **kw: Any) -> Any:
    return keras.Input(shape=shape, **kw)


# -- the Keras 3 cases ----------------------------------------------------------------
# name -> (builder, options). Options: big (no .keras), h5 (also legacy .h5),
# vocab (token inputs drawn below it), T (timesteps for unknown time axes),
# mask_steps (zero the last k timesteps of float inputs).

def _seq2seq() -> keras.Model:
    enc = inp(None, 5, name="encoder_inputs")
    dec = inp(None, 6, name="decoder_inputs")
    _, h, c = L.LSTM(4, return_state=True, name="encoder")(enc)
    y, _, _ = L.LSTM(4, return_sequences=True, return_state=True, name="decoder")(
        dec, initial_state=[h, c])
    out = L.Dense(6, activation="softmax", name="decoder_dense")(y)
    return keras.Model([enc, dec], out, name="seq2seq")


def _gru_seq2seq() -> keras.Model:
    enc, dec = inp(4, 3), inp(5, 2)
    _, h = L.GRU(4, return_state=True)(enc)
    y = L.GRU(4, return_sequences=True)(dec, initial_state=[h])
    return keras.Model([enc, dec], L.TimeDistributed(L.Dense(3))(y))


def _bilstm_states() -> keras.Model:
    x = inp(4, 5)
    outs = L.Bidirectional(L.LSTM(3, return_state=True))(x)
    return keras.Model(x, outs)


def _bigru_none() -> keras.Model:
    x = inp(4, 5)
    fw, bw = L.Bidirectional(L.GRU(3, return_sequences=True), merge_mode=None)(x)
    return keras.Model(x, [fw, bw])


def _two_branch_concat() -> keras.Model:
    a, b = inp(4, 5, name="a"), inp(6, 3, name="b")
    y = L.Concatenate()([L.LSTM(3)(a), L.GRU(2)(b)])
    return keras.Model([a, b], L.Dense(2, activation="softmax")(y))


def _merges() -> keras.Model:
    a, b = inp(4, 5), inp(4, 5)
    ya = L.GRU(3, return_sequences=True)(a)
    yb = L.SimpleRNN(3, return_sequences=True)(b)
    added = L.Add()([ya, yb])
    sub = L.Subtract()([ya, yb])
    mul = L.Multiply()([added, sub])
    avg = L.Average()([mul, ya, yb])
    return keras.Model([a, b], L.GlobalAveragePooling1D()(avg))


def _text_plus_features() -> keras.Model:
    tokens = inp(6, dtype="int32", name="tokens")
    feats = inp(3, name="features")
    x = L.Embedding(20, 4)(tokens)
    x = L.LSTM(5)(x)
    y = L.Concatenate()([x, L.Dense(2, activation="relu")(feats)])
    return keras.Model([tokens, feats], L.Dense(1, activation="sigmoid")(y))


def _bi_encoder_decoder() -> keras.Model:
    enc, dec = inp(4, 5), inp(3, 2)
    _, fh, fc, bh, bc = L.Bidirectional(L.LSTM(3, return_state=True))(enc)
    h = L.Concatenate()([fh, bh])
    c = L.Concatenate()([fc, bc])
    y = L.LSTM(6, return_sequences=True)(dec, initial_state=[h, c])
    return keras.Model([enc, dec], L.Dense(2)(y))


def _simple_rnn_state() -> keras.Model:
    x = inp(4, 5)
    seq_out, state = L.SimpleRNN(3, return_sequences=True, return_state=True)(x)
    return keras.Model(x, [seq_out, state])


def _residual() -> keras.Model:
    x = inp(4, 5)
    y = L.LSTM(5, return_sequences=True)(x)
    y = L.Add()([x, y])
    y = L.LayerNormalization()(y)
    return keras.Model(x, L.GRU(2)(y))


def _state_from_dense() -> keras.Model:
    x, z = inp(4, 3, name="x"), inp(2, name="z")
    h0 = L.Dense(4, activation="tanh")(z)
    c0 = L.Dense(4)(z)
    y = L.LSTM(4)(x, initial_state=[h0, c0])
    return keras.Model([x, z], y)


def _bidirectional_initial_state() -> keras.Model:
    x, s = inp(4, 3), inp(2)
    states = [L.Dense(3)(s) for _ in range(4)]
    y = L.Bidirectional(L.LSTM(3, return_sequences=True))(x, initial_state=states)
    return keras.Model([x, s], y)


def _conv_branches() -> keras.Model:
    x = inp(8, 3)
    a = L.Conv1D(4, 3, padding="same")(x)
    b = L.Conv1D(4, 5, padding="same", activation="relu")(x)
    y = L.Concatenate(axis=-1)([a, b])
    y = L.MaxPooling1D(2)(y)
    return keras.Model(x, L.Bidirectional(L.GRU(3), merge_mode="sum")(y))


def _k(value: float) -> Any:
    return keras.initializers.Constant(value=value)


CASES: dict[str, tuple[Any, dict[str, Any]]] = {
    # the seed notebook's models
    "seed_simple_rnn": (lambda: seq(inp(2, 10), L.SimpleRNN(3)), {"h5": True}),
    "seed_simple_rnn_batch": (lambda: seq(inp(2, 10, batch_size=8), L.SimpleRNN(3)), {}),
    "seed_simple_rnn_batch_sequences": (
        lambda: seq(inp(2, 10, batch_size=8), L.SimpleRNN(3, return_sequences=True)), {}),
    "seed_stacked_simple_rnn": (
        lambda: seq(inp(10, 5), L.SimpleRNN(3, return_sequences=True),
                    L.SimpleRNN(3, return_sequences=True)), {}),
    "seed_sentiment": (
        lambda: seq(inp(30, dtype="int32"), L.Embedding(5000, 100), L.SimpleRNN(128),
                    L.Dense(1, activation="sigmoid")), {"big": True, "vocab": 5000}),
    "seed_sentiment_unknown_length": (
        lambda: seq(inp(None, dtype="int32"), L.Embedding(5000, 100), L.SimpleRNN(128),
                    L.Dense(1, activation="sigmoid")), {"big": True, "vocab": 5000}),
    "seed_bilstm_constant": (
        lambda: seq(inp(4, 5), L.Bidirectional(L.LSTM(
            3, return_sequences=True, kernel_initializer=_k(0.1), bias_initializer=_k(0),
            recurrent_initializer=_k(0.1)))), {"keep_weights": True}),
    # recurrent layers
    "sentiment_small": (
        lambda: seq(inp(7, dtype="int32"), L.Embedding(50, 8), L.SimpleRNN(6),
                    L.Dense(1, activation="sigmoid")), {"vocab": 50, "h5": True}),
    "lstm_basic": (lambda: seq(inp(4, 5), L.LSTM(3)), {"h5": True}),
    "lstm_sequences_time_distributed": (
        lambda: seq(inp(4, 5), L.LSTM(6, return_sequences=True), L.TimeDistributed(L.Dense(2))),
        {}),
    "gru_reset_after": (lambda: seq(inp(4, 5), L.GRU(4)), {}),
    "gru_reset_before": (lambda: seq(inp(4, 5), L.GRU(4, reset_after=False)), {}),
    "simple_rnn_go_backwards": (
        lambda: seq(inp(4, 5), L.SimpleRNN(3, go_backwards=True, return_sequences=True)), {}),
    "lstm_go_backwards": (lambda: seq(inp(4, 5), L.LSTM(3, go_backwards=True)), {}),
    "lstm_unroll": (lambda: seq(inp(4, 5), L.LSTM(3, unroll=True)), {}),
    "lstm_unknown_timesteps": (lambda: seq(inp(None, 5), L.LSTM(4)), {"T": 6}),
    "gru_no_bias": (lambda: seq(inp(4, 5), L.GRU(3, use_bias=False),
                                L.Dense(2, use_bias=False)), {}),
    "lstm_no_bias_no_forget": (
        lambda: seq(inp(4, 5), L.LSTM(3, use_bias=False, unit_forget_bias=False)), {}),
    "rnn_activations": (
        lambda: seq(inp(4, 5), L.SimpleRNN(4, activation="relu", return_sequences=True),
                    L.LSTM(3, activation="softsign", recurrent_activation="hard_sigmoid"),
                    L.Dense(2, activation="softmax")), {}),
    "gru_activations": (
        lambda: seq(inp(4, 5), L.GRU(3, activation="relu", recurrent_activation="tanh")), {}),
    "stacked_lstm_dropout": (
        lambda: seq(inp(5, 4), L.LSTM(4, return_sequences=True, dropout=0.2,
                                      recurrent_dropout=0.1), L.Dropout(0.5), L.LSTM(3),
                    L.Dense(1)), {"h5": True}),
    "trainable_false": (lambda: seq(inp(4, 5), L.LSTM(3, trainable=False), L.Dense(2)), {}),
    "initializers": (
        lambda: seq(inp(4, 5), L.GRU(3, kernel_initializer="he_normal",
                                     recurrent_initializer=keras.initializers.Orthogonal(gain=2),
                                     bias_initializer=keras.initializers.RandomUniform(-1, 1)),
                    L.Dense(2, kernel_initializer=keras.initializers.VarianceScaling(
                        2.0, "fan_out", "uniform"))), {}),
    "regularized": (
        lambda: seq(inp(4, 5), L.LSTM(3, kernel_regularizer="l2", recurrent_constraint="non_neg",
                                      activity_regularizer=keras.regularizers.L1(0.01)),
                    L.Dense(2, bias_regularizer=keras.regularizers.L1L2(0.1, 0.2))), {}),
    # Bidirectional
    "bilstm_concat": (
        lambda: seq(inp(4, 5), L.Bidirectional(L.LSTM(3, return_sequences=True))), {"h5": True}),
    "bigru_sum": (lambda: seq(inp(4, 5), L.Bidirectional(L.GRU(3), merge_mode="sum")), {}),
    "birnn_ave": (lambda: seq(inp(4, 5), L.Bidirectional(L.SimpleRNN(3), merge_mode="ave")), {}),
    "bilstm_mul_reset": (
        lambda: seq(inp(4, 5), L.Bidirectional(L.GRU(2, reset_after=False, return_sequences=True),
                                               merge_mode="mul"), L.GlobalMaxPooling1D()), {}),
    "bilstm_backward_layer": (
        lambda: seq(inp(4, 5), L.Bidirectional(
            L.LSTM(3, return_sequences=True),
            backward_layer=L.LSTM(3, return_sequences=True, go_backwards=True))), {}),
    "stacked_bilstm_tagger": (
        lambda: seq(inp(6, dtype="int32"), L.Embedding(30, 5, mask_zero=True),
                    L.Bidirectional(L.LSTM(4, return_sequences=True)),
                    L.TimeDistributed(L.Dense(3, activation="softmax"))), {"vocab": 30}),
    # masking
    "embedding_mask_lstm": (
        lambda: seq(inp(6, dtype="int32"), L.Embedding(20, 4, mask_zero=True), L.LSTM(5)),
        {"vocab": 20}),
    "embedding_mask_gru_sequences": (
        lambda: seq(inp(6, dtype="int32"), L.Embedding(20, 4, mask_zero=True),
                    L.GRU(3, return_sequences=True)), {"vocab": 20}),
    "masking_gru": (
        lambda: seq(inp(5, 3), L.Masking(0.0), L.GRU(3, return_sequences=True)),
        {"mask_steps": 2}),
    "masking_simple_rnn": (lambda: seq(inp(5, 3), L.Masking(0.0), L.SimpleRNN(2)),
                           {"mask_steps": 1}),
    # around the RNNs
    "conv_gru": (
        lambda: seq(inp(8, 3), L.Conv1D(4, 3, padding="same", activation="relu"),
                    L.MaxPooling1D(2), L.GRU(5), L.Dense(3, activation="softmax")), {}),
    "conv_causal_dilated": (
        lambda: seq(inp(8, 3), L.Conv1D(3, 2, padding="causal", dilation_rate=2),
                    L.GlobalAveragePooling1D()), {}),
    "conv_strides_avgpool": (
        lambda: seq(inp(9, 3), L.Conv1D(4, 3, strides=2), L.AveragePooling1D(2, padding="same"),
                    L.Flatten(), L.Dense(2)), {}),
    "global_max_keepdims": (
        lambda: seq(inp(4, 5), L.LSTM(4, return_sequences=True),
                    L.GlobalMaxPooling1D(keepdims=True)), {}),
    "layernorm_dense": (
        lambda: seq(inp(4, 5), L.LSTM(4, return_sequences=True), L.LayerNormalization(),
                    L.Dense(2)), {}),
    "batchnorm_gru": (
        lambda: seq(inp(4, 5), L.GRU(4, return_sequences=True), L.BatchNormalization(),
                    L.Dense(1)), {"h5": True}),
    "lstm_autoencoder": (
        lambda: seq(inp(4, 5), L.LSTM(4), L.RepeatVector(3), L.LSTM(4, return_sequences=True),
                    L.TimeDistributed(L.Dense(2))), {}),
    "reshape_permute": (
        lambda: seq(inp(24), L.Reshape((4, 6)), L.Permute((2, 1)), L.SimpleRNN(3)), {}),
    "spatial_dropout_activation": (
        lambda: seq(inp(4, 5), L.SpatialDropout1D(0.2), L.LSTM(3), L.Dropout(0.3), L.Dense(2),
                    L.Activation("softmax")), {}),
    "dense_rank3": (lambda: seq(inp(5, 3), L.Dense(4, activation="tanh"), L.SimpleRNN(2)), {}),
    "named_layers": (
        lambda: seq(inp(4, 5), L.LSTM(3, name="encoder"), L.Dense(2, name="head"),
                    name="named_model"), {}),
    # functional
    "seq2seq": (_seq2seq, {"T": 3}),
    "gru_seq2seq": (_gru_seq2seq, {}),
    "bilstm_states": (_bilstm_states, {}),
    "bigru_merge_none": (_bigru_none, {}),
    "two_branch_concat": (_two_branch_concat, {}),
    "merges": (_merges, {}),
    "text_plus_features": (_text_plus_features, {"vocab": 20}),
    "bi_encoder_decoder": (_bi_encoder_decoder, {}),
    "simple_rnn_return_state": (_simple_rnn_state, {}),
    "residual_layernorm": (_residual, {}),
    "state_from_dense": (_state_from_dense, {}),
    "bidirectional_initial_state": (_bidirectional_initial_state, {}),
    "conv_branches": (_conv_branches, {}),
}

def _k2_seq2seq() -> keras.Model:
    enc = inp(None, 71, name="input_1")
    dec = inp(None, 93, name="input_2")
    _, h, c = L.LSTM(256, return_state=True, name="lstm")(enc)
    y, _, _ = L.LSTM(256, return_sequences=True, return_state=True, name="lstm_1")(
        dec, initial_state=[h, c])
    return keras.Model([enc, dec], L.Dense(93, activation="softmax", name="dense")(y))


def _k2_mixed() -> keras.Model:
    x = inp(20, dtype="int32", name="tokens")
    y = L.Embedding(1000, 64, name="embedding")(x)
    y = L.Bidirectional(L.LSTM(32, return_sequences=True), name="bidirectional")(y)
    y = L.GlobalMaxPooling1D(name="global_max_pooling1d")(y)
    return keras.Model(x, L.Dense(3, activation="softmax", name="dense")(y))


# Hand-written Keras 2 / tf.keras configs (keras2/<name>.json) and equivalent
# Keras 3 models whose facts they must reproduce.
KERAS2_EQUIVALENTS: dict[str, Any] = {
    "tf2_sequential_simple_rnn": lambda: seq(inp(2, 10), L.SimpleRNN(3)),
    "tf2_sequential_sentiment": lambda: seq(
        inp(30, dtype="float32"), L.Embedding(5000, 100), L.SimpleRNN(128),
        L.Dense(1, activation="sigmoid")),
    "keras21_sequential_list": lambda: seq(   # Keras 2.1 numbered names from 1
        inp(10, 5, batch_size=8), L.LSTM(16, return_sequences=True, name="lstm_1"),
        L.Dropout(0.2, name="dropout_1"), L.LSTM(8, name="lstm_2"), L.Dense(1, name="dense_1")),
    "tf2_functional_seq2seq": _k2_seq2seq,
    "keras224_bidirectional": lambda: seq(
        inp(None, 7), L.Bidirectional(L.LSTM(32, return_sequences=True), name="bidirectional_1"),
        L.Bidirectional(L.GRU(16, reset_after=True), name="bidirectional_2"),
        L.Dense(5, activation="softmax", name="dense_1")),
    "tf2_conv_batchnorm": lambda: seq(
        inp(100, 1), L.Conv1D(16, 5, activation="relu"), L.BatchNormalization(),
        L.MaxPooling1D(2), L.GRU(8, reset_after=False), L.Dense(1)),
    "tf2_functional_mixed_precision": _k2_mixed,
}


# -- recording ------------------------------------------------------------------------


def _input_name(t: Any) -> str:
    """The InputLayer's name (a tensor's own name is an internal ``keras_tensor_N``)."""
    return t._keras_history[0].name


def _shape(t: Any) -> list[Any]:
    return [None if d is None else int(d) for d in t.shape]


def facts(model: keras.Model) -> dict[str, Any]:
    """What Keras' summary shows: per layer name, type, output shapes, params."""
    rows = []
    for layer in model.layers:
        if isinstance(layer, keras.layers.InputLayer):
            continue
        outputs = keras.tree.flatten(layer.output)
        trainable = sum(int(np.prod(w.shape)) for w in layer.trainable_weights)
        rows.append({"name": layer.name, "type": type(layer).__name__,
                     "output_shapes": [_shape(t) for t in outputs],
                     "params": int(layer.count_params()), "trainable_params": trainable})
    trainable = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    total = sum(int(np.prod(w.shape)) for w in model.weights)
    return {"name": model.name,
            "inputs": [{"name": _input_name(t), "shape": _shape(t),
                        "dtype": str(t.dtype)} for t in model.inputs],
            "layers": rows, "total_params": total, "trainable_params": trainable,
            "non_trainable_params": total - trainable}


def randomize(model: keras.Model, seed: int) -> None:
    """Seeded uniform weights, so zero-initialized biases matter too."""
    rng = np.random.default_rng(seed)
    for w in model.weights:
        low, high = (0.5, 1.5) if "variance" in w.path else (-0.5, 0.5)
        w.assign(rng.uniform(low, high, size=tuple(w.shape)).astype(w.dtype))


def sample_inputs(model: keras.Model, options: dict[str, Any], seed: int) -> dict[str, Any]:
    rng = np.random.default_rng(1000 + seed)
    arrays = {}
    for t in model.inputs:
        shape = [2 if i == 0 and d is None else (options.get("T", 4) if d is None else d)
                 for i, d in enumerate(t.shape)]
        if "int" in str(t.dtype):
            x = rng.integers(0, options.get("vocab", 10), size=shape).astype("int32")
            if len(shape) == 2:
                x[:, -1] = 0           # some padding for mask_zero cases
        else:
            x = rng.uniform(0, 1, size=shape).astype("float32")
            k = options.get("mask_steps", 0)
            if k:
                x[0, -k:, :] = 0.0
        arrays[_input_name(t)] = x
    return arrays


def make_models(only: set[str] | None) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    all_facts: dict[str, Any] = {}
    facts_path = OUT / "facts.json"
    if only and facts_path.exists():
        all_facts = json.loads(facts_path.read_text())
    for seed, (name, (build, options)) in enumerate(CASES.items()):
        if only and name not in only:
            continue
        keras.backend.clear_session()
        keras.utils.set_random_seed(seed)
        model = build()
        (OUT / f"{name}.json").write_text(json.dumps(json.loads(model.to_json()), indent=1)
                                          + "\n")
        record = facts(model)
        if not options.get("big"):
            if not options.get("keep_weights"):
                randomize(model, seed)
            x = sample_inputs(model, options, seed)
            if len(x) == 1:
                np.save(OUT / f"{name}.in.npy", next(iter(x.values())))
                feed: Any = next(iter(x.values()))
            else:
                np.savez(OUT / f"{name}.in.npz", **x)
                feed = [x[_input_name(t)] for t in model.inputs]
            y = keras.tree.flatten(model.predict(feed, verbose=0))
            np.savez(OUT / f"{name}.out.npz", *[np.asarray(v) for v in y])
            model.save(OUT / f"{name}.keras")
            if options.get("h5"):
                model.save(OUT / f"{name}.h5")
            record["files"] = ["keras", "h5"] if options.get("h5") else ["keras"]
        all_facts[name] = record
        print(f"{name}: {record['total_params']} params", file=sys.stderr)
    for name, build in KERAS2_EQUIVALENTS.items():
        keras.backend.clear_session()
        model = build()
        record = facts(model)
        record["oracle"] = "equivalent model built with Keras 3 (config hand-written)"
        all_facts[f"keras2/{name}"] = record
    facts_path.write_text(json.dumps(all_facts, indent=1, sort_keys=True) + "\n")


# -- export round trip ----------------------------------------------------------------


def export_specs() -> list[Path]:
    paths = sorted(OUT.glob("*.json"))
    paths = [p for p in paths if p.name not in ("facts.json", "export_facts.json")]
    paths += sorted((OUT / "keras2").glob("*.json"))
    paths += sorted((REPO / "specs").glob("**/*.yaml"))
    return paths


def make_export() -> None:
    results = {}
    for path in export_specs():
        rel = str(path.relative_to(REPO))
        proc = subprocess.run([*RNNCALC, "export", str(path), "--to", "keras"],
                              capture_output=True, text=True, cwd=REPO)
        if proc.returncode != 0:
            results[rel] = {"error": proc.stderr.strip()}
            print(f"{rel}: export failed: {proc.stderr.strip()}", file=sys.stderr)
            continue
        keras.backend.clear_session()
        namespace: dict[str, Any] = {}
        try:
            with contextlib.redirect_stdout(io.StringIO()):   # the code prints its summary
                exec(compile(proc.stdout, rel, "exec"), namespace)  # the exported code
        except Exception as err:  # record it; the test fails on it
            results[rel] = {"code": proc.stdout, "error": f"{type(err).__name__}: {err}"}
            print(f"{rel}: Keras rejected the code: {err}", file=sys.stderr)
            continue
        results[rel] = {"code": proc.stdout, **facts(namespace["model"])}
        print(f"{rel}: ok", file=sys.stderr)
    (OUT / "export_facts.json").write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=("models", "export", "all"), default="models")
    parser.add_argument("--only", nargs="*", help="regenerate only these cases")
    args = parser.parse_args()
    if args.part in ("models", "all"):
        make_models(set(args.only) if args.only else None)
    if args.part in ("export", "all"):
        make_export()


if __name__ == "__main__":
    main()
