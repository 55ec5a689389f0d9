# data-only:
"""Activations of a trained Sequential's inner LSTM, read through a functional model."""
import keras
from keras import layers

model = keras.Sequential()
model.add(layers.LSTM(64, return_sequences=True, input_shape=(30, 4)))
model.add(layers.LSTM(32))
model.add(layers.Dense(8, activation="relu"))
model.add(layers.Dense(1))

hidden = keras.Model(inputs=model.inputs[0], outputs=model.layers[1].output)
probe = keras.Model(model.inputs, [model.layers[0].output, model.layers[2].output])
