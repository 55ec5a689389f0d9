"""MACs, FLOPs and memory: formulas against the torch reference, the NumPy engine
and the hand derivations in docs/costs.md."""

from __future__ import annotations

import json
from math import prod
from pathlib import Path

import pytest

from rnncalc.graph import ShapeOptions
from rnncalc.layers.counting import Poly
from rnncalc.reports.cost import model_cost
from rnncalc.reports.pytorch import graph_for
from tests.support import load_spec

GOLDEN = Path(__file__).resolve().parent / "golden"
REFERENCE = json.loads((GOLDEN / "torch_cost_reference.json").read_text())
KERAS = {"lstm": "LSTM", "gru": "GRU", "rnn": "SimpleRNN"}


def _cost(exprs, per_sample, batch=None, timesteps=None, convention="keras", dtype=None):
    options = ShapeOptions(per_sample, batch, timesteps)
    graph = graph_for(load_spec(None, exprs), options, convention)
    return graph, model_cost(graph, convention, dtype)


def _ops(layer_cost, op):
    return sum(t.total.value for t in layer_cost.terms if t.op == op)


# -- against the measured torch reference (docs/cost-conventions.md) --------------

@pytest.mark.parametrize("model", REFERENCE["models"], ids=lambda m: m["id"])
def test_reference_lstm_gru_rnn(model):
    """I=128, H=256, B=32, T=100: our terms equal the hand count, and torchinfo's
    total is exactly our MACs plus PyTorch's two bias adds."""
    b, t = 32, 100
    hand = model["hand_per_sample_per_step"]
    _, keras = _cost([f"{KERAS[model['id']]}(256)"], (t, 128), b)
    _, torch = _cost([f"{KERAS[model['id']]}(256)"], (t, 128), b, convention="pytorch")
    (k,), (p,) = keras.layers, torch.layers
    assert keras.macs.value == hand["matmul_macs"] * b * t
    assert torch.macs.value == keras.macs.value
    bias_keras = _ops(k, "add") - hand["elementwise"]["adds"] * b * t
    bias_torch = _ops(p, "add") - hand["elementwise"]["adds"] * b * t
    # Keras GRU (reset_after=True) has two biases like PyTorch; LSTM and SimpleRNN one
    assert bias_keras == (hand["bias_adds_pytorch_two_biases"] if model["id"] == "gru"
                          else hand["bias_adds_one_bias"]) * b * t
    assert bias_torch == hand["bias_adds_pytorch_two_biases"] * b * t
    assert _ops(k, "mul") == hand["elementwise"]["mults"] * b * t
    assert _ops(k, "act") == hand["elementwise"]["activations"] * b * t
    assert torch.macs.value + bias_torch == model["torchinfo"]["total_mult_adds"]
    assert torch.flops.value == 2 * hand["matmul_macs"] * b * t + (
        hand["bias_adds_pytorch_two_biases"] + hand["elementwise_total"]) * b * t
    # ptflops: per sample, two biases, a fixed 10H/7H/H element-wise term
    e = {"lstm": 10, "gru": 7, "rnn": 1}[model["id"]]
    assert (torch.macs.value + bias_torch) // b + e * 256 * t == model["ptflops"]["macs_reported"]


def test_reference_two_layer_bidirectional_projected_lstm():
    extra = next(x for x in REFERENCE["extras"] if x["id"] == "lstm_l2_bi_proj64")
    _, cost = _cost(["LSTM(256, num_layers=2, bidirectional=True, proj_size=64, "
                     "return_sequences=True)"], (100, 128), 32, convention="pytorch")
    (layer,) = cost.layers
    bias = sum(t.total.value for t in layer.terms if t.what.startswith("bias add"))
    # torchinfo = B·T·params: every weight (incl. weight_hr) once, every bias once
    assert cost.macs.value + bias == extra["torchinfo"]["total_mult_adds"] == 2_752_512_000
    # ptflops leaves out weight_hr: 4 × 64·256 MACs per step and sample
    proj = sum(t.total.value for t in layer.terms if t.what.startswith("projection"))
    assert proj == 4 * 64 * 256 * 32 * 100
    assert (cost.macs.value + bias - proj) // 32 + 2 * 2 * 10 * 256 * 100 == (
        extra["ptflops"]["macs_reported"])


# -- against the NumPy engine -------------------------------------------------------

ENGINE_MODELS = [
    (["SimpleRNN(8, return_sequences=True)"], (5, 4)),
    (["LSTM(6)"], (5, 4)),
    (["GRU(6)"], (5, 4)),
    (["GRU(6, reset_after=False, return_sequences=True)", "Dense(3)"], (5, 4)),
    (["Bidirectional(LSTM(3, return_sequences=True), merge_mode='sum')", "LSTM(2)",
      "Dense(1, activation='sigmoid')"], (4, 5)),
    (["Embedding(50, 8)", "SimpleRNN(4, return_sequences=True)",
      "TimeDistributed(Dense(2))"], (7,)),
    (["Bidirectional(GRU(3, return_sequences=True), backward_layer=GRU(5, go_backwards=True,"
      " return_sequences=True), merge_mode='concat')"], (6, 2)),
]


