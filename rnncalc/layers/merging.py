"""Layers over several tensors: Add, Subtract, Multiply, Average, Maximum, Minimum,
Concatenate and Dot, with Keras 3's mask rules.

Keras 3 (``keras/src/layers/merging``) treats masks per merge: ``Add``,
``Subtract`` and ``Average`` ignore them in the arithmetic; ``Multiply`` reads
masked positions as 1 and, when every input is masked, zeroes the positions
no input keeps; ``Maximum`` and ``Minimum`` take a masked position from the
other operand. The output mask is the OR of the input masks when every
input has one, else none (``Concatenate`` and ``Dot`` have their own rules).
"""

from __future__ import annotations

from typing import Any

from rnncalc.errors import SpecError
from rnncalc.layers.arguments import LAYER_BASE_ARGS, Arg, boolean, integer, is_int, show
from rnncalc.layers.base import Layer
from rnncalc.layers.counting import ADD, CMP, MAC, MUL, CostTerm, describe_dims, size
from rnncalc.layers.shapes import Dim, Shape, format_shape, normalize_axis
from rnncalc.layers.torch_modules import TorchModule


def _shapes_text(shapes: list[Shape]) -> str:
    return ", ".join(format_shape(s) for s in shapes)


class ElementwiseMerge(Layer):
    """Keras' ``Merge`` shape rule: right-aligned broadcasting, batch sizes agree."""

    MAX_INPUTS = None
    IGNORED_ARGS = LAYER_BASE_ARGS

    @staticmethod
    def _broadcast(a: tuple[Dim, ...], b: tuple[Dim, ...], shapes: list[Shape]) -> tuple[Dim, ...]:
        if len(a) < len(b):
            a, b = b, a
        out = list(a[: len(a) - len(b)])
        for i, j in zip(a[len(a) - len(b):], b):
            if i is None or j is None:
                out.append(None)
            elif i == 1:
                out.append(j)
            elif j == 1 or i == j:
                out.append(i)
            else:
                raise SpecError(f"inputs have incompatible shapes: {_shapes_text(shapes)}")
        return tuple(out)

    def output_shapes(self, inputs: list[Shape]) -> list[Shape]:
        batches = {s[0] for s in inputs if s} - {None}
        if len(batches) > 1:
            raise SpecError(f"inputs have different batch sizes: {_shapes_text(inputs)}")
        body = inputs[0][1:]
        for shape in inputs[1:]:
            body = self._broadcast(body, shape[1:], inputs)
        return [(batches.pop() if batches else None, *body)]

    #: ``(what, op, per input beyond the first)``: n inputs cost ``n−1`` ops per
    #: output element when true, one op when false.
    MERGE_OPS: tuple[tuple[str, str, bool], ...] = ()

    def cost(self, inputs: list[Shape], outputs: list[Shape],
             convention: str = "keras") -> list[CostTerm]:
        y, n = outputs[0], len(inputs)
        return [CostTerm(what, op, n - 1 if each else 1, size(y), "n−1" if each else "1",
                         f"{n - 1 if each else 1}", describe_dims(y, 0))
                for what, op, each in self.MERGE_OPS]

    # -- forward pass ---------------------------------------------------------------

    SUPPORTS_MASKING = True
    TAKES_INPUT_MASKS = True

    def forward(self, inputs: list[Any], weights: dict[str, Any], mask: Any = None) -> list[Any]:
        """``mask``: every input's mask (a list), as the engine hands it to merges."""
        import numpy as np

        # Keras: inputs of lower rank gain axes at position 1 (after the batch axis).
        rank = max(x.ndim for x in inputs)
        xs = []
        for x in inputs:
            while x.ndim < rank:
                x = np.expand_dims(x, 1)
            xs.append(x)
        masks = list(mask) if isinstance(mask, (list, tuple)) else [mask] + [None] * (
            len(xs) - 1)
        return [self.merge_masked(xs, masks) if any(m is not None for m in masks)
                else self.merge(xs)]

    def merge(self, xs: list[Any]) -> Any:
        """The element-wise function of the input tensors."""
        raise NotImplementedError

    def merge_masked(self, xs: list[Any], masks: list[Any]) -> Any:
        """The merge when some input carries a mask (Add, Subtract, Average ignore it)."""
        return self.merge(xs)

    def compute_mask(self, inputs: list[Any], masks: list[Any]) -> list[Any]:
        # Keras: the OR of the inputs' masks, or none unless every input has one.
        if any(m is None for m in masks):
            return [None]
        out = masks[0]
        for m in masks[1:]:
            out = out | m
        return [out]


class Add(ElementwiseMerge):
    """Element-wise sum."""

    kind = "Add"
    MERGE_OPS = (("sum", ADD, True),)

    def merge(self, xs: list[Any]) -> Any:
        return sum(xs[1:], start=xs[0])


