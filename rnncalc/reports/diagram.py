"""What a model diagram shows: boxes with text and arrows, before any geometry.

Two views of a built graph: the layer graph as ``keras.utils.plot_model``
draws it (one box per layer: name and type, input and output shapes, and on
request params, trainable and dtype), and one recurrent layer unrolled over
``T`` timesteps (x_t into the cell, states carried right, y_t out, the shared
weights named). Layout and drawing live in :mod:`rnncalc.render`.
"""

from __future__ import annotations

from dataclasses import dataclass

from rnncalc.errors import SpecError, did_you_mean
from rnncalc.graph import Graph, Node
from rnncalc.layers.shapes import format_shape, format_shapes

SHOW_CHOICES = ("shapes", "params", "trainable", "dtype")
MAX_UNROLL = 64


@dataclass(frozen=True)
class Box:
    """One box: a bold title and lines of text. ``cell`` places it on a grid (unrolled view)."""

    id: str
    title: str
    lines: tuple[str, ...] = ()
    style: str = "layer"                 # layer, input, cell, tensor, note
    cell: tuple[int, int] | None = None  # (row, column) for fixed layouts


@dataclass(frozen=True)
class Arrow:
    src: str
    dst: str
    label: str = ""
    side: str = ""                       # "", or "h"/"c" for the states carried right


@dataclass(frozen=True)
class Diagram:
    name: str
    boxes: tuple[Box, ...]
    arrows: tuple[Arrow, ...]
    fixed: bool = False                  # True: boxes carry their grid cells
    direction: str = "TD"                # Mermaid direction: TD (layers) or BT (unrolled)


def parse_show(items: list[str] | str | None) -> tuple[str, ...]:
    """``"shapes,params"`` (or a list of such) -> ``("shapes", "params")``; default shapes."""
    if items is None:
        return ("shapes",)
    if isinstance(items, str):
        items = [items]
    out = []
    for item in items:
        for part in item.split(","):
            part = part.strip().lower()
            if not part:
                continue
            if part not in SHOW_CHOICES:
                raise SpecError(f"--show: unknown item '{part}'; expected some of "
                                f"{', '.join(SHOW_CHOICES)}", hint=did_you_mean(part, SHOW_CHOICES))
            out.append(part)
    return tuple(dict.fromkeys(out))


def _trainable(node: Node) -> str:
    if not node.weights:
        return "-"
    trainable = node.trainable_params
    if trainable == node.params:
        return "True"
    return "False" if trainable == 0 else f"partly ({trainable:,} of {node.params:,})"


def _lines(node: Node, show: tuple[str, ...], is_input: bool) -> tuple[str, ...]:
    out = []
    if "shapes" in show:
        if not is_input:
            out.append(f"Input shape: {format_shapes(node.input_shapes)}")
        out.append(f"Output shape: {format_shapes(node.output_shapes)}")
    if "params" in show and not is_input:
        out.append(f"Params: {node.params:,}")
    if "trainable" in show and not is_input:
        out.append(f"Trainable: {_trainable(node)}")
    if "dtype" in show:
        out.append(f"dtype: {node.dtype}")
    return tuple(out)


def model_diagram(graph: Graph, show: tuple[str, ...] = ("shapes",)) -> Diagram:
    """The layer graph: input boxes, one box per layer, an arrow per connection."""
    boxes = [Box(n.name, f"{n.name} (InputLayer)", _lines(n, show, True), "input")
             for n in graph.inputs]
    boxes += [Box(n.name, f"{n.name} ({n.type_name})", _lines(n, show, False)) for n in graph.nodes]
    arrows = []
    for node in graph.nodes:
        for src in dict.fromkeys(r.node for r in node.inbound):
            arrows.append(Arrow(src, node.name))
    return Diagram(graph.name, tuple(boxes), tuple(arrows))


