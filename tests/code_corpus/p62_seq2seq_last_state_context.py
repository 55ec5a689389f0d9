# data-only:
"""Encoder-decoder for date formats: the encoder's last step conditions every decoder step."""
import keras
from keras import layers, ops

src_len, tgt_len = 30, 10
src_chars, tgt_chars = 40, 12
units = 128

encoder_in = keras.Input(shape=(src_len, src_chars))
encoded = layers.LSTM(units, return_sequences=True)(encoder_in)
last = encoded[:, -1, :]                      # the final encoder step
summary_vec = keras.ops.mean(encoded, axis=1)  # and an average over all steps
context = layers.RepeatVector(tgt_len)(ops.concatenate([last, summary_vec], axis=-1))

decoder_in = keras.Input(shape=(tgt_len, tgt_chars))
merged = ops.concatenate([decoder_in, context], axis=-1)
decoded = layers.LSTM(units, return_sequences=True)(merged)
decoded = decoded + layers.Dense(units)(context)          # residual from the context
probs = layers.TimeDistributed(layers.Dense(tgt_chars, activation="softmax"))(decoded)

model = keras.Model([encoder_in, decoder_in], probs)
model.compile(optimizer="adam", loss="categorical_crossentropy")
model.summary()
