"""The Keras fixtures are recordings of today's case files (scripts/cases/*.yaml).

The cases are data that the generators read; the tests read only what the
generators wrote. These checks, which need no Keras, catch a case that was
added, removed or edited without regenerating its fixture.
"""

from __future__ import annotations

import json

import pytest

from scripts.fixture_cases import load_cases
from tests.conftest import GOLDEN


def _by_id(models: list[dict]) -> dict[str, dict]:
    return {m["id"]: m for m in models}


def test_summary_cases_are_recorded():
    cases = _by_id(load_cases("summary"))
    recorded = _by_id(json.loads((GOLDEN / "keras_summaries.json").read_text())["models"])
    assert sorted(cases) == sorted(recorded)
    for case_id, case in cases.items():
        got = recorded[case_id]
        assert got["spec"] == case["spec"], case_id
        assert got.get("error_stage", False) == case["error"], case_id


def test_numeric_cases_are_recorded():
    cases = _by_id(load_cases("numeric"))
    recorded = _by_id(json.loads((GOLDEN / "numeric" / "index.json").read_text())["models"])
    assert sorted(cases) == sorted(recorded)
    for case_id, case in cases.items():
        got = recorded[case_id]
        assert got["spec"] == case["spec"], case_id
        assert got["random_weights"] == case["randomize"], case_id
        assert got.get("note") == case["note"], case_id
        assert got["inputs"][0]["shape"][0] == case["batch"], case_id


def test_interop_cases_are_recorded():
    cases = load_cases("interop")
    facts = json.loads((GOLDEN / "interop" / "facts.json").read_text())
    assert sorted(f"keras2/{c['id']}" if c["keras2"] else c["id"] for c in cases) == sorted(facts)
    for case in cases:
        if case["keras2"]:
            assert (GOLDEN / "interop" / "keras2" / f"{case['id']}.json").exists()
        else:
            assert (GOLDEN / "interop" / f"{case['id']}.json").exists()
            files = [] if case["big"] else ["keras", "h5"] if case["h5"] else ["keras"]
            assert facts[case["id"]].get("files", []) == files, case["id"]


@pytest.mark.parametrize("family", ["summary", "numeric", "interop"])
def test_case_files_exist_for_every_family(family):
    assert load_cases(family)
