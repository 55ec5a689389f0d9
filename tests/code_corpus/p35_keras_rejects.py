# data-only:
"""A model Keras 3 accepts, then one it rejects (an argument LSTM does not take)."""
import keras
from keras import layers

good = keras.Sequential([layers.Input((12, 2)), layers.LSTM(8), layers.Dense(1)])

bad = keras.Sequential()
bad.add(layers.Input((12, 2)))
bad.add(layers.LSTM(8, batch_size=4))
