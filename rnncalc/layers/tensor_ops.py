"""Keras 3 operations that move, join, index or contract tensors: ``expand_dims``,
``squeeze``, ``concatenate``, ``stack``, ``transpose``, ``reshape``, ``matmul``,
``einsum``, ``take``, ``split`` and ``x[...]`` (Keras' ``GetItem``).

Each shape rule is Keras' own (``keras/src/ops/numpy.py``): unknown dims
stay unknown, a known dim is checked where Keras checks it, and the messages
say what Keras says. See :mod:`rnncalc.layers.operations` for why operations
are kinds and how a spec writes them.
"""

from __future__ import annotations

import ast
from typing import Any

from rnncalc.errors import SpecError
from rnncalc.layers.arguments import (
    DTYPES,
    Arg,
    choice,
    integer,
    is_int,
    optional,
    positive_int,
    show,
)
from rnncalc.layers.counting import MAC, CostTerm, describe_dims, size
from rnncalc.layers.operations import Op, axis_or_none, broadcast, check_axis, keras_shape
from rnncalc.layers.shapes import Dim, Shape


def _axes_list(value: Any) -> tuple[int, ...]:
    axis = axis_or_none(value)
    if axis is None:
        raise SpecError("expected an axis (integer) or a list of axes, got null")
    return (axis,) if is_int(axis) else tuple(axis)


def _optional_axes(value: Any) -> tuple[int, ...] | None:
    return None if value is None else _axes_list(value)


class ExpandDims(Op):
    """``ops.expand_dims(x, axis)``: a new axis of size 1 at ``axis`` (of the output)."""

    kind = "ops.expand_dims"
    KERAS_CLASS = "ExpandDims"
    TORCH = "torch.unsqueeze"
    ARGS = (Arg("axis", axis_or_none),)

    def shape(self, operands: list[Shape]) -> list[Shape]:
        axes = _axes_list(self.config["axis"])
        rank = len(operands[0]) + len(axes)
        picked = sorted(check_axis(a, rank) for a in axes)
        out = list(operands[0])
        for a in picked:
            out.insert(a, 1)
        return [tuple(out)]

    def compute(self, values: list[Any]) -> list[Any]:
        import numpy as np

        return [np.expand_dims(values[0], _axes_list(self.config["axis"]))]

    def torch_call(self) -> str:
        return f"torch.unsqueeze(x, {self.config['axis']})"


class Squeeze(Op):
    """``ops.squeeze(x, axis=None)``: drop size-1 axes (the given ones must be 1)."""

    kind = "ops.squeeze"
    KERAS_CLASS = "Squeeze"
    TORCH = "torch.squeeze"
    ARGS = (Arg("axis", _optional_axes, None),)

    def _axes(self, x: Shape) -> list[int]:
        axes = self.config["axis"]
        if axes is None:
            return [i for i, d in enumerate(x) if d == 1]
        for a in axes:
            check_axis(a, len(x))
            if x[a] != 1:
                raise SpecError(f"Cannot squeeze axis {a}, because the dimension is not 1.")
        return sorted(a % len(x) for a in axes)

    def shape(self, operands: list[Shape]) -> list[Shape]:
        x = operands[0]
        drop = self._axes(x)
        return [tuple(d for i, d in enumerate(x) if i not in drop)]

    def compute(self, values: list[Any]) -> list[Any]:
        import numpy as np

        x = values[0]
        return [np.squeeze(x, axis=tuple(self._axes(tuple(x.shape))))]

    def torch_call(self) -> str:
        axis = self.config["axis"]
        return "torch.squeeze(x)" if axis is None else f"torch.squeeze(x, {list(axis)})"


