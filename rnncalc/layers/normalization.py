"""LayerNormalization and BatchNormalization."""

from __future__ import annotations

from typing import Any

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


def _broadcast(rank: int, axis: int | tuple[int, ...],
               shape: tuple[int, ...]) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(normalized axes, the shape a weight of those axes broadcasts as)."""
    chosen = sorted({a % rank for a in ((axis,) if isinstance(axis, int) else axis)})
    return tuple(chosen), tuple(shape[i] if i in chosen else 1 for i in range(rank))


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

    SUPPORTS_MASKING = True

    def forward(self, inputs: list[Any], weights: dict[str, Any], mask: Any = None) -> list[Any]:
        import numpy as np

        x = inputs[0]
        axes, shape = _broadcast(x.ndim, self.config["axis"], x.shape)
        c = self.config
        mean = np.mean(x, axis=axes, keepdims=True)
        var = np.var(x, axis=axes, keepdims=True)
        inv = 1.0 / np.sqrt(var + c["epsilon"])
        if c["rms_scaling"]:
            # Keras 3 scales by the variance here too (not the raw mean square).
            y = x * inv
            if "gamma" in weights:
                y = y * weights["gamma"].reshape(shape)
            return [y.astype(x.dtype, copy=False)]
        if "gamma" in weights:
            inv = inv * weights["gamma"].reshape(shape)
        y = (x - mean) * inv
        if "beta" in weights:
            y = y + weights["beta"].reshape(shape)
        return [y.astype(x.dtype, copy=False)]


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
    SUPPORTS_MASKING = True

    def forward(self, inputs: list[Any], weights: dict[str, Any], mask: Any = None) -> list[Any]:
        import numpy as np

        x = inputs[0]
        _, shape = _broadcast(x.ndim, self.config["axis"], x.shape)
        # inference: the moving statistics, never the batch's
        inv = 1.0 / np.sqrt(weights["moving_variance"].reshape(shape) + self.config["epsilon"])
        if "gamma" in weights:
            inv = inv * weights["gamma"].reshape(shape)
        y = (x - weights["moving_mean"].reshape(shape)) * inv
        if "beta" in weights:
            y = y + weights["beta"].reshape(shape)
        return [y.astype(x.dtype, copy=False)]
