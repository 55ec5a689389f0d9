# data-only: X.shape[1:]
"""One recurrent trunk, two heads; input shape taken from the data array."""
import numpy as np
from keras.layers import Input, LSTM, Dense, Dropout, BatchNormalization
from keras.models import Model

X = np.random.rand(256, 24, 9).astype("float32")
n_classes = 3


def trunk(x, units=64):
    x = LSTM(units, return_sequences=True)(x)
    x = BatchNormalization()(x)
    x = LSTM(units // 2)(x)
    return Dropout(0.2)(x)


inp = Input(shape=X.shape[1:])
shared = trunk(inp)
direction = Dense(n_classes, activation="softmax", name="direction")(shared)
magnitude = Dense(1, name="magnitude")(shared)
model = Model(inputs=inp, outputs=[direction, magnitude])
