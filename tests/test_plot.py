"""plot: SVG written by rnncalc (valid XML, every name and shape as text, no overlapping
boxes, no arrow through a box), DOT and Mermaid text, and the unrolled view."""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from rnncalc.api import load
from rnncalc.graph import ShapeOptions, build_graph
from rnncalc.layers.shapes import format_shapes
from rnncalc.render.layout import layout, overlaps, segment_hits_box
from rnncalc.render.plot_svg import svg
from rnncalc.render.plot_text import dot, mermaid
from rnncalc.reports.diagram import model_diagram, parse_show, unrolled_diagram


def load_spec(path, layers=None):
    """The spec of a path or of --layer expressions, through the front door."""
    return load(path, layers=layers, validate=False).spec

ROOT = Path(__file__).resolve().parent.parent
NS = "{http://www.w3.org/2000/svg}"
SEEDS = sorted((ROOT / "specs" / "seed").glob("*.yaml"))
SKIP = """
name: skip
inputs:
  tokens: {shape: [20], dtype: int32}
  extra: {shape: [20, 8]}
layers:
  - Embedding: {input_dim: 100, output_dim: 8, name: emb}
    inputs: tokens
  - LSTM: {units: 8, return_sequences: true, name: l1}
    inputs: emb
  - LSTM: {units: 8, return_sequences: true, name: l2}
    inputs: l1
  - GRU: {units: 8, return_sequences: true, name: l3}
    inputs: l2
  - Add: {name: add}
    inputs: [emb, l3, extra]
  - Concatenate: {name: cat}
    inputs: [add, l1]
  - Dense: {units: 3, name: out}
    inputs: cat
outputs: [out]
"""


def _graphs():
    out = [(str(p.relative_to(ROOT / "specs")), build_graph(load_spec(str(p))))
           for p in sorted((ROOT / "specs").rglob("*.yaml"))]
    stack = ["Embedding(100, 8)"] + ["LSTM(8, return_sequences=True)"] * 28 + ["Dense(1)"]
    out.append(("stack30", build_graph(load_spec(None, stack), ShapeOptions((20,)))))
    from rnncalc.spec.loader import parse_text
    from rnncalc.spec.model import model_spec

    out.append(("skip", build_graph(model_spec(parse_text(SKIP, "skip.yaml")))))
    return out


GRAPHS = _graphs()


def check_geometry(lay) -> None:
    boxes = list(lay.boxes.values())
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not overlaps(a, b), (a.box.id, b.box.id)
    for route in lay.routes:
        for p, q in zip(route.points, route.points[1:]):
            for b in boxes:
                assert not segment_hits_box(p, q, b), (route.arrow, b.box.id)
        # arrows start on their source box's edge and end on their target's
        src, dst = lay.boxes[route.arrow.src], lay.boxes[route.arrow.dst]
        (x0, y0), (x1, y1) = route.points[0], route.points[-1]
        assert src.x <= x0 <= src.right and src.y <= y0 <= src.bottom
        assert dst.x <= x1 <= dst.right and dst.y <= y1 <= dst.bottom


@pytest.mark.parametrize(("name", "graph"), GRAPHS, ids=[n for n, _ in GRAPHS])
def test_svg_is_xml_with_every_name_and_shape(name, graph) -> None:
    show = ("shapes", "params", "trainable", "dtype")
    text = svg(layout(model_diagram(graph, show)))
    root = ET.fromstring(text)
    assert root.tag == f"{NS}svg"
    texts = [t.text or "" for t in root.iter(f"{NS}text")]
    joined = "\n".join(texts)
    for node in [*graph.inputs, *graph.nodes]:
        assert any(t.startswith(f"{node.name} (") for t in texts), node.name
        assert format_shapes(node.output_shapes) in joined
    for node in graph.nodes:
        assert f"Params: {node.params:,}" in joined
    boxes = root.findall(f".//{NS}g[@class='box']")
    assert len(boxes) == len(graph.inputs) + len(graph.nodes)
    edges = root.findall(f".//{NS}polyline[@class='edge']")
    assert len(edges) == sum(len({r.node for r in n.inbound}) for n in graph.nodes)


@pytest.mark.parametrize(("name", "graph"), GRAPHS, ids=[n for n, _ in GRAPHS])
def test_no_overlaps_and_no_edge_through_a_box(name, graph) -> None:
    check_geometry(layout(model_diagram(graph, ("shapes", "params"))))


def test_geometry_check_catches_a_crossing() -> None:
    lay = layout(model_diagram(GRAPHS[-1][1]))
    emb, out = lay.boxes["emb"], lay.boxes["out"]
    assert segment_hits_box((emb.cx, emb.y - 10), (emb.cx, emb.bottom + 10), emb)
    assert not segment_hits_box((emb.x, emb.y), (emb.right, emb.y), emb)   # along an edge
    assert overlaps(emb, emb) and not overlaps(emb, out)


def test_svg_boxes_sized_to_text() -> None:
    lay = layout(model_diagram(GRAPHS[-2][1], ("shapes", "params")))
    widths = {round(p.w) for p in lay.boxes.values()}
    assert len(widths) > 1
    for p in lay.boxes.values():
        longest = max(len(t) for t in (p.box.title, *p.box.lines))
        assert p.w >= longest * 7.2


DOT_STATEMENT = re.compile(
    r'^\s*(?:(?:graph|node|edge)\s*\[.*\];'
    r'|"(?:[^"\\]|\\.)*"\s*\[(?:\s*\w+=(?:"(?:[^"\\]|\\.)*"|[\w.#-]+),?)*\s*\];'
    r'|"(?:[^"\\]|\\.)*"\s*->\s*"(?:[^"\\]|\\.)*"(?:\s*\[label="(?:[^"\\]|\\.)*"\])?;'
    r'|\{\s*rank=same;(?:\s*"(?:[^"\\]|\\.)*";)+\s*\})\s*$')


