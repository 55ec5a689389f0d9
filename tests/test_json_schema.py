"""Versioned JSON: a schema tag, numbers that stay numbers, ASCII keys, shipped JSON Schemas."""

from __future__ import annotations

import json

import jsonschema
import pytest

import rnncalc
from tests.conftest import SPECS, validate_json

SPEC_FILES = sorted(SPECS.rglob("*.yaml"))
SHAPES = [(), ("--batch-size", "4"), ("--timesteps", "7"), ("--batch-size", "4",
                                                              "--timesteps", "7")]


def _keys(value, found):
    if isinstance(value, dict):
        for k, v in value.items():
            found.add(k)
            _keys(v, found)
    elif isinstance(value, list):
        for v in value:
            _keys(v, found)
    return found


@pytest.mark.parametrize("command", ["summary", "explain", "run"])
def test_schema_command_prints_a_valid_schema(cli, command):
    result = cli("schema", command)
    assert result.code == 0
    schema = json.loads(result.out)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$id"] == f"rnncalc/{command}/1"


def test_validation_catches_a_wrong_type():
    doc = rnncalc.load(SPECS / "sentiment.yaml").summary(columns=["macs"]).to_dict()
    validate_json("summary", doc)
    doc["layers"][0]["macs"] = {"B": 3}
    with pytest.raises(jsonschema.ValidationError):
        validate_json("summary", doc)


@pytest.mark.parametrize("shape", SHAPES, ids=["none", "batch", "time", "both"])
@pytest.mark.parametrize("path", SPEC_FILES, ids=[p.name for p in SPEC_FILES])
def test_cost_figures_are_numbers_whatever_is_known(cli, path, shape):
    result = cli("summary", path, "--columns", "params,macs,flops", "--json", *shape)
    doc = json.loads(result.out)
    assert doc["schema"] == "rnncalc/summary/1"
    for layer in doc["layers"]:
        assert isinstance(layer["macs"], int) and isinstance(layer["flops"], int)
    assert all(isinstance(v, int) for v in doc["cost"]["memory_bytes"].values())
    batch, time = "--batch-size" in shape, "--timesteps" in shape
    per = doc["cost"]["per"]
    assert per == "batch" or (not batch and "sample" in per) or (not time and "step" in per)
    assert all(k.isascii() for k in _keys(doc, set()))


def test_per_sample_figures_scale_to_the_batch(cli):
    path = SPECS / "sentiment.yaml"
    one = json.loads(cli("summary", path, "--columns", "macs", "--json",
                         "--timesteps", "7").out)
    four = json.loads(cli("summary", path, "--columns", "macs", "--json", "--timesteps", "7",
                          "--batch-size", "4").out)
    assert one["cost"]["per"] == "sample" and four["cost"]["per"] == "batch"
    assert four["cost"]["macs"] == 4 * one["cost"]["macs"]
    assert [layer["macs"] * 4 for layer in one["layers"]] == [
        layer["macs"] for layer in four["layers"]]


@pytest.mark.parametrize("path", SPEC_FILES, ids=[p.name for p in SPEC_FILES])
def test_pytorch_record_is_a_superset_of_keras(cli, path):
    keras = json.loads(cli("summary", path, "--json").out)
    torch = json.loads(cli("summary", path, "--json", "--convention", "pytorch").out)
    assert _keys(keras, set()) <= _keys(torch, set())
    assert torch["inputs"] == keras["inputs"] and torch["outputs"] == keras["outputs"]
    assert [layer["output_shapes"] for layer in torch["layers"]] == [
        layer["output_shapes"] for layer in keras["layers"]]
    assert torch["keras_total_params"] == keras["total_params"]


def test_api_documents_validate():
    for path in SPEC_FILES:
        m = rnncalc.load(path)
        validate_json("summary", m.summary().to_dict())
        validate_json("summary", m.summary(convention="pytorch", columns=["macs"]).to_dict())
        validate_json("explain", m.explain().to_dict())


@pytest.mark.parametrize("command", ["summary", "explain"])
def test_optimizer_state_is_named_by_the_schema(cli, command):
    """``--optimizer`` adds ``memory_bytes.optimizer_state``: the schema declares it (a
    consumer can look it up there) and a wrong type for it fails validation."""
    doc = json.loads(cli(command, SPECS / "sentiment.yaml", "--optimizer", "adam",
                         "--json").out)
    memory = doc["cost"]["memory_bytes"]
    assert memory["optimizer_state"] > 0
    text = cli("schema", command).out
    assert '"optimizer_state"' in text
    memory["optimizer_state"] = "lots"
    with pytest.raises(jsonschema.ValidationError):
        validate_json(command, doc)
