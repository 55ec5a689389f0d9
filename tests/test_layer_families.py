"""CRNN fronts, small layers and merges against real Keras 3 (issues 10 and 12).

tests/golden/keras_layer_families.json (summaries) and tests/golden/numeric_families/
(weights, inputs, outputs) are written by scripts/make_keras_layer_families.py with
Keras installed; these tests need only the files.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from rnncalc.engine.executor import concrete_shapes, execute
from rnncalc.engine.weights import flat, load_weights
from rnncalc.errors import SpecError
from tests.conftest import GOLDEN
from tests.support import graph_from_data, summary_dict
from tests.test_keras_golden import _keras_weights

SUMMARIES = json.loads((GOLDEN / "keras_layer_families.json").read_text())["models"]
BUILT = [m for m in SUMMARIES if "expected" in m]
REJECTED = [m for m in SUMMARIES if "error" in m]
NUMERIC_DIR = GOLDEN / "numeric_families"
INDEX = json.loads((NUMERIC_DIR / "index.json").read_text())
NUMERIC = {m["id"]: m for m in INDEX["models"]}


def test_enough_fixtures() -> None:
    assert len(BUILT) >= 90
    assert len(REJECTED) >= 15
    assert len(NUMERIC) >= 35
    assert sum(i.startswith("mask_") for i in NUMERIC) >= 20


@pytest.mark.parametrize("model", BUILT, ids=[m["id"] for m in BUILT])
def test_summary_matches_keras(model: dict) -> None:
    expected = model["expected"]
    got = summary_dict(model["spec"])
    assert got["name"] == expected["name"]
    assert [i["shape"] for i in got["inputs"]] == [i["shape"] for i in expected["inputs"]]
    assert len(got["layers"]) == len(expected["layers"])
    for ours, theirs in zip(got["layers"], expected["layers"]):
        where = theirs["name"]
        assert (ours["name"], ours["type"]) == (theirs["name"], theirs["type"]), where
        assert ours["output_shapes"] == theirs["output_shapes"], where
        assert ours["params"] == theirs["params"], where
        assert ours["trainable_params"] == theirs["trainable_params"], where
        ours_weights = [(w["name"], w["shape"], w["trainable"]) for w in ours["weights"]]
        assert ours_weights == _keras_weights(theirs), where
    assert got["total_params"] == expected["total_params"]
    assert got["trainable_params"] == expected["trainable_params"]


@pytest.mark.parametrize("model", REJECTED, ids=[m["id"] for m in REJECTED])
def test_refused_like_keras(model: dict) -> None:
    with pytest.raises(SpecError) as info:
        summary_dict(model["spec"])
    message = str(info.value)
    assert message and "\n" not in message


@pytest.mark.parametrize("model", BUILT, ids=[m["id"] for m in BUILT])
def test_export_round_trip(cli, tmp_path, model: dict) -> None:
    """export --to yaml, read back: the same summary; --to keras names every kind."""
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(model["spec"]))
    exported = cli("export", spec, "--to", "yaml")
    assert exported.code == 0, exported.err
    again = tmp_path / "again.yaml"
    again.write_text(exported.out)
    before = json.loads(cli("summary", spec, "--json").out)
    after = cli("summary", again, "--json")
    assert after.code == 0, after.err
    assert json.loads(after.out) == before
    code = cli("export", spec, "--to", "keras")
    assert code.code == 0, code.err
    for layer in model["expected"]["layers"]:
        assert f"layers.{layer['type']}(" in code.out


def _load(model_id: str):
    m = NUMERIC[model_id]
    graph = graph_from_data(m["spec"])
    io = np.load(NUMERIC_DIR / f"{model_id}.io.npz")
    inputs = {n.name: io[f"input/{n.name}"] for n in graph.inputs}
    expected = [io[f"output/{k}"] for k in range(len(m["outputs"]))]
    return m, graph, inputs, expected


@pytest.mark.parametrize("model_id", sorted(NUMERIC))
def test_numerics_match_keras(model_id: str) -> None:
    _, graph, inputs, expected = _load(model_id)
    weights = load_weights(str(NUMERIC_DIR / f"{model_id}.weights.npz"), graph)
    trace: dict = {}
    outputs = execute(graph, inputs, weights, trace=trace)
    assert len(outputs) == len(expected)
    for k, (got, want) in enumerate(zip(outputs, expected)):
        assert got.shape == want.shape, f"output {k}"
        np.testing.assert_allclose(got, want, atol=INDEX["atol"], rtol=0, err_msg=f"output {k}")
    shapes = concrete_shapes(graph, {k: v.shape for k, v in inputs.items()})
    for node in graph.nodes:
        assert trace[node.name] == shapes[node.name], node.name


@pytest.mark.parametrize("model_id", sorted(NUMERIC))
def test_weight_names_and_order(model_id: str) -> None:
    m, graph, _, _ = _load(model_id)
    by_order = load_weights(str(NUMERIC_DIR / f"{model_id}.weights.npz"), graph)
    shapes = [tuple(w.shape) for ws in by_order.values() for w in ws.values()]
    assert shapes == [tuple(s) for s in m["weight_shapes"]]
    names = [k.rsplit("/", 1)[-1] for k in flat(by_order)]
    assert names == [k.rsplit("/", 1)[-1] for k in m["weight_keys"]]


@pytest.mark.parametrize("model", BUILT, ids=[m["id"] for m in BUILT])
def test_keras_to_json_reads_the_same(cli, tmp_path, model: dict) -> None:
    """The JSON Keras' ``model.to_json()`` wrote gives Keras' own summary."""
    path = tmp_path / "model.json"
    path.write_text(json.dumps(model["keras_json"]))
    result = cli("summary", path, "--json")
    assert result.code == 0, result.err
    got = json.loads(result.out)
    expected = model["expected"]
    assert [(x["name"], x["output_shapes"], x["params"]) for x in got["layers"]] == [
        (x["name"], x["output_shapes"], x["params"]) for x in expected["layers"]]
    assert got["total_params"] == expected["total_params"]


TORCH = [m for m in json.loads((GOLDEN / "torch_modules.json").read_text())["modules"]
         if "keras" in m]


def test_enough_torch_fixtures() -> None:
    assert len(TORCH) >= 20


@pytest.mark.parametrize("m", TORCH, ids=[m["id"] for m in TORCH])
def test_pytorch_convention_matches_torch(m: dict) -> None:
    """State_dict names/shapes and counts as torch has them; shapes agree channels-first."""
    from rnncalc.graph import ShapeOptions, build_graph
    from rnncalc.reports.pytorch import torch_record
    from tests.support import load_spec

    options = ShapeOptions(input_shape=tuple(m["keras_input_shape"]),
                           batch_size=m["forward"]["batch"], convention="pytorch")
    graph = build_graph(load_spec(None, [m["keras"]]), options)
    (layer,) = torch_record(graph).layers
    got = [(key.split(".", 1)[1], list(p.shape)) for key, p in layer.state_dict]
    assert got == [(e["name"], e["shape"]) for e in m["state_dict"]]
    assert (layer.params, layer.trainable_params) == (m["params"], m["trainable_params"])
    keras_out = list(graph.nodes[0].output_shapes[0])
    channels_first = [keras_out[0], keras_out[-1], *keras_out[1:-1]]
    assert m["forward"]["output_shape"] == channels_first
    module = "Conv1d" if m["module"] == "Separable" else m["module"]
    assert f"nn.{module}(" in layer.calls, layer.calls


ARCHIVES = sorted(p.stem for p in NUMERIC_DIR.glob("*.keras"))


@pytest.mark.parametrize("model_id", ARCHIVES)
def test_keras_archive_runs_like_keras(model_id: str) -> None:
    """A saved .keras (config + HDF5 weights) runs with its own weights as Keras did."""
    pytest.importorskip("h5py")
    import rnncalc

    m = NUMERIC[model_id]
    io = np.load(NUMERIC_DIR / f"{model_id}.io.npz")
    model = rnncalc.load(str(NUMERIC_DIR / f"{model_id}.keras"))
    inputs = {i["name"]: io[f"input/{i['name']}"] for i in m["inputs"]}
    outputs = list(model.run(inputs=inputs).values())
    assert len(outputs) == len(m["outputs"])
    for k, got in enumerate(outputs):
        np.testing.assert_allclose(got, io[f"output/{k}"], atol=INDEX["atol"], rtol=0)
