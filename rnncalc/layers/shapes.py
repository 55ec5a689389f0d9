"""Symbolic tensor shapes: tuples of ints with ``None`` for an unknown dim.

Dims are plain Python ints so counts stay exact at any size.
"""

from __future__ import annotations

from math import prod

Dim = int | None
Shape = tuple[Dim, ...]


def format_shape(shape: Shape) -> str:
    """Render a shape the way Keras prints it: ``(None, 30, 100)``."""
    inner = ", ".join("None" if d is None else str(d) for d in shape)
    return f"({inner},)" if len(shape) == 1 else f"({inner})"


def format_shapes(shapes: list[Shape] | tuple[Shape, ...]) -> str:
    """One shape as a tuple, several as a Keras-style list of tuples."""
    if len(shapes) == 1:
        return format_shape(shapes[0])
    return "[" + ", ".join(format_shape(s) for s in shapes) + "]"


def known_prod(dims: Shape) -> int | None:
    """Product of dims, or ``None`` when any is unknown."""
    if any(d is None for d in dims):
        return None
    return prod(dims)  # type: ignore[arg-type]


def dims_compatible(a: Dim, b: Dim) -> bool:
    """Two dims can be the same tensor dim (``None`` matches anything)."""
    return a is None or b is None or a == b


def normalize_axis(axis: int, rank: int) -> int:
    """A possibly negative axis as a non-negative index, or ``ValueError``."""
    if not -rank <= axis < rank:
        raise ValueError(f"axis {axis} is out of range for rank {rank}")
    return axis % rank
