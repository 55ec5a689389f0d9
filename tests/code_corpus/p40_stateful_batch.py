# data-only:
"""A stateful LSTM needs a fixed batch size."""
import keras
from keras import layers

batch_size = 32
timesteps = 8
data_dim = 16
num_classes = 10

model = keras.Sequential()
model.add(keras.Input(batch_shape=(batch_size, timesteps, data_dim)))
model.add(layers.LSTM(32, return_sequences=True, stateful=True))
model.add(layers.LSTM(32, return_sequences=True, stateful=True))
model.add(layers.LSTM(32, stateful=True))
model.add(layers.Dense(num_classes, activation="softmax"))
