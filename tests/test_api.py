"""The Python API (contract §7) end to end: the front door every command goes through."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

import rnncalc
from rnncalc.errors import SpecError
from tests.conftest import GOLDEN, ROOT, SPECS

SPEC_FILES = sorted(SPECS.rglob("*.yaml"))
IDS = [str(p.relative_to(SPECS)) for p in SPEC_FILES]
INTEROP = GOLDEN / "interop"


def test_import_is_cheap():
    """``import rnncalc`` pulls in none of numpy, rich, typer, yaml (or pydantic)."""
    code = ("import sys, rnncalc; print(' '.join(m for m in ('numpy', 'rich', 'typer', 'yaml', "
            "'pydantic') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, check=True).stdout
    assert out.strip() == ""


def test_public_names():
    for name in ("load", "load_all", "from_keras", "Model", "Summary", "SpecError",
                 "__version__"):
        assert name in dir(rnncalc)
        assert getattr(rnncalc, name) is not None
    assert (ROOT / "rnncalc" / "py.typed").exists()


def test_load_from_path_dict_text_and_layers():
    # the seed's sentiment model four ways: 5000·100 + (100·128 + 128·128 + 128) + (128 + 1)
    expected = 500_000 + 29_312 + 129
    layers = ["Embedding(5000, 100)", "SimpleRNN(128)", "Dense(1, activation='sigmoid')"]
    by_path = rnncalc.load(SPECS / "seed" / "sentiment.yaml").summary()
    by_dict = rnncalc.load({"layers": layers}).summary()
    by_text = rnncalc.load("layers:\n  - Embedding: [5000, 100]\n  - SimpleRNN: 128\n"
                           "  - Dense: {units: 1, activation: sigmoid}\n").summary()
    by_layers = rnncalc.load(layers=layers, input_shape=(30,)).summary()
    for s in (by_path, by_dict, by_text, by_layers):
        assert s.total_params == expected
        assert s.trainable_params == expected and s.non_trainable_params == 0
        assert s.param_bytes == 4 * expected
        assert [layer.type for layer in s.layers] == ["Embedding", "SimpleRNN", "Dense"]
    assert by_layers.layers[0].output_shapes == ((None, 30, 100),)
    assert by_dict.layers[0].output_shapes == ((None, None, 100),)
    assert by_layers.layers[1].params == 29_312 and by_layers.layers[1].name == "simple_rnn"


@pytest.mark.parametrize("path", SPEC_FILES, ids=IDS)
def test_to_dict_is_summary_json(cli, path):
    result = cli("summary", path, "--json")
    assert result.code == 0
    summary = rnncalc.load(path).summary()
    assert summary.to_dict() == json.loads(result.out)
    assert summary.to_json() == result.out


@pytest.mark.parametrize("path", SPEC_FILES, ids=IDS)
def test_markdown_and_str_are_the_cli_outputs(cli, path):
    summary = rnncalc.load(path).summary()
    assert summary.to_markdown() == cli("summary", path, "--format", "markdown").out
    text = str(summary)
    assert "\x1b[" not in text
    assert f"Total params: {summary.total_params:,}" in text
    assert summary._repr_markdown_() == summary.to_markdown()
    html = summary._repr_html_()
    assert html.startswith("<p><b>Model:") and f"{summary.total_params:,}" in html


def test_summary_options_match_cli(cli):
    path = SPECS / "seed" / "sentiment.yaml"
    s = rnncalc.load(path).summary(convention="pytorch", columns=["params", "macs"],
                                   batch_size=32, timesteps=100, dtype="float16")
    out = cli("summary", path, "--convention", "pytorch", "--columns", "params,macs",
              "--batch-size", "32", "--timesteps", "100", "--dtype", "float16", "--json").out
    assert s.to_dict() == json.loads(out)
    # torch.nn.RNN keeps two biases: 128 more than Keras' 29,312
    assert s.to_dict()["layers"][1]["params"] == 29_312 + 128


def test_load_all_on_a_notebook(seed_notebook):
    models = rnncalc.load_all(seed_notebook)
    assert [m.summary().total_params for m in models][-1] == 529_441
    assert len(models) == 5 and all(m.title for m in models)
    assert rnncalc.load(seed_notebook, model=5).summary().total_params == 529_441
    with pytest.raises(rnncalc.SpecError, match="pick one with --model N"):
        rnncalc.load(seed_notebook)


def test_columns_on_a_notebook(cli, seed_notebook):
    """One pipeline: --columns reads a notebook like the plain summary does."""
    plain = cli("summary", seed_notebook)
    costed = cli("summary", seed_notebook, "--columns", "params,macs")
    assert plain.code == costed.code == 0
    assert plain.out.count("Total params") == costed.out.count("Total params") == 5
    assert "MACs" in costed.out


def test_columns_keep_input_rows_and_backticks(cli):
    path = SPECS / "seq2seq.yaml"
    plain = cli("summary", path, "--format", "markdown").out
    costed = cli("summary", path, "--columns", "output_shape,params,connected_to",
                 "--format", "markdown").out
    assert plain == costed
    assert "(InputLayer)" in plain and "`(None, None, 71)`" in plain


class StandIn:
    """An object with a Keras model's to_json()/get_weights(), as from_keras uses them."""

    def __init__(self, config: str, weights: list[np.ndarray]) -> None:
        self._config, self._weights = config, weights

    def to_json(self) -> str:
        return self._config

    def get_weights(self) -> list[np.ndarray]:
        return self._weights


