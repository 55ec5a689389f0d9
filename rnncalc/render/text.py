"""A rich renderable as plain text (no colour codes), for ``str()`` of API records."""

from __future__ import annotations

import io
from typing import Any

PLAIN_WIDTH = 100


def plain_text(renderable: Any, width: int = PLAIN_WIDTH) -> str:
    """Render without a terminal: fixed width, no colour, no markup codes."""
    from rich.console import Console

    buffer = io.StringIO()
    Console(file=buffer, width=width, color_system=None, force_terminal=False,
            legacy_windows=False).print(renderable)
    return buffer.getvalue()
