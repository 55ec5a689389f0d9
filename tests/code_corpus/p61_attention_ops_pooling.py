# data-only:
"""Sentiment classifier with hand-written attention pooling over a BiLSTM (Keras 3 ops)."""
import keras
from keras import layers, ops

MAX_LEN = 80
VOCAB = 8000
EMBED = 64
HIDDEN = 48

tokens = keras.Input(shape=(MAX_LEN,), dtype="int32", name="tokens")
emb = layers.Embedding(VOCAB, EMBED)(tokens)
seq = layers.Bidirectional(layers.LSTM(HIDDEN, return_sequences=True))(emb)

# one score per timestep, normalised over time
scores = layers.Dense(1, activation="tanh")(seq)
scores = ops.squeeze(scores, axis=-1)
alpha = ops.softmax(scores, axis=1)

# weighted sum of the hidden states
context = ops.sum(seq * ops.expand_dims(alpha, -1), axis=1)
context = layers.Dropout(0.3)(context)
out = layers.Dense(1, activation="sigmoid")(context)

model = keras.Model(tokens, out)
model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
model.summary()

# the attention weights, for plotting
attention_model = keras.Model(tokens, alpha)
