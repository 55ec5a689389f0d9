# data-only:
"""Settings as class attributes, and a builder as a static method."""
from keras import layers, models


class Config:
    UNITS = 50
    INPUT_DAYS = 14
    FEATURES = 1
    DROPOUT = 0.2


class ModelBuilder:
    @staticmethod
    def build_lstm(input_shape, units=64, dropout_rate=0.2):
        model = models.Sequential()
        model.add(layers.LSTM(units=units, input_shape=(input_shape[0], input_shape[1])))
        model.add(layers.Dropout(rate=dropout_rate))
        model.add(layers.RepeatVector(n=input_shape[0]))
        model.add(layers.LSTM(units=units, return_sequences=True))
        model.add(layers.Dropout(rate=dropout_rate))
        model.add(layers.TimeDistributed(layers.Dense(units=input_shape[1])))
        return model


model = ModelBuilder.build_lstm((Config.INPUT_DAYS, Config.FEATURES), Config.UNITS,
                                dropout_rate=Config.DROPOUT)
