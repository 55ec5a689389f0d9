"""`rnncalc run` end to end: default example, files in and out, errors, memory refusal."""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import GOLDEN

SEED_BILSTM = ("Bidirectional(LSTM(3, return_sequences=True, return_state=True, "
               "kernel_initializer=Constant(0.1), recurrent_initializer=Constant(0.1), "
               "bias_initializer=Constant(0)))")
TRAIN_X = [[0.1, 4.2, 1.5, 1.1, 2.8], [1.0, 3.1, 2.5, 0.7, 1.1],
           [0.3, 2.1, 1.5, 2.1, 0.1], [2.2, 1.4, 0.5, 0.9, 1.1]]


def test_default_example(cli) -> None:
    r = cli("run", "--timesteps", "10")
    assert r.code == 0, r.err
    assert "simple_rnn" in r.out and "(1, 10, 8)" in r.out


def test_default_example_json_and_options(cli) -> None:
    r = cli("run", "--json", "--cell", "GRU", "--units", "5", "--input-dim", "3",
            "--timesteps", "7", "--seed", "4")
    assert r.code == 0, r.err
    doc = json.loads(r.out)
    assert doc["seed"] == 4
    assert doc["inputs"] == [{"name": "input_layer", "shape": [1, 7, 3]}]
    (out,) = doc["outputs"]
    assert (out["name"], out["index"], out["shape"]) == ("gru", 0, [1, 7, 5])
    assert np.asarray(out["values"]).shape == (1, 7, 5)
    assert np.all(np.abs(out["values"]) < 1)


def test_seed_changes_values_and_is_reproducible(cli) -> None:
    a, b, c = (json.loads(cli("run", "--json", "--seed", s).out) for s in ("1", "1", "2"))
    assert a == b and a["outputs"][0]["values"] != c["outputs"][0]["values"]


def test_seed_bilstm_from_json_input(cli, tmp_path) -> None:
    x = tmp_path / "x.json"
    x.write_text(json.dumps(TRAIN_X))              # no batch axis: a batch of one
    r = cli("run", "--layer", SEED_BILSTM, "--input-shape", "4,5", "--input", x, "--json")
    assert r.code == 0, r.err
    outs = json.loads(r.out)["outputs"]
    assert [o["index"] for o in outs] == [0, 1, 2, 3, 4]
    np.testing.assert_allclose(outs[1]["values"], [[0.6303138] * 3], atol=1e-6, rtol=0)
    np.testing.assert_allclose(outs[3]["values"], [[0.7038734] * 3], atol=1e-6, rtol=0)


def test_stdin_and_npy_inputs(cli, tmp_path) -> None:
    args = ("run", "--layer", SEED_BILSTM, "--input-shape", "4,5", "--json")
    from_stdin = json.loads(cli(*args, "--input", "-", stdin=json.dumps([TRAIN_X])).out)
    npy = tmp_path / "x.npy"
    np.save(npy, np.array(TRAIN_X, dtype=np.float32))
    from_npy = json.loads(cli(*args, "--input", npy).out)
    assert from_stdin["outputs"] == from_npy["outputs"]


def test_save_and_load_weights_round_trip(cli, tmp_path) -> None:
    spec = tmp_path / "m.yaml"
    spec.write_text("input: {shape: [6], dtype: int32}\nlayers:\n"
                    "  - Embedding: {input_dim: 20, output_dim: 4, mask_zero: true}\n"
                    "  - Bidirectional: {layer: {GRU: {units: 3, reset_after: false}}}\n"
                    "  - Dense: {units: 2, activation: softmax}\n")
    saved = tmp_path / "run.npz"
    first = cli("run", spec, "--seed", "7", "--batch-size", "3", "--save", saved, "--json")
    assert first.code == 0, first.err
    with np.load(saved) as f:
        keys = set(f.files)
        assert {"output/0", "input/input_layer", "weights/embedding/embeddings",
                "weights/bidirectional/forward/kernel", "weights/dense/bias"} <= keys
        inputs = f["input/input_layer"]
    assert inputs.shape == (3, 6) and inputs.max() < 20
    # same weights and inputs, another seed: identical outputs
    again = cli("run", spec, "--seed", "99", "--weights", saved, "--input", saved, "--json")
    assert again.code == 0, again.err
    assert json.loads(again.out)["outputs"] == json.loads(first.out)["outputs"]
    # and a fresh seed without them differs
    other = cli("run", spec, "--seed", "99", "--batch-size", "3", "--json")
    assert json.loads(other.out)["outputs"] != json.loads(first.out)["outputs"]


