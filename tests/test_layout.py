"""The package's floors: no module imports from a floor above its own.

errors < layers (vocabulary and kinds) < spec (parsing) < graph
< reports, engine, interop < render < api < cli, magics.
Function-level imports count too: a lazy import is still a dependency.
"""

from __future__ import annotations

import ast

import pytest

from tests.conftest import ROOT

PACKAGE = ROOT / "rnncalc"
FLOORS = {
    "errors": 0, "_version": 0, "layers": 1, "spec": 2, "graph": 3,
    "reports": 4, "engine": 4, "interop": 4,
    "render": 5, "api": 6, "cli": 7, "magics": 7, "__main__": 7, "__init__": 7,
}
# Modules of one floor that must not lean on each other either.
SIBLINGS_APART = {("engine", "reports"), ("reports", "engine")}
PENDING: set[tuple[str, str]] = set()     # known exceptions while a move is under way


def _part(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "rnncalc" else None


def _imports(path) -> list[str]:
    tree = ast.parse(path.read_text(), str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
        elif isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
    return found


MODULES = sorted(p for p in PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=[str(p.relative_to(ROOT)) for p in MODULES])
def test_no_import_from_a_floor_above(path):
    rel = path.relative_to(PACKAGE)
    own = rel.parts[0].removesuffix(".py")
    floor = FLOORS[own]
    for module in _imports(path):
        part = _part(module)
        if part is None or (str(rel), module) in PENDING:
            continue
        assert FLOORS[part] <= floor, f"{rel} (floor {own}) imports {module}"
        assert (own, part) not in SIBLINGS_APART, f"{rel} imports {module}"


def test_kind_table_matches_the_declared_classes():
    """Every kind a module declares is registered under that module, and nothing else is."""
    from rnncalc.layers import KIND_MODULES, load_all

    registry = load_all()
    assert set(registry) == set(KIND_MODULES)
    for kind, cls in registry.items():
        assert cls.__module__ == f"rnncalc.layers.{KIND_MODULES[kind]}", kind


def test_a_model_imports_only_the_kinds_it_uses():
    import subprocess
    import sys

    code = ("import sys, rnncalc; rnncalc.load(layers=['LSTM(3)'], input_shape=(4, 2))"
            ".summary(); print(' '.join(sorted(m for m in sys.modules "
            "if m.startswith('rnncalc.layers.'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, check=True).stdout.split()
    assert "rnncalc.layers.recurrent" in out
    assert "rnncalc.layers.attention" not in out and "rnncalc.layers.preprocessing" not in out
