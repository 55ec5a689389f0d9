"""Training-time noise and regularization layers: the identity at inference.

``GaussianNoise``, ``GaussianDropout``, ``AlphaDropout`` and
``ActivityRegularization`` change nothing in a forward pass with Keras'
inference semantics (``training=False``); they keep the mask, as Keras does.
"""

from __future__ import annotations

from typing import Any

from rnncalc.errors import SpecError
from rnncalc.layers.arguments import LAYER_BASE_ARGS, Arg, anything, number, optional, rate, show
from rnncalc.layers.base import Layer, Namer
from rnncalc.layers.calls import Call
from rnncalc.layers.shapes import Shape
from rnncalc.layers.torch_modules import TorchModule


def _unit_interval(value: Any) -> float:
    result = number(value)
    if not 0.0 <= result <= 1.0:
        raise SpecError(f"expected a number between 0 and 1, got {show(value)}")
    return result


class InferenceIdentity(Layer):
    """A layer whose inference output is its input, mask included."""

    SUPPORTS_MASKING = True
    IGNORED_ARGS = LAYER_BASE_ARGS
    TORCH = ""
    TORCH_NOTE = ""

    def forward(self, inputs: list[Any], weights: dict[str, Any], mask: Any = None) -> list[Any]:
        return [inputs[0]]

    def torch_modules(self, inputs: list[Shape]) -> list[TorchModule]:
        return [TorchModule(self.TORCH or "(identity at inference)", (),
                            (self.TORCH_NOTE,) if self.TORCH_NOTE else ())]


_SEED = Arg("seed", optional(anything), None)


class GaussianNoise(InferenceIdentity):
    """Adds N(0, stddev²) noise while training."""

    kind = "GaussianNoise"
    ARGS = (Arg("stddev", _unit_interval), _SEED)
    TORCH_NOTE = "torch.nn has no GaussianNoise: add torch.randn_like(x)·stddev when training"


class GaussianDropout(InferenceIdentity):
    """Multiplies by N(1, rate/(1−rate)) noise while training."""

    kind = "GaussianDropout"
    ARGS = (Arg("rate", rate), _SEED)
    TORCH_NOTE = ("torch.nn has no GaussianDropout: multiply by 1 + torch.randn_like(x)·"
                  "sqrt(rate/(1−rate)) when training")


class AlphaDropout(InferenceIdentity):
    """Dropout that keeps SELU's mean and variance, while training."""

    kind = "AlphaDropout"
    ARGS = (Arg("rate", rate), Arg("noise_shape", anything, None), _SEED)

    def torch_modules(self, inputs: list[Shape]) -> list[TorchModule]:
        return [TorchModule(f"nn.AlphaDropout(p={self.config['rate']})")]


class ActivityRegularization(InferenceIdentity):
    """Adds ``l1·Σ|x| + l2·Σx²`` of its input to the training loss."""

    kind = "ActivityRegularization"
    ARGS = (Arg("l1", number, 0.0), Arg("l2", number, 0.0))
    TORCH_NOTE = "PyTorch has no activity penalty layer: add l1·|x|.sum() + l2·(x²).sum() " \
        "to the loss"

    @classmethod
    def from_call(cls, call: Call, namer: Namer) -> Layer:
        """Keras' layer passes its own ``activity_regularizer`` (made of ``l1``/``l2``) to the
        base layer, so a second one is a TypeError there: refused here too."""
        if "activity_regularizer" in call.kwargs:
            raise SpecError("ActivityRegularization builds its activity_regularizer from l1 "
                            "and l2; Keras refuses the keyword (got multiple values for "
                            "'activity_regularizer')")
        return super().from_call(call, namer)
