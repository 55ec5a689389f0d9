"""`rnncalc explain`: the per-weight arithmetic, layer sums and the closing total."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SENTIMENT = ROOT / "specs" / "seed" / "sentiment.yaml"

# The seed notebook's hand derivation, verbatim (/work/shared/seed, cell after In [2]).
SEED_DERIVATION = """\
Embedding = 5,000(input) * 100(embedding) = 500,000
Wx = 100(embedding) * 128(hidden) = 12,800
Wh = 128 * 128 = 16,384
bias(hidden)  = 128
Wy = 128
bias(output) = 1

total = 529,441"""

WEIGHT_LINE = re.compile(r"^\s+(\S+) \(([\d, ]*),?\) = ([\d,×= ]+?)(?:\s{2,}|$)")


def _numbers(text: str) -> list[int]:
    return [int(n.replace(",", "")) for n in re.findall(r"\d[\d,]*", text)]


def _seed_lines() -> list[tuple[list[int], int]]:
    """(factors, result) per seed line: numbers before the last '=' and after it."""
    rows = []
    for line in SEED_DERIVATION.splitlines():
        if "=" not in line or line.startswith("total"):
            continue
        left, result = line.rsplit("=", 1)
        factors = _numbers(left.split("=", 1)[0] if left.count("=") else left)
        rows.append((factors, _numbers(result)[0]))
    return rows


def _weight_lines(out: str) -> list[tuple[str, list[int], int]]:
    rows = []
    for line in out.splitlines():
        m = WEIGHT_LINE.match(line)
        if m:
            arithmetic = m.group(3)
            left, _, right = arithmetic.rpartition("=")
            rows.append((m.group(1), _numbers(left), _numbers(right or arithmetic)[-1]))
    return rows


def test_seed_derivation_line_for_line(cli):
    res = cli("explain", SENTIMENT)
    assert res.code == 0, res.err
    ours = _weight_lines(res.out)
    seed = _seed_lines()
    assert [r for _, _, r in ours] == [r for _, r in seed] == [500000, 12800, 16384, 128, 128, 1]
    for (name, factors, result), (seed_factors, seed_result) in zip(ours, seed):
        assert result == seed_result
        if seed_factors:   # "5,000 * 100", "100 * 128", "128 * 128" appear as our factors
            assert factors == seed_factors, name
    # the exact text of the first three, and the closing sum
    assert "  embeddings (5000, 100) = 5,000 × 100 = 500,000" in res.out
    assert "  kernel (100, 128) = 100 × 128 = 12,800" in res.out
    assert "  recurrent_kernel (128, 128) = 128 × 128 = 16,384" in res.out
    assert "  bias (128,) = 128" in res.out
    assert "  kernel (128, 1) = 128 × 1 = 128" in res.out
    assert "  bias (1,) = 1" in res.out
    assert "total = 500,000 + 29,312 + 129 = 529,441 params" in res.out
    assert "params = 12,800 + 16,384 + 128 = 29,312" in res.out


def test_seed_costs_are_per_sample_per_timestep(cli):
    res = cli("explain", SENTIMENT)
    assert "MACs = 29,184 × T per sample" in res.out
    assert "MACs = 29,184 × T + 128 per sample" in res.out
    assert "B = batch size; T = timesteps" in res.out


def test_json_is_the_same_record(cli):
    res = cli("explain", SENTIMENT, "--json")
    doc = json.loads(res.out)
    assert doc["total_params"] == 529441
    assert doc["total_arithmetic"] == "500,000 + 29,312 + 129 = 529,441"
    rnn = doc["layers"][1]
    assert [w["arithmetic"] for w in rnn["groups"][0]["weights"]] == [
        "100 × 128 = 12,800", "128 × 128 = 16,384", "128"]
    # batch and time unknown: figures per sample and timestep, always JSON numbers
    assert doc["cost"]["per"] == "sample*step"
    assert rnn["cost"]["macs"] == 100 * 128 + 128 * 128 == 29184
    assert doc["cost"]["macs"] == 29184 + 128          # + Dense(1) on the last step
    assert doc["schema"] == "rnncalc/explain/1"


def test_layer_name_filters_and_suggests(cli):
    res = cli("explain", SENTIMENT, "--layer-name", "simple_rnn")
    assert res.code == 0
    assert "simple_rnn (SimpleRNN)" in res.out and "embedding (Embedding)" not in res.out
    assert "1 of 3 layers shown; model total 529,441 params" in res.out
    bad = cli("explain", SENTIMENT, "--layer-name", "simple_rn")
    assert bad.code == 2 and "did you mean 'simple_rnn'?" in bad.err


def test_lstm_gate_meaning_and_count(cli):
    res = cli("explain", "--input-shape", "30,100", "--layer", "LSTM(128)")
    assert "kernel (100, 512) = 100 × 512 = 51,200" in res.out
    assert "4 gates (i, f, c, o) × 128 units" in res.out
    assert "params = 51,200 + 65,536 + 512 = 117,248" in res.out


def test_bidirectional_split_and_gru_bias(cli):
    res = cli("explain", "--input-shape", "4,5", "--layer", "Bidirectional(GRU(3))")
    out = res.out
    assert "  forward:" in out and "  backward:" in out
    assert "forward/bias (2, 9) = 2 × 9 = 18" in out
    assert "2 biases (input, recurrent) × 3 gates (z, r, h) × 3 units" in out
    # 3·3·(5 + 3 + 2) = 90 per direction
    assert "forward params = 45 + 27 + 18 = 90" in out
    assert "params = 90 + 90 = 180" in out
    assert "forward: input matmul" in out and "backward: recurrent matmul" in out


def test_pytorch_convention_state_dict_arithmetic(cli):
    res = cli("explain", "--input-shape", "30,100", "--layer", "LSTM(128)", "--convention",
              "pytorch")
    out = res.out
    assert "nn.LSTM(100, 128, batch_first=True):" in out
    assert "weight_ih_l0 (512, 100) = 512 × 100 = 51,200" in out
    assert "bias_hh_l0 (512,) = 512" in out
    assert "(Keras counts 117,248; PyTorch +512)" in out
    assert "total = 117,760 params" in out


def test_pytorch_options_in_explain(cli):
    res = cli("explain", "--input-shape", "5,8", "--layer",
              "LSTM(16, num_layers=2, bidirectional=True, proj_size=4)", "--convention",
              "pytorch", "--json")
    doc = json.loads(res.out)
    names = [w["name"] for w in doc["layers"][0]["groups"][0]["weights"]]
    assert names[:5] == ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
                         "weight_hr_l0"]
    assert "weight_hr_l1_reverse" in names
    assert doc["total_params"] == 3840       # torch_modules.json: lstm_i8_h16_p4_l2_bi_bf


@pytest.mark.parametrize("args", [
    ["--layer", "Embedding(10, 4)", "--layer", "Conv1D(3, 2)", "--layer",
     "GlobalMaxPooling1D()"],
    ["--layer", "LayerNormalization()", "--layer", "BatchNormalization()"],
])
def test_every_layer_block_closes_with_its_sum(cli, args):
    res = cli("explain", "--input-shape", "6" if "Embedding(10, 4)" in args else "6,4", *args)
    assert res.code == 0, res.err
    blocks = [b for b in res.out.split("\n\n")[1:] if "params =" in b]
    for block in blocks:
        weights = [r for _, _, r in _weight_lines(block)]
        declared = int(re.search(r"params = (?:.*= )?([\d,]+)", block).group(1).replace(",", ""))
        assert sum(weights) == declared
