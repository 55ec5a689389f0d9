"""The JSON writers: the layout every ``--json`` document promises, for any JSON value, and
the summary's layers written from templates in that same layout.

The layout is defined here independently of the writer: the standard
library's indented text, in which a list of scalars, and a list of up to 8
such lists (a layer's output shapes), is joined onto one line. The writer
must produce exactly those bytes (the golden documents pin real records).
"""

from __future__ import annotations

import json
import math
import re
from enum import Enum, IntEnum

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rnncalc
from rnncalc.render.json_out import document, dumps
from rnncalc.render.summary_json import summary_json
from rnncalc.reports.summary import InputRecord, LayerRecord, SummaryRecord, WeightRecord
from tests.conftest import SPECS

_SCALAR = r'(?:"(?:[^"\\\n]|\\.)*"|-?\d[\d.eE+-]*|true|false|null)'
_SCALAR_LIST = re.compile(r"\[\n\s+(" + _SCALAR + r"(?:,\n\s+" + _SCALAR + r")*)\n\s*\]")
_INLINE_LIST = r"\[(?:" + _SCALAR + r"(?:, " + _SCALAR + r")*)?\]"
_SHAPE_LIST = re.compile(r"\[\n\s+(" + _INLINE_LIST + r"(?:,\n\s+" + _INLINE_LIST
                         + r"){0,7})\n\s*\]")
_ITEM_BREAK = re.compile(r",\n\s+")


def layout(value: object, indent: int = 2) -> str:
    """The promised text: ``json.dumps(indent=...)`` with the short lists joined."""
    text = json.dumps(value, indent=indent)
    text = _SCALAR_LIST.sub(lambda m: "[" + _ITEM_BREAK.sub(", ", m.group(1)) + "]", text)
    return _SHAPE_LIST.sub(lambda m: "[" + _ITEM_BREAK.sub(", ", m.group(1)) + "]", text)


SCALARS = (st.none() | st.booleans() | st.integers() | st.integers(-10**60, 10**60)
           | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=6)
           | st.sampled_from(["[\n1\n]", "a, b", '"', "\\", "é☃\x00"]))
KEYS = st.text(max_size=4) | st.integers(-3, 3) | st.floats() | st.booleans() | st.none()
VALUES = st.recursive(SCALARS, lambda inner: (
    st.lists(inner, max_size=10) | st.lists(inner, max_size=3).map(tuple)
    | st.dictionaries(KEYS, inner, max_size=4)), max_leaves=40)


@pytest.mark.slow
@settings(max_examples=400, deadline=None)
@given(VALUES, st.sampled_from([1, 2, 4]))
def test_any_value_is_written_in_the_promised_layout(value, indent):
    assert dumps(value, indent) == layout(value, indent)


class Colour(str, Enum):
    red = 'r"ed'


class Level(IntEnum):
    high = 3


class Sub(list):
    """A list subclass: written as a list."""


@pytest.mark.parametrize("value", [
    {"shapes": [[None, 20, 16]] * 8, "more": [[1]] * 9, "empty": [[], []], "none": []},
    {"mixed": [1, [2]], "nested": [[[1, 2]]], "dicts": [{}, {"a": [1.5, -0.0, 1e300]}]},
    {"odd": [math.nan, 1, math.inf], Colour.red: Level.high, 1: [Colour.red], None: -math.inf},
    Sub([Sub([1]), (2, 3)]), {"deep": Sub()}, 10**100, "plain",
])
def test_edge_values_are_written_in_the_promised_layout(value):
    assert dumps(value) == layout(value)


@pytest.mark.parametrize("value", [object(), {"a": {1, 2}}, {(1, 2): 3}])
def test_values_json_refuses_are_refused_alike(value):
    with pytest.raises(TypeError) as expected:
        json.dumps(value)
    with pytest.raises(TypeError) as got:
        dumps(value)
    assert str(got.value) == str(expected.value)


# -- the summary's layers written from templates ---------------------------------------

NAMES = st.text(max_size=8) | st.sampled_from(["lstm", "é☃", 'a"b\\', "%s", "x\n"])
SHAPES = st.lists(st.none() | st.integers(0, 10**40), max_size=4).map(tuple)
WEIGHTS = st.builds(WeightRecord, NAMES, SHAPES, st.integers(0, 10**40), st.booleans())
LAYERS = st.builds(
    LayerRecord, NAMES, NAMES, st.lists(NAMES, max_size=3).map(tuple), st.just(()),
    st.lists(SHAPES, max_size=10).map(tuple), st.integers(0, 10**6), st.integers(0, 10**6),
    st.integers(0, 10**6), st.integers(0, 10**6), st.lists(WEIGHTS, max_size=3).map(tuple),
    st.none() | NAMES)


def _record(layers: tuple[LayerRecord, ...]) -> SummaryRecord:
    inputs = (InputRecord("in", (None, 3), "float32"),)
    return SummaryRecord("model", inputs, layers, ("out",), 1, 1, 0, 4, 4, True)


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(st.lists(LAYERS, max_size=4).map(tuple))
def test_summary_layers_from_templates_are_the_generic_layout(layers):
    record = _record(layers)
    assert summary_json(record) == dumps(document("summary", record.to_dict()))


@pytest.mark.parametrize("path", sorted(SPECS.rglob("*.yaml")), ids=lambda p: p.name)
def test_summary_json_of_every_spec_is_the_generic_layout(path):
    summary = rnncalc.load(str(path)).summary()
    assert summary.to_json() == dumps(summary.to_dict()) + "\n"
