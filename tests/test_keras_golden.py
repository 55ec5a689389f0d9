"""rnncalc's summaries against real Keras 3, layer by layer.

tests/golden/keras_summaries.json is written by scripts/make_keras_golden.py
with Keras installed; this test needs only the JSON.
"""

from __future__ import annotations

import json
import math

import pytest

from rnncalc.errors import SpecError
from tests.conftest import GOLDEN
from tests.support import summary_dict

FIXTURE = json.loads((GOLDEN / "keras_summaries.json").read_text())
MODELS = FIXTURE["models"]
BUILT = [m for m in MODELS if "expected" in m]
# Keras 3 builds a wrapper's sub-layers after applying ``trainable=False`` to
# the wrapper, so the layer row says 0 trainable while the model's total still
# counts the sub-layers as trainable. rnncalc follows the contract (and the
# layer row): ``trainable: false`` freezes everything the layer owns.
WRAPPER_TRAINABLE_QUIRK = {"bilstm_trainable_false", "nested_sequential_trainable_false"}
REJECTED = [m for m in MODELS if "error" in m]


def test_fixture_is_large_enough():
    assert len(BUILT) >= 150
    assert len(REJECTED) >= 10


def _keras_weights(layer: dict) -> list[tuple[str, list[int], bool]]:
    """Keras' weights of a layer as (our name, shape, effectively trainable).

    Keras paths look like 'bidirectional/forward_lstm/lstm_cell/kernel'; a
    Bidirectional's first sub-layer is the forward one. A layer with
    ``trainable=False`` keeps ``trainable`` on its variables but counts them
    as non-trainable, which is what our flag reports.
    """
    frozen = layer["trainable_params"] == 0
    result = []
    first_sub = None
    for w in layer["weights"]:
        parts = w["path"].split("/")
        name = parts[-1]
        if layer["type"] == "Bidirectional":
            sub = parts[parts.index(layer["name"]) + 1]
            first_sub = first_sub or sub
            name = f"{'forward' if sub == first_sub else 'backward'}/{name}"
        if layer["type"] in ("Sequential", "Functional"):
            # a nested model: '<outer>/<nested>/<inner layer>/<cell>/kernel' (a nested
            # functional model's paths start at its inner layer); ours: 'dense/kernel'
            inner = parts[parts.index(layer["name"]) + 1:] if layer["name"] in parts else parts
            name = "/".join(p for p in inner if not p.endswith("_cell"))
        result.append((name, w["shape"], w["trainable"] and not frozen))
    return result


@pytest.mark.parametrize("model", BUILT, ids=[m["id"] for m in BUILT])
def test_summary_matches_keras(model):
    expected = model["expected"]
    got = summary_dict(model["spec"])
    assert got["name"] == expected["name"]
    assert [i["shape"] for i in got["inputs"]] == [i["shape"] for i in expected["inputs"]]
    assert len(got["layers"]) == len(expected["layers"])
    for ours, theirs in zip(got["layers"], expected["layers"]):
        where = theirs["name"]
        assert ours["name"] == theirs["name"], where
        assert ours["type"] == theirs["type"], where
        assert ours["output_shapes"] == theirs["output_shapes"], where
        assert ours["params"] == theirs["params"], where
        assert ours["trainable_params"] == theirs["trainable_params"], where
        assert ours["non_trainable_params"] == theirs["non_trainable_params"], where
        ours_weights = [(w["name"], w["shape"], w["trainable"]) for w in ours["weights"]]
        assert ours_weights == _keras_weights(theirs), where
    assert got["total_params"] == expected["total_params"]
    if model["id"] in WRAPPER_TRAINABLE_QUIRK:
        return
    assert got["trainable_params"] == expected["trainable_params"]
    assert got["non_trainable_params"] == expected["non_trainable_params"]


