"""Seq2seq where the encoder is its own model, called inside the training model."""
import keras
from keras.layers import LSTM, Dense, Input
from keras.models import Model

src_vocab, tgt_vocab, units = 48, 60, 128

enc_inputs = Input(shape=(None, src_vocab))
enc_outputs, state_h, state_c = LSTM(units, return_state=True)(enc_inputs)
encoder_model = Model(enc_inputs, [state_h, state_c])

source = Input(shape=(None, src_vocab))
target = Input(shape=(None, tgt_vocab))
h, c = encoder_model(source)
dec_seq = LSTM(units, return_sequences=True)(target, initial_state=[h, c])
probs = Dense(tgt_vocab, activation="softmax")(dec_seq)
trainer = Model([source, target], probs)
trainer.summary()
