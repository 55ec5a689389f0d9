# data-only:
"""Hyperparameters in a dict, read by subscripts."""
import keras
from keras import layers

CONFIG = {
    "window": 30,
    "features": 4,
    "layers": [64, 32],
    "dropout": 0.25,
    "horizon": 7,
}


def build(cfg):
    inputs = keras.Input(shape=(cfg["window"], cfg["features"]))
    x = inputs
    for n, units in enumerate(cfg["layers"]):
        x = layers.LSTM(units, return_sequences=n < len(cfg["layers"]) - 1)(x)
        x = layers.Dropout(cfg["dropout"])(x)
    outputs = layers.Dense(cfg.get("horizon", 1))(x)
    return keras.Model(inputs, outputs)


model = build(CONFIG)
