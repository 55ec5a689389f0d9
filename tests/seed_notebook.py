"""Test helper: the seed notebook's text rendering as ``.ipynb``.

The text is the project's seed notebook (``../shared/seed/*.txt``), kept as
``tests/golden/seed_notebook.txt`` so the tests never depend on where the
checkout sits; the shared copy wins when it is there.

The rendering marks code cells with ``In [n]:`` lines; what follows a cell's
code (its printed output, then any markdown) runs to the next marker. The
code is the longest run of blank-line-separated blocks after the marker that
still parses as Python; the rest becomes a markdown cell.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

SEED_DIR = Path(__file__).resolve().parents[2] / "shared" / "seed"
SEED_COPY = Path(__file__).resolve().parent / "golden" / "seed_notebook.txt"
_MARKER = re.compile(r"^In \[(\d*|\s*|None)\]:\s*$")


def seed_text() -> str | None:
    """The seed notebook's text (the shared copy, else the one kept in the tests)."""
    files = sorted(SEED_DIR.glob("*.txt")) if SEED_DIR.is_dir() else []
    if not files and SEED_COPY.exists():
        files = [SEED_COPY]
    return files[0].read_text(encoding="utf-8") if files else None


def _parses(text: str) -> bool:
    try:
        ast.parse(text)
    except SyntaxError:
        return False
    return True


def _split_code(chunk: list[str]) -> tuple[str, str]:
    blocks, current = [], []
    for line in chunk:
        if line.strip():
            current.append(line)
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    code_blocks: list[list[str]] = []
    for block in blocks:
        candidate = "\n\n".join("\n".join(b) for b in [*code_blocks, block])
        if not _parses(candidate):
            break
        code_blocks.append(block)
    code = "\n\n".join("\n".join(b) for b in code_blocks)
    rest = blocks[len(code_blocks):]
    return code, "\n\n".join("\n".join(b) for b in rest)


def _cell(kind: str, text: str, count: int | None = None) -> dict:
    lines = text.splitlines(keepends=True)
    if kind == "markdown":
        return {"cell_type": "markdown", "metadata": {}, "source": lines}
    return {"cell_type": "code", "execution_count": count, "metadata": {}, "outputs": [],
            "source": lines}


def text_to_notebook(text: str) -> dict:
    """nbformat 4 JSON for a text rendering with ``In [n]:`` markers."""
    cells: list[dict] = []
    chunk: list[str] = []
    count: int | None = None
    started = False

    def flush() -> None:
        if not started:
            if "".join(chunk).strip():
                cells.append(_cell("markdown", "\n".join(chunk).strip()))
            return
        code, rest = _split_code(chunk)
        cells.append(_cell("code", code, count))
        if rest.strip():
            cells.append(_cell("markdown", rest))

    for line in text.splitlines():
        match = _MARKER.match(line)
        if match:
            flush()
            chunk, started = [], True
            label = match.group(1).strip()
            count = int(label) if label.isdigit() else None
        else:
            chunk.append(line)
    flush()
    return {"cells": cells, "metadata": {"language_info": {"name": "python"}},
            "nbformat": 4, "nbformat_minor": 5}


def write_seed_notebook(path: Path) -> Path | None:
    """Write the seed notebook as ``.ipynb`` at ``path``; ``None`` if there is no seed."""
    text = seed_text()
    if text is None:
        return None
    path.write_text(json.dumps(text_to_notebook(text), ensure_ascii=False, indent=1),
                    encoding="utf-8")
    return path
