"""Translation decoder step with additive attention written as a layer of Dense sublayers."""
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers

vocab_src, vocab_tgt, embed_dim, units = 4000, 3500, 64, 96
max_src = 25


class AdditiveAttention(layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.W_query = layers.Dense(units)
        self.W_keys = layers.Dense(units)
        self.score = layers.Dense(1)

    def call(self, query, values):
        # query: (batch, units) -> (batch, 1, units) to add to every source step
        q = tf.expand_dims(query, 1)
        energy = self.score(tf.nn.tanh(self.W_query(q) + self.W_keys(values)))
        weights = tf.nn.softmax(energy, axis=1)
        return tf.reduce_sum(weights * values, axis=1)


src = keras.Input(shape=(max_src,), name="source_tokens")
prev = keras.Input(shape=(1,), name="previous_token")
enc = layers.Embedding(vocab_src, embed_dim)(src)
enc_seq, enc_state = layers.GRU(units, return_sequences=True, return_state=True)(enc)
context = AdditiveAttention(units, name="attention")(enc_state, enc_seq)
dec = layers.Embedding(vocab_tgt, embed_dim)(prev)
dec = layers.Flatten()(dec)
merged = layers.Concatenate()([dec, context])
logits = layers.Dense(vocab_tgt)(merged)
step_model = keras.Model([src, prev], logits, name="attention_step")
step_model.summary()
