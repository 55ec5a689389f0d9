# data-only:
"""Merging branches with the functional helpers layers.add / concatenate / multiply / subtract."""
import keras
from keras import layers

steps, dim = 16, 8
a_in = keras.Input(shape=(steps, dim), name="a")
b_in = keras.Input(shape=(steps, dim), name="b")

fw = layers.LSTM(20, return_sequences=True)(a_in)
bw = layers.LSTM(20, return_sequences=True, go_backwards=True)(a_in)
both = layers.concatenate([fw, bw])
proj = layers.Dense(40)(b_in)
summed = layers.add([both, proj])
gated = layers.multiply([summed, layers.Dense(40, activation="sigmoid")(b_in)])
diff = layers.subtract([gated, proj])
avg = layers.average([diff, summed])
pooled = layers.GlobalAveragePooling1D()(avg)
model = keras.Model([a_in, b_in], layers.Dense(1)(pooled))
