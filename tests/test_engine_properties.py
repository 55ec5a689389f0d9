"""Property: for any model, the engine's actual shapes equal the graph's shapes.

Random layer stacks are drawn from every kind the engine runs; each is built
(shape rules), run (forward passes) and compared node by node, so the graph
and the engine can never disagree. The example specs in specs/ are checked
the same way.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from rnncalc.engine.executor import concrete_shapes, execute
from rnncalc.engine.inputs import concrete_input_shapes, random_inputs
from rnncalc.engine.weights import initial_weights
from rnncalc.errors import SpecError
from rnncalc.graph import ShapeOptions, build_graph
from tests.support import graph_from_data, load_spec

# Property and fuzz suites take most of the run: `pytest -m "not slow"` skips them.
pytestmark = pytest.mark.slow

SPECS = Path(__file__).resolve().parent.parent / "specs"

units = st.integers(1, 5)
boolean = st.booleans()


@st.composite
def recurrent(draw, sequences=None):
    kind = draw(st.sampled_from(["SimpleRNN", "LSTM", "GRU"]))
    cfg = {"units": draw(units), "return_sequences": draw(boolean) if sequences is None
           else sequences, "go_backwards": draw(boolean), "use_bias": draw(boolean)}
    if kind == "GRU":
        cfg["reset_after"] = draw(boolean)
    if kind == "LSTM":
        cfg["unit_forget_bias"] = draw(boolean)
    return {kind: cfg}


@st.composite
def sequence_layer(draw):
    """A layer from (batch, time, features) to (batch, time', features')."""
    choice = draw(st.integers(0, 15))
    if choice == 0:
        return draw(recurrent(sequences=True))
    if choice == 1:
        inner = draw(recurrent(sequences=True))
        return {"Bidirectional": {"layer": inner, "merge_mode": draw(st.sampled_from(
            ["concat", "sum", "mul", "ave"]))}}
    if choice == 2:
        return {"Dense": {"units": draw(units), "activation": draw(st.sampled_from(
            ["linear", "relu", "tanh", "sigmoid", "softmax", "gelu", "elu"]))}}
    if choice == 3:
        return {"TimeDistributed": {"layer": {"Dense": {"units": draw(units)}}}}
    if choice == 4:
        return {"Conv1D": {"filters": draw(units), "kernel_size": draw(st.integers(1, 3)),
                           "padding": draw(st.sampled_from(["valid", "same", "causal"])),
                           "strides": draw(st.integers(1, 2))}}
    if choice == 5:
        kind = draw(st.sampled_from(["MaxPooling1D", "AveragePooling1D"]))
        return {kind: {"pool_size": draw(st.integers(1, 3)), "strides": draw(st.integers(1, 2)),
                       "padding": draw(st.sampled_from(["valid", "same"]))}}
    if choice == 6:
        return draw(st.sampled_from([{"LayerNormalization": {}}, {"BatchNormalization": {}},
                                     {"Dropout": {"rate": 0.5}}, {"Masking": {}},
                                     {"SpatialDropout1D": {"rate": 0.1}}]))
    if choice == 7:
        return {"Permute": {"dims": [2, 1]}}
    if choice == 8:
        return {"Activation": {"activation": draw(st.sampled_from(
            ["softplus", "hard_sigmoid", "selu", "mish", "log_softmax"]))}}
    if choice == 9:
        return {"Conv1D": {"filters": 2, "kernel_size": 2, "dilation_rate": 2,
                           "padding": "same", "data_format": "channels_first"}}
    if choice == 10:
        return {"Bidirectional": {"layer": draw(recurrent(sequences=True)),
                                  "merge_mode": None}}
    if choice == 11:                       # RNN(cell), RNN([cells]), Bidirectional(RNN)
        cells = [{draw(st.sampled_from(["SimpleRNNCell", "LSTMCell", "GRUCell"])):
                  {"units": draw(units)}} for _ in range(draw(st.integers(1, 3)))]
        rnn = {"RNN": {"cell": cells if len(cells) > 1 else cells[0],
                       "return_sequences": True, "go_backwards": draw(boolean),
                       "zero_output_for_mask": draw(boolean)}}
        return {"Bidirectional": {"layer": rnn, "merge_mode": "concat"}} if draw(boolean) \
            else rnn
    if choice == 12:
        return draw(st.sampled_from([
            {"SeparableConv1D": {"filters": 3, "kernel_size": 2, "depth_multiplier": 2,
                                 "padding": "same"}},
            {"DepthwiseConv1D": {"kernel_size": 1, "depth_multiplier": 2}},
            {"DepthwiseConv1D": {"kernel_size": 2, "padding": "same", "strides": 2}}]))
    if choice == 13:
        return draw(st.sampled_from([
            {"ZeroPadding1D": {"padding": [1, 2]}}, {"UpSampling1D": {"size": 2}},
            {"Cropping1D": {"cropping": [0, 0]}},
            {"ZeroPadding1D": {"padding": 1, "data_format": "channels_first"}}]))
    if choice == 14:
        return draw(st.sampled_from([
            {"ReLU": {"max_value": 0.5, "negative_slope": 0.1}}, {"LeakyReLU": {}},
            {"PReLU": {"shared_axes": [1]}}, {"ELU": {"alpha": 0.3}},
            {"UnitNormalization": {}}, {"GaussianNoise": {"stddev": 0.2}},
            {"AlphaDropout": {"rate": 0.1}}, {"Identity": {}},
            {"ActivityRegularization": {"l2": 0.1}}, {"GaussianDropout": {"rate": 0.2}}]))
    return {"Dense": {"units": draw(units)}}


@st.composite
def model(draw):
    token = draw(boolean)
    steps = draw(st.integers(1, 6))
    layers = []
    if token:
        spec_input = {"shape": [steps], "dtype": "int32"}
        layers.append({"Embedding": {"input_dim": 7, "output_dim": draw(units),
                                     "mask_zero": draw(boolean)}})
    else:
        spec_input = {"shape": [steps, draw(units)]}
    layers += draw(st.lists(sequence_layer(), min_size=0, max_size=4))
    # Bidirectional(merge_mode=None) has two outputs: only as the last layer
    cut = next((i for i, e in enumerate(layers) if "Bidirectional" in e
                and e["Bidirectional"]["merge_mode"] is None), None)
    if cut is not None:
        layers = layers[:cut + 1]
    else:
        layers.append(draw(st.one_of(
            recurrent(), st.just({"GlobalAveragePooling1D": {}}),
            st.just({"GlobalMaxPooling1D": {"keepdims": True}}),
            st.just({"Flatten": {}}), st.just({"Reshape": {"target_shape": [-1]}}))))
    return {"input": spec_input, "layers": layers}, draw(st.integers(1, 3))


@st.composite
def image_layer(draw):
    """A layer from (batch, rows, cols, channels) to the same rank."""
    choice = draw(st.integers(0, 5))
    fmt = draw(st.sampled_from([None, "channels_first"]))
    if choice == 0:
        return {"Conv2D": {"filters": draw(units), "kernel_size": draw(st.sampled_from(
            [1, 2, [2, 1]])), "padding": draw(st.sampled_from(["valid", "same"])),
            "strides": draw(st.sampled_from([1, 2, [1, 2]])), "data_format": fmt,
            "use_bias": draw(boolean)}}
    if choice == 1:
        kind = draw(st.sampled_from(["MaxPooling2D", "AveragePooling2D"]))
        return {kind: {"pool_size": draw(st.sampled_from([1, 2, [2, 1]])),
                       "padding": draw(st.sampled_from(["valid", "same"])),
                       "data_format": fmt}}
    if choice == 2:
        return draw(st.sampled_from([
            {"ZeroPadding2D": {"padding": draw(st.sampled_from([1, [1, 0], [[0, 1], [2, 0]]])),
                               "data_format": fmt}},
            {"Cropping2D": {"cropping": [[0, 1], [1, 0]], "data_format": fmt}},
            {"UpSampling2D": {"size": [1, 2], "data_format": fmt}}]))
    if choice == 3:
        return draw(st.sampled_from([{"ReLU": {}}, {"PReLU": {"shared_axes": [1, 2]}},
                                     {"Softmax": {"axis": [1, 2]}}, {"ELU": {}},
                                     {"UnitNormalization": {"axis": [1, 2]}}]))
    if choice == 4:
        return {"Conv2D": {"filters": 2, "kernel_size": 2, "dilation_rate": 2,
                           "padding": "same", "groups": 1}}
    return {"BatchNormalization": {}}


@st.composite
def image_model(draw):
    """Image (or 3-D volume) fronts ending in a global pooling, a flatten or an RNN."""
    volume = draw(st.integers(0, 4)) == 0
    shape = [draw(st.integers(2, 6)) for _ in range(3 if volume else 2)] + [draw(units)]
    if volume:
        layers = [draw(st.sampled_from([
            {"Conv3D": {"filters": 2, "kernel_size": 2, "padding": "same"}},
            {"MaxPooling3D": {"pool_size": [1, 2, 2], "padding": "same"}},
            {"Conv3D": {"filters": 3, "kernel_size": [1, 2, 2], "strides": 2}},
            {"ZeroPadding3D": {"padding": [1, 0, [0, 2]]}},
            {"UpSampling3D": {"size": [1, 2, 1]}},
            {"Cropping3D": {"cropping": [0, [1, 0], 0]}}]))]
        layers.append({"Flatten": {}})
        return {"input": {"shape": shape}, "layers": layers}, draw(st.integers(1, 2))
    layers = draw(st.lists(image_layer(), min_size=1, max_size=3))
    head = draw(st.integers(0, 2))
    if head == 0:
        layers.append({draw(st.sampled_from(["GlobalMaxPooling2D", "GlobalAveragePooling2D"])):
                       {"keepdims": draw(boolean)}})
    elif head == 1:
        layers.append({"Flatten": {}})
    else:
        layers += [{"Reshape": {"target_shape": [-1, 1]}}, draw(recurrent())]
    return {"input": {"shape": shape}, "layers": layers}, draw(st.integers(1, 2))


def check_engine_matches_graph(graph, batch: int, seed: int = 0) -> None:
    shapes = concrete_input_shapes(graph, batch)
    inputs = random_inputs(graph, shapes, seed)
    trace: dict = {}
    outputs = execute(graph, inputs, initial_weights(graph, seed), trace=trace)
    expected = concrete_shapes(graph, shapes)
    for node in graph.nodes:
        assert trace[node.name] == expected[node.name], node.name
        for declared, actual in zip(node.output_shapes, trace[node.name], strict=True):
            assert all(d is None or d == a for d, a in zip(declared, actual)), node.name
    for ref, out in zip(graph.outputs, outputs):
        assert out.shape == expected[ref.node][ref.index]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(model())
def test_random_models(drawn) -> None:
    spec, batch = drawn
    try:
        graph = graph_from_data(spec)
    except SpecError:
        assume(False)        # e.g. a 'valid' window longer than the sequence
        return
    check_engine_matches_graph(graph, batch)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(image_model())
def test_random_image_models(drawn) -> None:
    spec, batch = drawn
    try:
        graph = graph_from_data(spec)
    except SpecError:
        assume(False)        # e.g. a window larger than what is left of the image
        return
    check_engine_matches_graph(graph, batch)


@pytest.mark.parametrize("path", sorted(SPECS.rglob("*.yaml")), ids=lambda p: p.name)
def test_example_specs(path: Path) -> None:
    try:
        graph = build_graph(load_spec(str(path)), ShapeOptions(timesteps=5))
    except SpecError:
        graph = build_graph(load_spec(str(path)))
    check_engine_matches_graph(graph, batch=2)


def test_outputs_are_finite_float32() -> None:
    graph = graph_from_data({"input": {"shape": [4, 3]}, "layers": [
        "Bidirectional(GRU(3, return_sequences=True, reset_after=False))", "LSTM(2)"]})
    shapes = concrete_input_shapes(graph, 2)
    (y,) = execute(graph, random_inputs(graph, shapes, 0), initial_weights(graph, 0))
    assert y.dtype == np.float32 and np.all(np.isfinite(y))
