# data-only:
"""A recurrent feature extractor written as a Sequential and used inside a functional model."""
import keras
from keras import layers

steps, channels = 100, 6
feature_extractor = keras.Sequential(
    [layers.Conv1D(16, 5, activation="relu"), layers.MaxPooling1D(2), layers.GRU(24)],
    name="features",
)

signal = keras.Input(shape=(steps, channels))
features = feature_extractor(signal)
label = layers.Dense(5, activation="softmax")(features)
model = keras.Model(signal, label)
