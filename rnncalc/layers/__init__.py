"""Every layer kind rnncalc knows, and where each is declared.

A kind's whole truth lives in its module (arguments, weights, shapes, mask
rule, forward pass, cost); :data:`MODULES` registers the module under the
kinds it declares, so that a model imports only the modules of the kinds it
uses — start-up is the calculator's latency. ``tests/test_layout.py`` checks
that this table and the classes the modules declare agree.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from rnncalc.layers.base import Layer, Namer, Weight, layer_class

#: module (under ``rnncalc.layers``) -> the Keras class names (and aliases) it declares
MODULES: dict[str, tuple[str, ...]] = {
    "attention": ("AdditiveAttention", "Attention", "MultiHeadAttention"),
    "conv_recurrent": ("ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D"),
    "convolution": ("AveragePooling1D", "AvgPool1D", "Conv1D", "Convolution1D",
                    "GlobalAveragePooling1D", "GlobalAvgPool1D", "GlobalMaxPool1D",
                    "GlobalMaxPooling1D", "MaxPool1D", "MaxPooling1D"),
    "core": ("Activation", "Dense", "Dropout", "Embedding", "Input", "InputLayer", "Masking",
             "SpatialDropout1D"),
    "merging": ("Add", "Average", "Concatenate", "Multiply", "Subtract"),
    "normalization": ("BatchNormalization", "LayerNormalization"),
    "preprocessing": ("CategoryEncoding", "Hashing", "IntegerLookup", "Normalization",
                      "StringLookup", "TextVectorization"),
    "recurrent": ("GRU", "LSTM", "SimpleRNN"),
    "reshaping": ("Flatten", "Permute", "RepeatVector", "Reshape"),
    "rnn": ("GRUCell", "LSTMCell", "RNN", "SimpleRNNCell", "StackedRNNCells"),
    "wrappers": ("Bidirectional", "TimeDistributed"),
}
KIND_MODULES: dict[str, str] = {kind: module for module, kinds in MODULES.items()
                                for kind in kinds}


def load_kind(kind: str) -> None:
    """Import the module that declares ``kind`` (nothing for an unknown name)."""
    module = KIND_MODULES.get(kind)
    if module is not None:
        import_module(f"rnncalc.layers.{module}")


def load_all() -> dict[str, type[Layer]]:
    """Import every kind module; the full registry, kind name -> class."""
    from rnncalc.layers.base import LAYER_KINDS

    for module in MODULES:
        import_module(f"rnncalc.layers.{module}")
    return LAYER_KINDS


def __getattr__(name: str) -> Any:
    if name == "LAYER_KINDS":          # the whole registry: every module imported
        return load_all()
    raise AttributeError(f"module 'rnncalc.layers' has no attribute {name!r}")


__all__ = ["KIND_MODULES", "LAYER_KINDS", "MODULES", "Layer", "Namer", "Weight", "layer_class",
           "load_all", "load_kind"]
