"""Optimizer state against real Keras 3 (tests/golden/optimizer_state.json)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from rnncalc.api import load, parse_dims
from rnncalc.errors import SpecError
from rnncalc.graph import ShapeOptions, build_graph
from rnncalc.reports.optimizers import NAMES, optimizer_state, parse_optimizer


def load_spec(path, layers=None):
    """The spec of a path or of --layer expressions, through the front door."""
    return load(path, layers=layers, validate=False).spec

GOLDEN = json.loads((Path(__file__).parent / "golden" / "optimizer_state.json").read_text())
CASES = [(m, label) for m in GOLDEN["models"] for label in m["optimizers"]]


def _graph(model: dict):
    shape = ",".join("None" if d is None else str(d) for d in model["input_shape"])
    return build_graph(load_spec(None, model["layers"]), ShapeOptions(parse_dims(shape)))


def test_every_optimizer_on_at_least_ten_models() -> None:
    for name in NAMES:
        covered = [m for m in GOLDEN["models"] if name in m["optimizers"]]
        assert len(covered) >= 10, name


@pytest.mark.parametrize(("model", "label"), CASES,
                         ids=[f"{m['name']}-{label}" for m, label in CASES])
def test_state_matches_keras(model: dict, label: str) -> None:
    expected = model["optimizers"][label]
    state = optimizer_state(_graph(model), label)
    assert state.values == expected["values"]
    assert state.bytes == expected["bytes"]
    scalars = [v for v in expected["variables"] if not v["shape"]]
    assert state.scalars == len(scalars)
    slots = (len(expected["variables"]) - len(scalars)) / max(len(model["trainable_variables"]), 1)
    assert len(state.slots) == slots


def test_trainable_weights_match_keras() -> None:
    for model in GOLDEN["models"]:
        graph = _graph(model)
        ours = [w.params for n in graph.nodes for w in n.weights if w.trainable]
        assert ours == [math.prod(v["shape"]) for v in model["trainable_variables"]]


@pytest.mark.parametrize("text", ["adamm", "adam(amsgrad=True, foo=1)", "sgd(", "madeup"])
def test_bad_optimizer(text: str) -> None:
    with pytest.raises(SpecError, match="--optimizer"):
        parse_optimizer(text)


def test_keras_spelling_accepted() -> None:
    assert parse_optimizer("Adam(learning_rate=1e-3, amsgrad=True)").slots == \
        ("momentum", "velocity", "velocity_hat")
    assert parse_optimizer("SGD(0.01, momentum=0.9)").slots == ("momentum",)
