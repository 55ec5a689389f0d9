# data-only: x_train.shape
"""A Sequential without an input shape: Keras builds it on the first batch fit() sees."""
import numpy as np
from keras.models import Sequential
from keras.layers import LSTM, Dense, Dropout

x_train = np.random.rand(200, 12, 3).astype("float32")
y_train = np.random.rand(200, 1).astype("float32")

model = Sequential()
model.add(LSTM(32, return_sequences=True))
model.add(Dropout(0.2))
model.add(LSTM(16))
model.add(Dense(1))
model.compile(optimizer="adam", loss="mse")
model.fit(x_train, y_train, epochs=1, batch_size=16, verbose=0)
model.summary()
