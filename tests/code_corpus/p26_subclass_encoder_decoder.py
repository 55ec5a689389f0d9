# data-only:
"""An encoder-decoder written as a subclassed model with two inputs."""
import keras
from keras import layers


class Seq2Seq(keras.Model):
    def __init__(self, units=64, out_dim=12, **kwargs):
        super().__init__(**kwargs)
        self.encoder = layers.LSTM(units, return_state=True)
        self.decoder = layers.LSTM(units, return_sequences=True, return_state=True)
        self.head = layers.Dense(out_dim, activation="softmax")

    def call(self, inputs):
        source, target = inputs
        _, h, c = self.encoder(source)
        seq, _, _ = self.decoder(target, initial_state=[h, c])
        return self.head(seq)


model = Seq2Seq(units=48, name="translator")
src = keras.Input(shape=(None, 20))
tgt = keras.Input(shape=(None, 12))
model([src, tgt])
