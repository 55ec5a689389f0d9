# data-only:
"""Training model, then encoder and decoder models for sampling, built from its layers."""
import keras

latent_dim = 64
num_tokens = 30

encoder_inputs = keras.Input(shape=(None, num_tokens))
encoder = keras.layers.LSTM(latent_dim, return_state=True)
encoder_outputs, state_h, state_c = encoder(encoder_inputs)
decoder_inputs = keras.Input(shape=(None, num_tokens))
decoder_lstm = keras.layers.LSTM(latent_dim, return_sequences=True, return_state=True)
decoder_outputs, _, _ = decoder_lstm(decoder_inputs, initial_state=[state_h, state_c])
decoder_dense = keras.layers.Dense(num_tokens, activation="softmax")
model = keras.Model([encoder_inputs, decoder_inputs], decoder_dense(decoder_outputs))

# Sampling: restore the encoder from the trained model's graph.
enc_in = model.input[0]
_, h_enc, c_enc = model.layers[2].output
encoder_model = keras.Model(enc_in, [h_enc, c_enc])
