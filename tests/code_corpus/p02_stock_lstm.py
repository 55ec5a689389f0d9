# data-only: x_train.shape[1]
"""Stock price prediction with a stacked LSTM (univariate, 60-day windows)."""
import numpy as np
from tensorflow.keras.models import Sequential
from tensorflow.keras.layers import Dense, LSTM, Dropout

prices = np.cumsum(np.random.randn(1200)).reshape(-1, 1)
window = 60
x_train, y_train = [], []
for i in range(window, len(prices)):
    x_train.append(prices[i - window:i, 0])
    y_train.append(prices[i, 0])
x_train, y_train = np.array(x_train), np.array(y_train)
x_train = np.reshape(x_train, (x_train.shape[0], x_train.shape[1], 1))

regressor = Sequential()
regressor.add(LSTM(units=50, return_sequences=True, input_shape=(x_train.shape[1], 1)))
regressor.add(Dropout(0.2))
regressor.add(LSTM(units=50, return_sequences=True))
regressor.add(Dropout(0.2))
regressor.add(LSTM(units=50))
regressor.add(Dropout(0.2))
regressor.add(Dense(units=1))
regressor.compile(optimizer="adam", loss="mean_squared_error")
