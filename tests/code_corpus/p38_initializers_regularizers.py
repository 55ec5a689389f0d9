# data-only:
"""Initializers, regularizers and constraints: they change no shapes or counts."""
import keras
from keras import layers, regularizers, initializers, constraints

model = keras.Sequential([
    layers.Input(shape=(25, 10)),
    layers.LSTM(
        32,
        kernel_initializer=initializers.GlorotUniform(seed=1),
        recurrent_initializer="orthogonal",
        bias_initializer=initializers.Zeros(),
        kernel_regularizer=regularizers.l2(1e-4),
        recurrent_constraint=constraints.MaxNorm(3),
        unit_forget_bias=True,
    ),
    layers.Dense(4, kernel_regularizer=keras.regularizers.L1L2(l1=1e-5, l2=1e-4),
                 use_bias=False),
    layers.Activation("softmax"),
])
