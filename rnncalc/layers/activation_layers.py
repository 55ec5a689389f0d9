"""Activation functions with their own arguments, as layers: ReLU, LeakyReLU, PReLU, ELU,
Softmax (with its mask rule)."""

from __future__ import annotations

from typing import Any

from rnncalc.errors import SpecError
from rnncalc.layers.arguments import (
    LAYER_BASE_ARGS,
    Arg,
    anything,
    axes,
    is_int,
    number,
    optional,
    show,
)
from rnncalc.layers.base import Layer, Weight, require_known
from rnncalc.layers.counting import ACT, ADD, MUL, CostTerm, describe_dims, size
from rnncalc.layers.initializers import init_arg
from rnncalc.layers.shapes import Shape, format_shape, normalize_axis
from rnncalc.layers.torch_modules import TorchModule, TorchParam


def non_negative(value: Any) -> float:
    """Slopes, thresholds and clip values: Keras refuses negative ones."""
    result = number(value)
    if result < 0:
        raise SpecError(f"expected a non-negative number, got {show(value)}")
    return result


def _per_element(what: str, op: str, x: Shape) -> CostTerm:
    return CostTerm(what, op, 1, size(x), "1", "1", describe_dims(x, 0))


class ElementwiseActivation(Layer):
    """An activation with arguments: shape kept, mask passed on, one op per element."""

    SUPPORTS_MASKING = True
    WHAT = "activation"
    IGNORED_ARGS = LAYER_BASE_ARGS

    def cost(self, inputs: list[Shape], outputs: list[Shape],
             convention: str = "keras") -> list[CostTerm]:
        return [_per_element(f"{self.WHAT} per element", ACT, inputs[0])]


class ReLU(ElementwiseActivation):
    """``relu`` with Keras' ``max_value``, ``negative_slope`` and ``threshold``."""

    kind = "ReLU"
    ARGS = (Arg("max_value", optional(non_negative), None),
            Arg("negative_slope", non_negative, 0.0),
            Arg("threshold", non_negative, 0.0))
    WHAT = "relu"

    def forward(self, inputs: list[Any], weights: dict[str, Any], mask: Any = None) -> list[Any]:
        import numpy as np

        c = self.config
        x = inputs[0]
        slope, top, threshold = c["negative_slope"], c["max_value"], c["threshold"]
        if slope and top is None and not threshold:
            return [np.where(x >= 0, x, slope * x).astype(x.dtype, copy=False)]
        y = np.where(x > threshold, x, 0) if threshold else np.maximum(x, 0)
        if top is not None:
            y = np.clip(y, 0, top)
        if slope:
            y = y - slope * np.maximum(threshold - x, 0)
        return [y.astype(x.dtype, copy=False)]

    def torch_modules(self, inputs: list[Shape]) -> list[TorchModule]:
        c = self.config
        slope, top, threshold = c["negative_slope"], c["max_value"], c["threshold"]
        if not slope and not threshold:
            if top is None:
                return [TorchModule("nn.ReLU()")]
            if top == 6:
                return [TorchModule("nn.ReLU6()")]
            return [TorchModule(f"nn.Hardtanh(0.0, {top})")]
        if slope and top is None and not threshold:
            return [TorchModule(f"nn.LeakyReLU({slope})")]
        if threshold and not slope and top is None:
            return [TorchModule(f"nn.Threshold({threshold}, 0.0)", (),
                                ("nn.Threshold keeps x > threshold, as Keras does",))]
        return [TorchModule("(no single torch.nn module)", (),
                            ("this ReLU (slope, threshold and max_value together) is several "
                             "torch ops: clamp, where and a scaled relu",))]


