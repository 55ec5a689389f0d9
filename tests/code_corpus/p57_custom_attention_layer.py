"""Review classifier with a hand-written attention layer (TensorFlow spellings)."""
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers

MAXLEN = 120
VOCAB_SIZE = 20000


class AttentionPooling(tf.keras.layers.Layer):
    """Scores every timestep, softmaxes over time, returns the weighted sum."""

    def build(self, input_shape):
        self.W = self.add_weight(name="att_weight", shape=(input_shape[-1], 1),
                                 initializer="glorot_uniform", trainable=True)
        self.b = self.add_weight(name="att_bias", shape=(input_shape[1], 1),
                                 initializer="zeros", trainable=True)
        super().build(input_shape)

    def attention_weights(self, x, mask=None):
        e = tf.tanh(tf.matmul(x, self.W) + self.b)
        if mask is not None:
            e += (1.0 - tf.cast(tf.expand_dims(mask, -1), e.dtype)) * -1e9
        return tf.nn.softmax(e, axis=1)

    def call(self, x, mask=None):
        a = self.attention_weights(x, mask=mask)
        output = x * a
        return tf.reduce_sum(output, axis=1)


inputs = keras.Input(shape=(MAXLEN,))
h = layers.Embedding(VOCAB_SIZE, 128)(inputs)
h = layers.Bidirectional(layers.LSTM(64, return_sequences=True))(h)
h = AttentionPooling()(h)
h = layers.Dropout(0.3)(h)
outputs = layers.Dense(1, activation="sigmoid")(h)
model = keras.Model(inputs, outputs)
model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
model.summary()
