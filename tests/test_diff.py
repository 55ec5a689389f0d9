"""diff: layers matched by name, then position; counts and totals side by side."""

from __future__ import annotations

from rnncalc.api import load
from rnncalc.graph import ShapeOptions, build_graph
from rnncalc.render.diff_view import diff_markdown
from rnncalc.reports.diff import diff_graphs


def load_spec(path, layers=None):
    """The spec of a path or of --layer expressions, through the front door."""
    return load(path, layers=layers, validate=False).spec


def _g(*layers: str, shape=(10, 4)):
    return build_graph(load_spec(None, list(layers)), ShapeOptions(shape))


def _rows(record):
    return [(r.status, r.a.name if r.a else None, r.b.name if r.b else None, r.delta)
            for r in record.rows]


def test_identical() -> None:
    record = diff_graphs(_g("LSTM(8)", "Dense(1)"), _g("LSTM(8)", "Dense(1)"))
    assert record.identical
    assert {r.status for r in record.rows} == {"same"}


def test_renamed_layer_lines_up_by_position() -> None:
    record = diff_graphs(_g("LSTM(8, name='enc')", "Dense(1)"),
                         _g("LSTM(8, name='encoder')", "Dense(1)"))
    assert _rows(record)[1] == ("changed", "enc", "encoder", 0)
    assert record.rows[1].changes == ("name",)


def test_inserted_layer() -> None:
    a = _g("LSTM(8, return_sequences=True)", "Dense(1)")
    b = _g("LSTM(8, return_sequences=True)", "GRU(5, return_sequences=True)", "Dense(1)")
    record = diff_graphs(a, b)
    assert _rows(record) == [("same", "input_layer", "input_layer", 0),
                             ("same", "lstm", "lstm", 0),
                             ("added", None, "gru", 3 * 5 * (8 + 5 + 2)),
                             ("changed", "dense", "dense", (5 + 1) - (8 + 1))]
    assert record.b.total_params - record.a.total_params == sum(r.delta for r in record.rows)


def test_removed_layer() -> None:
    record = diff_graphs(_g("LSTM(8, return_sequences=True)", "Dropout(0.2)", "LSTM(4)"),
                         _g("LSTM(8, return_sequences=True)", "LSTM(4)"))
    assert ("removed", "dropout", None, 0) in _rows(record)
    assert [r.status for r in record.rows].count("same") == 3


def test_resized_layer() -> None:
    record = diff_graphs(_g("LSTM(8)", "Dense(1)"), _g("LSTM(16)", "Dense(1)"))
    lstm, dense = record.rows[1], record.rows[2]
    assert lstm.changes == ("shape", "params")
    assert lstm.delta == 4 * 16 * (4 + 16 + 1) - 4 * 8 * (4 + 8 + 1)
    assert dense.changes == ("params",) and dense.delta == 8
    assert record.to_dict()["total_params_delta"] == lstm.delta + dense.delta


def test_changed_type_at_same_position() -> None:
    record = diff_graphs(_g("LSTM(8)", "Dense(1)"), _g("GRU(8)", "Dense(1)"))
    assert record.rows[1].changes[:2] == ("name", "type")


def test_conventions_side_by_side() -> None:
    g = _g("Bidirectional(LSTM(8, return_sequences=True))", "GRU(3)", "Dense(1)")
    record = diff_graphs(g, g, conventions=("keras", "pytorch"), titles=("m", "m"))
    by_name = {r.a.name: r for r in record.rows}
    # torch.nn adds a second bias vector per gate block: LSTM 4·8 per direction, GRU 3·3
    assert by_name["bidirectional"].delta == 2 * 4 * 8
    # Keras' GRU (reset_after) already has two biases: the same count as torch.nn.GRU
    assert by_name["gru"].delta == 0
    assert by_name["dense"].status == "same"
    text = diff_markdown(record)
    assert "A = m, B = m (pytorch)" in text and "+64" in text
    assert record.to_dict()["b"]["convention"] == "pytorch"


def test_functional_models_by_name() -> None:
    spec = """
name: s2s
inputs:
  enc: {shape: [null, 7]}
  dec: {shape: [null, 9]}
layers:
  - LSTM: {units: %d, return_state: true, name: encoder}
    inputs: enc
  - LSTM: {units: %d, return_sequences: true, name: decoder}
    inputs: dec
    initial_state: [encoder[1], encoder[2]]
  - Dense: {units: 9, name: out}
    inputs: decoder
outputs: [out]
"""
    import rnncalc.spec.loader as loader
    from rnncalc.spec.model import model_spec

    def build(u):
        return build_graph(model_spec(loader.parse_text(spec % (u, u), "s.yaml")))

    record = diff_graphs(build(16), build(32))
    assert [r.a.name for r in record.rows] == ["enc", "dec", "encoder", "decoder", "out"]
    assert all(r.status == "changed" for r in record.rows[2:])
