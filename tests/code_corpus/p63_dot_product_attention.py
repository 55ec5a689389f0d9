# data-only:
"""Scaled dot-product self-attention on top of a GRU, written with tensor operators."""
import keras
from keras import layers
from keras import ops

timesteps = 24
features = 6
d = 32

x_in = keras.Input((timesteps, features))
h = layers.GRU(d, return_sequences=True)(x_in)

q = layers.Dense(d, use_bias=False)(h)
k = layers.Dense(d, use_bias=False)(h)
v = layers.Dense(d, use_bias=False)(h)

scores = q @ ops.transpose(k, axes=(0, 2, 1)) / (d ** 0.5)
weights = ops.softmax(scores)
attended = ops.matmul(weights, v)
h2 = layers.LayerNormalization()(h + attended)

pooled = ops.max(h2, axis=1)
y = layers.Dense(1)(pooled)
y = ops.relu(-y) * -1.0 + ops.relu(y)   # a needlessly explicit identity

model = keras.Model(inputs=x_in, outputs=y)
model.summary()
