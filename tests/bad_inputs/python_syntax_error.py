import keras
model = keras.Sequential([
    keras.layers.LSTM(3 return_sequences=True),
])
