"""The bad-input corpus (tests/bad_inputs/): each file ends in one clear error.

tests/bad_inputs/expected.yaml maps each corpus file (or a named case) to the
command to run and the message fragments the ``error:`` line must contain.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
import yaml

CORPUS = Path(__file__).resolve().parent / "bad_inputs"
MANIFEST = yaml.safe_load((CORPUS / "expected.yaml").read_text(encoding="utf-8"))
NOT_CASES = {"expected.yaml", "a_directory"}


def _args(name: str, entry: dict, tmp: Path | None = None) -> list[str]:
    args = entry.get("args", ["summary", "{file}"])
    return [a.replace("{file}", str(CORPUS / name)).replace("{dir}", str(CORPUS))
            .replace("{tmp}", str(tmp)) for a in args]


def _make(tmp: Path, items: list[str]) -> None:
    """File-system oddities a case needs: ``dir NAME``, ``file NAME``, ``fifo NAME``,
    ``symlink NAME TARGET``."""
    for item in items:
        what, name, *rest = item.split()
        path = tmp / name
        if what == "dir":
            path.mkdir()
        elif what == "file":
            path.write_bytes(b"")
        elif what == "fifo":
            os.mkfifo(path)
        elif what == "symlink":
            path.symlink_to(rest[0])
        else:
            raise ValueError(item)


def _listing(*folders: Path) -> set[tuple[str, int, int]]:
    """Every entry under the folders, with size and mtime: anything written shows."""
    out = set()
    for folder in folders:
        for root, dirs, files in os.walk(folder):
            for entry in dirs + files:
                info = os.lstat(os.path.join(root, entry))
                out.add((os.path.join(root, entry), info.st_size, info.st_mtime_ns))
    return out


def test_corpus_is_large_and_fully_listed():
    files = {p.name for p in CORPUS.iterdir()
             if p.name not in NOT_CASES and not p.name.startswith("_model_")}
    assert files <= set(MANIFEST), f"corpus files without an entry: {sorted(files - set(MANIFEST))}"
    assert len(MANIFEST) >= 230   # 152 before issue 12, which asked for 60 more
    for name, entry in MANIFEST.items():
        assert entry.get("expect"), f"{name}: no expected fragments"
        if "{file}" in " ".join(entry.get("args", ["{file}"])):
            assert (CORPUS / name).exists(), f"{name}: listed but missing"


@pytest.mark.parametrize("name", sorted(MANIFEST))
def test_bad_input(cli, name, tmp_path, monkeypatch):
    entry = MANIFEST[name]
    _make(tmp_path, entry.get("make", []))
    monkeypatch.chdir(tmp_path)           # relative --save names land here
    before = _listing(tmp_path, CORPUS)
    start = time.perf_counter()
    result = cli(*_args(name, entry, tmp_path))
    elapsed = time.perf_counter() - start
    assert _listing(tmp_path, CORPUS) == before, "a refused command wrote something"
    assert len(result.err) < 1500, "the message echoes too much"
    assert result.code == 2, result.err or result.out[:200]
    assert result.out == ""
    assert result.err.startswith("error: ")
    assert result.err.count("\n") == 1, result.err
    assert "Traceback" not in result.err
    for fragment in entry["expect"]:
        assert fragment in result.err, f"{fragment!r} not in {result.err!r}"
    assert elapsed < 2.0, f"took {elapsed:.2f}s"


def test_model_files_are_valid(cli):
    """The models the --input/--weights cases run are fine on their own."""
    for path in sorted(CORPUS.glob("_model_*.yaml")):
        assert cli("summary", path).code == 0, path
