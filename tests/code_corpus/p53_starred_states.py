# data-only:
"""Encoder states gathered with a starred assignment, as in the NMT chapters."""
import tensorflow as tf

vocab_size = 1000
embed_size = 128

encoder_inputs = tf.keras.layers.Input(shape=[None], dtype=tf.int32)
decoder_inputs = tf.keras.layers.Input(shape=[None], dtype=tf.int32)
encoder_embeddings = tf.keras.layers.Embedding(vocab_size, embed_size,
                                               mask_zero=True)(encoder_inputs)
decoder_embeddings = tf.keras.layers.Embedding(vocab_size, embed_size,
                                               mask_zero=True)(decoder_inputs)

encoder = tf.keras.layers.Bidirectional(
    tf.keras.layers.LSTM(256, return_sequences=True, return_state=True))
encoder_outputs, *encoder_state = encoder(encoder_embeddings)
encoder_state = [tf.keras.layers.Concatenate(axis=-1)(encoder_state[::2]),   # short-term (0 & 2)
                 tf.keras.layers.Concatenate(axis=-1)(encoder_state[1::2])]  # long-term (1 & 3)

decoder = tf.keras.layers.LSTM(512, return_sequences=True)
decoder_outputs = decoder(decoder_embeddings, initial_state=encoder_state)
output_layer = tf.keras.layers.Dense(vocab_size, activation="softmax")
Y_proba = output_layer(decoder_outputs)
model = tf.keras.Model(inputs=[encoder_inputs, decoder_inputs], outputs=[Y_proba])
