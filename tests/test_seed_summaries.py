"""The seed notebook's printed summaries, reproduced from specs/seed/.

Expected numbers are the notebook's own output (ground truth), and each
count is also derived by hand: SimpleRNN params = I*U + U*U + U.
"""

from __future__ import annotations

import json

import pytest

from tests.conftest import SPECS

SEED = [
    # spec, [(name, shape, params)], total
    ("simple_rnn.yaml", [("simple_rnn", [None, 3], 10 * 3 + 3 * 3 + 3)], 42),
    ("simple_rnn_batch.yaml", [("simple_rnn", [8, 3], 42)], 42),
    ("simple_rnn_batch_sequences.yaml", [("simple_rnn", [8, 2, 3], 42)], 42),
    ("stacked_simple_rnn.yaml", [("simple_rnn_3", [None, 10, 3], 5 * 3 + 3 * 3 + 3),
                                 ("simple_rnn_4", [None, 10, 3], 3 * 3 + 3 * 3 + 3)], 48),
    ("sentiment.yaml", [("embedding", [None, None, 100], 5000 * 100),
                        ("simple_rnn", [None, 128], 100 * 128 + 128 * 128 + 128),
                        ("dense", [None, 1], 128 + 1)], 529_441),
]


@pytest.mark.parametrize(("spec", "layers", "total"), SEED, ids=[s[0] for s in SEED])
def test_seed_summary_json(cli, spec, layers, total):
    result = cli("summary", SPECS / "seed" / spec, "--json")
    assert result.code == 0, result.err
    record = json.loads(result.out)
    got = [(layer["name"], layer["output_shapes"][0], layer["params"])
           for layer in record["layers"]]
    assert got == [tuple(x) for x in layers]
    assert record["total_params"] == total
    assert record["trainable_params"] == total
    assert record["non_trainable_params"] == 0


def test_seed_sentiment_table_matches_notebook(cli):
    """The notebook prints Total params: 529,441; Keras 3 adds (2.02 MB)."""
    result = cli("summary", SPECS / "seed" / "sentiment.yaml")
    assert result.code == 0
    assert "(None, None, 100)" in result.out
    assert "500,000" in result.out and "29,312" in result.out and "129" in result.out
    assert "Total params: 529,441 (2.02 MB)" in result.out
    assert "Non-trainable params: 0 (0.00 B)" in result.out
    assert 'Model: "sequential_1"' in result.out


def test_seed_sentiment_from_layer_flags(cli):
    """The same model from the command line alone (contract §1)."""
    result = cli("summary", "--input-shape", "30", "--layer", "Embedding(5000, 100)",
                 "--layer", "SimpleRNN(128)", "--layer", "Dense(1, activation='sigmoid')",
                 "--json")
    assert result.code == 0, result.err
    record = json.loads(result.out)
    assert record["layers"][0]["output_shapes"] == [[None, 30, 100]]
    assert record["total_params"] == 529_441
    assert record["param_bytes"] == 529_441 * 4
