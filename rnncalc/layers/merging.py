"""Concatenate, Add, Subtract, Multiply and Average: layers over several tensors."""

from __future__ import annotations

from rnncalc.arguments import Arg, integer
from rnncalc.errors import SpecError
from rnncalc.layers.base import Layer
from rnncalc.shapes import Dim, Shape, format_shape, normalize_axis


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


class Add(ElementwiseMerge):
    """Element-wise sum."""

    kind = "Add"


class Subtract(ElementwiseMerge):
    """Element-wise difference of exactly two tensors."""

    kind = "Subtract"
    MIN_INPUTS = 2
    MAX_INPUTS = 2


class Multiply(ElementwiseMerge):
    """Element-wise product."""

    kind = "Multiply"


class Average(ElementwiseMerge):
    """Element-wise mean."""

    kind = "Average"


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
