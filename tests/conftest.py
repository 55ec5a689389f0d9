"""Shared test helpers: run the CLI in-process and capture its output."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "specs"
GOLDEN = ROOT / "tests" / "golden"


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys, monkeypatch):
    """Call ``rnncalc`` in-process: ``cli("summary", path, stdin=...)`` -> Result."""
    import io
    import sys

    from rnncalc.cli import main

    def run(*args: str, stdin: str | None = None) -> Result:
        if stdin is not None:
            monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        capsys.readouterr()
        try:
            main([str(a) for a in args])
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


@pytest.fixture
def seed_notebook(tmp_path):
    """The seed notebook written as a real .ipynb in a temporary folder."""
    from tests.seed_notebook import write_seed_notebook

    return write_seed_notebook(tmp_path / "seed.ipynb")