class LeakyReLU(ElementwiseActivation):
    """``x`` for ``x >= 0``, ``negative_slope · x`` below (Keras' default slope is 0.3)."""

    kind = "LeakyReLU"
    # ``alpha``: the Keras 2 name Keras 3 still reads (tf.keras configs write it).
    ARGS = (Arg("negative_slope", non_negative, 0.3),
            Arg("alpha", optional(non_negative), None, positional=False))
    WHAT = "leaky relu"

    @classmethod
    def check_config(cls, config: dict[str, Any]) -> None:
        if config["alpha"] is not None:
            config["negative_slope"], config["alpha"] = config["alpha"], None

    def forward(self, inputs: list[Any], weights: dict[str, Any], mask: Any = None) -> list[Any]:
        import numpy as np

        x = inputs[0]
        return [np.where(x >= 0, x, self.config["negative_slope"] * x).astype(x.dtype,
                                                                              copy=False)]

    def torch_modules(self, inputs: list[Shape]) -> list[TorchModule]:
        slope = self.config["negative_slope"]
        return [TorchModule(f"nn.LeakyReLU({slope})", (),
                            ("torch's default negative_slope is 0.01, Keras' 0.3: pass it",))]


class ELU(ElementwiseActivation):
    """``x`` for ``x > 0``, ``alpha · (exp(x) − 1)`` below."""

    kind = "ELU"
    ARGS = (Arg("alpha", number, 1.0),)
    WHAT = "elu"

    def forward(self, inputs: list[Any], weights: dict[str, Any], mask: Any = None) -> list[Any]:
        import numpy as np

        x = inputs[0]
        neg = self.config["alpha"] * np.expm1(np.minimum(x, 0))
        return [np.where(x > 0, x, neg).astype(x.dtype, copy=False)]

    def torch_modules(self, inputs: list[Shape]) -> list[TorchModule]:
        return [TorchModule(f"nn.ELU(alpha={self.config['alpha']})")]


def _shared_axes(value: Any) -> tuple[int, ...] | None:
    if value is None:
        return None
    if is_int(value):
        return (value,)
    if isinstance(value, (list, tuple)) and all(is_int(v) for v in value):
        return tuple(value)
    raise SpecError(f"expected an axis or a list of axes, got {show(value)}")


class PReLU(ElementwiseActivation):
    """Leaky relu with a learned slope ``alpha`` per input element (``shared_axes`` share it)."""

    kind = "PReLU"
    ARGS = (init_arg("alpha_initializer", "zeros"),
            Arg("alpha_regularizer", anything, None),
            Arg("alpha_constraint", anything, None),
            Arg("shared_axes", _shared_axes, None))
    WHAT = "prelu"

    def alpha_shape(self, x: Shape) -> tuple[int, ...]:
        shape = list(x[1:])
        for a in self.config["shared_axes"] or ():
            if not -len(shape) <= a - 1 < len(shape):     # Keras sets param_shape[a - 1]
                raise SpecError(f"argument 'shared_axes': axis {a} is out of range for input "
                                f"{format_shape(x)}")
            shape[a - 1] = 1
        return tuple(require_known(d, f"axis {i + 1}", x) for i, d in enumerate(shape))

    def build_weights(self, inputs: list[Shape]) -> list[Weight]:
        shape = self.alpha_shape(inputs[0])
        shared = set(self.config["shared_axes"] or ())
        dims = tuple("1 (shared)" if (i + 1) in shared else f"{d} along axis {i + 1}"
                     for i, d in enumerate(shape))
        return [Weight("alpha", shape, self.config["alpha_initializer"],
                       role="negative slope (alpha)", dims=dims)]

    def cost(self, inputs: list[Shape], outputs: list[Shape],
             convention: str = "keras") -> list[CostTerm]:
        x = inputs[0]
        return [_per_element("relu of x and of −x", ACT, x),
                _per_element("scale the negative part by alpha", MUL, x),
                _per_element("add the parts", ADD, x)]

    def forward(self, inputs: list[Any], weights: dict[str, Any], mask: Any = None) -> list[Any]:
        import numpy as np

        x = inputs[0]
        return [(np.maximum(x, 0) - weights["alpha"] * np.maximum(-x, 0)).astype(x.dtype,
                                                                                 copy=False)]

    def torch_modules(self, inputs: list[Shape]) -> list[TorchModule]:
        shape = self.alpha_shape(inputs[0])
        free = [i + 1 for i, d in enumerate(shape) if d != 1]
        t = self.trainable
        if len(free) > 1:
            return [TorchModule("(no torch.nn equivalent)",
                                (TorchParam("alpha", shape, "negative slope (alpha)",
                                            trainable=t),),
                                ("nn.PReLU learns one slope or one per channel (dim 1); an "
                                 f"alpha of shape {shape} needs a custom module",))]
        n = shape[free[0] - 1] if free else 1
        notes = ["nn.PReLU starts alpha at 0.25, Keras' PReLU at zeros"]
        if free and free[0] != 1:
            notes.append(f"nn.PReLU applies its weight along dim 1: move axis {free[0]} to "
                         "dim 1 (permute) first")
        return [TorchModule(f"nn.PReLU({n})" if n > 1 else "nn.PReLU()",
                            (TorchParam("weight", (n,), "negative slope (alpha)",
                                        (f"{n} slopes",), trainable=t),), tuple(notes))]