def recurrent_node(graph: Graph, layer_name: str | None = None) -> Node:
    """The layer ``--unroll`` draws: the named one, or the first with a recurrent cell."""
    names = [n.name for n in graph.nodes]
    if layer_name is not None:
        node = next((n for n in graph.nodes if n.name == layer_name), None)
        if node is None:
            raise SpecError(f"--layer-name: no layer named '{layer_name}' (layers: "
                            f"{', '.join(names)})", hint=did_you_mean(layer_name, names))
        if not getattr(node.layer, "SEQUENCE_LAYER", False):
            raise SpecError(f"--unroll: '{layer_name}' is a {node.kind}; unrolling draws a "
                            f"{_UNROLLABLE} layer")
        return node
    for node in graph.nodes:
        if getattr(node.layer, "SEQUENCE_LAYER", False):   # a layer with a recurrent cell
            return node
    raise SpecError(f"--unroll: the model has no {_UNROLLABLE} layer to unroll")


_UNROLLABLE = "SimpleRNN, LSTM, GRU, RNN or ConvLSTM"


def unrolled_diagram(graph: Graph, steps: int, layer_name: str | None = None) -> Diagram:
    """One recurrent layer over ``steps`` timesteps.

    Grid rows from the top: outputs, cells, inputs; the shared weights in a
    note below. States flow right from ``h_0`` (zeros, or ``initial_state``).
    """
    if steps < 1 or steps > MAX_UNROLL:
        raise SpecError(f"--unroll: expected 1 to {MAX_UNROLL} timesteps, got {steps}")
    node = recurrent_node(graph, layer_name)
    layer = node.layer
    x = node.input_shapes[0]
    batch = x[0]
    x_t = format_shape((batch, *x[2:]))
    states = tuple(layer.STATES)
    shape_of = dict(zip(states, (format_shape(s) for s in layer.state_shapes(x))))
    state = shape_of[states[0]]
    sequences = bool(layer.config["return_sequences"])
    out = node.output_shapes[0]
    y_t = format_shape((out[0], *out[2:]) if sequences else out)
    backwards = bool(layer.config["go_backwards"])
    kind, name = node.kind, node.name
    boxes = [Box("state_0", f"{'·'.join(s + '_0' for s in states)}", ("zeros" if
             len(node.input_shapes) == 1 else "initial_state", state), "tensor", (1, 0))]
    arrows = []
    for t in range(1, steps + 1):
        col = t
        step = steps - t + 1 if backwards else t
        boxes.append(Box(f"x_{t}", f"x_{step}", (x_t,), "tensor", (2, col)))
        boxes.append(Box(f"cell_{t}", f"{name} t={step}", (f"{kind} cell",
                                                            "shared weights"), "cell",
                         (1, col)))
        arrows.append(Arrow(f"x_{t}", f"cell_{t}", x_t))
        if sequences or t == steps:
            boxes.append(Box(f"y_{t}", f"y_{step}" if sequences else "output",
                             (y_t,), "tensor", (0, col)))
            arrows.append(Arrow(f"cell_{t}", f"y_{t}", y_t))
        previous = "state_0" if t == 1 else f"cell_{t - 1}"
        before = steps - t + 2 if backwards else t - 1
        for s in states:
            arrows.append(Arrow(previous, f"cell_{t}", f"{s}_{before} {shape_of[s]}", side=s))
    if layer.config["return_state"]:
        boxes.append(Box("state_T", "·".join(f"{s}_{steps}" for s in states) + " (returned)",
                         (state,), "tensor", (1, steps + 1)))
        for s in states:
            last = 1 if backwards else steps
            arrows.append(Arrow(f"cell_{steps}", "state_T", f"{s}_{last} {shape_of[s]}",
                                side=s))
    shared = tuple(f"{w.name} {format_shape(w.shape)}: {w.role or 'weight'}"
                   for w in node.weights)
    boxes.append(Box("weights", f"{name}: weights shared by every step", shared or ("none",),
                     "note", (3, 1)))
    title = f"{name} ({kind}) unrolled over {steps} step{'s' if steps != 1 else ''}"
    return Diagram(title, tuple(boxes), tuple(arrows), fixed=True, direction="BT")
