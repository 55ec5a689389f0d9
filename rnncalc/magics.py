"""IPython magics: ``%rnncalc <command line>`` and a ``%%rnncalc`` cell holding a YAML spec.

Loaded by ``%load_ext rnncalc``; IPython is never imported anywhere else, so
rnncalc does not depend on it.
"""

from __future__ import annotations

import os
import shlex
import tempfile
from typing import Any

COMMANDS = ("summary", "explain", "run", "export")


def _cli(args: list[str]) -> None:
    """Run one command line in this process; errors print their ``error:`` line only."""
    from rnncalc.cli import main

    try:
        main(args)
    except SystemExit:
        pass


def line_magic(line: str) -> None:
    """``%rnncalc summary model.yaml --json``: exactly what the command prints."""
    _cli(shlex.split(line))


def cell_magic(line: str, cell: str) -> Any:
    """``%%rnncalc [command] [options]`` over a YAML spec.

    A plain ``%%rnncalc`` (or ``%%rnncalc summary``) returns the
    :class:`~rnncalc.api.Summary`, which Jupyter shows as an HTML table; any
    other command line is run as the CLI would run it on the cell's spec.
    """
    args = shlex.split(line)
    command = args.pop(0) if args and args[0] in COMMANDS else "summary"
    if command == "summary" and not args:
        import rnncalc.api as api
        from rnncalc.errors import SpecError

        try:
            return api.load(cell if cell.strip() else "{}").summary()
        except SpecError as err:
            import sys

            sys.stderr.write(f"error: {err}\n")
            return None
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False,
                                     encoding="utf-8") as handle:
        handle.write(cell)
    try:
        _cli([command, handle.name, *args])
    finally:
        os.unlink(handle.name)
    return None


def register(ipython: Any) -> None:
    """Register both magics under the name ``rnncalc``."""
    ipython.register_magic_function(line_magic, "line", "rnncalc")
    ipython.register_magic_function(cell_magic, "cell", "rnncalc")
