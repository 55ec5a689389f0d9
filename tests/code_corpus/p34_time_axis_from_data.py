# data-only: x_train.shape[1]
"""The time axis comes from the data; the feature count is a constant."""
import numpy as np
import keras
from keras import layers

n_features = 3
x_train = np.random.rand(500, 45, n_features)

inputs = keras.Input(shape=(x_train.shape[1], n_features))
x = layers.GRU(32, return_sequences=True)(inputs)
x = layers.GRU(16)(x)
outputs = layers.Dense(1)(x)
model = keras.Model(inputs, outputs)
