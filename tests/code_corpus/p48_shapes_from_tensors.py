# data-only:
"""Sizes taken from symbolic tensors (x.shape, K.int_shape) and a GPU switch."""
import functools
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import backend as K
from tensorflow.keras import layers

if tf.test.is_gpu_available():
    rnn = layers.CuDNNGRU
else:
    rnn = functools.partial(layers.GRU, recurrent_activation="sigmoid")

inp = keras.Input(shape=(30, 6))
x = rnn(24, return_sequences=True)(inp)
steps, width = K.int_shape(x)[1:]
x = layers.Reshape((steps * width,))(x)
x = layers.Dense(x.shape[-1] // 4, activation="relu")(x)
x = layers.RepeatVector(steps)(x)
x = layers.LSTM(width)(x)
model = keras.Model(inp, layers.Dense(1)(x))
