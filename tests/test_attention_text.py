"""Attention and the text/feature front ends against real Keras 3.

tests/golden/keras_attention_text.json is written by
scripts/make_keras_attention_text.py with Keras (and TensorFlow, which Keras' text
layers need); these tests read only the JSON: summaries (names, types, every output
shape, weights and counts, get_weights() order), Keras' refusals, and inference
numerics with Keras' own weights and inputs within 1e-5.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from rnncalc.engine.executor import execute
from rnncalc.engine.weights import load_weights
from rnncalc.errors import SpecError
from tests.conftest import GOLDEN
from tests.support import graph_from_data, summary_dict

FIXTURE = json.loads((GOLDEN / "keras_attention_text.json").read_text())
ATOL = FIXTURE["atol"]
MODELS = FIXTURE["models"]
BUILT = [m for m in MODELS if "expected" in m]
NUMERIC = [m for m in BUILT if "numeric" in m]
REJECTED = [m for m in MODELS if "error" in m]
# Keras builds MultiHeadAttention's sub-layers after ``trainable=False`` is applied, so
# the layer row says 0 trainable while the model total still counts them (the same
# quirk as Bidirectional in test_keras_golden.py); rnncalc follows the layer row.
SUBLAYER_TRAINABLE_QUIRK = {"mha_trainable_false"}
# Keras' symbolic shape of MultiHeadAttention's scores repeats the query length,
# (B, H, Tq, Tq); the arrays it computes are (B, H, Tq, Tv). Summaries follow the
# former, runs the latter, as Keras does.
SYMBOLIC_SCORES_QUIRK = {"mha_scores"}


def test_fixture_is_large_enough() -> None:
    assert len(BUILT) >= 60
    assert len(NUMERIC) >= 30
    assert len(REJECTED) >= 10


def _keras_weights(layer: dict) -> list[tuple[str, list[int], bool]]:
    """Keras' weights as (path below the layer, shape, effectively trainable)."""
    frozen = layer["trainable_params"] == 0
    return [(_below(w["path"], layer["name"]), w["shape"], w["trainable"] and not frozen)
            for w in layer["weights"]]


def _below(path: str, layer: str) -> str:
    """``sequential/embedding/embeddings`` -> ``embeddings`` (Sequential prefixes its name)."""
    parts = path.split("/")
    return "/".join(parts[parts.index(layer) + 1:])


@pytest.mark.parametrize("model", BUILT, ids=[m["id"] for m in BUILT])
def test_summary_matches_keras(model: dict) -> None:
    expected = model["expected"]
    got = summary_dict(model["spec"])
    assert [i["shape"] for i in got["inputs"]] == [i["shape"] for i in expected["inputs"]]
    assert [i["dtype"] for i in got["inputs"]] == [i["dtype"] for i in expected["inputs"]]
    assert len(got["layers"]) == len(expected["layers"])
    for ours, theirs in zip(got["layers"], expected["layers"]):
        where = theirs["name"]
        assert (ours["name"], ours["type"]) == (theirs["name"], theirs["type"]), where
        assert ours["output_shapes"] == theirs["output_shapes"], where
        assert ours["params"] == theirs["params"], where
        assert ours["trainable_params"] == theirs["trainable_params"], where
        assert ours["non_trainable_params"] == theirs["non_trainable_params"], where
        ours_weights = [(w["name"], w["shape"], w["trainable"]) for w in ours["weights"]]
        keras_weights = _keras_weights(theirs)
        assert len(ours_weights) == len(keras_weights), where
        for (name, shape, trainable), (path, kshape, ktrainable) in zip(ours_weights,
                                                                         keras_weights):
            # recurrent layers keep their weights in a cell: lstm/lstm_cell/kernel
            assert path == name or path.endswith("/" + name), (where, name, path)
            assert (shape, trainable) == (kshape, ktrainable), (where, name)
    assert got["total_params"] == expected["total_params"]
    if model["id"] in SUBLAYER_TRAINABLE_QUIRK:
        return
    assert got["trainable_params"] == expected["trainable_params"]
    assert got["non_trainable_params"] == expected["non_trainable_params"]
    order = [f"{layer['name']}/{w['name']}" for layer in got["layers"] for w in layer["weights"]]
    names = {layer["name"] for layer in expected["layers"]}
    keras_order = []
    for path in expected["weights_order"]:
        parts = path.split("/")
        start = next(i for i, p in enumerate(parts) if p in names)
        keras_order.append("/".join(parts[start:]))
    assert len(order) == len(keras_order)
    for ours_path, keras_path in zip(order, keras_order):
        layer, _, name = ours_path.partition("/")
        assert keras_path.startswith(layer + "/") and keras_path.endswith("/" + name)


