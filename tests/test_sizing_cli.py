"""The solve, sweep, diff and plot commands, and --optimizer on summary and explain."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import rnncalc
from tests.conftest import SPECS

SENTIMENT = """
name: sentiment
input: {shape: [30], dtype: int32}
layers:
  - Embedding: [5000, 100]
  - LSTM: "?u"
  - Dense: {units: 1, activation: sigmoid}
"""
LAYERS = ["--layer", "Embedding(5000, 100)", "--layer", "LSTM(?)", "--layer", "Dense(1)",
          "--input-shape", "30"]


def test_solve_text_and_json(cli) -> None:
    r = cli("solve", *LAYERS, "--max-params", "1M")
    assert r.code == 0, r.err
    assert r.out.startswith("? = 306 ")
    assert "4·?² + 405·? + 500,001" in r.out and "next: ? = 307" in r.out
    assert "lstm (LSTM)" in r.out and "998,475" in r.out
    doc = json.loads(cli("solve", *LAYERS, "--max-params", "10**6", "--json").out)
    assert doc["value"] == 306 and doc["next_value"] == 307
    assert doc["summary"]["total_params"] == 998_475
    assert doc["next_summary"]["total_params"] == 1_001_332
    assert doc["summary"]["layers"][1]["output_shapes"] == [[None, 306]]


def test_solve_training_memory_with_optimizer(cli) -> None:
    args = ["solve", "-", "--max-memory", "64MiB", "--training", "--batch-size", "16",
            "--timesteps", "50", "--multiple-of", "8"]
    plain = json.loads(cli(*args, "--json", stdin=SENTIMENT).out)
    adam = json.loads(cli(*args, "--optimizer", "adam", "--json", stdin=SENTIMENT).out)
    assert plain["value"] % 8 == 0 and adam["value"] % 8 == 0
    assert adam["value"] < plain["value"]          # Adam's two slots per weight cost memory
    assert adam["cost"]["training_memory_bytes"] <= 64 * 2**20 < \
        adam["next_cost"]["training_memory_bytes"]


def test_solve_errors(cli) -> None:
    r = cli("solve", *LAYERS, "--max-params", "1000")
    assert r.code == 2 and r.err.startswith("error: no value of ?")
    assert "has params 500,410" in r.err   # 4 + 405 + 500,001
    r = cli("solve", *LAYERS)
    assert r.code == 2 and "at least one budget" in r.err
    r = cli("solve", *LAYERS, "--max-params", "lots")
    assert r.code == 2 and "--max-params" in r.err
    r = cli("solve", *LAYERS, "--max-memory", "1GiB")
    assert r.code == 2 and "--batch-size" in r.err
    r = cli("solve", "--layer", "LSTM(8)", "--layer", "Dropout(0.1, seed=?)",
            "--input-shape", "5,3", "--max-params", "1000")
    assert r.code == 2 and "does not change" in r.err
    r = cli("summary", *LAYERS)
    assert r.code == 2 and "placeholder" in r.err and "rnncalc solve" in r.err


def test_sweep_formats(cli) -> None:
    args = ["sweep", "-", "--vary", "u=32,64", "--vary", "timesteps=10,20", "--batch-size", "4"]
    r = cli(*args, stdin=SENTIMENT)
    assert r.code == 0, r.err
    assert "Params" in r.out and "517,057" in r.out
    rows = list(csv.DictReader(io.StringIO(cli(*args, "--format", "csv", stdin=SENTIMENT).out)))
    assert [(r["?u"], r["timesteps"]) for r in rows] == [
        ("32", "10"), ("32", "20"), ("64", "10"), ("64", "20")]
    assert rows[0]["params"] == str(500_000 + 4 * 32 * (100 + 32 + 1) + 33)
    doc = json.loads(cli(*args, "--json", "--optimizer", "adamw", stdin=SENTIMENT).out)
    assert doc["optimizer"] == "adamw" and len(doc["rows"]) == 4
    assert all(r["optimizer_bytes"] == 2 * 4 * r["params"] + 8 for r in doc["rows"])
    md = cli(*args, "--format", "markdown", stdin=SENTIMENT).out
    assert md.splitlines()[1].startswith("|---:")


def test_sweep_plot(cli) -> None:
    r = cli("sweep", "-", "--vary", "u=16..1024*2", "--batch-size", "8", "--plot",
            stdin=SENTIMENT)
    assert r.code == 0, r.err
    assert "Params" in r.out and "Training memory" in r.out
    assert "└" in r.out and "?u (log scale)" in r.out and "1,024" in r.out


def test_sweep_errors(cli) -> None:
    r = cli("sweep", "-", "--vary", "w=3", stdin=SENTIMENT)
    assert r.code == 2 and "?u" in r.err
    r = cli("sweep", "-", stdin=SENTIMENT)
    assert r.code == 2 and "--vary" in r.err


def test_diff_cli(cli) -> None:
    r = cli("diff", SPECS / "seed" / "simple_rnn.yaml",
            SPECS / "seed" / "simple_rnn_batch_sequences.yaml")
    assert r.code == 0, r.err
    assert "(8, 2, 3)" in r.out and "Layers: 2 changed" in r.out
    doc = json.loads(cli("diff", SPECS / "seq2seq.yaml", "--convention", "keras,pytorch",
                         "--json").out)
    assert doc["total_params_delta"] == 2 * 4 * 256
    assert doc["b"]["convention"] == "pytorch"
    r = cli("diff", SPECS / "seq2seq.yaml")
    assert r.code == 2 and "two models" in r.err
    r = cli("diff", SPECS / "seq2seq.yaml", "--convention", "keras,torch")
    assert r.code == 2 and "--convention" in r.err


def test_plot_cli(cli, tmp_path) -> None:
    r = cli("plot", SPECS / "seq2seq.yaml")
    assert r.code == 0 and ET.fromstring(r.out).tag.endswith("svg")
    out = tmp_path / "m.dot"
    r = cli("plot", SPECS / "seq2seq.yaml", "-o", out)
    assert r.code == 0 and out.read_text().startswith('digraph "seq2seq"')
    r = cli("plot", SPECS / "seed" / "simple_rnn.yaml", "--unroll", "4", "--format", "mermaid")
    assert r.out.startswith("graph BT") and r.out.count("SimpleRNN cell") == 4
    r = cli("plot", SPECS / "seed" / "simple_rnn.yaml", "--show", "params,bogus")
    assert r.code == 2 and "--show" in r.err
    r = cli("plot", SPECS / "seed" / "simple_rnn.yaml", "--unroll", "2", "--layer-name", "nope")
    assert r.code == 2 and "--layer-name" in r.err


def test_optimizer_on_summary_and_explain(cli) -> None:
    spec = SPECS / "seed" / "sentiment.yaml"
    r = cli("summary", spec, "--optimizer", "adam")
    assert r.code == 0, r.err
    # 529,441 trainable float32 params × 2 slots + iteration and learning rate
    state = 529_441 * 4 * 2 + 8
    assert "Optimizer state (adam): 4.04 MB" in r.out
    doc = json.loads(cli("summary", spec, "--optimizer", "adam", "--json").out)
    assert doc["cost"]["memory_bytes"]["optimizer_state"] == state
    plain = json.loads(cli("summary", spec, "--columns", "params", "--json").out)
    before = plain["cost"]["memory_bytes"]["training_total"]
    after = doc["cost"]["memory_bytes"]["training_total"]
    assert after == before + state
    r = cli("explain", spec, "--optimizer", "sgd(momentum=0.9)")
    assert "optimizer state (sgd(momentum=0.9))" in r.out
    r = cli("summary", spec, "--optimizer", "adamm")
    assert r.code == 2 and "did you mean 'adam'" in r.err


def test_python_api() -> None:
    m = rnncalc.load(layers=["Embedding(5000, 100)", "LSTM(?)", "Dense(1)"], input_shape=(30,))
    s = rnncalc.solve(m, max_params=1_000_000)
    assert s.value == 306 and s.summary.total_params == 998_475
    assert "? = 306" in str(s)
    w = rnncalc.sweep(SENTIMENT, {"u": [8, 16]}, batch_size=2)
    assert [r.values["u"] for r in w.rows] == [8, 16] and "Params" in str(w)
    d = rnncalc.diff(str(SPECS / "seq2seq.yaml"), convention=("keras", "pytorch"))
    assert d.to_dict()["total_params_delta"] == 2048
    text = rnncalc.load(str(SPECS / "seed" / "simple_rnn.yaml")).plot("dot")
    assert text.startswith("digraph")


def test_json_documents_carry_their_schema(cli) -> None:
    """solve, sweep and diff JSON: tagged and valid against the shipped schemas
    (the cli fixture validates every JSON document it sees)."""
    from tests.conftest import validate_json

    docs = {
        "solve": cli("solve", *LAYERS, "--max-params", "1M", "--json").out,
        "sweep": cli("sweep", "-", "--vary", "u=8,16", "--json", stdin=SENTIMENT).out,
        "diff": cli("diff", SPECS / "seq2seq.yaml", "--convention", "keras,pytorch",
                    "--json").out,
    }
    for command, text in docs.items():
        doc = json.loads(text)
        assert doc["schema"] == f"rnncalc/{command}/1"
        validate_json(command, doc)
        assert cli("schema", command).code == 0
    assert json.loads(docs["sweep"])["rows"][0]["per"] == "sample"


def test_diff_picks_models_of_a_notebook(cli) -> None:
    """``--model N,M`` picks one model per side; with one file, two of its own models.
    Truth: the totals Keras printed for the corpus file (code_corpus_truth.json)."""
    from tests.conftest import ROOT

    truth = json.loads((ROOT / "tests" / "golden" / "code_corpus_truth.json").read_text())
    entry = next(f for f in truth["files"] if f["file"] == "p04_seq2seq_functional.py")
    totals = [sum(layer["params"] for layer in m["layers"]) for m in entry["models"]]
    source = ROOT / "tests" / "code_corpus" / entry["file"]
    sets = [a for k, v in entry["set"].items() for a in ("--set", f"{k}={v}")]
    doc = json.loads(cli("diff", source, "--model", "1,3", "--json", *sets).out)
    assert doc["total_params_delta"] == totals[2] - totals[0]
    doc = json.loads(cli("diff", source, source, "--model", "2", "--json", *sets).out)
    assert doc["total_params_delta"] == 0 and doc["a"]["total_params"] == totals[1]
    r = cli("diff", source, "--model", "1,x", *sets)
    assert r.code == 2 and "--model" in r.err
    r = cli("diff", source, source, "--model", "1,9", *sets)
    assert r.code == 2 and "has 3 models" in r.err
