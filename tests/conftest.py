"""Shared test helpers: run the CLI in-process and capture its output."""

from __future__ import annotations

import json
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
        argv = [str(a) for a in args]
        if code == 0 and argv and argv[0] in SCHEMA_COMMANDS and (
                "--json" in argv or "json" in argv[argv.index("--format") + 1:][:1]
                if "--format" in argv else "--json" in argv):
            validate_json(argv[0], json.loads(captured.out))
        return Result(code, captured.out, captured.err)

    return run


SCHEMA_COMMANDS = ("summary", "explain", "run", "solve", "sweep", "diff")
_VALIDATORS: dict = {}


def validate_json(command: str, document) -> None:
    """Check a JSON document against the schema rnncalc ships for ``command``."""
    import jsonschema

    from rnncalc.render.json_out import schema_text

    if command not in _VALIDATORS:
        try:
            schema = json.loads(schema_text(command))
        except FileNotFoundError:
            return
        jsonschema.Draft202012Validator.check_schema(schema)
        _VALIDATORS[command] = jsonschema.Draft202012Validator(schema)
    _VALIDATORS[command].validate(document)


@pytest.fixture
def seed_notebook(tmp_path):
    """The seed notebook written as a real .ipynb in a temporary folder."""
    from tests.seed_notebook import write_seed_notebook

    return write_seed_notebook(tmp_path / "seed.ipynb")