@pytest.mark.parametrize("model", REJECTED, ids=[m["id"] for m in REJECTED])
def test_refused_like_keras(model: dict) -> None:
    with pytest.raises(SpecError) as info:
        summary_dict(model["spec"])
    assert str(info.value) and "\n" not in str(info.value)


def _array(values: list, dtype: str) -> np.ndarray:
    if dtype == "string":
        return np.array(values, dtype=object)
    return np.asarray(values, dtype=dtype)


@pytest.mark.parametrize("model", NUMERIC, ids=[m["id"] for m in NUMERIC])
def test_numerics_match_keras(model: dict, tmp_path) -> None:
    num = model["numeric"]
    graph = graph_from_data(model["spec"])
    inputs = {name: _array(v, num["input_dtypes"][name]) for name, v in num["inputs"].items()}
    path = tmp_path / "w.npz"
    np.savez(path, *[np.asarray(w) for w in num["weights"]])
    weights = load_weights(str(path), graph)
    outputs = execute(graph, inputs, weights)
    assert len(outputs) == len(num["outputs"])
    for k, (got, want) in enumerate(zip(outputs, num["outputs"])):
        want_arr = np.asarray(want, dtype=object if got.dtype == object else None)
        assert got.shape == want_arr.shape, f"output {k}"
        if got.dtype == object or got.dtype.kind in "iu":
            assert got.tolist() == want_arr.tolist(), f"output {k}"
        else:
            np.testing.assert_allclose(got, want_arr, atol=ATOL, rtol=0, err_msg=f"output {k}")


@pytest.mark.parametrize("model", NUMERIC, ids=[m["id"] for m in NUMERIC])
def test_engine_shapes_match_keras_symbolic_shapes(model: dict) -> None:
    """Known dims of the graph's output shapes hold for the arrays the engine computes."""
    if model["id"] in SYMBOLIC_SCORES_QUIRK:
        pytest.skip("Keras' symbolic score shape differs from its computed one")
    num = model["numeric"]
    graph = graph_from_data(model["spec"])
    outs = [graph.node(r.node).output_shapes[r.index] for r in graph.outputs]
    for shape, value in zip(outs, num["outputs"]):
        arr = np.asarray(value, dtype=object)
        if len(shape) == arr.ndim:
            assert all(d is None or d == a or i == 0 for i, (d, a)
                       in enumerate(zip(shape, arr.shape))), (shape, arr.shape)


@pytest.mark.parametrize("model", BUILT, ids=[m["id"] for m in BUILT])
def test_keras_to_json_reads_back(model: dict) -> None:
    """Keras' own model.to_json() (call kwargs and key= tensors included) gives the summary."""
    got = summary_dict(model["keras_json"])
    want = summary_dict(model["spec"])
    for key in ("total_params", "trainable_params", "non_trainable_params"):
        assert got[key] == want[key], key
    assert [(x["name"], x["output_shapes"]) for x in got["layers"]] == \
        [(x["name"], x["output_shapes"]) for x in want["layers"]]


@pytest.mark.parametrize("model", BUILT, ids=[m["id"] for m in BUILT])
def test_export_round_trip(model: dict) -> None:
    """export --to yaml reads back as the same model; --to keras is valid Python."""
    import yaml

    import rnncalc

    loaded = rnncalc.load(model["spec"])
    again = summary_dict(yaml.safe_load(loaded.export("yaml")))
    want = summary_dict(model["spec"])
    assert again["layers"] == want["layers"]
    assert again["total_params"] == want["total_params"]
    compile(loaded.export("keras"), "<export>", "exec")


def test_hashes_match_tensorflow_bins() -> None:
    """FarmHash64 and SipHash-2-4 bins of strings of every length class (0-130 bytes)."""
    ids = {"hash_strings", "hash_strings_3", "hash_salt_int", "hash_salt_pair"}
    checked = 0
    for m in NUMERIC:
        if m["id"] in ids:
            checked += len(sum(m["numeric"]["inputs"]["w"], []))
    assert checked >= 4 * 52


TORCH = json.loads((GOLDEN / "torch_attention.json").read_text())["models"]


@pytest.mark.parametrize("case", TORCH, ids=[str(i) for i in range(len(TORCH))])
def test_pytorch_convention_matches_nn_multihead_attention(case: dict) -> None:
    """State_dict names, shapes and counts as real torch's nn.MultiheadAttention has them."""
    from rnncalc.reports.pytorch import torch_layer

    graph = graph_from_data(case["spec"])
    record = torch_layer(graph.nodes[0])
    assert record.calls.startswith("nn.MultiheadAttention(")
    assert [[key.split(".", 1)[1], list(p.shape)] for key, p in record.state_dict] == \
        case["state_dict"]
    assert record.params == case["torch_params"] == case["keras_params"]
    assert case["max_abs_diff_after_mapping"] <= 1e-5


