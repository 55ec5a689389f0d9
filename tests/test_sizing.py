"""solve and sweep: the solved value equals a brute-force search over built models."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnncalc.api import load
from rnncalc.errors import SpecError
from rnncalc.graph import ShapeOptions, build_graph
from rnncalc.reports.sizing import budgets_from, measure, parse_vary, solve, sweep
from rnncalc.spec import placeholders
from rnncalc.spec.loader import Document
from rnncalc.spec.model import model_spec


def load_spec(path, layers=None):
    """The spec of a path or of --layer expressions, through the front door."""
    return load(path, layers=layers, validate=False).spec

MODELS = {
    "simple_rnn": ({"input": {"shape": [12, 5]}, "layers": [{"SimpleRNN": "?"}]}),
    "lstm": ({"input": {"shape": [12, 5]}, "layers": ["LSTM(?)", "Dense(3)"]}),
    "gru": ({"input": {"shape": [12, 5]}, "layers": ["GRU(?, return_sequences=True)",
                                                     "GRU(4)"]}),
    "gru_v1": ({"input": {"shape": [12, 5]}, "layers": ["GRU(?, reset_after=False)"]}),
    "bidirectional": ({"input": {"shape": [9, 4]},
                       "layers": ["Bidirectional(LSTM(?, return_sequences=True))",
                                  {"Dense": 2}]}),
    "bidirectional_sum": ({"input": {"shape": [9, 4]},
                           "layers": [{"Bidirectional": {"layer": {"GRU": "?"},
                                                         "merge_mode": "sum"}}]}),
    "stacked": ({"input": {"shape": [7, 3]},
                 "layers": ["LSTM(?, return_sequences=True)", "LSTM(?, return_sequences=True)",
                            "SimpleRNN(?)", "Dense(1)"]}),
    "embedding": ({"input": {"shape": [20], "dtype": "int32"},
                   "layers": ["Embedding(500, ?)", "LSTM(16)", "Dense(1)"]}),
    "functional": ({"inputs": {"enc": {"shape": [6, 11]}, "dec": {"shape": [5, 13]}},
                    "layers": [{"LSTM": {"units": "?", "return_state": True, "name": "encoder"},
                                "inputs": "enc"},
                               {"LSTM": {"units": "?", "return_sequences": True,
                                         "name": "decoder"},
                                "inputs": "dec", "initial_state": ["encoder[1]", "encoder[2]"]},
                               {"Dense": {"units": 13, "name": "out"}, "inputs": "decoder"}],
                    "outputs": ["out"]}),
}
METRICS = {"params": "params", "macs": "macs", "memory": "inference_memory",
           "training": "training_memory"}


def _spec(data):
    return model_spec(Document(data, "<test>"))


def _brute(spec, options, budget_kwargs, training, lo, hi, k, optimizer=None):
    budgets = budgets_from(**budget_kwargs, training=training)
    best = None
    for v in range(lo, hi + 1):
        if v % k:
            continue
        graph = build_graph(placeholders.substitute(spec, {"": v}), options)
        m = measure(graph, optimizer=optimizer)
        if all(m.metric(b.metric) <= b.limit for b in budgets):
            best = v
    return best


@pytest.mark.slow
@settings(max_examples=6, deadline=None)
@pytest.mark.parametrize("kind", sorted(MODELS))
@pytest.mark.parametrize("what", sorted(METRICS))
@given(fraction=st.floats(0.0, 1.0), k=st.integers(1, 3), lo=st.integers(1, 20))
def test_solve_equals_brute_force(kind: str, what: str, fraction: float, k: int,
                                  lo: int) -> None:
    spec = _spec(MODELS[kind])
    options = ShapeOptions(batch_size=4)
    hi = lo + 90
    optimizer = "adam" if what == "training" else None
    smallest = measure(build_graph(placeholders.substitute(spec, {"": lo}), options),
                       optimizer=optimizer).metric(METRICS[what])
    largest = measure(build_graph(placeholders.substitute(spec, {"": hi}), options),
                      optimizer=optimizer).metric(METRICS[what])
    limit = int(smallest * 0.9 + fraction * (largest * 1.1 - smallest * 0.9))
    key = "max_memory" if what in ("memory", "training") else f"max_{what}"
    budget = {key: limit}
    want = _brute(spec, options, budget, what == "training", lo, hi, k, optimizer)
    if want is None:
        with pytest.raises(SpecError, match="no value of"):
            solve(spec, budgets_from(**budget, training=what == "training"), options=options,
                  lo=lo, hi=hi, multiple=k, optimizer=optimizer)
        return
    got = solve(spec, budgets_from(**budget, training=what == "training"), options=options,
                lo=lo, hi=hi, multiple=k, optimizer=optimizer)
    assert got.value == want


def test_solve_huge_range_is_exact() -> None:
    spec = load_spec(None, ["Embedding(5000, 100)", "LSTM(?)", "Dense(1)"])
    s = solve(spec, budgets_from(max_params=1_000_000), options=ShapeOptions((30,)),
              lo=1, hi=10**9)
    # 4u² + 405u + 500,001 <= 1,000,000 (Keras: LSTM 4u(100+u+1), Dense u+1, Embedding 500k)
    assert s.value == 306
    assert 4 * 306**2 + 405 * 306 + 500_001 <= 1_000_000 < 4 * 307**2 + 405 * 307 + 500_001
    assert s.measure.params == 4 * 306**2 + 405 * 306 + 500_001
    assert s.next_value == 307 and s.next_measure.params > 1_000_000
    assert s.polynomials["params"].text("u") == "4·u² + 405·u + 500,001"


def test_solve_multiple_of() -> None:
    spec = load_spec(None, ["LSTM(?)"])
    s = solve(spec, budgets_from(max_params=100_000), options=ShapeOptions((10, 8)),
              multiple=32)
    assert s.value % 32 == 0 and s.next_value == s.value + 32
    assert s.measure.params <= 100_000 < s.next_measure.params


def test_solve_short_ranges() -> None:
    """A range of one or a few values: checked value by value, polynomial still shown."""
    spec = load_spec(None, ["LSTM(?)"])
    opts = ShapeOptions((5, 3))
    one = solve(spec, budgets_from(max_params=1000), options=opts, lo=8, hi=8)
    assert one.value == 8 and one.broken() == []          # the next value is past the range
    assert one.polynomials["params"].text("u") == "4·u² + 16·u"   # 4u(3 + u + 1)
    few = solve(spec, budgets_from(max_params=100), options=opts, lo=1, hi=6)
    assert few.value == 3 and few.next_measure.params == 128 > 100


def test_solve_errors() -> None:
    spec = load_spec(None, ["LSTM(?)", "Dense(1)"])
    opts = ShapeOptions((10, 8))
    # LSTM(1) on 8 features: 4·(8 + 1 + 1) = 40, Dense(1): 2
    with pytest.raises(SpecError, match="no value of \\? in 1..1,000,000,000 fits: the "
                       "smallest model, \\?=1, has params 42 \\(--max-params 10\\)"):
        solve(spec, budgets_from(max_params=10), options=opts)
    with pytest.raises(SpecError, match="does not change"):
        solve(load_spec(None, ["LSTM(4)", "Dropout(0.1, seed=?)"]),
              budgets_from(max_params=10**6), options=opts)
    with pytest.raises(SpecError, match="--timesteps"):
        solve(load_spec(None, ["LSTM(?)"]), budgets_from(max_memory=10**6),
              options=ShapeOptions((None, 8), batch_size=2))
    with pytest.raises(SpecError, match="--batch-size"):
        solve(load_spec(None, ["LSTM(?)"]), budgets_from(max_memory=10**6),
              options=ShapeOptions((5, 8)))
    with pytest.raises(SpecError, match="one unknown"):
        solve(load_spec(None, ["LSTM(?a)", "Dense(?b)"]), budgets_from(max_params=10**6),
              options=opts)
    with pytest.raises(SpecError, match="needs a '\\?'"):
        solve(load_spec(None, ["LSTM(3)"]), budgets_from(max_params=10**6), options=opts)


def test_placeholder_outside_solve_is_refused() -> None:
    with pytest.raises(SpecError, match="placeholder.*rnncalc solve"):
        load({"input": {"shape": [3, 4]}, "layers": [{"LSTM": "?"}]}).graph()


def test_placeholder_forms() -> None:
    spec = load_spec(None, ["Embedding(5000, ?)", "LSTM(?u, name='a?b')",
                            "Bidirectional(GRU(units=?u))"])
    assert placeholders.names(spec) == ["", "u"]
    filled = placeholders.substitute(spec, {"": 7, "u": 3})
    assert filled.layers[1].call.args == (3,) and filled.layers[1].call.kwargs == {"name": "a?b"}
    assert filled.layers[2].call.args[0].kwargs == {"units": 3}
    data = _spec({"input": {"shape": [3]}, "layers": [{"Dense": {"units": "?u"}},
                                                       {"type": "Dense", "units": "?"}]})
    assert placeholders.names(data) == ["u", ""]


def test_sweep_grid() -> None:
    spec = load_spec(None, ["LSTM(?u)", "Dense(1)"])
    record = sweep(spec, parse_vary(["u=8,16", "timesteps=5,10,20"]),
                   options=ShapeOptions((None, 4), batch_size=2), optimizer="adam")
    assert [tuple(r.values.values()) for r in record.rows] == [
        (8, 5), (8, 10), (8, 20), (16, 5), (16, 10), (16, 20)]
    for row in record.rows:
        u = row.values["u"]
        assert row.measure.params == 4 * u * (4 + u + 1) + u + 1
        assert row.measure.optimizer_bytes == 2 * 4 * row.measure.params + 8
    assert record.rows[0].measure.macs < record.rows[1].measure.macs


def test_parse_vary() -> None:
    assert parse_vary(["u=32..256*2"]) == [("u", [32, 64, 128, 256])]
    assert parse_vary(["?u=1..10:3,50"]) == [("u", [1, 4, 7, 10, 50])]
    for bad in ["u", "u=", "u=0", "u=a", "u=1,2 --vary"]:
        with pytest.raises(SpecError, match="--vary"):
            parse_vary([bad])


def test_sweep_errors() -> None:
    spec = load_spec(None, ["LSTM(?u)"])
    with pytest.raises(SpecError, match="no --vary gives"):
        sweep(spec, parse_vary(["timesteps=3"]), options=ShapeOptions((None, 4)))
    with pytest.raises(SpecError, match="neither a placeholder"):
        sweep(spec, parse_vary(["v=3", "u=2"]), options=ShapeOptions((None, 4)))
