"""Keras 3 custom layers: additive attention with its own units, and a learned scale."""
import keras
from keras import layers, ops


class TemporalAttention(layers.Layer):
    def __init__(self, units=32, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        features = input_shape[-1]
        self.W = self.add_weight(shape=(features, self.units), initializer="glorot_uniform",
                                 name="W")
        self.v = self.add_weight(shape=(self.units, 1), initializer="glorot_uniform",
                                 name="v")

    def call(self, inputs):
        score = ops.tanh(ops.matmul(inputs, self.W))
        weights = ops.softmax(ops.matmul(score, self.v), axis=1)
        return ops.sum(weights * inputs, axis=1)


class LearnedScale(layers.Layer):
    def build(self, input_shape):
        self.gamma = self.add_weight(shape=(input_shape[-1],), initializer="ones",
                                     name="gamma")
        self.beta = self.add_weight(shape=(input_shape[-1],), initializer="zeros",
                                    name="beta", trainable=False)

    def call(self, x):
        return x * self.gamma + self.beta

    def compute_output_shape(self, input_shape):
        return input_shape


series = keras.Input(shape=(48, 6))
x = layers.GRU(32, return_sequences=True)(series)
x = LearnedScale()(x)
x = layers.GRU(32, return_sequences=True)(x)
context = TemporalAttention(16)(x)
forecast = layers.Dense(1)(context)
model = keras.Model(series, forecast, name="attentive_forecaster")
model.summary()