def test_pytorch_convention_without_equivalent_is_noted() -> None:
    from rnncalc.reports.pytorch import torch_layer

    graph = graph_from_data({"inputs": {"q": {"shape": [5, 16]}}, "layers": [
        {"MultiHeadAttention": {"num_heads": 2, "key_dim": 4}, "inputs": ["q", "q"]},
        {"Attention": {"use_scale": True}, "inputs": ["q", "q"]}],
        "outputs": ["multi_head_attention", "attention"]})
    mha, att = (torch_layer(n) for n in graph.nodes)
    assert mha.calls.count("nn.Linear") == 4 and mha.params == graph.nodes[0].params
    assert any("no nn.MultiheadAttention equivalent" in n for n in mha.notes)
    assert att.params == 1 and any("torch.nn has no Attention" in n for n in att.notes)


# -- the command line --------------------------------------------------------------------

SPEC = GOLDEN.parent.parent / "specs" / "text_attention.yaml"


def test_run_takes_a_json_list_of_strings(cli, tmp_path) -> None:
    texts = tmp_path / "texts.json"
    texts.write_text(json.dumps(["The movie was GOOD!", "i hated it", "unknown words only"]))
    out = cli("run", str(SPEC), "--input", str(texts), "--json")
    assert out.code == 0, out.err
    doc = json.loads(out.out)
    assert doc["inputs"] == [{"name": "text", "shape": [3]}]
    assert [o["shape"] for o in doc["outputs"]] == [[3, 1]]
    saved = tmp_path / "run.npz"
    assert cli("run", str(SPEC), "--input", str(texts), "--save", str(saved)).code == 0
    again = cli("run", str(SPEC), "--input", str(saved), "--weights", str(saved), "--json")
    assert again.code == 0, again.err
    assert json.loads(again.out)["outputs"] == doc["outputs"]


def test_string_input_refuses_numbers(cli, tmp_path) -> None:
    bad = tmp_path / "x.json"
    bad.write_text("[1, 2]")
    out = cli("run", str(SPEC), "--input", str(bad))
    assert out.code == 2 and out.err.startswith("error:") and "strings" in out.err


def test_layer_expressions_start_from_strings(cli) -> None:
    out = cli("summary", "--layer", "TextVectorization(output_sequence_length=5, "
              "vocabulary=['the', 'cat'])", "--layer", "Embedding(4, 2)", "--json")
    assert out.code == 0, out.err
    doc = json.loads(out.out)
    assert doc["inputs"][0]["dtype"] == "string"
    assert doc["layers"][1]["output_shapes"] == [[None, 5, 2]]
    ran = cli("run", "--layer", "TextVectorization(output_sequence_length=5, "
              "vocabulary=['the', 'cat'])", "--json")
    assert ran.code == 0, ran.err


@pytest.mark.parametrize("spec, words", [
    ({"inputs": {"q": {"shape": [5, 16]}}, "layers": [
        {"MultiHeadAttention": {"num_heads": 2, "key_dim": 8}, "inputs": "q"}]},
     "needs a value"),
    ({"inputs": {"q": {"shape": [5, 16]}}, "layers": [
        {"MultiHeadAttention": {"num_heads": 2, "key_dim": 8}, "inputs": ["q", "q"],
         "return_attention_score": True}]}, "did you mean 'return_attention_scores'"),
    ({"inputs": {"q": {"shape": [5, 16]}}, "layers": [
        {"Dense": {"units": 2}, "inputs": "q", "use_causal_mask": True}]},
     "unknown call argument 'use_causal_mask'"),
    ({"inputs": {"q": {"shape": [5, 16]}}, "layers": [
        {"Attention": {"use_scales": True}, "inputs": ["q", "q"]}]}, "did you mean 'use_scale'"),
])
def test_refusals_are_one_error_line(cli, tmp_path, spec, words) -> None:
    path = tmp_path / "m.json"
    path.write_text(json.dumps(spec))
    out = cli("summary", str(path))
    assert out.code == 2
    assert out.err.startswith("error:") and words in out.err and out.err.count("\n") <= 1


def test_input_layer_takes_string_dtype() -> None:
    doc = summary_dict({"layers": [{"Input": {"shape": [], "dtype": "string"}},
                                   {"TextVectorization": {"vocabulary": ["a"],
                                                          "output_sequence_length": 3}}]})
    assert doc["inputs"] == [{"name": "input_layer", "shape": [None], "dtype": "string"}]
    assert doc["layers"][0]["output_shapes"] == [[None, 3]]