def _engine_macs(graph, monkeypatch, batch: int = 3) -> int:
    """Run the engine and count the multiply-adds of every np.matmul it calls, plus
    those of the optional C kernel's own products (batch 1: the whole loop in C)."""
    np = pytest.importorskip("numpy")
    engine_run = pytest.importorskip("rnncalc.engine.run")
    from rnncalc.engine import fused

    counted = []
    real = np.matmul

    def counting(a, b, *args, **kwargs):
        out = real(a, b, *args, **kwargs)
        counted.append(prod(np.shape(out)) * np.shape(a)[-1])    # (n, k) @ (k, m): n·m·k
        return out

    monkeypatch.setattr(np, "matmul", counting)
    before = fused.macs()
    engine_run.run_graph(graph, engine_run.RunOptions(seed=0, batch_size=batch))
    assert counted, "the engine did no matmul"
    return sum(counted) + fused.macs() - before


def _first_step_products(cost, graph) -> int:
    """h_0·W_h of every recurrent layer and direction, which an engine may skip when
    h_0 is zeros (no initial_state). The formula counts every step, as Keras runs it."""
    skipped = 0
    for layer in cost.layers:
        steps = graph.node(layer.name).input_shapes[0][1]
        skipped += sum(t.total.value // steps for t in layer.terms
                       if t.what.startswith("recurrent matmul"))
    return skipped


@pytest.fixture(params=["C kernel", "NumPy"])
def engine_path(request, monkeypatch) -> str:
    """Both recurrent paths: the optional C kernel (where built) and NumPy's."""
    from rnncalc.engine import fused

    if request.param == "NumPy":
        monkeypatch.setenv(fused.ENV, "numpy")
    elif not fused.available():
        pytest.skip("C kernel not built")
    return request.param


@pytest.mark.parametrize("batch", [3, 1])
@pytest.mark.parametrize("exprs, shape", ENGINE_MODELS, ids=lambda v: str(v))
def test_macs_equal_what_the_engine_multiplies(exprs, shape, batch, engine_path, monkeypatch):
    graph, cost = _cost(exprs, shape, batch=batch)
    engine = _engine_macs(graph, monkeypatch, batch)
    # every step's products, or all but the zero-state first ones (an engine shortcut)
    assert engine in (cost.macs.value, cost.macs.value - _first_step_products(cost, graph))


@pytest.mark.parametrize("kind", ["SimpleRNN", "LSTM", "GRU"])
def test_macs_equal_the_engine_exactly_with_an_initial_state(kind, engine_path, monkeypatch):
    """With initial_state given the engine does every recurrent product: exact match."""
    from tests.support import graph_from_data

    states = 2 if kind == "LSTM" else 1
    spec = {"inputs": {"x": {"shape": [5, 4]}, "h": {"shape": [6]}, "c": {"shape": [6]}},
            "layers": [{kind: {"units": 6, "name": "rnn"}, "inputs": "x",
                        "initial_state": ["h", "c"][:states]},
                       {"Dense": {"units": 2}, "inputs": "rnn"}],
            "outputs": ["dense"]}
    if states == 1:
        del spec["inputs"]["c"]
    graph = graph_from_data(spec, ShapeOptions(batch_size=3))
    cost = model_cost(graph)
    assert _engine_macs(graph, monkeypatch) == cost.macs.value == 3 * (
        5 * {"SimpleRNN": 1, "LSTM": 4, "GRU": 3}[kind] * 6 * (4 + 6) + 6 * 2)


# -- unknown dims -------------------------------------------------------------------

def test_unknown_batch_and_time_stay_symbolic():
    _, cost = _cost(["Embedding(5000, 100)", "SimpleRNN(128)", "Dense(1)"], (None,))
    assert cost.macs.per_sample() == (Poly.symbol("T") * 29184 + 128, True)
    _, known = _cost(["Embedding(5000, 100)", "SimpleRNN(128)", "Dense(1)"], (30,), 32)
    assert known.macs.value == 32 * (30 * 29184 + 128)


def test_layer_figures_add_up_to_the_totals():
    _, cost = _cost(["Bidirectional(LSTM(8, return_sequences=True))", "Conv1D(4, 3)",
                     "MaxPooling1D(2)", "LayerNormalization()", "GlobalAveragePooling1D()",
                     "Dense(2, activation='softmax')"], (12, 5), 2)
    assert cost.macs.value == sum(c.macs.value for c in cost.layers)
    assert cost.flops.value == sum(c.flops.value for c in cost.layers)
    assert cost.training_activation_bytes.value == sum(
        c.training_bytes.value for c in cost.layers)
    conv = cost.layer("conv1d")
    assert conv.macs.value == 2 * 10 * 3 * 16 * 4       # B·L_out · k·C_in·F


# -- memory: the LSTM derivation in docs/costs.md -------------------------------------