@pytest.mark.parametrize("case", ["batchnorm_gru", "bigru_sum"])
def test_from_keras_runs_like_keras_predict(case):
    pytest.importorskip("h5py")
    saved = rnncalc.load(INTEROP / f"{case}.keras")
    graph = saved.graph()
    weights = saved._weights(graph, None, None)[0]
    arrays = [weights[node.name][w.name] for node in graph.nodes for w in node.weights]
    model = rnncalc.from_keras(StandIn((INTEROP / f"{case}.json").read_text(), arrays))
    assert model.summary().to_dict() == saved.summary().to_dict()
    x = np.load(INTEROP / f"{case}.in.npy")
    want = np.load(INTEROP / f"{case}.out.npz")["arr_0"]   # Keras predict
    (got,) = model.run(inputs=x).values()
    np.testing.assert_allclose(got, want, atol=1e-5)


def test_from_keras_refuses_other_objects():
    with pytest.raises(rnncalc.SpecError, match="to_json"):
        rnncalc.from_keras(object())


def test_run_equals_run_json(cli):
    path = SPECS / "seed" / "bilstm_constant.yaml"
    doc = json.loads(cli("run", path, "--json", "--seed", "3").out)
    got = rnncalc.load(path).run(seed=3)
    assert len(got) == len(doc["outputs"])
    for (label, values), entry in zip(got.items(), doc["outputs"]):
        assert label.split("[")[0].split(" ")[0] == entry["name"]
        np.testing.assert_allclose(values, np.array(entry["values"]), atol=1e-6)


def test_run_with_python_inputs_and_weights():
    # Dense(1) on 2 features, weights [[1], [2]] and bias [0.5]: y = x0 + 2·x1 + 0.5
    m = rnncalc.load({"input": {"shape": [2]}, "layers": ["Dense(1)"]})
    (y,) = m.run(inputs=np.array([[1.0, 1.0], [0.0, 2.0]]),
                 weights=[np.array([[1.0], [2.0]]), np.array([0.5])]).values()
    np.testing.assert_allclose(y, [[3.5], [4.5]])
    (y2,) = m.run(inputs=[[1.0, 1.0]], weights={"dense/kernel": [[1.0], [2.0]],
                                                 "dense/bias": [0.5]}).values()
    np.testing.assert_allclose(y2, [[3.5]])
    with pytest.raises(rnncalc.SpecError, match="expected shape"):
        m.run(weights=[np.zeros((3, 1)), np.zeros(1)])


def test_explain_and_export():
    m = rnncalc.load(SPECS / "seed" / "sentiment.yaml")
    e = m.explain()
    assert "total = 500,000 + 29,312 + 129 = 529,441 params" in str(e)
    assert e.to_dict()["layers"][1]["params"] == 29_312
    assert "### simple_rnn (SimpleRNN)" in e.to_markdown()
    again = rnncalc.load(m.export("yaml")).summary()
    assert again.to_dict() == m.summary().to_dict()
    assert "layers.SimpleRNN(128)" in m.export("keras")


@pytest.mark.parametrize(("call", "match"), [
    (lambda: rnncalc.load({"layers": ["LTSM(3)"]}, input_shape=(4, 2)), "did you mean 'LSTM'"),
    (lambda: rnncalc.load("no/such/file.yaml"), "no/such/file.yaml"),
    (lambda: rnncalc.load(layers=["LSTM(3)"], input_shape=(4,)).summary(), "rank 3"),
    (lambda: rnncalc.load(layers=["LSTM(3)"], input_shape=(4, 2)).summary(convention="torch"),
     "'torch' is not one of"),
    (lambda: rnncalc.load(layers=["Dense(2)"], input_shape="3").export("onnx"), "onnx"),
    (lambda: rnncalc.load(layers=["Dense(2)"], input_shape=(0,)), "input_shape"),
    (lambda: rnncalc.load(42), "expected a path"),
])
def test_bad_input_raises_spec_error(call, match):
    with pytest.raises(rnncalc.SpecError, match=match):
        call()


def test_magics_with_ipython(capsys):
    pytest.importorskip("IPython")
    from IPython.testing.globalipapp import start_ipython

    ip = start_ipython()
    ip.run_line_magic("load_ext", "rnncalc")
    ip.run_line_magic("rnncalc", f"summary {SPECS / 'seed' / 'sentiment.yaml'} --json")
    doc = json.loads(capsys.readouterr().out)
    assert doc["total_params"] == 529_441
    s = ip.run_cell_magic("rnncalc", "", "input: {shape: [4, 5]}\nlayers:\n  - LSTM: 3\n")
    assert s.total_params == 4 * 3 * (5 + 3 + 1)
    ip.run_cell_magic("rnncalc", "explain", "input: {shape: [4, 5]}\nlayers:\n  - LSTM: 3\n")
    assert "params = 60 + 36 + 12 = 108" in capsys.readouterr().out


@pytest.mark.parametrize("call", [
    lambda m: m.graph(batch_size=-1),
    lambda m: m.graph(batch_size=2.5),
    lambda m: m.graph(timesteps="x"),
    lambda m: m.graph(convention="tf"),
    lambda m: m.run(batch_size=0),
    lambda m: m.run(inputs=[[1, 2], [3]]),
    lambda m: m.run(inputs={"input_layer": [[1.0], [2.0, 3.0]]}),
], ids=["batch_negative", "batch_float", "timesteps_text", "convention", "run_batch_zero",
        "inputs_ragged", "inputs_ragged_named"])
def test_python_arguments_are_checked(call):
    """Every Python entry point checks its counts and arrays: a SpecError, never a crash."""
    model = rnncalc.load({"input": {"shape": [5, 3]}, "layers": [{"LSTM": 2}]})
    with pytest.raises(SpecError):
        call(model)
