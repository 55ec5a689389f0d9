"""Our code corpus (tests/code_corpus) read statically, against what Keras 3 built from it.

``tests/golden/code_corpus_truth.json`` comes from executing the corpus in
Keras (``scripts/make_code_corpus_truth.py``); here nothing is executed. The
values only the data knows are passed as the ``--set`` bindings the truth
script recorded. Every model must match layer by layer (name, class, output
shapes, params), or be skipped with a note that names its line and reason;
``EXPECTED_SKIPS`` lists which, and why.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rnncalc.graph import build_graph
from rnncalc.interop.notebook import read_code
from rnncalc.layers import LAYER_KINDS
from rnncalc.reports.summary import summarize

ROOT = Path(__file__).resolve().parent
TRUTH = json.loads((ROOT / "golden" / "code_corpus_truth.json").read_text())
FILES = {f["file"]: f for f in TRUTH["files"]}

# (file, model index) -> words the skip note must contain
EXPECTED_SKIPS = {
    ("p35_keras_rejects.py", 1): ["Unrecognized keyword arguments passed to LSTM",
                                  "batch_size", "line 10"],
}


def bindings(entry: dict) -> dict:
    return {k: tuple(v) if isinstance(v, list) else v for k, v in entry["set"].items()}


def _cases():
    for entry in TRUTH["files"]:
        missing = [k for k in entry["requires"] if k not in LAYER_KINDS]
        marks = [pytest.mark.skip(reason=f"layer kinds not registered yet: {missing}")] \
            if missing else []
        yield pytest.param(entry["file"], marks=marks, id=entry["file"])


@pytest.mark.parametrize("name", list(_cases()))
def test_corpus_file_matches_keras(name):
    entry = FILES[name]
    models = read_code(str(ROOT / "code_corpus" / name), bindings(entry))
    truth = entry["models"]
    assert [_plain_where(m.where) for m in models] == [t["where"] for t in truth]
    for index, (model, expected) in enumerate(zip(models, truth)):
        skip = EXPECTED_SKIPS.get((name, index))
        if not expected["layers"]:           # Keras built nothing: nothing to list
            assert model.spec is None, model.name
            continue
        if skip is not None:
            assert model.spec is None and model.problem, (name, index)
            for word in skip:
                assert word in model.problem, (word, model.problem)
            continue
        assert model.problem is None, (name, index, model.problem)
        assert model.name == expected["name"], (name, index)       # Keras' default names
        record = summarize(build_graph(model.spec)).to_dict()
        got = [(x["name"], x["type"]) for x in record["layers"]]
        want = [(x["name"], x["class"]) for x in expected["layers"]]
        assert sorted(got) == sorted(want) if expected["kind"] == "subclassed" else \
            got == want, (name, model.name)
        if not expected["built"]:
            continue                      # Keras left it unbuilt: names are all it shows
        by_name = {x["name"]: x for x in record["layers"]}
        for layer in expected["layers"]:
            mine = by_name[layer["name"]]
            assert mine["output_shapes"] == layer["output_shapes"], (name, layer["name"])
            assert mine["params"] == layer["params"], (name, layer["name"])
        assert record["total_params"] == expected["total_params"], name


def _plain_where(where: str) -> str:
    """``cell 3 (In [2]), line 4`` -> ``cell 3, line 4`` (the truth has no prompt numbers)."""
    if " (In [" in where:
        head, _, rest = where.partition(" (In [")
        return head + rest[rest.index("]") + 2:]
    return where


def test_every_model_is_matched_or_listed_as_skipped():
    """The corpus' numbers: how many models match, and the ones that are skipped."""
    total = matched = 0
    skipped = []
    for name, entry in FILES.items():
        if any(k not in LAYER_KINDS for k in entry["requires"]):
            continue
        models = read_code(str(ROOT / "code_corpus" / name), bindings(entry))
        for index, (model, expected) in enumerate(zip(models, entry["models"])):
            if not expected["layers"]:
                continue
            total += 1
            if model.spec is not None:
                matched += 1
            else:
                skipped.append((name, index))
    assert sorted(skipped) == sorted(k for k in EXPECTED_SKIPS
                                     if FILES[k[0]]["models"][k[1]]["layers"])
    assert total >= 60 and matched == total - len(skipped)