class Softmax(Layer):
    """Softmax over ``axis`` (one axis or several); a mask sets masked entries to 0."""

    kind = "Softmax"
    ARGS = (Arg("axis", axes, -1),)
    SUPPORTS_MASKING = True
    IGNORED_ARGS = LAYER_BASE_ARGS

    def output_shapes(self, inputs: list[Shape]) -> list[Shape]:
        x = inputs[0]
        for a in (self.config["axis"],) if is_int(self.config["axis"]) else self.config["axis"]:
            try:
                normalize_axis(a, len(x))
            except ValueError:
                raise SpecError(f"argument 'axis': {a} is out of range for input "
                                f"{format_shape(x)}") from None
        return [x]

    def cost(self, inputs: list[Shape], outputs: list[Shape],
             convention: str = "keras") -> list[CostTerm]:
        """Per element: one exp, one add into the sum, one divide."""
        x = inputs[0]
        return [_per_element("exp", ACT, x), _per_element("sum of exps", ADD, x),
                _per_element("divide by the sum", MUL, x)]

    def forward(self, inputs: list[Any], weights: dict[str, Any], mask: Any = None) -> list[Any]:
        import numpy as np

        x = inputs[0]
        axis = self.config["axis"]
        axis = tuple(axis) if isinstance(axis, tuple) else axis
        if mask is not None:
            _check_mask_broadcast(mask.shape, x.shape)
            big = -3e4 if x.dtype == np.float16 else -1e9
            x = np.where(mask, x, np.asarray(big, dtype=x.dtype))
        e = np.exp(x - np.max(x, axis=axis, keepdims=True))
        y = e / np.sum(e, axis=axis, keepdims=True)
        if mask is not None:
            y = np.where(mask, y, 0)
        return [y.astype(inputs[0].dtype, copy=False)]

    def torch_modules(self, inputs: list[Shape]) -> list[TorchModule]:
        axis = self.config["axis"]
        if not is_int(axis) and len(axis) > 1:
            return [TorchModule("(no single torch.nn module)", (),
                                ("softmax over several axes: flatten them, nn.Softmax, "
                                 "reshape back",))]
        a = axis if is_int(axis) else axis[0]
        return [TorchModule(f"nn.Softmax(dim={a})", (),
                            ("PyTorch has no masks: fill masked entries with a large negative "
                             "number before the softmax",))]


def _check_mask_broadcast(mask: tuple[int, ...], x: tuple[int, ...]) -> None:
    """Keras' Softmax rule: the mask must broadcast to the input, aligned on the right."""
    ok = len(mask) <= len(x) and all(m in (1, i) for m, i in zip(mask[::-1], x[::-1]))
    if not ok:
        raise SpecError(f"the mask {format_shape(mask)} does not broadcast to the input "
                        f"{format_shape(x)} (Keras' Softmax aligns the mask with the last "
                        "axes of its input)")
