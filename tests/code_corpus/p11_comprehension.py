# data-only:
"""Stacked GRUs whose sizes come from a list, built with a comprehension."""
import keras
from keras import layers

TIMESTEPS = 48
FEATURES = 7
sizes = [64, 64, 32]

recurrent = [layers.GRU(u, return_sequences=True) for u in sizes[:-1]]
head = [layers.GRU(sizes[-1]), layers.Dense(16, activation="relu"), layers.Dense(1)]
model = keras.Sequential([keras.Input(shape=(TIMESTEPS, FEATURES))] + recurrent + head)

wide = keras.Sequential(
    [layers.Input(shape=(TIMESTEPS, FEATURES))]
    + [layers.Conv1D(f, 3, padding="same", activation="relu") for f in (16, 32)]
    + [layers.LSTM(2 * 16), layers.Dense(3)]
)
