"""rnncalc export: Keras code that real Keras builds identically, and canonical YAML.

``export_facts.json`` (scripts/make_keras_interop.py --part export) holds, per
spec, the code rnncalc exported and what Keras built when it ran that code.
"""

from __future__ import annotations

import json

import pytest

from tests.conftest import GOLDEN, ROOT

EXPORTED = json.loads((GOLDEN / "interop" / "export_facts.json").read_text())
CASES = sorted(EXPORTED)


def _rows(layers):
    return [(x["name"], x["type"], x["output_shapes"], x["params"], x["trainable_params"])
            for x in layers]


def test_enough_round_trips():
    assert len(CASES) >= 40
    assert not [c for c in CASES if "error" in EXPORTED[c]]


@pytest.mark.parametrize("case", CASES)
def test_exported_keras_code_builds_the_same_model(cli, case):
    facts = EXPORTED[case]
    result = cli("export", ROOT / case, "--to", "keras")
    if "refused" in facts:     # no Keras code can say it (a compiled Lambda): still refused
        assert result.code == 2 and result.err.strip() == facts["refused"]
        return
    assert result.code == 0, result.err
    assert result.out == facts["code"], "export changed: rerun make_keras_interop.py --part export"
    summary = json.loads(cli("summary", ROOT / case, "--json").out)
    assert _rows(summary["layers"]) == _rows(facts["layers"])
    assert summary["total_params"] == facts["total_params"]
    assert summary["trainable_params"] == facts["trainable_params"]
    assert [i["shape"] for i in summary["inputs"]] == [i["shape"] for i in facts["inputs"]]


@pytest.mark.parametrize("case", CASES)
def test_yaml_export_round_trips(cli, tmp_path, case):
    before = cli("summary", ROOT / case, "--json")
    exported = cli("export", ROOT / case, "--to", "yaml")
    assert exported.code == 0, exported.err
    path = tmp_path / "spec.yaml"
    path.write_text(exported.out)
    after = cli("summary", path, "--json")
    assert after.code == 0, after.err
    assert json.loads(after.out) == json.loads(before.out)


def test_yaml_export_is_canonical(cli):
    result = cli("export", GOLDEN / "interop" / "bilstm_backward_layer.json", "--to", "yaml")
    assert result.out == (
        "name: sequential\n"
        "input: {shape: [4, 5]}\n"
        "layers:\n"
        "  - Bidirectional: {layer: {LSTM: {units: 3, return_sequences: true}}}\n")


def test_export_of_layer_expressions(cli):
    result = cli("export", "--layer", "Embedding(5000, 100)", "--layer", "SimpleRNN(128)",
                 "--layer", "Dense(1, activation='sigmoid')", "--input-shape", "30",
                 "--to", "keras")
    assert result.code == 0, result.err
    assert "keras.Input(shape=(30,))" in result.out
    assert "layers.Embedding(5000, 100)" in result.out
    assert "layers.Dense(1, activation='sigmoid')" in result.out
    compile(result.out, "exported.py", "exec")


def test_export_functional_yaml_keeps_references(cli):
    result = cli("export", ROOT / "specs" / "seq2seq.yaml", "--to", "yaml")
    assert "initial_state: ['encoder[1]', 'encoder[2]']" in result.out
    assert "outputs: [decoder_dense]" in result.out


def test_export_bad_format(cli):
    result = cli("export", ROOT / "specs" / "seq2seq.yaml", "--to", "onnx")
    assert result.code == 2 and result.err.startswith("error:")
