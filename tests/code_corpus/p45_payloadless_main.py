# data-only: len(words)
"""Word-level LSTM language model; vocabulary from a text file read in main()."""
import argparse
import keras
from keras import layers


def get_model(vocab_size, seq_len=25, embed=100, units=150):
    model = keras.Sequential()
    model.add(layers.Input(shape=(seq_len,)))
    model.add(layers.Embedding(vocab_size, embed))
    model.add(layers.LSTM(units, return_sequences=True))
    model.add(layers.LSTM(units))
    model.add(layers.Dense(units, activation="relu"))
    model.add(layers.Dense(vocab_size, activation="softmax"))
    return model


def main():
    with open("corpus.txt") as handle:
        words = sorted(set(handle.read().split()))
    model = get_model(len(words))
    model.summary()


if __name__ == "__main__":
    main()