def test_keras_archive_runs_like_keras(cli, tmp_path) -> None:
    """Keras' own .keras file: MHA sub-layer weight groups, Normalization's int64 count."""
    pytest.importorskip("h5py")
    archive = FIXTURE["archive"]
    path = GOLDEN / "interop" / archive["file"]
    texts = tmp_path / "texts.json"
    texts.write_text(json.dumps(archive["inputs"]))
    out = cli("run", str(path), "--input", str(texts), "--json")
    assert out.code == 0, out.err
    got = np.asarray(json.loads(out.out)["outputs"][0]["values"])
    np.testing.assert_allclose(got, np.asarray(archive["outputs"]), rtol=1e-5, atol=1e-4)


# -- properties ---------------------------------------------------------------------------

hypothesis = pytest.importorskip("hypothesis")
st = hypothesis.strategies


@st.composite
def attention_models(draw):
    """A random attention layer on random query/value(/key) shapes, maybe masked."""
    tq = draw(st.integers(1, 6))
    tv = draw(st.integers(1, 6))
    d = draw(st.integers(1, 6))
    kind = draw(st.sampled_from(["Attention", "AdditiveAttention", "MultiHeadAttention"]))
    causal = draw(st.booleans())
    scores = draw(st.booleans()) and (kind != "MultiHeadAttention" or tq == tv)
    with_key = draw(st.booleans())
    masked = draw(st.booleans())
    inputs = {"q": {"shape": [tq, d]}, "v": {"shape": [tv, d]}}
    if with_key:
        inputs["k"] = {"shape": [tv, d if kind != "MultiHeadAttention" else
                                 draw(st.integers(1, 6))]}
    if kind == "MultiHeadAttention":
        cfg = {"num_heads": draw(st.integers(1, 3)), "key_dim": draw(st.integers(1, 4)),
               "value_dim": draw(st.sampled_from([None, 2, 5])),
               "use_bias": draw(st.booleans()),
               "output_shape": draw(st.sampled_from([None, 3, [2, 2]])),
               "dropout": draw(st.sampled_from([0.0, 0.2]))}
    elif kind == "Attention":
        cfg = {"use_scale": draw(st.booleans()),
               "score_mode": draw(st.sampled_from(["dot", "concat"]))}
    else:
        cfg = {"use_scale": draw(st.booleans())}
    layers = []
    refs = ["q", "v", "k"][: 3 if with_key else 2]
    if masked:
        layers += [{"Masking": {"name": f"m{r}"}, "inputs": r} for r in refs]
        refs = [f"m{r}" for r in refs]
    entry = {kind: {**cfg, "name": "att"}, "inputs": refs, "use_causal_mask": causal,
             "return_attention_scores": scores}
    return {"inputs": inputs, "layers": [*layers, entry], "outputs": ["att"]}


@pytest.mark.slow
@hypothesis.settings(max_examples=120, deadline=None)
@hypothesis.given(spec=attention_models(), seed=st.integers(0, 2**16))
def test_attention_engine_shapes_equal_graph_shapes(spec: dict, seed: int) -> None:
    """Any attention layer: finite outputs, shapes as declared, params from the weights."""
    from rnncalc.engine.weights import initial_weights

    graph = graph_from_data(spec)
    node = graph.node("att")
    rng = np.random.default_rng(seed)
    inputs = {}
    for n in graph.inputs:
        x = rng.normal(size=(2, *n.output_shapes[0][1:])).astype(np.float32)
        x[0, -1] = 0.0                         # a padded step where Masking is present
        inputs[n.name] = x
    outputs = execute(graph, inputs, initial_weights(graph, seed))
    assert len(outputs) == len(node.output_shapes)
    for got, want in zip(outputs, node.output_shapes):
        assert got.shape[1:] == tuple(want[1:])
        assert np.all(np.isfinite(got))
    assert node.params == sum(int(np.prod(w.shape)) for w in node.weights)


def test_layer_argument_written_beside_the_layer_is_explained(cli, tmp_path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text("input: {shape: [5, 3]}\nlayers:\n  - LSTM: 3\n    return_sequences: true\n")
    out = cli("summary", str(path))
    assert out.code == 2 and "inside the layer's mapping" in out.err


@pytest.mark.parametrize("model", [m for m in BUILT if "MultiHeadAttention" in json.dumps(
    m["spec"])], ids=lambda m: m["id"])
def test_pytorch_params_equal_keras_params_for_mha(model: dict) -> None:
    from rnncalc.reports.pytorch import torch_layer

    for node in graph_from_data(model["spec"]).nodes:
        if node.kind == "MultiHeadAttention":
            assert torch_layer(node).params == node.params, node.name
