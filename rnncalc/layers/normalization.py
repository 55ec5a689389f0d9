"""LayerNormalization and BatchNormalization."""

from __future__ import annotations

from rnncalc.arguments import Arg, axes, boolean, number
from rnncalc.errors import SpecError
from rnncalc.initializers import init_arg
from rnncalc.layers.base import Layer, Weight, require_known
from rnncalc.shapes import Shape, format_shape, normalize_axis


def _axis_dims(x: Shape, axis: int | tuple[int, ...]) -> tuple[int, ...]:
    """The known sizes of the normalized axes (batch axis excluded)."""
    chosen = (axis,) if isinstance(axis, int) else axis
    sizes = []
    for a in chosen:
        try:
            index = normalize_axis(a, len(x))
        except ValueError:
            raise SpecError(f"argument 'axis': {a} is out of range for input "
                            f"{format_shape(x)}") from None
        if index == 0:
            raise SpecError("argument 'axis': cannot normalize over the batch axis")
        sizes.append(require_known(x[index], f"axis {a}", x))
    return tuple(sizes)


class LayerNormalization(Layer):
    """Per-sample normalization with a learned scale (gamma) and offset (beta)."""

    kind = "LayerNormalization"
    ARGS = (
        Arg("axis", axes, -1),
        Arg("epsilon", number, 1e-3),
        Arg("center", boolean, True),
        Arg("scale", boolean, True),
        Arg("rms_scaling", boolean, False),
        init_arg("beta_initializer", "zeros"),
        init_arg("gamma_initializer", "ones"),
    )

    def build_weights(self, inputs: list[Shape]) -> list[Weight]:
        shape = _axis_dims(inputs[0], self.config["axis"])
        note = tuple(f"{d} features" for d in shape)
        weights = []
        if self.config["scale"]:
            weights.append(Weight("gamma", shape, self.config["gamma_initializer"],
                                  role="scale (gamma)", dims=note))
        if self.config["center"] and not self.config["rms_scaling"]:
            weights.append(Weight("beta", shape, self.config["beta_initializer"],
                                  role="offset (beta)", dims=note))
        return weights


class BatchNormalization(Layer):
    """Batch statistics while training, moving statistics at inference."""

    kind = "BatchNormalization"
    ARGS = (
        Arg("axis", axes, -1),
        Arg("momentum", number, 0.99),
        Arg("epsilon", number, 1e-3),
        Arg("center", boolean, True),
        Arg("scale", boolean, True),
        init_arg("beta_initializer", "zeros"),
        init_arg("gamma_initializer", "ones"),
        init_arg("moving_mean_initializer", "zeros"),
        init_arg("moving_variance_initializer", "ones"),
    )

    def build_weights(self, inputs: list[Shape]) -> list[Weight]:
        shape = _axis_dims(inputs[0], self.config["axis"])
        note = tuple(f"{d} features" for d in shape)
        c = self.config
        weights = []
        if c["scale"]:
            weights.append(Weight("gamma", shape, c["gamma_initializer"], role="scale (gamma)",
                                  dims=note))
        if c["center"]:
            weights.append(Weight("beta", shape, c["beta_initializer"], role="offset (beta)",
                                  dims=note))
        weights += [
            Weight("moving_mean", shape, c["moving_mean_initializer"], trainable=False,
                   role="moving mean (not trained)", dims=note),
            Weight("moving_variance", shape, c["moving_variance_initializer"], trainable=False,
                   role="moving variance (not trained)", dims=note),
        ]
        return weights
