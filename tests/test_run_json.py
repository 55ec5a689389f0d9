"""``run --json`` is streamed row by row; the document must still be exact JSON."""

from __future__ import annotations

import io
import json

import numpy as np

from rnncalc.render.run_output import _write_values


def _dump(a: np.ndarray) -> object:
    buffer = io.StringIO()
    _write_values(a, buffer.write, "")
    return json.loads(buffer.getvalue())


def test_float32_values_round_trip_exactly():
    a = np.random.default_rng(0).standard_normal((2, 3, 4)).astype(np.float32)
    got = np.array(_dump(a), dtype=np.float32)
    assert got.shape == (2, 3, 4)
    assert np.array_equal(got, a)           # shortest repr of float32 parses back exactly


def test_special_values_and_dtypes():
    assert _dump(np.array([np.nan, np.inf, -0.5], np.float32)) == [None, None, -0.5]
    assert _dump(np.array([[1, 2]], np.int32)) == [[1, 2]]
    assert _dump(np.array(0.25, np.float32)) == 0.25
    assert _dump(np.zeros((0, 3), np.float32)) == []


def test_run_json_document(cli):
    result = cli("run", "--timesteps", "5", "--units", "3", "--json")
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    assert doc["seed"] == 0
    assert doc["inputs"] == [{"name": "input_layer", "shape": [1, 5, 4]}]
    (out,) = doc["outputs"]
    assert (out["name"], out["index"], out["shape"]) == ("simple_rnn", 0, [1, 5, 3])
    assert np.array(out["values"]).shape == (1, 5, 3)
    assert np.all(np.abs(np.array(out["values"])) <= 1.0)     # tanh outputs
