# data-only:
# requires: Attention, MultiHeadAttention
"""LSTM encoder with dot-product attention over its outputs."""
import keras
from keras import layers

query_in = keras.Input(shape=(None,), dtype="int32")
value_in = keras.Input(shape=(None,), dtype="int32")
embed = layers.Embedding(1000, 64)
q = layers.LSTM(64, return_sequences=True)(layers.Embedding(1000, 64)(query_in))
v = layers.LSTM(64, return_sequences=True)(layers.Embedding(1000, 64)(value_in))
context = layers.Attention()([q, v])
mha = layers.MultiHeadAttention(num_heads=2, key_dim=16)(q, v)
x = layers.concatenate([q, context, mha])
x = layers.GlobalAveragePooling1D()(x)
model = keras.Model([query_in, value_in], layers.Dense(1)(x))