def test_named_weights_equal_positional(cli, tmp_path) -> None:
    fixture = GOLDEN / "numeric" / "lstm_state_seq.weights.npz"
    index = json.loads((GOLDEN / "numeric" / "index.json").read_text())
    model = next(m for m in index["models"] if m["id"] == "lstm_state_seq")
    spec = tmp_path / "m.json"
    spec.write_text(json.dumps(model["spec"]))
    with np.load(fixture) as f:
        named = {f"lstm/{n}": f[f"arr_{i}"]
                 for i, n in enumerate(["kernel", "recurrent_kernel", "bias"])}
    np.savez(tmp_path / "named.npz", **named)
    a = cli("run", spec, "--weights", fixture, "--json", "--timesteps", "5")
    b = cli("run", spec, "--weights", tmp_path / "named.npz", "--json", "--timesteps", "5")
    assert a.code == b.code == 0, a.err + b.err
    assert a.out == b.out


@pytest.mark.parametrize(("arrays", "message"), [
    ({"lstm/kernel": np.zeros((5, 12)), "lstm/recurrent_kernel": np.zeros((3, 12))},
     "missing weight 'lstm/bias' (expected shape (12,))"),
    ({"lstm/kernel": np.zeros((5, 12)), "lstm/recurrent_kernel": np.zeros((3, 12)),
      "lstm/bias": np.zeros(12), "lstm/biass": np.zeros(12)},
     "unexpected weight 'lstm/biass'"),
    ({"lstm/kernel": np.zeros((5, 13)), "lstm/recurrent_kernel": np.zeros((3, 12)),
      "lstm/bias": np.zeros(12)},
     "weight 'lstm/kernel': expected shape (5, 12), found (5, 13)"),
    ({"arr_0": np.zeros((5, 12)), "arr_1": np.zeros((3, 12))}, "expected 3 arrays"),
    ({"arr_0": np.zeros((5, 12)), "arr_1": np.zeros((12, 3)), "arr_2": np.zeros(12)},
     "weight 'lstm/recurrent_kernel' (arr_1): expected shape (3, 12), found (12, 3)"),
])
def test_weight_errors(cli, tmp_path, arrays, message) -> None:
    path = tmp_path / "w.npz"
    np.savez(path, **arrays)
    r = cli("run", "--layer", "LSTM(3)", "--input-shape", "4,5", "--weights", path)
    assert r.code == 2
    assert r.err.startswith("error: ") and message in r.err and "Traceback" not in r.err



def test_weights_that_are_not_numpy(cli, tmp_path) -> None:
    path = tmp_path / "weights.txt"
    path.write_text("not weights\n")
    r = cli("run", "--layer", "LSTM(3)", "--input-shape", "4,5", "--weights", path)
    assert r.code == 2 and r.err.count("\n") == 1
    assert "not a NumPy file" in r.err and "pickle" not in r.err, r.err

@pytest.mark.parametrize(("content", "message"), [
    ([[1.0, 2.0]], "expected shape (None, 4, 5) (or (4, 5) for one sample), found (1, 2)"),
    ([["a", "b"]], "expected numbers"),
    ([[1.0], [1.0, 2.0]], "ragged"),
])
def test_input_errors(cli, tmp_path, content, message) -> None:
    path = tmp_path / "x.json"
    path.write_text(json.dumps(content))
    r = cli("run", "--layer", "LSTM(3)", "--input-shape", "4,5", "--input", path)
    assert r.code == 2 and message in r.err, r.err


def test_token_input_errors(cli, tmp_path) -> None:
    path, spec = tmp_path / "x.json", tmp_path / "m.yaml"
    spec.write_text("input: {shape: [3], dtype: int32}\nlayers: [\"Embedding(10, 4)\"]\n")
    base = ("run", spec, "--input", path)
    path.write_text("[[1.5, 2, 3]]")
    assert "non-integer" in cli(*base).err
    path.write_text("[[1, 2, 30]]")
    r = cli(*base)
    assert r.code == 2 and "token id 30 is outside the vocabulary" in r.err


def test_several_inputs_need_npz(cli, tmp_path) -> None:
    spec = tmp_path / "m.yaml"
    spec.write_text("inputs:\n  a: {shape: [3]}\n  b: {shape: [3]}\n"
                    "layers:\n  - Add: {}\n    inputs: [a, b]\n")
    np.save(tmp_path / "x.npy", np.ones(3))
    r = cli("run", spec, "--input", tmp_path / "x.npy")
    assert r.code == 2 and "has 2 inputs" in r.err
    np.savez(tmp_path / "x.npz", a=np.ones(3), b=np.full(3, 2.0))
    r = cli("run", spec, "--input", tmp_path / "x.npz", "--json")
    assert json.loads(r.out)["outputs"][0]["values"] == [[3.0, 3.0, 3.0]]
    np.savez(tmp_path / "y.npz", a=np.ones(3), c=np.ones(3))
    r = cli("run", spec, "--input", tmp_path / "y.npz")
    assert r.code == 2 and "'c' is not a model input" in r.err


