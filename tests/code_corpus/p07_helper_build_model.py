# data-only: len(vocab)
"""A stateful character model built by a helper function (batch size fixed)."""
import functools
import numpy as np
import tensorflow as tf

text = open("shakespeare.txt", "rb").read().decode(encoding="utf-8")
vocab = sorted(set(text))
vocab_size = len(vocab)
embedding_dim = 256
rnn_units = 1024
BATCH_SIZE = 64

rnn = functools.partial(tf.keras.layers.GRU, recurrent_activation="sigmoid")


def build_model(vocab_size, embedding_dim, rnn_units, batch_size):
    model = tf.keras.Sequential([
        tf.keras.Input(batch_shape=(batch_size, None)),
        tf.keras.layers.Embedding(vocab_size, embedding_dim),
        rnn(rnn_units,
            return_sequences=True,
            recurrent_initializer="glorot_uniform",
            stateful=True),
        tf.keras.layers.Dense(vocab_size)
    ])
    return model


model = build_model(
    vocab_size=len(vocab),
    embedding_dim=embedding_dim,
    rnn_units=rnn_units,
    batch_size=BATCH_SIZE)

sampler = build_model(vocab_size, embedding_dim, rnn_units, batch_size=1)
