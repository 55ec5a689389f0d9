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
    "activation_layers": ("ELU", "LeakyReLU", "PReLU", "ReLU", "Softmax"),
    "attention": ("AdditiveAttention", "Attention", "MultiHeadAttention"),
    "conv_recurrent": ("ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D"),
    "convolution": ("AveragePooling1D", "AveragePooling2D", "AveragePooling3D", "AvgPool1D",
                    "AvgPool2D", "AvgPool3D", "Conv1D", "Conv2D", "Conv3D", "Convolution1D",
                    "Convolution2D", "Convolution3D", "DepthwiseConv1D", "DepthwiseConv2D",
                    "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalAveragePooling3D",
                    "GlobalAvgPool1D", "GlobalAvgPool2D", "GlobalAvgPool3D", "GlobalMaxPool1D",
                    "GlobalMaxPool2D", "GlobalMaxPool3D", "GlobalMaxPooling1D",
                    "GlobalMaxPooling2D", "GlobalMaxPooling3D", "MaxPool1D", "MaxPool2D",
                    "MaxPool3D", "MaxPooling1D", "MaxPooling2D", "MaxPooling3D",
                    "SeparableConv1D", "SeparableConv2D", "SeparableConvolution1D",
                    "SeparableConvolution2D"),
    "custom": ("Custom",),
    "core": ("Activation", "Dense", "Dropout", "Embedding", "Identity", "Input", "InputLayer",
             "Masking", "SpatialDropout1D"),
    "lambdas": ("Lambda",),
    "merging": ("Add", "Average", "Concatenate", "Dot", "Maximum", "Minimum", "Multiply",
                "Subtract"),
    "normalization": ("BatchNormalization", "LayerNormalization", "UnitNormalization"),
    "preprocessing": ("CategoryEncoding", "Hashing", "IntegerLookup", "Normalization",
                      "StringLookup", "TextVectorization"),
    "recurrent": ("GRU", "LSTM", "SimpleRNN"),
    "regularization": ("ActivityRegularization", "AlphaDropout", "GaussianDropout",
                       "GaussianNoise"),
    "reshaping": ("Cropping1D", "Cropping2D", "Cropping3D", "Flatten", "Permute", "RepeatVector",
                  "Reshape", "UpSampling1D", "UpSampling2D", "UpSampling3D", "ZeroPadding1D",
                  "ZeroPadding2D", "ZeroPadding3D"),
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
