# data-only:
"""A subclassed model that keeps its recurrent layers in a list and loops over them."""
import keras
from keras import layers


class StackedRNN(keras.Model):
    def __init__(self, sizes=(32, 16), out_dim=1, **kwargs):
        super().__init__(**kwargs)
        self.rnns = [layers.LSTM(n, return_sequences=True) for n in sizes]
        self.pool = layers.GlobalAveragePooling1D()
        self.head = layers.Dense(out_dim)

    def call(self, x, training=False):
        for layer in self.rnns:
            x = layer(x, training=training)
        return self.head(self.pool(x))


class Chain(keras.Model):
    def __init__(self):
        super().__init__()
        self.gru = layers.GRU(8, return_sequences=True)
        self.out = layers.TimeDistributed(layers.Dense(2))

    def call(self, x):
        for layer in self.layers:
            x = layer(x)
        return x


model = StackedRNN(sizes=(24, 12, 6), out_dim=3)
model(keras.Input(shape=(40, 4)))
chain = Chain()
chain(keras.Input(shape=(None, 5)))
