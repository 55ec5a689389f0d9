"""How run outputs are named: ``bidirectional[2] (forward c)``, shared by every run view."""

from __future__ import annotations

from typing import Any


def output_label(out: Any, result: Any) -> str:
    """The label of one output tensor (an ``OutputTensor`` of a ``RunResult``)."""
    node = result.graph.node(out.name)
    if len(node.output_shapes) == 1:
        return out.name
    what = node.layer.output_names(node.input_shapes)[out.index] if node.layer else ""
    return f"{out.name}[{out.index}] ({what})"
