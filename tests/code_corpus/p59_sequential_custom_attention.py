"""Sentiment LSTM with a Keras-2-style attention layer added to a Sequential."""
from keras.models import Sequential
from keras.layers import Layer, LSTM, Dense, Embedding, Dropout
import keras.backend as K

max_words = 8000
maxlen = 60


class attention(Layer):
    def __init__(self, **kwargs):
        super(attention, self).__init__(**kwargs)

    def build(self, input_shape):
        self.W = self.add_weight(name="att_weight", shape=(input_shape[-1], 1),
                                 initializer="normal")
        self.b = self.add_weight(name="att_bias", shape=(input_shape[1], 1),
                                 initializer="zeros")
        super(attention, self).build(input_shape)

    def call(self, x):
        et = K.squeeze(K.tanh(K.dot(x, self.W) + self.b), axis=-1)
        at = K.softmax(et)
        at = K.expand_dims(at, axis=-1)
        return K.sum(x * at, axis=1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[-1])


model = Sequential()
model.add(Embedding(max_words, 64, input_shape=(maxlen,)))
model.add(LSTM(48, return_sequences=True))
model.add(attention())
model.add(Dropout(0.2))
model.add(Dense(1, activation="sigmoid"))
model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["acc"])
model.summary()