class Concatenate(Op):
    """``ops.concatenate(xs, axis=0)``: tensors joined along ``axis`` (note: 0 by default,
    as NumPy; ``layers.Concatenate`` defaults to -1)."""

    kind = "ops.concatenate"
    KERAS_CLASS = "Concatenate"
    TORCH = "torch.cat"
    OPERANDS = ("xs",)
    VARIADIC = True
    ARGS = (Arg("axis", integer, 0),)

    def shape(self, operands: list[Shape]) -> list[Shape]:
        rank = len(operands[0])
        axis = check_axis(self.config["axis"], rank)
        out: list[Dim] = list(operands[0])
        for s in operands[1:]:
            if len(s) != rank:
                raise SpecError(f"all the input arrays must have same number of dimensions, "
                                f"got {keras_shape(operands[0])} and {keras_shape(s)}")
            for i, d in enumerate(s):          # other dims: the first input's (Keras)
                if i == axis:
                    out[i] = None if out[i] is None or d is None else out[i] + d
                elif out[i] is not None and d is not None and d != out[i]:
                    raise SpecError(f"Every value in `xs` must have the same shape except on "
                                    f"the `axis` dim. But found element of shape {tuple(s)}, "
                                    f"which is different from the first element's shape "
                                    f"{tuple(operands[0])}.")
        return [tuple(out)]

    def compute(self, values: list[Any]) -> list[Any]:
        import numpy as np

        return [np.concatenate(values, axis=self.config["axis"])]

    def torch_call(self) -> str:
        return f"torch.cat([...], dim={self.config['axis']})"


class Stack(Op):
    """``ops.stack(xs, axis=0)``: tensors of one shape stacked along a new axis."""

    kind = "ops.stack"
    KERAS_CLASS = "Stack"
    TORCH = "torch.stack"
    OPERANDS = ("x",)
    VARIADIC = True
    ARGS = (Arg("axis", integer, 0),)

    def shape(self, operands: list[Shape]) -> list[Shape]:
        first = operands[0]
        out: list[Dim] = list(first)
        for s in operands[1:]:
            if len(s) != len(first) or any(a is not None and b is not None and a != b
                                            for a, b in zip(s, first)):
                raise SpecError(f"all input tensors must have the same shape, got "
                                f"{', '.join(keras_shape(x) for x in operands)}")
        axis = check_axis(self.config["axis"], len(first) + 1)
        out.insert(axis, len(operands))
        return [tuple(out)]

    def compute(self, values: list[Any]) -> list[Any]:
        import numpy as np

        return [np.stack(values, axis=self.config["axis"])]

    def torch_call(self) -> str:
        return f"torch.stack([...], dim={self.config['axis']})"


class Transpose(Op):
    """``ops.transpose(x, axes=None)``: axes permuted (reversed by default)."""

    kind = "ops.transpose"
    KERAS_CLASS = "Transpose"
    TORCH = "torch.permute"
    ARGS = (Arg("axes", _optional_axes, None),)

    def _perm(self, rank: int) -> tuple[int, ...]:
        axes = self.config["axes"]
        if axes is None:
            return tuple(reversed(range(rank)))
        if len(axes) != rank:
            raise SpecError(f"axis must be a list of the same length as the input shape, "
                            f"expected {rank}, but received {len(axes)}.")
        perm = tuple(check_axis(a, rank) for a in axes)
        if sorted(perm) != list(range(rank)):
            raise SpecError(f"axes don't match array: {list(axes)} is not a permutation of "
                            f"the {rank} axes of the input")
        return perm

    def shape(self, operands: list[Shape]) -> list[Shape]:
        x = operands[0]
        return [tuple(x[a] for a in self._perm(len(x)))]

    def compute(self, values: list[Any]) -> list[Any]:
        import numpy as np

        return [np.transpose(values[0], self._perm(values[0].ndim))]

    def torch_call(self) -> str:
        axes = self.config["axes"]
        return "x.T" if axes is None else f"torch.permute(x, {tuple(axes)})"


def _newshape(value: Any) -> tuple[int, ...]:
    items = (value,) if is_int(value) else value
    if not isinstance(items, (list, tuple)) or not all(
            is_int(d) and (d > 0 or d == -1) for d in items) or list(items).count(-1) > 1:
        raise SpecError(f"expected a shape of positive integers with at most one -1, got "
                        f"{show(value)}")
    return tuple(items)


