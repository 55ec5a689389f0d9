"""All layer kinds. Importing this package registers every kind in ``LAYER_KINDS``."""

from rnncalc.layers import (  # noqa: F401  (imported to register the kinds)
    attention,
    conv_recurrent,
    convolution,
    core,
    merging,
    normalization,
    preprocessing,
    recurrent,
    reshaping,
    rnn,
    wrappers,
)
from rnncalc.layers.base import LAYER_KINDS, Layer, Namer, Weight, layer_class

__all__ = ["LAYER_KINDS", "Layer", "Namer", "Weight", "layer_class"]