class Subtract(ElementwiseMerge):
    """Element-wise difference of exactly two tensors."""

    kind = "Subtract"
    MERGE_OPS = (("difference", ADD, True),)
    MIN_INPUTS = 2
    MAX_INPUTS = 2

    def merge(self, xs: list[Any]) -> Any:
        return xs[0] - xs[1]


class Multiply(ElementwiseMerge):
    """Element-wise product."""

    kind = "Multiply"
    MERGE_OPS = (("product", MUL, True),)

    def merge(self, xs: list[Any]) -> Any:
        out = xs[0]
        for x in xs[1:]:
            out = out * x
        return out

    def merge_masked(self, xs: list[Any], masks: list[Any]) -> Any:
        """Masked positions count as 1; with every input masked, unkept positions are 0."""
        import numpy as np

        kept = None
        out = None
        for x, m in zip(xs, masks):
            if m is not None:
                m = _widen(m, x)
                x = np.where(m, x, np.ones((), x.dtype))
                kept = m if kept is None else kept | m
            out = x if out is None else out * x
        if all(m is not None for m in masks):
            out = np.where(kept, out, np.zeros((), out.dtype))
        return out


class Average(ElementwiseMerge):
    """Element-wise mean."""

    kind = "Average"
    MERGE_OPS = (("sum", ADD, True), ("scale by 1/n", MUL, False))

    def merge(self, xs: list[Any]) -> Any:
        return sum(xs[1:], start=xs[0]) / len(xs)


def _widen(mask: Any, x: Any) -> Any:
    """A (batch, steps) mask broadcast over the features of ``x``, as Keras widens it."""
    import numpy as np

    return np.broadcast_to(mask[..., None], x.shape)


class _Extremum(ElementwiseMerge):
    """Maximum and Minimum: a masked position takes the other operand's value."""

    MERGE_OPS = (("comparison", CMP, True),)

    def op(self, a: Any, b: Any) -> Any:
        raise NotImplementedError

    def merge(self, xs: list[Any]) -> Any:
        out = xs[0]
        for x in xs[1:]:
            out = self.op(out, x)
        return out

    def merge_masked(self, xs: list[Any], masks: list[Any]) -> Any:
        import numpy as np

        out, out_mask = None, None
        for x, m in zip(xs, masks):
            m = None if m is None else _widen(m, x)
            if out is None:
                out, out_mask = x, m
                continue
            if m is not None:
                x = np.where(m, x, out)
            if out_mask is not None:
                out = np.where(out_mask, out, x)
            out_mask = out_mask | m if m is not None and out_mask is not None else None
            out = self.op(out, x)
        return out


class Maximum(_Extremum):
    """Element-wise maximum."""

    kind = "Maximum"

    def op(self, a: Any, b: Any) -> Any:
        import numpy as np

        return np.maximum(a, b)


class Minimum(_Extremum):
    """Element-wise minimum."""

    kind = "Minimum"

    def op(self, a: Any, b: Any) -> Any:
        import numpy as np

        return np.minimum(a, b)


def _dot_axes(value: Any) -> int | tuple[int, int]:
    if is_int(value):
        return value
    if isinstance(value, (list, tuple)) and len(value) == 2 and all(is_int(v) for v in value):
        return (value[0], value[1])
    raise SpecError(f"expected an axis or a list of 2 axes, got {show(value)}")


