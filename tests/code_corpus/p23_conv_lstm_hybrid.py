# data-only: float_data.shape[-1]
"""Conv1D front end, then a GRU (Jena climate, downsampled)."""
import numpy as np
from keras.models import Sequential
from keras import layers

float_data = np.random.rand(3000, 14)
step = 3
lookback = 720

model = Sequential()
model.add(layers.Conv1D(32, 5, activation='relu',
                        input_shape=(None, float_data.shape[-1])))
model.add(layers.MaxPooling1D(3))
model.add(layers.Conv1D(32, 5, activation='relu'))
model.add(layers.GRU(32, dropout=0.1, recurrent_dropout=0.5))
model.add(layers.Dense(1))

max_features = 10000
max_len = 500
cnn = Sequential()
cnn.add(layers.Embedding(max_features, 128, input_length=max_len))
cnn.add(layers.Conv1D(32, 7, activation='relu'))
cnn.add(layers.MaxPooling1D(5))
cnn.add(layers.Conv1D(32, 7, activation='relu'))
cnn.add(layers.GlobalMaxPooling1D())
cnn.add(layers.Dense(1))
