# data-only:
"""Keyword arguments shared through dicts."""
from keras import Input, Model, layers

rnn_kwargs = dict(return_sequences=True, dropout=0.1, recurrent_dropout=0.0)
dense_kwargs = {"activation": "relu", "use_bias": True}
params = {"units": 40, "steps": 30, "features": 5}

inputs = Input(shape=(params["steps"], params["features"]))
x = layers.LSTM(params["units"], **rnn_kwargs)(inputs)
x = layers.LSTM(params["units"] // 2, **rnn_kwargs)(x)
x = layers.GlobalMaxPooling1D()(x)
x = layers.Dense(10, **dense_kwargs)(x)
outputs = layers.Dense(1, activation="linear")(x)
model = Model(inputs=inputs, outputs=outputs, name="kwargs_model")