class Dot(Layer):
    """Per-sample dot product of two tensors over ``axes`` (cosine with ``normalize``)."""

    kind = "Dot"
    IGNORED_ARGS = LAYER_BASE_ARGS
    MIN_INPUTS = 2
    MAX_INPUTS = 2
    ARGS = (Arg("axes", _dot_axes), Arg("normalize", boolean, False))
    SUPPORTS_MASKING = True

    def _axes(self, a: Shape, b: Shape) -> tuple[int, int]:
        axes = self.config["axes"]
        pair = (axes % len(a), axes % len(b)) if is_int(axes) and axes < 0 else (
            (axes, axes) if is_int(axes) else axes)
        out = []
        for ax, shape in zip(pair, (a, b)):
            if not -len(shape) <= ax < len(shape):
                raise SpecError(f"argument 'axes': {ax} is out of range for input "
                                f"{format_shape(shape)}")
            if ax % len(shape) == 0:
                raise SpecError("argument 'axes': cannot take the dot product over the batch "
                                "axis (0)")
            out.append(ax % len(shape))
        return out[0], out[1]

    def output_shapes(self, inputs: list[Shape]) -> list[Shape]:
        a, b = inputs
        i, j = self._axes(a, b)
        if a[i] != b[j]:
            raise SpecError(f"incompatible input shapes: axis {i} of {format_shape(a)} has "
                            f"{a[i]} values, axis {j} of {format_shape(b)} has {b[j]}")
        batches = {a[0], b[0]} - {None}
        if len(batches) > 1:
            raise SpecError(f"inputs have different batch sizes: {_shapes_text(inputs)}")
        out = [d for k, d in enumerate(a) if k != i] + [d for k, d in enumerate(b)
                                                        if k not in (0, j)]
        return [tuple(out) if len(out) > 1 else (out[0], 1)]

    def cost(self, inputs: list[Shape], outputs: list[Shape],
             convention: str = "keras") -> list[CostTerm]:
        """Per output element: ``D`` MACs over the contracted axis."""
        a, b = inputs
        i, _ = self._axes(a, b)
        d, y = a[i], outputs[0]
        terms = [CostTerm("dot product", MAC, d or 1, size(y), "D", f"{d}",
                          describe_dims(y, 0))]
        if self.config["normalize"]:
            for x in inputs:
                terms.append(CostTerm("L2 normalize: square, sum, scale", MUL, 3, size(x), "3",
                                      "3", describe_dims(x, 0)))
        return terms

    def forward(self, inputs: list[Any], weights: dict[str, Any], mask: Any = None) -> list[Any]:
        import numpy as np

        a, b = inputs
        i, j = self._axes(a.shape, b.shape)
        if self.config["normalize"]:
            a, b = _l2_normalize(a, i), _l2_normalize(b, j)
        left = np.moveaxis(a, i, -1)                    # (batch, *rest_a, D)
        right = np.moveaxis(b, j, 1)                    # (batch, D, *rest_b)
        rest_a, rest_b = left.shape[1:-1], right.shape[2:]
        y = np.matmul(left.reshape(len(a), -1, left.shape[-1]),
                      right.reshape(len(b), right.shape[1], -1))
        y = y.reshape(len(a), *rest_a, *rest_b)
        return [y if y.ndim > 1 else y[:, None]]

    def compute_mask(self, inputs: list[Any], masks: list[Any]) -> list[Any]:
        return [None]

    def torch_modules(self, inputs: list[Shape]) -> list[TorchModule]:
        return [TorchModule("(torch.bmm)", (), ("torch.nn has no Dot layer: torch.bmm (or "
                                                "torch.einsum) over the chosen axes",))]


def _l2_normalize(x: Any, axis: int) -> Any:
    """Keras' ``normalize``: ``x · min(1/‖x‖, 1/epsilon)`` with epsilon 1e-7."""
    import numpy as np

    square_sum = np.sum(np.square(x), axis=axis, keepdims=True)
    with np.errstate(divide="ignore"):
        inv = np.minimum(1.0 / np.sqrt(square_sum), 1e7)
    return (x * inv).astype(x.dtype, copy=False)


class Concatenate(Layer):
    """Joins tensors along ``axis``; every other dim must match."""

    kind = "Concatenate"
    IGNORED_ARGS = LAYER_BASE_ARGS
    MAX_INPUTS = None
    ARGS = (Arg("axis", integer, -1),)

    def output_shapes(self, inputs: list[Shape]) -> list[Shape]:
        rank = len(inputs[0])
        if any(len(s) != rank for s in inputs):
            raise SpecError(f"inputs must all have the same rank, got {_shapes_text(inputs)}")
        try:
            axis = normalize_axis(self.config["axis"], rank)
        except ValueError:
            raise SpecError(f"argument 'axis': {self.config['axis']} is out of range for "
                            f"inputs of rank {rank}") from None
        for i in range(rank):
            if i == axis:
                continue
            known = {s[i] for s in inputs} - {None}
            if len(known) > 1:
                raise SpecError("inputs must match in every dim except the concatenation "
                                f"axis ({self.config['axis']}), got {_shapes_text(inputs)}")
        out = list(inputs[0])
        total: Dim = 0
        for s in inputs:
            if s[axis] is None or total is None:
                total = None
            else:
                total += s[axis]
        out[axis] = total
        return [tuple(out)]

    SUPPORTS_MASKING = True

    def forward(self, inputs: list[Any], weights: dict[str, Any], mask: Any = None) -> list[Any]:
        import numpy as np

        return [np.concatenate(inputs, axis=self.config["axis"])]

    def compute_mask(self, inputs: list[Any], masks: list[Any]) -> list[Any]:
        import numpy as np

        if all(m is None for m in masks):
            return [None]
        # Keras: each mask widened to its input's shape, joined, then any() over the last axis
        full = [np.ones(x.shape, bool) if m is None
                else (np.broadcast_to(m[..., None], x.shape) if m.ndim < x.ndim else m)
                for x, m in zip(inputs, masks)]
        return [np.any(np.concatenate(full, axis=self.config["axis"]), axis=-1)]