def test_memory_limit_refuses_before_allocating(cli) -> None:
    r = cli("run", "--timesteps", "100000000", "--units", "4096")
    assert r.code == 2 and "estimated" in r.err and "--max-memory" in r.err
    small = cli("run", "--timesteps", "50", "--max-memory", "1KB")
    assert small.code == 2 and "limit of 1000 B" in small.err
    assert cli("run", "--max-memory", "lots").code == 2


def test_unknown_time_dim_needs_timesteps(cli) -> None:
    r = cli("run", "--layer", "LSTM(2)", "--input-shape", "None,3")
    assert r.code == 2 and "--timesteps" in r.err
    assert cli("run", "--layer", "LSTM(2)", "--input-shape", "None,3", "--timesteps", "4").code == 0


def test_example_options_need_no_spec(cli) -> None:
    r = cli("run", "--layer", "LSTM(2)", "--input-shape", "3,3", "--units", "4")
    assert r.code == 2 and "default example" in r.err


def test_heatmap(cli) -> None:
    r = cli("run", "--timesteps", "6", "--heatmap")
    assert r.code == 0 and "units × timesteps" in r.out


def test_heatmap_without_colour_spells_sign_and_size() -> None:
    """Piped output has no colour, so each cell shows sign and a shade."""
    import numpy as np
    from rich.console import Console

    from rnncalc.render.run_output import heatmap_view

    values = np.array([[[1.0, -0.5], [-1.0, 0.0]]])        # (batch, steps, units)
    console = Console(width=80, color_system=None, record=True)
    console.print(heatmap_view(values, "x", colour=False))
    rows = [line for line in console.export_text().splitlines() if line.strip("│ ")[:1].isdigit()]
    # unit 0 over steps: +1.0 (full), -1.0 (full); unit 1: -0.5 (half), 0.0 (blank)
    assert "+█-█" in rows[0] and "-▒" in rows[1]


def test_all_layer_kinds_run(cli, tmp_path) -> None:
    spec = tmp_path / "m.yaml"
    spec.write_text("""
inputs:
  tokens: {shape: [8], dtype: int32}
  feats: {shape: [8, 3]}
layers:
  - Embedding: {input_dim: 30, output_dim: 6, mask_zero: true}
    inputs: tokens
  - Conv1D: {filters: 6, kernel_size: 3, padding: causal, name: conv}
    inputs: feats
  - Masking: {name: masked}
    inputs: conv
  - Concatenate: {name: cat}
    inputs: [embedding, masked]
  - LayerNormalization: {name: ln}
  - BatchNormalization: {name: bn}
  - SpatialDropout1D: {rate: 0.2}
  - TimeDistributed: {layer: {Dense: {units: 4, activation: relu}}, name: td}
  - Bidirectional: {layer: {LSTM: {units: 3, return_sequences: true}}, merge_mode: ave}
  - MaxPooling1D: {pool_size: 2, padding: same}
  - AveragePooling1D: {pool_size: 2}
  - GRU: {units: 4, return_sequences: true, go_backwards: true}
  - GlobalAveragePooling1D: {name: gap}
  - RepeatVector: {n: 2}
  - Permute: {dims: [2, 1]}
  - Flatten: {}
  - Reshape: {target_shape: [2, -1]}
  - SimpleRNN: {units: 2, name: last}
  - Subtract: {name: zero}
    inputs: [last, last]
  - Multiply: {}
    inputs: [last, zero]
  - Activation: {activation: softmax, name: out}
outputs: [out, gap]
""")
    r = cli("run", spec, "--batch-size", "2", "--json")
    assert r.code == 0, r.err
    out, gap = json.loads(r.out)["outputs"]
    assert out["shape"] == [2, 2] and out["values"] == [[0.5, 0.5], [0.5, 0.5]]
    assert gap["shape"] == [2, 4]


def test_random_input_of_an_embedding_first_sequential_is_token_ids():
    """Keras declares a Sequential's input float32 even before an Embedding; uniform [0, 1)
    floats would all be token 0. The draw is ids below input_dim (as floats)."""
    import numpy as np

    import rnncalc
    from rnncalc.engine.inputs import concrete_input_shapes, random_inputs

    graph = rnncalc.load(layers=["Embedding(7, 3)", "LSTM(2)"], input_shape=(50,)).graph()
    (values,) = random_inputs(graph, concrete_input_shapes(graph, 4), seed=0).values()
    assert values.dtype == np.float32 and values.shape == (4, 50)
    assert np.all(values == np.floor(values)) and values.min() >= 0 and values.max() <= 6
    assert len(np.unique(values)) > 1
    floats = rnncalc.load(layers=["LSTM(2)"], input_shape=(5, 3)).graph()
    (drawn,) = random_inputs(floats, concrete_input_shapes(floats, 2), seed=0).values()
    assert np.any(drawn != np.floor(drawn))          # other float inputs: uniform [0, 1)
