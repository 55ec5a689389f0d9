"""Memory estimate of a run, checked before anything large is allocated."""

from __future__ import annotations

import re

from rnncalc.engine.executor import concrete_shapes, scratch_values, tensor_values
from rnncalc.errors import SpecError
from rnncalc.graph import Graph
from rnncalc.layers.shapes import Shape

DEFAULT_LIMIT = 2 * 1024**3
_UNITS = {"": 1, "b": 1, "k": 1000, "kb": 1000, "kib": 1024, "m": 1000**2, "mb": 1000**2,
          "mib": 1024**2, "g": 1000**3, "gb": 1000**3, "gib": 1024**3, "t": 1000**4,
          "tb": 1000**4, "tib": 1024**4}


def parse_size(text: str) -> int:
    """``"2GiB"``, ``"512MB"``, ``"1.5G"``, ``"1000000"`` -> bytes."""
    m = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*([a-zA-Z]*)\s*", text)
    unit = m.group(2).lower() if m else ""
    if not m or unit not in _UNITS:
        raise SpecError(f"--max-memory: expected a size such as 2GiB, 512MB or 1000000, "
                        f"got {text!r}")
    size = float(m.group(1)) * _UNITS[unit]
    return int(size) if size < 2**80 else 2**80   # a 300-digit size is "no limit", not a crash


def format_bytes(n: int) -> str:
    """Bytes in binary units: ``2.0 GiB``."""
    if n >= 1024**6:  # past PiB (and past what a float holds): the order of magnitude
        return f"~10^{len(str(n)) - 1} B"
    size = float(n)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if size < 1024 or unit == "PiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"  # pragma: no cover


def estimate_bytes(graph: Graph, input_shapes: dict[str, Shape], bytes_per_value: int = 4
                   ) -> int:
    """Inputs, every intermediate tensor, the weights and the largest scratch: of a layer's
    forward pass, or of drawing a weight from its initializer (before any tensor exists)."""
    from rnncalc.engine.initializers import init_scratch_values

    shapes = concrete_shapes(graph, input_shapes)
    params = sum(n.params for n in graph.nodes)
    scratch = max(scratch_values(graph, shapes), default=0)
    init = init_scratch_values([(w.initializer, w.shape) for n in graph.nodes for w in n.weights])
    return bytes_per_value * (params + max(tensor_values(shapes) + scratch, init))


def check_limit(estimate: int, limit: int) -> None:
    """Refuse a run whose estimate is over ``limit`` bytes."""
    if estimate > limit:
        raise SpecError(f"this run needs an estimated {format_bytes(estimate)}, over the "
                        f"--max-memory limit of {format_bytes(limit)}; use smaller "
                        "--batch-size/--timesteps or raise --max-memory")
