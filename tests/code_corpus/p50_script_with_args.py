# data-only:
"""A training script: hyperparameters from argparse defaults and a dataclass config."""
import argparse
from dataclasses import dataclass

import keras
from keras import layers


@dataclass
class DataConfig:
    window: int = 24
    features: int = 5
    horizon: int = 1


def parse():
    parser = argparse.ArgumentParser(description="Train a GRU forecaster.")
    group = parser.add_argument_group("model")
    group.add_argument("--units", type=int, default=48, help="GRU units")
    group.add_argument("--num-layers", type=int, default=2)
    parser.add_argument("--bidirectional", action="store_true")
    parser.add_argument("--dropout", type=float, default=0.1)
    return parser.parse_args()


def build(args, data):
    inputs = keras.Input(shape=(data.window, data.features))
    x = inputs
    for i in range(args.num_layers):
        rnn = layers.GRU(args.units, return_sequences=i < args.num_layers - 1,
                         dropout=args.dropout)
        x = layers.Bidirectional(rnn)(x) if args.bidirectional else rnn(x)
    outputs = layers.Dense(data.horizon)(x)
    return keras.Model(inputs, outputs, name="forecaster")


if __name__ == "__main__":
    args = parse()
    model = build(args, DataConfig(window=36))
    model.summary()
