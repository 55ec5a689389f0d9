# data-only:
"""Helper functions with defaults, called with and without arguments."""
from keras import Sequential, layers


def build_lstm_model(input_shape, n_outputs, units=64, dropout=0.2):
    return Sequential([
        layers.Input(shape=input_shape),
        layers.LSTM(units, return_sequences=True),
        layers.Dropout(dropout),
        layers.LSTM(units // 2),
        layers.Dropout(dropout),
        layers.Dense(32, activation='relu'),
        layers.Dense(n_outputs)
    ])


def rnn_block(units, kind="gru"):
    if kind == "gru":
        return layers.GRU(units, return_sequences=True)
    return layers.SimpleRNN(units, return_sequences=True)


small = build_lstm_model((20, 1), 1)
large = build_lstm_model((20, 1), 3, units=256, dropout=0.3)
blocks = Sequential([layers.Input((None, 5)), rnn_block(8), rnn_block(4, kind="simple"),
                     layers.GlobalMaxPooling1D()])
