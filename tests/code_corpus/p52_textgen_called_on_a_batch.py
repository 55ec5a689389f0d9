# data-only: input_example_batch.shape
"""The text-generation tutorial's shape: a subclassed GRU model first called on a data batch."""
import numpy as np
import keras
import tensorflow as tf

vocab = sorted(set("the quick brown fox jumps over the lazy dog"))
vocab_size = len(vocab) + 1
embedding_dim = 64
rnn_units = 128
seq_length = 50
batch = np.random.randint(0, vocab_size, size=(16, seq_length)).astype("int32")
dataset = [(batch, batch)]


class MyModel(tf.keras.Model):
    def __init__(self, vocab_size, embedding_dim, rnn_units):
        super().__init__()
        self.embedding = tf.keras.layers.Embedding(vocab_size, embedding_dim)
        self.gru = tf.keras.layers.GRU(rnn_units,
                                       return_sequences=True,
                                       return_state=True)
        self.dense = tf.keras.layers.Dense(vocab_size)

    def call(self, inputs, states=None, return_state=False, training=False):
        x = inputs
        x = self.embedding(x, training=training)
        if states is None:
            states = self.gru.get_initial_state(keras.ops.shape(x)[0])
        x, states = self.gru(x, initial_state=states, training=training)
        x = self.dense(x, training=training)

        if return_state:
            return x, states
        else:
            return x


model = MyModel(
    vocab_size=vocab_size,
    embedding_dim=embedding_dim,
    rnn_units=rnn_units)

for input_example_batch, target_example_batch in dataset[:1]:
    example_batch_predictions = model(input_example_batch)
    print(example_batch_predictions.shape, "# (batch_size, sequence_length, vocab_size)")

model.summary()
