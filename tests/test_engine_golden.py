"""The engine against Keras 3 itself: golden numeric fixtures (scripts/make_keras_numeric.py).

Every model in tests/golden/numeric/index.json is run with Keras' own weights
(``np.savez(path, *model.get_weights())``) and inputs; every output must match
Keras within 1e-5. Keras is not needed to run these tests.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from rnncalc.engine import fused
from rnncalc.engine.executor import concrete_shapes, execute
from rnncalc.engine.weights import flat, load_weights
from tests.support import graph_from_data

HERE = Path(__file__).parent / "golden" / "numeric"
INDEX = json.loads((HERE / "index.json").read_text()) if (HERE / "index.json").exists() else {
    "models": [], "atol": 1e-5}
MODELS = {m["id"]: m for m in INDEX["models"]}
ATOL = INDEX["atol"]

# Keras 3's *torch* backend pads AveragePooling1D 'same' windows asymmetrically by edge
# replication and counts the copies; TF and JAX (and rnncalc) average only real values.
# These fixtures are compared against that TF/JAX rule instead (see test below).
TORCH_AVG_QUIRK = {"avgpool_same_pool4", "avgpool_same_pool4_stride1_t6"}


def load(model_id: str):
    m = MODELS[model_id]
    graph = graph_from_data(m["spec"])
    io = np.load(HERE / f"{model_id}.io.npz")
    inputs = {n.name: io[f"input/{n.name}"] for n in graph.inputs}
    expected = [io[f"output/{k}"] for k in range(len(m["outputs"]))]
    return m, graph, inputs, expected


def test_enough_fixtures() -> None:
    assert len(MODELS) >= 60


@pytest.fixture(params=["C kernel", "NumPy"])
def engine_path(request, monkeypatch) -> str:
    """Each fixture runs through both recurrent paths: the optional C kernel (skipped
    where it was not built) and the NumPy one (RNNCALC_ENGINE=numpy)."""
    if request.param == "NumPy":
        monkeypatch.setenv(fused.ENV, "numpy")
    else:
        if not fused.available():
            pytest.skip("C kernel not built")
        monkeypatch.delenv(fused.ENV, raising=False)
    assert fused.path() == request.param
    return request.param


@pytest.mark.parametrize("model_id", sorted(set(MODELS) - TORCH_AVG_QUIRK))
def test_matches_keras(model_id: str, engine_path: str) -> None:
    m, graph, inputs, expected = load(model_id)
    weights = load_weights(str(HERE / f"{model_id}.weights.npz"), graph)
    outputs = execute(graph, inputs, weights)
    assert len(outputs) == len(expected)
    for k, (got, want) in enumerate(zip(outputs, expected)):
        assert got.shape == want.shape, f"output {k}"
        np.testing.assert_allclose(got, want, atol=ATOL, rtol=0, err_msg=f"output {k}")


@pytest.mark.parametrize("model_id", sorted(MODELS))
def test_weight_order_and_names(model_id: str) -> None:
    """Both --weights conventions give the same arrays: get_weights() order is build order."""
    m, graph, _, _ = load(model_id)
    by_order = load_weights(str(HERE / f"{model_id}.weights.npz"), graph)
    shapes = [tuple(w.shape) for ws in by_order.values() for w in ws.values()]
    assert shapes == [tuple(s) for s in m["weight_shapes"]]
    # Keras' own variable paths end with our weight names, in the same order
    names = [k.rsplit("/", 1)[-1] for k in flat(by_order)]
    assert names == [k.rsplit("/", 1)[-1] for k in m["weight_keys"]]


def _avg_pool_same(x: np.ndarray, size: int, stride: int) -> np.ndarray:
    """TF/JAX AveragePooling1D(padding='same'): mean of the real values in each window."""
    steps = x.shape[1]
    out_len = -(-steps // stride)
    left = max((out_len - 1) * stride + size - steps, 0) // 2
    rows = []
    for i in range(out_len):
        lo, hi = max(i * stride - left, 0), min(i * stride - left + size, steps)
        rows.append(x[:, lo:hi].mean(axis=1))
    return np.stack(rows, axis=1)


@pytest.mark.parametrize("model_id", sorted(TORCH_AVG_QUIRK & set(MODELS)))
def test_average_pooling_same_padding(model_id: str) -> None:
    m, graph, inputs, expected = load(model_id)
    (got,) = execute(graph, inputs, {})
    cfg = next(iter(m["spec"]["layers"][0].values()))
    size = cfg["pool_size"]
    want = _avg_pool_same(inputs["input_layer"], size, cfg.get("strides") or size)
    np.testing.assert_allclose(got, want, atol=1e-6, rtol=0)
    # Away from the padded edge windows the torch-backend fixture agrees too.
    same = np.isclose(got, expected[0], atol=ATOL, rtol=0).all(axis=(0, 2))
    steps, stride = inputs["input_layer"].shape[1], cfg.get("strides") or size
    left = max((len(same) - 1) * stride + size - steps, 0) // 2
    edge = [i * stride - left < 0 or i * stride - left + size > steps for i in range(len(same))]
    assert all(s or e for s, e in zip(same, edge)) and not same.all()


# Keras' own compute_output_shape (what model.summary() prints, and rnncalc's graph)
# doubles the forward width for merge_mode='concat'; its call concatenates the real
# widths. With a backward_layer of another width the two disagree inside Keras itself.
KERAS_SHAPE_MISMATCH = {"bilstm_backward_layer_concat_seq"}
# Likewise activation='glu' halves the last axis at run time, while Keras' symbolic
# shape (Dense.compute_output_shape, Activation) keeps it.
GLU_NODES = {"dense_glu", "act_glu"}


@pytest.mark.parametrize("model_id", sorted(set(MODELS) - KERAS_SHAPE_MISMATCH))
def test_engine_shapes_equal_graph_shapes(model_id: str) -> None:
    _, graph, inputs, _ = load(model_id)
    weights = load_weights(str(HERE / f"{model_id}.weights.npz"), graph)
    trace: dict = {}
    execute(graph, inputs, weights, trace=trace)
    shapes = concrete_shapes(graph, {k: v.shape for k, v in inputs.items()})
    for node in graph.nodes:
        if node.name in GLU_NODES:
            continue
        assert trace[node.name] == shapes[node.name], node.name
        # and the symbolic graph (unknown dims as None) agrees wherever it knows a dim
        for declared, actual in zip(node.output_shapes, trace[node.name], strict=True):
            assert len(declared) == len(actual)
            assert all(d is None or d == a for d, a in zip(declared, actual)), node.name
