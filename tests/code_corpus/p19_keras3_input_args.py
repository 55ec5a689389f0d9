# data-only:
"""Keras 3 spellings: Input with batch_size, dtype and name; Model with name."""
import keras
from keras import layers, ops

tokens = keras.Input(shape=(64,), batch_size=16, dtype="int32", name="tokens")
x = layers.Embedding(input_dim=8000, output_dim=64, mask_zero=True, name="embed")(tokens)
x = layers.LSTM(64, return_sequences=True, name="encoder")(x)
x = layers.GlobalAveragePooling1D(name="pool")(x)
logits = layers.Dense(4, name="logits")(x)
model = keras.Model(inputs=tokens, outputs=logits, name="topic_classifier")
model.summary()