class Reshape(Op):
    """``ops.reshape(x, newshape)``: the batch axis included (``-1`` stands for the rest)."""

    kind = "ops.reshape"
    KERAS_CLASS = "Reshape"
    TORCH = "torch.reshape"
    ARGS = (Arg("newshape", _newshape),)

    def shape(self, operands: list[Shape]) -> list[Shape]:
        x, new = operands[0], self.config["newshape"]
        known = None if any(d is None for d in x) else _prod(x)
        if -1 not in new:
            if known is not None and _prod(new) != known:
                raise SpecError(f"The total size of the tensor must be unchanged. Received: "
                                f"input_shape={tuple(x)}, newshape={tuple(new)}")
            return [tuple(new)]
        rest = _prod([d for d in new if d != -1])
        if known is None:
            return [tuple(None if d == -1 else d for d in new)]
        if known % rest:
            raise SpecError(f"The total size of the tensor must be unchanged. Received: "
                            f"input_shape={tuple(x)}, newshape={tuple(new)}")
        return [tuple(known // rest if d == -1 else d for d in new)]

    def compute(self, values: list[Any]) -> list[Any]:
        return [values[0].reshape(self.config["newshape"])]

    def torch_call(self) -> str:
        return f"torch.reshape(x, {tuple(self.config['newshape'])})"


def _prod(dims: Any) -> int:
    out = 1
    for d in dims:
        out *= d
    return out


def matmul_shape(a: Shape, b: Shape) -> Shape:
    """NumPy's (and Keras') matmul rule: the last two axes multiply, the ones before
    broadcast, a rank-1 operand gains and then loses an axis. The Lambda walker uses it
    too."""
    if not a or not b:
        raise SpecError("matmul takes tensors of rank 1 or more, got a scalar")
    x = (1, *a) if len(a) == 1 else a
    y = (*b, 1) if len(b) == 1 else b
    if x[-1] is not None and y[-2] is not None and x[-1] != y[-2]:
        raise SpecError(f"Inner dimensions (`x1.shape[-1]` and `x2.shape[-2]`) must be "
                        f"equal, but received `x1.shape={tuple(a)}` and "
                        f"`x2.shape={tuple(b)}`.")
    out = [*broadcast(x[:-2], y[:-2]), x[-2], y[-1]]
    if len(a) == 1:
        del out[-2]
    if len(b) == 1:
        del out[-1]
    return tuple(out)


class Matmul(Op):
    """``ops.matmul(x1, x2)`` (also ``x1 @ x2``): matrix product over the last two axes,
    leading axes broadcast."""

    kind = "ops.matmul"
    KERAS_CLASS = "Matmul"
    TORCH = "torch.matmul"
    OPERANDS = ("x1", "x2")

    def shape(self, operands: list[Shape]) -> list[Shape]:
        return [matmul_shape(*operands)]

    def compute(self, values: list[Any]) -> list[Any]:
        import numpy as np

        return [np.matmul(values[0], values[1])]

    def cost(self, inputs: list[Shape], outputs: list[Shape],
             convention: str = "keras") -> list[CostTerm]:
        a = self.operand_shapes(inputs)[0]
        k, y = a[-1], outputs[0]
        return [CostTerm("matrix product", MAC, k or 1, size(y), "K", f"{k}",
                         describe_dims(y, 0))]

    def torch_call(self) -> str:
        return "torch.matmul(x1, x2)"


def _subscripts(value: Any) -> str:
    if not isinstance(value, str) or "->" not in value or "." in value:
        raise SpecError(f"expected einsum subscripts with an explicit output, like "
                        f"'btd,bsd->bts' (no '...'), got {show(value)}")
    return value.replace(" ", "")


class Einsum(Op):
    """``ops.einsum(subscripts, *operands)``: a labelled contraction (explicit ``->`` form)."""

    kind = "ops.einsum"
    KERAS_CLASS = "Einsum"
    TORCH = "torch.einsum"
    OPERANDS = ("operands",)
    VARIADIC = True
    ARGS = (Arg("subscripts", _subscripts),)

    def _letters(self, operands: list[Shape]) -> tuple[dict[str, Dim], list[str], str]:
        inputs, output = self.config["subscripts"].split("->")
        terms = inputs.split(",")
        if len(terms) != len(operands):
            raise SpecError(f"einsum subscripts {self.config['subscripts']!r} name "
                            f"{len(terms)} operands, got {len(operands)} tensors")
        sizes: dict[str, Dim] = {}
        for term, shape in zip(terms, operands):
            if len(term) != len(shape):
                raise SpecError(f"einsum term {term!r} has {len(term)} labels for a tensor "
                                f"of shape {keras_shape(shape)}")
            for letter, d in zip(term, shape):
                old = sizes.get(letter)
                if old is not None and d is not None and d != old and 1 not in (d, old):
                    raise SpecError(f"einsum label {letter!r} has size {old} and {d}")
                sizes[letter] = d if old in (None, 1) else old
        for letter in output:
            if letter not in sizes:
                raise SpecError(f"einsum output label {letter!r} is in no operand")
        return sizes, terms, output

    def shape(self, operands: list[Shape]) -> list[Shape]:
        sizes, _, output = self._letters(operands)
        return [tuple(sizes[c] for c in output)]

    def compute(self, values: list[Any]) -> list[Any]:
        import numpy as np

        return [np.einsum(self.config["subscripts"], *values)]

    def cost(self, inputs: list[Shape], outputs: list[Shape],
             convention: str = "keras") -> list[CostTerm]:
        sizes, _, output = self._letters(inputs)
        summed = [c for c in sizes if c not in output]
        per = _prod(sizes[c] or 1 for c in summed)
        y = outputs[0]
        return [CostTerm("contraction", MAC, per, size(y), "·".join(summed) or "1", f"{per}",
                         describe_dims(y, 0))]

    @classmethod
    def parameters(cls) -> tuple[str, ...]:
        return ("subscripts", "*operands")

    def keras_code(self, tensors: list[str]) -> str:
        return f"ops.einsum({self.config['subscripts']!r}, {', '.join(tensors)})"

    def torch_call(self) -> str:
        return f"torch.einsum({self.config['subscripts']!r}, ...)"


# -- indexing ------------------------------------------------------------------------------

Index = Any    # int, slice, None (a new axis) or Ellipsis


def _index_item(node: ast.expr, text: str) -> Index:
    if isinstance(node, ast.Slice):
        parts = [None if p is None else _index_int(p, text) for p in
                 (node.lower, node.upper, node.step)]
        if parts[2] == 0:
            raise SpecError(f"key {text!r}: slice step cannot be zero")
        return slice(*parts)
    if isinstance(node, ast.Constant) and (node.value is None or node.value is Ellipsis):
        return node.value
    return _index_int(node, text)


def _index_int(node: ast.expr, text: str) -> int:
    try:
        value = ast.literal_eval(node)
    except ValueError:
        value = None
    if not is_int(value):
        raise SpecError(f"key {text!r}: only integers, slices (a:b:c), None and ... can "
                        "index a tensor here")
    return value


def index_key(value: Any) -> tuple[Index, ...]:
    """A subscript written as source text (``"[:, -1, :]"`` or ``":, -1"``) as a tuple of
    ints, slices, ``None`` and ``...``; parsed, never evaluated."""
    if value is None or value is Ellipsis or isinstance(value, slice):
        raise SpecError(f"Unsupported key type for array slice. Received: `{value!r}` (Keras "
                        "takes an int or a tuple here: write x[:, ...] or x[::2,])")
    if isinstance(value, tuple):
        for k in value:
            ok = k is None or k is Ellipsis or is_int(k) or (isinstance(k, slice) and all(
                p is None or is_int(p) for p in (k.start, k.stop, k.step)))
            if not ok:
                raise SpecError(f"key item {k!r}: only integers, slices, None and ... can "
                                "index a tensor here")
        if sum(1 for k in value if k is Ellipsis) > 1:
            raise SpecError("an index can only have a single ellipsis ('...')")
        return value
    if is_int(value):
        return (value,)
    if not isinstance(value, str) or len(value) > 200:
        raise SpecError(f"expected a subscript like '[:, -1, :]', got {show(value)}")
    text = value.strip()
    inner = text[1:-1] if text.startswith("[") and text.endswith("]") else text
    try:
        node = ast.parse(f"x[{inner}]", mode="eval").body
    except SyntaxError:
        raise SpecError(f"cannot read the subscript {value!r}") from None
    assert isinstance(node, ast.Subscript)
    if not isinstance(node.slice, ast.Tuple):
        return index_key(_index_item(node.slice, value))     # bare: an int, or refused
    key = tuple(_index_item(item, value) for item in node.slice.elts)
    if sum(1 for k in key if k is Ellipsis) > 1:
        raise SpecError(f"key {value!r}: an index can only have a single ellipsis ('...')")
    return key


def subscript(value: Any) -> str:
    """A subscript argument, checked and kept as its normalized source text (``[:, -1]``):
    text is what a spec, an export and Keras code all write."""
    return key_text(index_key(value))


def key_text(key: tuple[Index, ...]) -> str:
    """A subscript tuple as source text: ``[:, -1, :]``."""
    def one(k: Index) -> str:
        if isinstance(k, slice):
            parts = ["" if p is None else str(p) for p in (k.start, k.stop)]
            return ":".join(parts) + ("" if k.step is None else f":{k.step}")
        return "..." if k is Ellipsis else str(k)
    if len(key) == 1 and not is_int(key[0]):
        return f"[{one(key[0])},]"          # a one-item tuple: Keras refuses a bare slice
    return "[" + ", ".join(one(k) for k in key) + "]"


class GetItem(Op):
    """``x[key]`` on a Keras tensor (Keras' ``GetItem``): ints, slices, ``None``, ``...``.

    The key indexes every axis, the batch axis first (``x[:, -1]`` keeps the batch;
    ``x[0]`` drops it, as in Keras).
    """

    kind = "ops.get_item"
    KERAS_CLASS = "GetItem"
    TORCH = "x[...]"
    ARGS = (Arg("key", subscript),)

    @property
    def key(self) -> tuple[Index, ...]:
        return index_key(self.config["key"])

    def _expanded(self, rank: int) -> tuple[Index, ...]:
        key = self.key
        used = sum(1 for k in key if k is not None and k is not Ellipsis)
        if used > rank:
            raise SpecError(f"too many indices for a tensor of rank {rank}: "
                            f"{self.config['key']}")
        if Ellipsis in key:
            at = key.index(Ellipsis)
            return (*key[:at], *[slice(None)] * (rank - used), *key[at + 1:])
        return (*key, *[slice(None)] * (rank - used))

    def shape(self, operands: list[Shape]) -> list[Shape]:
        x = operands[0]
        out: list[Dim] = []
        axis = 0
        for k in self._expanded(len(x)):
            if k is None:
                out.append(1)
                continue
            d = x[axis]
            axis += 1
            if isinstance(k, slice):
                out.append(None if d is None else len(range(*k.indices(d))))
            elif d is not None and not -d <= k < d:
                raise SpecError(f"Array has shape {tuple(x)} but out-of-bounds index "
                                f"{self.config['key']} was requested.")
        return [tuple(out)]

    def compute(self, values: list[Any]) -> list[Any]:
        return [values[0][self.key]]

    def keras_code(self, tensors: list[str]) -> str:
        return f"{tensors[0]}{self.config['key']}"

    def torch_call(self) -> str:
        return f"x{self.config['key']}"


def _indices(value: Any) -> Any:
    if is_int(value):
        return value
    if isinstance(value, (list, tuple)) and value and all(is_int(v) for v in value):
        return list(value)
    raise SpecError(f"expected an index or a list of indices, got {show(value)}")


class Take(Op):
    """``ops.take(x, indices, axis=None)``: entries at constant indices along ``axis``."""

    kind = "ops.take"
    KERAS_CLASS = "Take"
    TORCH = "torch.index_select"
    ARGS = (Arg("indices", _indices), Arg("axis", lambda v: None if v is None else integer(v),
                                          None))

    def shape(self, operands: list[Shape]) -> list[Shape]:
        x, indices, axis = operands[0], self.config["indices"], self.config["axis"]
        picked: tuple[Dim, ...] = () if is_int(indices) else (len(indices),)
        if axis is None:
            return [picked]
        a = check_axis(axis, len(x))       # Keras checks no index before it runs
        return [(*x[:a], *picked, *x[a + 1:])]

    def compute(self, values: list[Any]) -> list[Any]:
        import numpy as np

        try:
            return [np.take(values[0], self.config["indices"], axis=self.config["axis"])]
        except IndexError as err:
            raise SpecError(f"ops.take: {err}") from None

    def torch_call(self) -> str:
        return f"torch.index_select(x, {self.config['axis']}, torch.tensor(...))"


def _sections(value: Any) -> Any:
    if is_int(value) and value > 0:
        return value
    if isinstance(value, (list, tuple)) and all(is_int(v) for v in value):
        return list(value)
    raise SpecError(f"expected a number of sections or a list of split indices, got "
                    f"{show(value)}")


class Split(Op):
    """``ops.split(x, indices_or_sections, axis=0)``: several tensors, one per piece."""

    kind = "ops.split"
    KERAS_CLASS = "Split"
    TORCH = "torch.split"
    ARGS = (Arg("indices_or_sections", _sections), Arg("axis", integer, 0))

    def shape(self, operands: list[Shape]) -> list[Shape]:
        x, spec = operands[0], self.config["indices_or_sections"]
        a = check_axis(self.config["axis"], len(x))
        d = x[a]
        if is_int(spec):
            if d is not None and d % spec:
                raise SpecError(f"`x` size on given `axis` must be divisible by "
                                f"`indices_or_sections` when `indices_or_sections` is an "
                                f"int. But received {d} and {spec}.")
            sizes: list[Dim] = [None if d is None else d // spec] * spec
        elif d is None:      # pieces between known indices are known; the last is not
            edges = [0, *spec]
            sizes = [max(0, hi - lo) for lo, hi in zip(edges, edges[1:])] + [None]
        else:                # Keras: plain differences, a negative one refused
            edges = [0, *spec, d]
            sizes = [hi - lo for lo, hi in zip(edges, edges[1:])]
            if any(n < 0 for n in sizes):
                raise SpecError(f"split indices {spec} do not fit axis {a} of size {d}: a "
                                f"piece would have {min(sizes)} entries (Keras: negative "
                                "dimensions are not allowed)")
        return [(*x[:a], n, *x[a + 1:]) for n in sizes]

    def output_count(self) -> int:
        spec = self.config["indices_or_sections"]
        return spec if is_int(spec) else len(spec) + 1

    def compute(self, values: list[Any]) -> list[Any]:
        import numpy as np

        return list(np.split(values[0], self.config["indices_or_sections"],
                             axis=self.config["axis"]))

    def torch_call(self) -> str:
        return f"torch.tensor_split(x, {self.config['indices_or_sections']}, " \
               f"dim={self.config['axis']})"



class Dot(Op):
    """``ops.dot(x1, x2)``: NumPy's dot, the last axis of ``x1`` against the second-to-last
    of ``x2`` (not ``layers.Dot``, which keeps the batch axis apart).

    Keras' shape rule is NumPy's (``(B, 6, 4)·(B, 4, 3)`` is ``(B, 6, B, 3)``), and so are
    its TensorFlow and JAX backends; its torch backend computes a batched matmul instead
    (``(B, 6, 3)``), which then disagrees with the shape Keras declared. rnncalc follows
    the shape rule; ``ops.matmul`` is what batched code means.
    """

    kind = "ops.dot"
    KERAS_CLASS = "Dot"
    TORCH = "torch.tensordot"
    OPERANDS = ("x1", "x2")

    def shape(self, operands: list[Shape]) -> list[Shape]:
        a, b = operands
        if not a or not b:
            return [b if not a else a]          # a scalar scales the other tensor
        inner = b[-2] if len(b) > 1 else b[-1]
        if a[-1] is not None and inner is not None and a[-1] != inner:
            raise SpecError(f"Shape must match on the last axis of `x1` and second last "
                            f"axis of `x2` when x1 is N-d array while x2 is M-D, but "
                            f"received `x1.shape={tuple(a)}` and x2.shape=`{tuple(b)}`.")
        return [(*a[:-1], *b[:-2], b[-1]) if len(b) > 1 else a[:-1]]

    def compute(self, values: list[Any]) -> list[Any]:
        import numpy as np

        return [np.dot(values[0], values[1])]

    def cost(self, inputs: list[Shape], outputs: list[Shape],
             convention: str = "keras") -> list[CostTerm]:
        a = self.operand_shapes(inputs)[0]
        k, y = (a[-1] if a else 1), outputs[0]
        return [CostTerm("dot product", MAC, k or 1, size(y), "K", f"{k}", describe_dims(y, 0))]

    def torch_call(self) -> str:
        return "torch.tensordot(x1, x2, dims=([-1], [-2]))"


def _repeats(value: Any) -> Any:
    if is_int(value) and value >= 0:
        return value
    if isinstance(value, (list, tuple)) and value and all(is_int(v) and v >= 0 for v in value):
        return list(value)
    raise SpecError(f"expected a non-negative count or a list of them, got {show(value)}")


class Tile(Op):
    """``ops.tile(x, repeats)``: the tensor repeated whole along each axis (a shorter
    ``repeats`` applies to the last axes, a longer one adds leading axes)."""

    kind = "ops.tile"
    KERAS_CLASS = "Tile"
    TORCH = "torch.tile"
    ARGS = (Arg("repeats", _repeats),)

    def shape(self, operands: list[Shape]) -> list[Shape]:
        x, reps = operands[0], self.config["repeats"]
        reps = [reps] if is_int(reps) else list(reps)
        x = (1,) * (len(reps) - len(x)) + tuple(x)
        reps = [1] * (len(x) - len(reps)) + reps
        return [tuple(None if d is None else d * r for d, r in zip(x, reps))]

    def compute(self, values: list[Any]) -> list[Any]:
        import numpy as np

        return [np.tile(values[0], self.config["repeats"])]

    def torch_call(self) -> str:
        return f"torch.tile(x, {self.config['repeats']})"


class Repeat(Op):
    """``ops.repeat(x, repeats, axis=None)``: each entry repeated along ``axis`` (``None``:
    the flattened tensor)."""

    kind = "ops.repeat"
    KERAS_CLASS = "Repeat"
    TORCH = "torch.repeat_interleave"
    ARGS = (Arg("repeats", _repeats), Arg("axis", lambda v: None if v is None else integer(v),
                                          None))

    def shape(self, operands: list[Shape]) -> list[Shape]:
        x, reps, axis = operands[0], self.config["repeats"], self.config["axis"]
        if axis is None:
            n = None if any(d is None for d in x) else _prod(x)
            dims: tuple[Dim, ...] = (n,)
            a = 0
        else:
            a = check_axis(axis, len(x))
            dims = tuple(x)
        d = dims[a]
        if is_int(reps):
            new = None if d is None else d * reps
        else:
            if d is not None and len(reps) != d:
                raise SpecError(f"repeats has {len(reps)} entries for an axis of size {d}")
            new = sum(reps)
        return [(*dims[:a], new, *dims[a + 1:])]

    def compute(self, values: list[Any]) -> list[Any]:
        import numpy as np

        return [np.repeat(values[0], self.config["repeats"], axis=self.config["axis"])]

    def torch_call(self) -> str:
        return f"torch.repeat_interleave(x, {self.config['repeats']}, dim={self.config['axis']})"


def _not_sparse(value: Any) -> bool:
    if value is not False:
        raise SpecError("rnncalc models dense one-hot tensors only (sparse=False)")
    return False


class OneHot(Op):
    """``ops.one_hot(x, num_classes, axis=-1)``: integer ids as one-hot vectors (a new axis
    of ``num_classes``); an id outside ``[0, num_classes)`` is all zeros, as Keras' NumPy,
    TensorFlow and JAX backends give it (its torch backend raises instead)."""

    kind = "ops.one_hot"
    KERAS_CLASS = "OneHot"
    KERAS_MODULE = "nn"
    TORCH = "torch.nn.functional.one_hot"
    ARGS = (Arg("num_classes", positive_int), Arg("axis", integer, -1),
            Arg("dtype", optional(choice(*DTYPES)), None), Arg("sparse", _not_sparse, False))

    @property
    def dtype(self) -> str:
        return self.config["dtype"] or "float32"

    def shape(self, operands: list[Shape]) -> list[Shape]:
        x = operands[0]
        a = check_axis(self.config["axis"], len(x) + 1)
        out = list(x)
        out.insert(a, self.config["num_classes"])
        return [tuple(out)]

    def compute(self, values: list[Any]) -> list[Any]:
        import numpy as np

        ids = values[0].astype(np.int64)
        n = self.config["num_classes"]
        y = (ids[..., None] == np.arange(n)).astype(self.dtype)
        return [np.moveaxis(y, -1, self.config["axis"])]

    def torch_call(self) -> str:
        return f"torch.nn.functional.one_hot(x, {self.config['num_classes']}).float()"

