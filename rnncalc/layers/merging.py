"""Concatenate, Add, Subtract, Multiply and Average: layers over several tensors."""

from __future__ import annotations

from typing import Any

from rnncalc.errors import SpecError
from rnncalc.layers.arguments import Arg, integer
from rnncalc.layers.base import Layer
from rnncalc.layers.counting import ADD, MUL, CostTerm, describe_dims, size
from rnncalc.layers.shapes import Dim, Shape, format_shape, normalize_axis


def _shapes_text(shapes: list[Shape]) -> str:
    return ", ".join(format_shape(s) for s in shapes)


class ElementwiseMerge(Layer):
    """Keras' ``Merge`` shape rule: right-aligned broadcasting, batch sizes agree."""

    MAX_INPUTS = None

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

    def forward(self, inputs: list[Any], weights: dict[str, Any], mask: Any = None) -> list[Any]:
        return [self.merge(inputs)]

    def merge(self, xs: list[Any]) -> Any:
        """The element-wise function of the input tensors."""
        raise NotImplementedError

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


class Average(ElementwiseMerge):
    """Element-wise mean."""

    kind = "Average"
    MERGE_OPS = (("sum", ADD, True), ("scale by 1/n", MUL, False))

    def merge(self, xs: list[Any]) -> Any:
        return sum(xs[1:], start=xs[0]) / len(xs)


class Concatenate(Layer):
    """Joins tensors along ``axis``; every other dim must match."""

    kind = "Concatenate"
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
