"""Walk a graph in topological order and call each layer's ``forward``.

The executor knows nothing about layer kinds: it moves arrays and Keras
masks along the graph's edges, frees tensors after their last use, and
reports progress. Concrete shapes come from the layers' own
``output_shapes`` run on the actual input shapes, so the memory estimate
and the engine can never disagree with the graph.
"""

from __future__ import annotations

from collections.abc import Callable
from math import prod
from typing import Any

import numpy as np

from rnncalc.engine.progress import reporting
from rnncalc.engine.sequence import run_sequence
from rnncalc.errors import SpecError
from rnncalc.graph import Graph
from rnncalc.layers.shapes import Shape

Progress = Callable[[int, int], None]     # (completed, total) work units


def concrete_shapes(graph: Graph, input_shapes: dict[str, Shape]) -> dict[str, list[Shape]]:
    """Every node's output shapes for these (fully known) input shapes."""
    shapes: dict[str, list[Shape]] = {n.name: [tuple(input_shapes[n.name])] for n in graph.inputs}
    for node in graph.nodes:
        ins = [shapes[r.node][r.index] for r in node.inbound]
        try:
            shapes[node.name] = [tuple(s) for s in node.layer.output_shapes(ins)]
        except SpecError as err:
            raise err.at(f"{node.label} ({node.type_name})" if node.label else node.name) from None
    return shapes


def work_units(graph: Graph, shapes: dict[str, list[Shape]]) -> list[int]:
    """Progress units per node (timesteps for recurrent layers, 1 otherwise)."""
    return [max(1, node.layer.forward_steps([shapes[r.node][r.index] for r in node.inbound]))
            for node in graph.nodes]


def scratch_values(graph: Graph, shapes: dict[str, list[Shape]]) -> list[int]:
    """Temporary values each node's forward call holds besides its outputs."""
    return [node.layer.scratch_values([shapes[r.node][r.index] for r in node.inbound],
                                      shapes[node.name]) for node in graph.nodes]


def execute(graph: Graph, inputs: dict[str, np.ndarray],
            weights: dict[str, dict[str, np.ndarray]], *,
            progress: Progress | None = None,
            trace: dict[str, list[Shape]] | None = None) -> list[np.ndarray]:
    """Run the graph; returns the model outputs in order.

    ``trace``, if given, receives every node's actual output shapes.
    """
    values: dict[str, list[Any]] = {n.name: [inputs[n.name]] for n in graph.inputs}
    masks: dict[str, list[Any]] = {n.name: [None] for n in graph.inputs}
    last_use = {r.node: i for i, node in enumerate(graph.nodes) for r in node.inbound}
    keep = {r.node for r in graph.outputs}
    units = (work_units(graph, concrete_shapes(graph, {k: v.shape for k, v in inputs.items()}))
             if progress else [])
    total, done = sum(units), 0
    count = [0]

    def tick() -> None:
        count[0] += 1
        progress(count[0], total)  # type: ignore[misc]

    off_shape: dict[tuple[str, int], str] = {}   # tensors whose shape is not the declared one
    with reporting(tick if progress else None):
        for i, node in enumerate(graph.nodes):
            xs = [values[r.node][r.index] for r in node.inbound]
            ms = [masks[r.node][r.index] for r in node.inbound]
            where = f"{node.label} ({node.type_name})" if node.label else node.name
            for r in node.inbound:
                if (r.node, r.index) in off_shape:
                    raise SpecError(off_shape[r.node, r.index]).at(where)
            try:
                mask = ms if node.layer.TAKES_INPUT_MASKS else ms[0]
                extra = {"loop": run_sequence} if node.layer.uses_sequence_loop() else {}
                if node.layer.uses_graph_executor():      # a model used as a layer
                    extra["execute"] = execute
                outs = list(node.layer.forward(xs, weights.get(node.layer_name, {}), mask, **extra))
                out_masks = list(node.layer.compute_mask(xs, ms))
                declared = node.layer.output_shapes([tuple(np.shape(x)) for x in xs])
            except SpecError as err:
                raise err.at(where) from None
            for k, (y, want) in enumerate(zip(outs, declared)):
                if tuple(np.shape(y)) != tuple(want):
                    # Keras too returns such a tensor, and fails in the next layer.
                    off_shape[node.name, k] = (
                        f"its input from '{node.name}' has shape {tuple(np.shape(y))}, not the "
                        f"{tuple(want)} the model's shapes say (an activation that changes the "
                        "last dim, such as 'glu', ran there; the layers after it are built for "
                        "the declared shape)")
            out_masks += [None] * (len(outs) - len(out_masks))
            values[node.name], masks[node.name] = outs, out_masks[:len(outs)]
            if trace is not None:
                trace[node.name] = [tuple(np.shape(y)) for y in outs]
            for name in {r.node for r in node.inbound}:
                if last_use.get(name) == i and name not in keep:
                    del values[name], masks[name]
            if progress:
                done += units[i]
                count[0] = done
                progress(done, total)
    return [np.asarray(values[r.node][r.index]) for r in graph.outputs]


def tensor_values(shapes: dict[str, list[Shape]]) -> int:
    """Values in every tensor of the graph."""
    return sum(prod(d or 1 for d in s) for outs in shapes.values() for s in outs)
