# data-only:
# requires: RNN, LSTMCell, GRUCell, StackedRNNCells
"""The generic RNN layer over cells."""
import keras
from keras import layers

inputs = keras.Input((None, 5))
x = layers.RNN(layers.LSTMCell(32), return_sequences=True)(inputs)
x = layers.RNN([layers.GRUCell(16), layers.GRUCell(8)])(x)
model = keras.Model(inputs, layers.Dense(1)(x))
