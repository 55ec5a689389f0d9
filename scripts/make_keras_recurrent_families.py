#!/usr/bin/env python3
"""Keras 3 fixtures for the recurrent families: RNN(cell), stacked cells, ConvLSTM, masks.

Not part of rnncalc; Keras is not a project dependency. Run it where Keras 3
and torch are installed::

    KERAS_BACKEND=torch /root/kerasenv/bin/python scripts/make_keras_recurrent_families.py

It writes ``tests/golden/keras_recurrent_families.json`` with three lists:

- ``summaries``: every buildable case, layer by layer as Keras 3 reports it
  (name, class, flattened output shapes, params, trainable params, weight
  paths and shapes), built in a fresh session so default names are Keras';
- ``numeric``: the ``numeric: true`` cases, with weights drawn
  ``uniform(-0.5, 0.5)`` (``np.random.default_rng(crc32(id))``) in
  ``get_weights()`` order, inputs, and Keras' inference outputs (flattened
  ``[output, *states]``), all as nested lists of float32 values;
- ``refusals``: cases Keras refuses, with its error message;
- per summary, ``to_json``: Keras' own model config (rnncalc reads it), and
  with ``--rnncalc PATH`` (default: the checkout's ``.venv/bin/rnncalc``)
  ``export``: the code ``rnncalc export --to keras`` wrote for the case and
  the layers Keras built when it ran that code.

Cases are rnncalc spec dicts (``input``/``layers`` or
``inputs``/``layers``/``outputs``), built by the generators' shared
``scripts/keras_builder.py``. (This family keeps its own generator because it
records more per case than the summary/numeric generators: the Keras config,
the export round trip through Keras, and ``.keras`` archives.)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import warnings
import zlib
from pathlib import Path
from typing import Any

os.environ.setdefault("KERAS_BACKEND", "torch")

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))     # keras_builder
OUT = ROOT / "tests" / "golden" / "keras_recurrent_families.json"


def seq(shape: list[Any], *layers: Any, dtype: str | None = None) -> dict[str, Any]:
    """A Sequential spec."""
    block: dict[str, Any] = {"shape": shape}
    if dtype:
        block["dtype"] = dtype
    return {"input": block, "layers": list(layers)}


def emb(vocab: int = 10, dim: int = 3) -> dict[str, Any]:
    return {"Embedding": {"input_dim": vocab, "output_dim": dim, "mask_zero": True}}


CASES: list[dict[str, Any]] = []


def case(case_id: str, spec: dict[str, Any], *, numeric: bool = True,
         refused: bool = False) -> None:
    CASES.append({"id": case_id, "spec": spec, "numeric": numeric and not refused,
                  "refused": refused})


# -- issue 12: zero_output_for_mask, softmax-family activations inside cells -----------
for kind in ("SimpleRNN", "LSTM", "GRU"):
    for seqs in (True, False):
        case(f"zofm_{kind.lower()}_{'seq' if seqs else 'last'}",
             seq([6], emb(), {kind: {"units": 4, "return_sequences": seqs,
                                     "zero_output_for_mask": True}}, dtype="int32"))
    case(f"zofm_{kind.lower()}_state",
         seq([6], emb(), {kind: {"units": 3, "return_sequences": True, "return_state": True,
                                 "zero_output_for_mask": True, "go_backwards": True}},
             dtype="int32"))
case("zofm_bidirectional_lstm",
     seq([6], emb(), {"Bidirectional": {"layer": {"LSTM": {
         "units": 3, "return_sequences": True, "zero_output_for_mask": False}}}}, dtype="int32"))
for kind, act in (("SimpleRNN", "softmax"), ("GRU", "log_softmax"), ("LSTM", "softmax"),
                  ("SimpleRNN", "sparsemax"), ("LSTM", "log_softmax")):
    case(f"act_{kind.lower()}_{act}",
         seq([5, 3], {kind: {"units": 4, "activation": act, "return_sequences": True}}))
case("act_gru_recurrent_softmax",
     seq([5, 3], {"GRU": {"units": 4, "recurrent_activation": "softmax"}}))
case("act_gru_reset_before_recurrent_softmax",
     seq([5, 3], {"GRU": {"units": 4, "recurrent_activation": "softmax",
                          "reset_after": False}}))
case("act_lstm_recurrent_softmax",
     seq([5, 3], {"LSTM": {"units": 4, "recurrent_activation": "softmax"}}))
case("act_bidirectional_gru_softmax_masked",
     seq([6], emb(), {"Bidirectional": {"layer": {"GRU": {
         "units": 3, "activation": "softmax", "return_sequences": True}},
         "merge_mode": "sum"}}, dtype="int32"))
case("act_simplernn_glu", seq([5, 3], {"SimpleRNN": {"units": 4, "activation": "glu"}}),
     refused=True)

# -- issue 10: RNN(cell), StackedRNNCells, lists of cells -------------------------------
CELLS = {"SimpleRNNCell": {"units": 4}, "LSTMCell": {"units": 3},
         "GRUCell": {"units": 5}}
for cell, kw in CELLS.items():
    for flags in ({}, {"return_sequences": True}, {"return_state": True},
                  {"return_sequences": True, "return_state": True, "go_backwards": True}):
        tag = "_".join(k.split("_")[-1] for k in flags) or "plain"
        case(f"rnn_{cell.lower()}_{tag}", seq([5, 3], {"RNN": {"cell": {cell: kw}, **flags}}))
case("rnn_grucell_reset_before",
     seq([5, 3], {"RNN": {"cell": {"GRUCell": {"units": 4, "reset_after": False}},
                          "return_sequences": True}}))
case("rnn_lstmcell_no_bias_relu",
     seq([5, 3], {"RNN": {"cell": {"LSTMCell": {"units": 4, "use_bias": False,
                                                "activation": "relu"}}}}))
case("rnn_lstmcell_no_forget_bias",
     seq([5, 3], {"RNN": {"cell": {"LSTMCell": {"units": 2, "unit_forget_bias": False}}}}))
STACKS = {
    "lstm_gru": [{"LSTMCell": {"units": 8}}, {"GRUCell": {"units": 4}}],
    "rnn_lstm": [{"SimpleRNNCell": {"units": 3}}, {"LSTMCell": {"units": 5}}],
    "gru_gru_rnn": [{"GRUCell": {"units": 2}}, {"GRUCell": {"units": 3}},
                    {"SimpleRNNCell": {"units": 4}}],
    "lstm_lstm": [{"LSTMCell": {"units": 4}}, {"LSTMCell": {"units": 4}}],
}
for tag, cells in STACKS.items():
    case(f"stack_list_{tag}", seq([5, 3], {"RNN": {"cell": cells, "return_sequences": True}}))
    case(f"stack_cells_{tag}_state",
         seq([5, 3], {"RNN": {"cell": {"StackedRNNCells": {"cells": cells}},
                              "return_state": True}}))
    case(f"stack_{tag}_masked",
         seq([6], emb(), {"RNN": {"cell": cells, "return_sequences": True}}, dtype="int32"))
case("stack_two_layers_of_rnn",
     seq([5, 3], {"RNN": {"cell": [{"LSTMCell": {"units": 3}}, {"GRUCell": {"units": 2}}],
                          "return_sequences": True}},
         {"RNN": {"cell": {"SimpleRNNCell": {"units": 2}}}}, {"Dense": {"units": 1}}))
case("stack_zero_output_masked",
     seq([6], emb(), {"RNN": {"cell": [{"LSTMCell": {"units": 3}}, {"GRUCell": {"units": 2}}],
                              "return_sequences": True, "zero_output_for_mask": True}},
         dtype="int32"))
for merge in ("concat", "sum", "mul", "ave"):
    case(f"bidi_rnn_lstmcell_{merge}",
         seq([5, 3], {"Bidirectional": {"layer": {"RNN": {
             "cell": {"LSTMCell": {"units": 3}}, "return_sequences": True}},
             "merge_mode": merge}}))
case("bidi_rnn_stack_masked",
     seq([6], emb(), {"Bidirectional": {"layer": {"RNN": {
         "cell": [{"GRUCell": {"units": 2}}, {"LSTMCell": {"units": 3}}],
         "return_sequences": True}}}}, dtype="int32"))
case("bidi_rnn_simplecell_state",
     seq([5, 3], {"Bidirectional": {"layer": {"RNN": {
         "cell": {"SimpleRNNCell": {"units": 3}}, "return_state": True}}}}))
case("bidi_rnn_stack_state",
     seq([5, 3], {"Bidirectional": {"layer": {"RNN": {
         "cell": [{"LSTMCell": {"units": 2}}, {"GRUCell": {"units": 3}}],
         "return_state": True}}}}))
case("bidi_rnn_masked_last",
     seq([6], emb(), {"Bidirectional": {"layer": {"RNN": {
         "cell": {"LSTMCell": {"units": 3}}}}}}, dtype="int32"))
case("timedistributed_rnn_cell",
     seq([3, 4, 2], {"TimeDistributed": {"layer": {"RNN": {
         "cell": {"GRUCell": {"units": 3}}}}}}))
case("rnn_then_lstm_names",
     seq([5, 3], {"LSTM": {"units": 2, "return_sequences": True}},
         {"RNN": {"cell": {"LSTMCell": {"units": 2}}, "return_sequences": True}},
         {"RNN": {"cell": [{"LSTMCell": {"units": 2}}, {"LSTMCell": {"units": 2}}]}}),
     numeric=False)
case("rnn_functional_initial_state", {
    "inputs": {"x": {"shape": [5, 3]}, "h": {"shape": [4]}, "c": {"shape": [4]}},
    "layers": [{"RNN": {"cell": {"LSTMCell": {"units": 4}}, "return_sequences": True,
                        "name": "rnn_is"}, "inputs": "x", "initial_state": ["h", "c"]}],
    "outputs": ["rnn_is"]})
case("bidi_rnn_initial_state", {
    "inputs": {"x": {"shape": [5, 3]}, "f": {"shape": [3]}, "b": {"shape": [3]}},
    "layers": [{"Bidirectional": {"layer": {"RNN": {"cell": {"GRUCell": {"units": 3}},
                                                    "return_sequences": True}},
                                  "name": "bi"},
                "inputs": "x", "initial_state": ["f", "b"]}],
    "outputs": ["bi"]})
for n, spec in enumerate([
        seq([5], {"RNN": {"cell": {"LSTMCell": {"units": 3}}}}),          # rank 2 input
        seq([5, 3], {"RNN": {"cell": {"Dense": {"units": 3}}}}),          # not a cell
        seq([5, 3], {"LSTM": {"units": 3, "time_major": True}}),
        seq([5, 3], {"SimpleRNN": {"units": 3, "implementation": 2}}),
        seq([5, 3], {"Bidirectional": {"layer": {"LSTM": {"units": 3}},
                                       "zero_output_for_mask": True}}),
        seq([5, 3], {"RNN": {"cell": {"LSTMCell": {"units": 3, "return_sequences": True}}}}),
]):
    case(f"refuse_rnn_{n}", spec, refused=True)

# -- issue 10: ConvLSTM1D/2D/3D ---------------------------------------------------------
for pad in ("same", "valid"):
    for strides in (1, 2):
        case(f"convlstm1d_{pad}_s{strides}",
             seq([4, 9, 2], {"ConvLSTM1D": {"filters": 3, "kernel_size": 3, "padding": pad,
                                            "strides": strides, "return_sequences": True}}))
        case(f"convlstm2d_{pad}_s{strides}",
             seq([3, 7, 6, 2], {"ConvLSTM2D": {"filters": 2, "kernel_size": [3, 2],
                                               "padding": pad, "strides": strides}}))
case("convlstm2d_strides_21_state",
     seq([3, 7, 6, 2], {"ConvLSTM2D": {"filters": 2, "kernel_size": 3, "strides": [2, 1],
                                       "padding": "same", "return_sequences": True,
                                       "return_state": True}}))
case("convlstm2d_dilation",
     seq([3, 8, 8, 1], {"ConvLSTM2D": {"filters": 2, "kernel_size": 3, "dilation_rate": 2,
                                       "padding": "same"}}))
case("convlstm2d_dilation_valid",
     seq([3, 8, 7, 2], {"ConvLSTM2D": {"filters": 2, "kernel_size": 2, "dilation_rate": [2, 1],
                                       "return_sequences": True}}))
case("convlstm2d_backwards",
     seq([3, 5, 5, 2], {"ConvLSTM2D": {"filters": 2, "kernel_size": 3, "padding": "same",
                                       "go_backwards": True, "return_sequences": True}}))
case("convlstm2d_even_kernel_same",
     seq([3, 6, 6, 2], {"ConvLSTM2D": {"filters": 2, "kernel_size": 2, "padding": "same"}}))
case("convlstm2d_no_bias_relu",
     seq([3, 5, 5, 2], {"ConvLSTM2D": {"filters": 3, "kernel_size": 3, "use_bias": False,
                                       "activation": "relu", "unit_forget_bias": False}}))
case("convlstm1d_bidirectional",
     seq([4, 8, 3], {"Bidirectional": {"layer": {"ConvLSTM1D": {
         "filters": 2, "kernel_size": 3, "padding": "same", "return_sequences": True}}}}))
case("convlstm2d_bidirectional_sum_state",
     seq([3, 5, 5, 2], {"Bidirectional": {"layer": {"ConvLSTM2D": {
         "filters": 2, "kernel_size": 3, "return_state": True}}, "merge_mode": "sum"}}))
case("convlstm3d_same",
     seq([2, 4, 4, 3, 1], {"ConvLSTM3D": {"filters": 2, "kernel_size": 3, "padding": "same",
                                          "return_sequences": True}}))
case("convlstm3d_valid_s2",
     seq([2, 5, 5, 5, 2], {"ConvLSTM3D": {"filters": 2, "kernel_size": 2, "strides": 2}}))
case("convlstm2d_stack_then_flatten",
     seq([3, 6, 6, 1], {"ConvLSTM2D": {"filters": 2, "kernel_size": 3, "padding": "same",
                                       "return_sequences": True}},
         {"ConvLSTM2D": {"filters": 2, "kernel_size": 3}}, "Flatten",
         {"Dense": {"units": 2}}))
case("convlstm2d_big_summary",
     seq([10, 64, 64, 3], {"ConvLSTM2D": {"filters": 16, "kernel_size": 5, "padding": "same",
                                          "return_sequences": True}},
         {"ConvLSTM2D": {"filters": 8, "kernel_size": 3, "strides": 2}}), numeric=False)
case("convlstm2d_channels_first",
     seq([3, 2, 7, 6], {"ConvLSTM2D": {"filters": 3, "kernel_size": [3, 2], "padding": "same",
                                       "strides": [2, 1], "data_format": "channels_first",
                                       "return_sequences": True, "return_state": True}}))
case("convlstm1d_channels_first_valid",
     seq([4, 3, 9], {"ConvLSTM1D": {"filters": 2, "kernel_size": 3,
                                    "data_format": "channels_first"}}))
case("convlstm2d_initial_state", {
    "inputs": {"x": {"shape": [3, 5, 5, 2]}, "h": {"shape": [5, 5, 2]},
               "c": {"shape": [5, 5, 2]}},
    "layers": [{"ConvLSTM2D": {"filters": 2, "kernel_size": 3, "padding": "same",
                               "return_sequences": True, "name": "cl"},
                "inputs": "x", "initial_state": ["h", "c"]}],
    "outputs": ["cl"]})
case("convlstm1d_unknown_time",
     seq([None, 12, 4], {"ConvLSTM1D": {"filters": 6, "kernel_size": 5}}), numeric=False)
for n, spec in enumerate([
        seq([4, 8, 2], {"ConvLSTM2D": {"filters": 2, "kernel_size": 3}}),          # rank 4
        seq([3, 8, 8, 2], {"ConvLSTM2D": {"filters": 2, "kernel_size": 3, "strides": 2,
                                          "dilation_rate": 2}}),
        seq([3, None, 8, 2], {"ConvLSTM2D": {"filters": 2, "kernel_size": 3}}),
        seq([3, 4, 4, 2], {"ConvLSTM2D": {"filters": 2, "kernel_size": 5}}),     # too small
        seq([3, 8, 2], {"ConvLSTM1D": {"filters": 2, "kernel_size": 3,
                                       "padding": "causal"}}),
]):
    case(f"refuse_convlstm_{n}", spec, refused=True)


# -- building ---------------------------------------------------------------------------

def build_model(spec: dict[str, Any]) -> Any:
    """The Keras model of a spec, in a fresh session, by the shared ``keras_builder``."""
    import keras_builder

    keras_builder.fresh_session()
    return keras_builder.build_model(spec)


def layer_record(layer: Any) -> dict[str, Any]:
    import keras

    outs = keras.tree.flatten(layer.output)
    trainable = sum(int(np.prod(w.shape)) for w in layer.trainable_weights)
    return {"name": layer.name, "type": type(layer).__name__,
            "output_shapes": [list(t.shape) for t in outs],
            "params": int(layer.count_params()) if layer.weights else 0,
            "trainable_params": trainable,
            "weights": [{"path": w.path, "shape": list(w.shape)} for w in layer.weights]}


def sample_inputs(model: Any, rng: np.random.Generator) -> list[np.ndarray]:
    arrays = []
    for t in model.inputs:
        shape = (2, *(4 if d is None else d for d in t.shape[1:]))
        if "int" in str(t.dtype):
            x = rng.integers(1, 10, size=shape).astype("int32")
            x[0, -2:] = 0              # trailing padding
            x[1, :1] = 0               # leading padding
            x[1, 3] = 0                # a hole
            arrays.append(x)
        else:
            arrays.append(rng.random(shape, dtype=np.float32))
    return arrays


def run_numeric(case_id: str, model: Any) -> dict[str, Any]:
    import keras

    rng = np.random.default_rng(zlib.crc32(case_id.encode()))
    weights = [rng.uniform(-0.5, 0.5, w.shape).astype("float32") for w in model.weights]
    model.set_weights(weights)
    inputs = sample_inputs(model, rng)
    outputs = keras.tree.flatten(model(inputs if len(inputs) > 1 else inputs[0],
                                       training=False))
    return {"weights": [w.tolist() for w in weights],
            "inputs": {t.name: x.tolist() for t, x in zip(model.inputs, inputs)},
            "outputs": [np.asarray(keras.ops.convert_to_numpy(y), "float32").tolist()
                        for y in outputs]}


def export_facts(rnncalc: Path, spec: dict[str, Any]) -> dict[str, Any]:
    """Run ``rnncalc export --to keras`` on the spec, then the code it wrote, in Keras."""
    import contextlib
    import io
    import subprocess
    import tempfile

    import keras

    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(spec, f)
    done = subprocess.run([str(rnncalc), "export", f.name, "--to", "keras"],
                          capture_output=True, text=True, check=True)
    os.unlink(f.name)
    keras.backend.clear_session()
    scope: dict[str, Any] = {}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(done.stdout, scope)  # noqa: S102 - the generated code is the fixture's subject
    layers = [layer_record(layer) for layer in scope["model"].layers]
    return {"code": done.stdout, "layers": layers}


ARCHIVES = {
    "stacked_cells_bidi": seq([5, 3], {"RNN": {"cell": [{"LSTMCell": {"units": 4}},
                                                         {"GRUCell": {"units": 2}},
                                                         {"LSTMCell": {"units": 3}}],
                                                "return_sequences": True}},
                              {"Bidirectional": {"layer": {"RNN": {
                                  "cell": {"SimpleRNNCell": {"units": 3}}}}}}),
    "convlstm2d_stack": seq([3, 6, 6, 2], {"ConvLSTM2D": {
        "filters": 2, "kernel_size": 3, "padding": "same", "return_sequences": True}},
        {"Bidirectional": {"layer": {"ConvLSTM2D": {"filters": 2, "kernel_size": 2}}}}),
}


def write_archives(folder: Path, again: bool) -> None:
    """``<id>.keras`` (model.save) with ``<id>.io.npz`` (input, Keras' output) per case.

    An archive holds its save time, so existing ones are kept unless ``again``.
    """
    folder.mkdir(parents=True, exist_ok=True)
    for case_id, spec in ARCHIVES.items():
        if (folder / f"{case_id}.keras").exists() and not again:
            continue
        model = build_model(spec)
        rng = np.random.default_rng(zlib.crc32(case_id.encode()))
        model.set_weights([rng.uniform(-0.5, 0.5, w.shape).astype("float32")
                           for w in model.weights])
        x = sample_inputs(model, rng)[0]
        y = model.predict(x, verbose=0)
        model.save(folder / f"{case_id}.keras")
        np.savez(folder / f"{case_id}.io.npz", input=x, output=y)


def main() -> int:
    import keras

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--archives", action="store_true", help="rewrite the .keras archives")
    ap.add_argument("--rnncalc", type=Path, default=ROOT / ".venv" / "bin" / "rnncalc")
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    doc: dict[str, Any] = {"keras": keras.__version__, "atol": 1e-5, "summaries": [],
                           "numeric": [], "refusals": []}
    for c in CASES:
        try:
            model = build_model(c["spec"])
            probe = sample_inputs(model, np.random.default_rng(0))   # Keras checks some
            model(probe if len(probe) > 1 else probe[0], training=False)   # args on call
        except Exception as err:  # noqa: BLE001 - Keras' refusal is the fixture
            if not c["refused"]:
                raise
            doc["refusals"].append({"id": c["id"], "spec": c["spec"],
                                    "keras_error": f"{type(err).__name__}: {err}"[:400]})
            continue
        if c["refused"]:
            raise SystemExit(f"{c['id']}: Keras accepted a case marked refused")
        layers = [layer_record(layer) for layer in model.layers]
        entry = {"id": c["id"], "spec": c["spec"], "layers": layers,
                 "to_json": json.loads(model.to_json())}
        doc["summaries"].append(entry)
        if c["numeric"]:
            doc["numeric"].append({"id": c["id"], "spec": c["spec"],
                                   **run_numeric(c["id"], model)})
        if args.rnncalc.exists():
            entry["export"] = export_facts(args.rnncalc, c["spec"])
    args.out.write_text(json.dumps(doc, indent=None, separators=(",", ":")) + "\n")
    write_archives(args.out.parent / "recurrent_archives", args.archives)
    print(f"{args.out}: {len(doc['summaries'])} summaries, {len(doc['numeric'])} numeric, "
          f"{len(doc['refusals'])} refusals")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