def check_dot(text: str) -> None:
    lines = text.strip().splitlines()
    assert re.match(r'^digraph "(?:[^"\\]|\\.)*" \{$', lines[0])
    assert lines[-1] == "}"
    for line in lines[1:-1]:
        assert DOT_STATEMENT.match(line), line
    assert text.count("{") == text.count("}")


MERMAID_LINE = re.compile(r'^\s*(?:n\d+\["[^"]*"\]|n\d+ -->(?:\|"[^"]*"\|)? n\d+'
                          r'|classDef \w+ fill:#[0-9a-f]{6}|class (?:n\d+,?)+ \w+)$')


def check_mermaid(text: str, direction: str = "TD") -> None:
    lines = text.strip().splitlines()
    assert lines[0] == f"graph {direction}"
    for line in lines[1:]:
        assert MERMAID_LINE.match(line), line


@pytest.mark.parametrize(("name", "graph"), GRAPHS, ids=[n for n, _ in GRAPHS])
def test_dot_and_mermaid(name, graph) -> None:
    diagram = model_diagram(graph, ("shapes", "params"))
    check_dot(dot(diagram))
    check_mermaid(mermaid(diagram))
    edges = sum(len({r.node for r in n.inbound}) for n in graph.nodes)
    assert dot(diagram).count(" -> ") == edges
    assert mermaid(diagram).count(" --> ") == edges


def test_unroll_seed_simple_rnn_shows_four_cells() -> None:
    graph = build_graph(load_spec(str(ROOT / "specs" / "seed" / "simple_rnn.yaml")))
    diagram = unrolled_diagram(graph, 4)
    cells = [b for b in diagram.boxes if b.style == "cell"]
    assert len(cells) == 4
    lay = layout(diagram)
    check_geometry(lay)
    text = svg(lay)
    root = ET.fromstring(text)
    texts = [t.text for t in root.iter(f"{NS}text")]
    assert [t for t in texts if t.startswith("simple_rnn t=")] == [
        f"simple_rnn t={t}" for t in range(1, 5)]
    assert texts.count("x_1") == 1 and "x_4" in texts
    assert "h_3 (None, 3)" in texts and "(None, 10)" in texts       # shapes on the arrows
    assert any("recurrent_kernel (3, 3)" in t for t in texts)       # shared weights named
    check_dot(dot(diagram))
    check_mermaid(mermaid(diagram), "BT")


def test_unroll_lstm_carries_h_and_c() -> None:
    graph = build_graph(load_spec(None, ["Dense(6)", "LSTM(3, return_sequences=True, "
                                         "return_state=True)"]), ShapeOptions((5, 4)))
    diagram = unrolled_diagram(graph, 3)
    labels = [a.label for a in diagram.arrows if a.side]
    assert labels[:2] == ["h_0 (None, 3)", "c_0 (None, 3)"]
    assert len([b for b in diagram.boxes if b.id.startswith("y_")]) == 3
    assert any(b.id == "state_T" for b in diagram.boxes)
    check_geometry(layout(diagram))


def test_unroll_errors() -> None:
    from rnncalc.errors import SpecError

    graph = build_graph(load_spec(None, ["Dense(6)"]), ShapeOptions((5, 4)))
    with pytest.raises(SpecError, match="no SimpleRNN, LSTM, GRU, RNN or ConvLSTM"):
        unrolled_diagram(graph, 3)
    graph = build_graph(load_spec(None, ["Dense(6)", "GRU(2)"]), ShapeOptions((5, 4)))
    with pytest.raises(SpecError, match="is a Dense"):
        unrolled_diagram(graph, 3, "dense")
    with pytest.raises(SpecError, match="did you mean 'gru'"):
        unrolled_diagram(graph, 3, "gru_")
    with pytest.raises(SpecError, match="--show"):
        parse_show("shapes,parms")


GOLDEN = ROOT / "docs" / "images"


@pytest.mark.parametrize("path", SEEDS, ids=[p.stem for p in SEEDS])
def test_golden_seed_svgs(path: Path) -> None:
    """docs/images/<seed>.svg are what rnncalc draws (RNNCALC_REGEN_IMAGES=1 rewrites them)."""
    text = svg(layout(model_diagram(build_graph(load_spec(str(path))), ("shapes", "params"))))
    target = GOLDEN / f"{path.stem}.svg"
    if os.environ.get("RNNCALC_REGEN_IMAGES"):
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    assert target.read_text() == text


def test_golden_unrolled_svg() -> None:
    graph = build_graph(load_spec(str(ROOT / "specs" / "seed" / "simple_rnn.yaml")))
    text = svg(layout(unrolled_diagram(graph, 4)))
    target = GOLDEN / "simple_rnn_unrolled.svg"
    if os.environ.get("RNNCALC_REGEN_IMAGES"):
        target.write_text(text)
    assert target.read_text() == text


def test_golden_seq2seq_svg() -> None:
    """A two-input functional model: the encoder's states feed the decoder."""
    graph = build_graph(load_spec(str(ROOT / "specs" / "seq2seq.yaml")))
    text = svg(layout(model_diagram(graph, ("shapes", "params"))))
    target = GOLDEN / "seq2seq.svg"
    if os.environ.get("RNNCALC_REGEN_IMAGES"):
        target.write_text(text)
    assert target.read_text() == text
