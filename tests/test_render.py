"""Rendered summaries: golden tables, and every rendering agrees with the record.

The golden tables pin the layout (regenerate with ``RNNCALC_REGEN=1 pytest
tests/test_render.py`` after an intended change and review the diff); the
numbers inside are checked against the JSON record, whose numbers the Keras
golden test checks.
"""

from __future__ import annotations

import json
import os
import re

import pytest

import rnncalc
from tests.conftest import GOLDEN, SPECS

SPEC_FILES = sorted(SPECS.rglob("*.yaml"))
IDS = [str(p.relative_to(SPECS)) for p in SPEC_FILES]


def render(path) -> tuple[str, str, dict]:
    summary = rnncalc.load(str(path)).summary()
    return summary.table_text(100), summary.to_markdown(), summary.to_dict()


@pytest.mark.parametrize("path", SPEC_FILES, ids=IDS)
def test_table_matches_golden(path):
    table, _, _ = render(path)
    golden = GOLDEN / "tables" / (str(path.relative_to(SPECS)).replace("/", "__") + ".txt")
    if os.environ.get("RNNCALC_REGEN") == "1" or not golden.exists():
        golden.write_text(table)
    assert table == golden.read_text()


def _column_numbers(text: str, marker: str) -> list[int]:
    """Param # cells of a rendered table (rows start with the marker)."""
    numbers = []
    for line in text.splitlines():
        if line.startswith(marker):
            cells = [c.strip() for c in line.strip(marker).split(marker[0])]
            cell = cells[2] if len(cells) > 2 else ""
            if re.fullmatch(r"[\d,]+", cell):
                numbers.append(int(cell.replace(",", "")))
    return numbers


@pytest.mark.parametrize("path", SPEC_FILES, ids=IDS)
def test_column_sums_equal_printed_totals(path):
    table, markdown, record = render(path)
    total = record["total_params"]
    assert sum(layer["params"] for layer in record["layers"]) == total
    assert record["trainable_params"] + record["non_trainable_params"] == total
    assert sum(_column_numbers(table, "│")) == total
    assert sum(_column_numbers(markdown, "|")) == total
    for text in (table, markdown):
        assert f"Total params: {total:,} (" in text
        assert f"Trainable params: {record['trainable_params']:,} (" in text
        assert f"Non-trainable params: {record['non_trainable_params']:,} (" in text


@pytest.mark.parametrize("path", SPEC_FILES, ids=IDS)
def test_json_output_is_the_record(cli, path):
    result = cli("summary", path, "--json")
    assert result.code == 0 and result.err == ""
    assert json.loads(result.out) == render(path)[2]


@pytest.mark.parametrize(("size", "text"), [
    (0, "0.00 B"), (168, "168.00 B"), (1024, "1.00 KB"), (2_117_764, "2.02 MB"),
    (3 * 1024**3, "3.00 GB"),
])
def test_bytes_like_keras(size, text):
    from rnncalc.render.numbers import readable_bytes

    assert readable_bytes(size) == text


def test_param_bytes_follow_dtype():
    from tests.support import summary_dict

    spec = {"input": {"shape": [4, 5]}, "layers": [{"LSTM": {"units": 3, "dtype": "float16"}},
                                                   {"Dense": {"units": 2, "dtype": "float64"}}]}
    record = summary_dict(spec)
    # LSTM 4*3*(5+3+1) = 108 values at 2 bytes; Dense 3*2+2 = 8 values at 8 bytes
    assert record["param_bytes"] == 108 * 2 + 8 * 8


def test_multi_output_shapes_as_list_of_tuples():
    summary = rnncalc.load({"input": {"shape": [4, 5]},
                            "layers": ["LSTM(3, return_state=True)"]}).summary()
    assert summary.grid().rows[0][1][1] == "[(None, 3), (None, 3), (None, 3)]"
