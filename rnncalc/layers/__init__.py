"""All layer kinds. Importing this package registers every kind in ``LAYER_KINDS``."""

from rnncalc.layers import (  # noqa: F401  (imported to register the kinds)
    activation_layers,
    convolution,
    core,
    merging,
    normalization,
    recurrent,
    regularization,
    reshaping,
    wrappers,
)
from rnncalc.layers.base import LAYER_KINDS, Layer, Namer, Weight, layer_class

__all__ = ["LAYER_KINDS", "Layer", "Namer", "Weight", "layer_class"]