def test_training_memory_of_one_lstm_matches_the_docs_derivation():
    b, t, i, u = 32, 100, 128, 256
    _, cost = _cost([f"LSTM({u})"], (t, i), b)
    (lstm,) = cost.layers
    outputs = b * u                              # h_T: (32, 256)
    bptt = b * t * 7 * u                         # h, c, i, f, c̃, o, tanh(c) per step
    assert lstm.training_values.value == outputs + bptt == 5_742_592
    assert lstm.training_bytes.value == 22_970_368
    work = b * (2 + 4) * u                       # h, c and one step's 4 gates
    assert lstm.inference_values.value == outputs + work == 57_344
    params = 4 * u * (i + u + 1)                 # 394,240
    inputs = b * t * i * 4
    assert cost.input_bytes.value == inputs == 1_638_400
    assert cost.training_total.value == inputs + 2 * params * 4 + 22_970_368 == 27_762_688
    assert cost.inference_total.value == inputs + params * 4 + 57_344 * 4 == 3_444_736


def test_dtype_changes_bytes_not_counts():
    _, f32 = _cost(["LSTM(16)"], (10, 8), 4)
    _, f16 = _cost(["LSTM(16)"], (10, 8), 4, dtype="float16")
    _, f64 = _cost(["LSTM(16)"], (10, 8), 4, dtype="float64")
    assert f16.param_bytes * 2 == f32.param_bytes == f64.param_bytes // 2
    assert f16.training_activation_bytes.value * 2 == f32.training_activation_bytes.value
    assert f16.macs == f32.macs


def test_summary_columns_and_expand(cli):
    res = cli("summary", "--input-shape", "30", "--layer", "Embedding(5000, 100)", "--layer",
              "SimpleRNN(128)", "--layer", "Dense(1)", "--columns",
              "params,params_percent,macs,flops,trainable,weights", "--expand",
              "--format", "markdown")
    assert res.code == 0, res.err
    out = res.out
    assert "| Layer (type) | Param # | Param % | MACs / sample | FLOPs / sample | Trainable |" \
        " Weights |" in out
    assert "| simple_rnn (SimpleRNN) | 29,312 | 5.5% | 875.5 K |" in out
    assert "|   └ recurrent_kernel | 16,384 | 3.1% |" in out
    assert "- Total MACs: 875,648 per sample" in out


def test_summary_columns_unknown_name_is_a_clear_error(cli):
    res = cli("summary", "--input-shape", "3,2", "--layer", "LSTM(2)", "--columns", "mac")
    assert res.code == 2 and "unknown column 'mac'" in res.err and "did you mean 'macs'" in res.err


def test_summary_default_output_is_unchanged_by_the_new_options(cli):
    plain = cli("summary", "--input-shape", "30", "--layer", "LSTM(4)", "--format", "markdown")
    assert "MACs" not in plain.out and "Param %" not in plain.out


def test_summary_json_with_cost_columns(cli):
    res = cli("summary", "--input-shape", "5,3", "--batch-size", "2", "--layer", "LSTM(4)",
              "--columns", "macs", "--json")
    doc = json.loads(res.out)
    assert doc["layers"][0]["macs"] == 2 * 5 * 4 * 4 * (3 + 4)
    assert doc["total_params"] == 4 * 4 * (3 + 4 + 1)
    assert doc["cost"]["memory_bytes"]["params"] == 4 * 4 * 4 * (3 + 4 + 1)


def test_summary_pytorch_convention_json(cli):
    res = cli("summary", "--input-shape", "5,3", "--layer", "LSTM(4)", "--convention",
              "pytorch", "--json")
    doc = json.loads(res.out)
    assert doc["convention"] == "pytorch"
    assert doc["total_params"] == 4 * 4 * (3 + 4 + 2)
    assert doc["keras_total_params"] == 4 * 4 * (3 + 4 + 1)
    assert [e["name"] for e in doc["layers"][0]["state_dict"]] == [
        "lstm.weight_ih_l0", "lstm.weight_hh_l0", "lstm.bias_ih_l0", "lstm.bias_hh_l0"]


def test_docs_side_by_side_figures_are_what_rnncalc_computes():
    docs = (Path(__file__).resolve().parent.parent / "docs" / "costs.md").read_text()
    _, keras = _cost(["LSTM(256, return_sequences=True)"], (100, 128), 32)
    _, torch = _cost(["LSTM(256, return_sequences=True)"], (100, 128), 32,
                     convention="pytorch")
    row = next(line for line in docs.splitlines() if line.startswith("| FLOPs |"))
    assert f"{keras.flops.value:,}" in row and f"{torch.flops.value:,}" in row
    row = next(line for line in docs.splitlines() if line.startswith("| MACs |"))
    assert row.count(f"{keras.macs.value:,}") == 2
    row = next(line for line in docs.splitlines()
               if line.startswith("| training activations (bytes) |"))
    assert row.count(f"{keras.training_activation_bytes.value:,}") == 2
