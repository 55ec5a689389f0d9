# data-only:
"""A .py file with '%' and '!' at the start of continuation lines: still Python."""
# %%
import keras
from keras import layers

units = 32
report = ("model with %d units, %s"
          % (units, "lstm"))
flag = (units
        != 0)
# %%
model = keras.Sequential([
    layers.Input(shape=(10, 4)),
    layers.LSTM(units),
    layers.Dense(1),
])
# %% [markdown]
# The model above has one LSTM layer.
