"""The seed notebook's BiLSTM with Constant(0.1) weights gives the notebook's printed values."""

from __future__ import annotations

import numpy as np
import pytest

from rnncalc.engine.executor import execute
from rnncalc.engine.weights import initial_weights
from tests.support import graph_from_data

TRAIN_X = np.array([[[0.1, 4.2, 1.5, 1.1, 2.8],
                     [1.0, 3.1, 2.5, 0.7, 1.1],
                     [0.3, 2.1, 1.5, 2.1, 0.1],
                     [2.2, 1.4, 0.5, 0.9, 1.1]]], dtype=np.float32)

# Printed by the seed notebook (Keras, tf.keras.initializers.Constant).
SEQUENCE = np.array([[[0.35906473, 0.35906473, 0.35906473, 0.7038734, 0.7038734, 0.7038734],
                      [0.55111325, 0.55111325, 0.55111325, 0.58863586, 0.58863586, 0.58863586],
                      [0.59115744, 0.59115744, 0.59115744, 0.3951699, 0.3951699, 0.3951699],
                      [0.6303138, 0.6303138, 0.6303138, 0.21942244, 0.21942244, 0.21942244]]])
LAST = np.array([[0.6303138] * 3 + [0.7038734] * 3])
FORWARD_H = np.array([[0.6303138] * 3])
BACKWARD_H = np.array([[0.7038734] * 3])


def bilstm(return_sequences: bool, return_state: bool) -> list[np.ndarray]:
    spec = {"input": {"shape": [4, 5]}, "layers": [{"Bidirectional": {"layer": {"LSTM": {
        "units": 3, "return_sequences": return_sequences, "return_state": return_state,
        "kernel_initializer": "tf.keras.initializers.Constant(value=0.1)",
        "recurrent_initializer": {"Constant": {"value": 0.1}},
        "bias_initializer": {"class_name": "Constant", "config": {"value": 0}}}}}}]}
    graph = graph_from_data(spec)
    return execute(graph, {"input_layer": TRAIN_X}, initial_weights(graph, seed=123))


def test_sequence_with_states() -> None:
    out, fw_h, fw_c, bw_h, bw_c = bilstm(True, True)
    np.testing.assert_allclose(out, SEQUENCE, atol=1e-6, rtol=0)
    np.testing.assert_allclose(fw_h, FORWARD_H, atol=1e-6, rtol=0)
    np.testing.assert_allclose(bw_h, BACKWARD_H, atol=1e-6, rtol=0)
    # the forward state is the last step of the forward half, the backward state the first
    # step of the backward half (Bidirectional re-reverses the backward sequence)
    np.testing.assert_array_equal(fw_h, out[:, -1, :3])
    np.testing.assert_array_equal(bw_h, out[:, 0, 3:])
    assert fw_c.shape == bw_c.shape == (1, 3)
    assert np.all(fw_c > fw_h)   # |tanh(c)| < |c| for these positive cells


def test_last_output_with_states() -> None:
    out, fw_h, _, bw_h, _ = bilstm(False, True)
    np.testing.assert_allclose(out, LAST, atol=1e-6, rtol=0)
    np.testing.assert_allclose(fw_h, FORWARD_H, atol=1e-6, rtol=0)
    np.testing.assert_allclose(bw_h, BACKWARD_H, atol=1e-6, rtol=0)


@pytest.mark.parametrize(("sequences", "expected"), [(True, SEQUENCE), (False, LAST)])
def test_without_states(sequences: bool, expected: np.ndarray) -> None:
    (out,) = bilstm(sequences, False)
    np.testing.assert_allclose(out, expected, atol=1e-6, rtol=0)


def test_constant_initializers_are_exact() -> None:
    graph = graph_from_data({"input": {"shape": [4, 5]}, "layers": [
        "Bidirectional(LSTM(3, kernel_initializer=Constant(0.1), "
        "recurrent_initializer=Constant(0.1), bias_initializer=Constant(0)))"]})
    w = initial_weights(graph, seed=0)["bidirectional"]
    assert np.all(w["forward/kernel"] == np.float32(0.1))
    # unit_forget_bias: ones for the forget gate whatever the bias initializer
    np.testing.assert_array_equal(w["backward/bias"], [0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0])
