"""Properties every valid model satisfies, through the CLI as a user sees it.

On random layer stacks (a small grammar of recurrent models) and on every
spec in specs/:

- the per-layer params add up to the total, and each layer's weights add up
  to its params;
- trainable + non-trainable = total, per layer and for the model;
- the JSON document, the markdown table and the rich table agree row by row;
- ``run --json`` produces, for every model output, the shape the summary
  gives (with the batch and time dims bound);
- ``--seed`` makes ``run`` deterministic.

The engine's own node-by-node shape property lives in
tests/test_engine_properties.py; here the same is checked end to end.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.test_engine_properties import image_model

# Property and fuzz suites take most of the run: `pytest -m "not slow"` skips them.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
SPEC_FILES = sorted((ROOT / "specs").rglob("*.yaml"))

PROPERTY_SETTINGS = settings(max_examples=60, deadline=None, derandomize=True, database=None,
                             suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                    HealthCheck.too_slow])

units = st.integers(1, 6)


@st.composite
def recurrent(draw, sequences: bool):
    kind = draw(st.sampled_from(["SimpleRNN", "LSTM", "GRU"]))
    cfg = {"units": draw(units), "return_sequences": sequences,
           "use_bias": draw(st.booleans()), "trainable": draw(st.booleans())}
    if kind == "GRU":
        cfg["reset_after"] = draw(st.booleans())
    if draw(st.integers(0, 3)) == 0:
        return {"Bidirectional": {"layer": {kind: cfg}, "merge_mode": draw(st.sampled_from(
            ["concat", "sum", "mul", "ave"]))}}
    return {kind: cfg}


@st.composite
def stacks(draw):
    """A valid Sequential model: sequence layers, then an optional head."""
    timesteps = draw(st.integers(1, 5))
    layers: list = []
    if draw(st.booleans()):
        spec = {"input": {"shape": [timesteps], "dtype": "int32"}}
        layers.append({"Embedding": {"input_dim": draw(st.integers(2, 20)),
                                     "output_dim": draw(units),
                                     "mask_zero": draw(st.booleans())}})
    else:
        spec = {"input": {"shape": [timesteps, draw(units)]}}
    for _ in range(draw(st.integers(0, 3))):
        layers.append(draw(st.one_of(
            recurrent(sequences=True),
            st.builds(lambda u: {"Dense": {"units": u}}, units),
            st.builds(lambda u: {"TimeDistributed": {"layer": {"Dense": u}}}, units),
            st.just({"LayerNormalization": {}}),
            st.just({"BatchNormalization": {}}),
            st.just({"Dropout": {"rate": 0.5}}))))
    if draw(st.booleans()):
        layers.append(draw(recurrent(sequences=False)))
        if draw(st.booleans()):
            layers.append({"Dense": {"units": draw(units), "activation": "softmax"}})
    else:
        layers.append({"Flatten": None} if draw(st.booleans()) else {"GlobalAveragePooling1D": {}})
    spec["layers"] = layers
    return spec


# -- checks ------------------------------------------------------------------------------

_ROW = re.compile(r"^\| (.+?) \| `(.+?)` \| ([\d,]+) \|")


def _count(text: str) -> int:
    return int(text.replace(",", ""))


def _shape_text(shape: list) -> str:
    inner = ", ".join("None" if d is None else str(d) for d in shape)
    return f"({inner},)" if len(shape) == 1 else f"({inner})"


def check_summary(cli, path: Path, *extra: str) -> dict:
    result = cli("summary", path, "--json", *extra)
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    layers = doc["layers"]
    assert sum(layer["params"] for layer in layers) == doc["total_params"]
    assert doc["trainable_params"] + doc["non_trainable_params"] == doc["total_params"]
    for layer in layers:
        assert sum(w["params"] for w in layer["weights"]) == layer["params"], layer["name"]
        assert layer["trainable_params"] + layer["non_trainable_params"] == layer["params"]
        assert sum(w["params"] for w in layer["weights"] if w["trainable"]) == \
            layer["trainable_params"], layer["name"]

    # markdown: same rows (name, type, shapes, params) and the same totals
    markdown = cli("summary", path, "--format", "markdown", *extra)
    assert markdown.code == 0
    rows = [m.groups() for m in map(_ROW.match, markdown.out.splitlines()) if m]
    rows = [r for r in rows if not r[0].endswith("(InputLayer)")]
    assert [(name, _count(params)) for name, _, params in rows] == \
        [(f"{layer['name']} ({layer['type']})", layer["params"]) for layer in layers]
    for (_, shapes, _), layer in zip(rows, layers):
        texts = [_shape_text(s) for s in layer["output_shapes"]]
        assert shapes == (texts[0] if len(texts) == 1 else f"[{', '.join(texts)}]")
    totals = dict(re.findall(r"- (Total|Trainable|Non-trainable) params: ([\d,]+)",
                             markdown.out))
    assert _count(totals["Total"]) == doc["total_params"]
    assert _count(totals["Trainable"]) == doc["trainable_params"]
    assert _count(totals["Non-trainable"]) == doc["non_trainable_params"]

    # the rich table: the footer totals and every layer's count appear
    table = cli("summary", path, *extra)
    assert table.code == 0
    assert f"Total params: {doc['total_params']:,}" in table.out
    assert f"Non-trainable params: {doc['non_trainable_params']:,}" in table.out
    for layer in layers:
        assert layer["name"] in table.out
    return doc


def check_run(cli, path: Path, doc: dict, *extra: str) -> None:
    first = cli("run", path, "--json", "--seed", "7", *extra)
    assert first.code == 0, first.err
    again = cli("run", path, "--json", "--seed", "7", *extra)
    assert again.out == first.out, "--seed 7 twice gave different outputs"
    ran = json.loads(first.out)
    by_name = {layer["name"]: layer for layer in doc["layers"]}
    inputs = {i["name"]: i["shape"] for i in ran["inputs"]}
    for out in ran["outputs"]:
        expected = by_name[out["name"]]["output_shapes"][out["index"]]
        assert len(out["shape"]) == len(expected)
        batch = next(iter(inputs.values()))[0]
        assert out["shape"][0] == (expected[0] or batch)
        for got, want in zip(out["shape"][1:], expected[1:]):
            assert want is None or got == want, (out, expected)


# -- the properties -----------------------------------------------------------------

@PROPERTY_SETTINGS
@given(spec=stacks())
def test_generated_stacks(cli, tmp_path, spec):
    path = tmp_path / "model.json"
    path.write_text(json.dumps(spec))
    doc = check_summary(cli, path)
    check_run(cli, path, doc)


@st.composite
def families(draw):
    """CRNN fronts, small layers and merges (tests/test_engine_properties.image_model),
    or a functional merge of two branches with an optional mask."""
    if draw(st.booleans()):
        spec, _ = draw(image_model())
        return spec
    masked = draw(st.booleans())
    steps, dim = draw(st.integers(2, 5)), draw(units)
    if masked:
        inputs = {k: {"shape": [steps], "dtype": "int32"} for k in ("a", "b")}
        layers = [{"Embedding": {"input_dim": 6, "output_dim": dim, "mask_zero": True,
                                 "name": f"e{k}"}, "inputs": k} for k in ("a", "b")]
    else:
        inputs = {k: {"shape": [steps, dim]} for k in ("a", "b")}
        layers = [{"PReLU": {"shared_axes": [1], "name": f"e{k}"}, "inputs": k}
                  for k in ("a", "b")]
    kind = draw(st.sampled_from(["Add", "Subtract", "Multiply", "Average", "Maximum",
                                 "Minimum", "Concatenate"]))
    layers.append({kind: {"name": "merged"}, "inputs": ["ea", "eb"]})
    layers.append(draw(st.sampled_from([{"LSTM": {"units": 2}}, {"Softmax": {"axis": 1}}
                                        if not masked else {"GRU": {"units": 2}},
                                        {"Dot": {"axes": 2}, "inputs": ["merged", "merged"]},
                                        {"UnitNormalization": {}}])))
    return {"inputs": inputs, "layers": layers}


@PROPERTY_SETTINGS
@given(spec=families())
def test_generated_layer_families(cli, tmp_path, spec):
    """Column sums equal totals, run shapes equal summary shapes, export round-trips."""
    path = tmp_path / "model.json"
    path.write_text(json.dumps(spec))
    if cli("summary", path).code != 0:       # e.g. a window larger than the image
        return
    doc = check_summary(cli, path)
    check_run(cli, path, doc)
    exported = cli("export", path, "--to", "yaml")
    assert exported.code == 0, exported.err
    again = tmp_path / "again.yaml"
    again.write_text(exported.out)
    assert json.loads(cli("summary", again, "--json").out) == doc


@pytest.mark.parametrize("path", SPEC_FILES, ids=[str(p.relative_to(ROOT)) for p in SPEC_FILES])
def test_example_specs(cli, path):
    doc = check_summary(cli, path)
    if any(None in i["shape"][1:] for i in doc["inputs"]):   # bind the time axis to run
        doc = check_summary(cli, path, "--timesteps", "12")
        check_run(cli, path, doc, "--timesteps", "12")
    else:
        check_run(cli, path, doc)


def test_seeds_differ(cli):
    """Different seeds draw different inputs and weights (so the property above is not vacuous)."""
    args = ("run", "--layer", "LSTM(3)", "--input-shape", "4,2", "--json")
    assert cli(*args, "--seed", "1").out != cli(*args, "--seed", "2").out