@pytest.mark.parametrize("model", BUILT, ids=[m["id"] for m in BUILT])
def test_weight_order_matches_get_weights(model):
    """Our per-layer weight order, concatenated, is Keras' model.get_weights() order."""
    expected = model["expected"]
    by_layer = {layer["name"]: layer for layer in expected["layers"]}
    paths = [w["path"] for layer in expected["layers"] for w in layer["weights"]]
    if sorted(paths) != sorted(expected["weights_order"]):
        pytest.skip("model holds weights outside its layers")
    got = summary_dict(model["spec"])
    ours = [(layer["name"], w["shape"]) for layer in got["layers"] for w in layer["weights"]]
    keras_order = []
    for path in expected["weights_order"]:
        for layer_name, layer in by_layer.items():
            match = [w for w in layer["weights"] if w["path"] == path]
            if match:
                keras_order.append((layer_name, match[0]["shape"]))
    assert ours == keras_order


# Keras 2 spellings Keras 3 dropped but the contract keeps (they mean what
# they meant in Keras 2), so rnncalc accepts these on purpose.
KERAS2_ACCEPTED = {"error_keras3_rejects_batch_input_shape_inner"}


@pytest.mark.parametrize("model", [m for m in REJECTED if m["id"] not in KERAS2_ACCEPTED],
                         ids=[m["id"] for m in REJECTED if m["id"] not in KERAS2_ACCEPTED])
def test_rejected_like_keras(model):
    with pytest.raises(SpecError) as info:
        summary_dict(model["spec"])
    message = str(info.value)
    assert message and "\n" not in message


@pytest.mark.parametrize("model", BUILT, ids=[m["id"] for m in BUILT])
def test_every_output_has_a_name(model):
    from tests.support import graph_from_data

    for node in graph_from_data(model["spec"]).nodes:
        names = node.layer.output_names(node.input_shapes)
        assert len(names) == len(node.output_shapes), node.name
        assert len(set(names)) == len(names), node.name


def test_output_names_follow_keras_order():
    from tests.support import graph_from_data

    graph = graph_from_data({"input": {"shape": [4, 5]}, "layers": [
        "Bidirectional(LSTM(3, return_sequences=True, return_state=True))"]})
    node = graph.nodes[0]
    # Keras: [output, forward_h, forward_c, backward_h, backward_c]
    assert node.layer.output_names(node.input_shapes) == [
        "sequence", "forward h", "forward c", "backward h", "backward c"]


_BYTES = {"float16": 2, "bfloat16": 2, "float32": 4, "float64": 8, "int64": 8, "int32": 4}


@pytest.mark.parametrize("model", BUILT, ids=[m["id"] for m in BUILT])
def test_param_bytes_follow_keras_variable_dtypes(model):
    """Parameter bytes are each Keras variable's own dtype: a wrapper's weights are
    stored in the wrapped layer's dtype, mixed policies keep float32 variables."""
    from tests.support import graph_from_data

    expected = model["expected"]
    nodes = [n for n in graph_from_data(model["spec"]).nodes if not n.owner]  # one per layer
    for node, theirs in zip(nodes, expected["layers"], strict=True):
        keras_bytes = sum(_BYTES[w["dtype"]] * math.prod(w["shape"]) for w in theirs["weights"])
        assert node.param_bytes == keras_bytes, theirs["name"]
    assert summary_dict(model["spec"])["param_bytes"] == sum(
        _BYTES[w["dtype"]] * math.prod(w["shape"])
        for layer in expected["layers"] for w in layer["weights"])


@pytest.mark.parametrize("model", [m for m in BUILT if "row_order" in m["expected"]],
                         ids=[m["id"] for m in BUILT if "row_order" in m["expected"]])
def test_input_rows_where_keras_lists_them(model):
    """A functional model's input rows sit where Keras' summary prints them: an input
    used only late (a CTC layer's labels) comes late, not at the top."""
    from rnncalc.api import load
    from rnncalc.render.summary_grid import grid

    record = load(model["spec"]).summary().record
    if record.chain:
        return                          # a layer list prints no input rows
    printed = [cells[0].split(" (")[0] for sub, cells in grid(record, None, ["params"]).rows
               if not sub]
    keras_rows = model["expected"]["row_order"]
    assert [n for n in printed if n in keras_rows] == [n for n in keras_rows if n in printed]
