"""Number formatting shared by the renderers, following Keras' summary."""

from __future__ import annotations


def readable_bytes(size: int) -> str:
    """Keras' ``readable_memory_size``: 1024-based units, two decimals."""
    units = ["B", "KB", "MB", "GB", "TB", "PB"]
    value = size
    scale = 1
    for unit in units[:-1]:
        if value < scale * 1024:
            return f"{_ratio(value, scale):.2f} {unit}"
        scale *= 1024
    return f"{_ratio(value, scale):.2f} {units[-1]}"


def _ratio(value: int, scale: int) -> float:
    """``value / scale`` without overflowing for astronomically large ints."""
    try:
        return value / scale
    except OverflowError:
        return float("inf")


def count(n: int) -> str:
    """``529441`` -> ``529,441``."""
    return f"{n:,}"
