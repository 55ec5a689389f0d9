"""What operations on Keras tensors mean to the static reader.

Keras 3 records ``keras.ops.sum(x, axis=1)``, ``x * y``, ``x @ y``, ``-x`` and
``x[:, -1]`` in a functional model as nodes of their own (named from the
session's counters, like layers). :class:`OpsReading`, mixed into the reader,
turns each into a call of the matching operation kind (``ops.sum``,
``ops.multiply``, ``ops.get_item``, ...), so a model built with them is read
like any other; a Python number beside a tensor is a constant operand.

TensorFlow functions (``tf.reduce_sum``, ``tf.nn.softmax``, ``tf.concat``) and
``keras.backend`` ones (``K.sum``) are what tf.keras 2 notebooks write there.
Keras 3 refuses them on its tensors, so the honest reading is the ``keras.ops``
node a Keras 3 port writes, with a note naming the line that needs it.
"""

from __future__ import annotations

import ast
from typing import Any

from rnncalc.interop.code_values import (
    CallResult,
    LayerObj,
    Opaque,
    Tensor,
    Unknown,
    needs,
    source_text,
)
from rnncalc.layers.calls import Call

#: Python operators on Keras tensors -> the operation Keras 3 records.
BINARY_OPERATORS: dict[type, str] = {
    ast.Add: "add", ast.Sub: "subtract", ast.Mult: "multiply", ast.Div: "true_divide",
    ast.MatMult: "matmul", ast.Pow: "power", ast.FloorDiv: "floor_divide", ast.Mod: "mod",
}
COMPARISON_OPERATORS: dict[type, str] = {
    ast.Gt: "greater", ast.GtE: "greater_equal", ast.Lt: "less", ast.LtE: "less_equal",
    ast.Eq: "equal", ast.NotEq: "not_equal",
}
#: TensorFlow / ``keras.backend`` functions -> (the keras.ops function, keyword renames,
#: defaults where theirs differ from keras.ops'). Positional order is keras.ops'.
TF_EQUIVALENTS: dict[str, tuple[str, dict[str, str], dict[str, Any]]] = {
    "reduce_sum": ("sum", {"input_tensor": "x"}, {}),
    "reduce_mean": ("mean", {"input_tensor": "x"}, {}),
    "reduce_max": ("max", {"input_tensor": "x"}, {}),
    "reduce_min": ("min", {"input_tensor": "x"}, {}),
    "reduce_prod": ("prod", {"input_tensor": "x"}, {}),
    "expand_dims": ("expand_dims", {"input": "x"}, {}),
    "squeeze": ("squeeze", {"input": "x"}, {}),
    "concat": ("concatenate", {"values": "xs"}, {}),
    "stack": ("stack", {"values": "x"}, {}),
    "matmul": ("matmul", {"a": "x1", "b": "x2"}, {}),
    "transpose": ("transpose", {"a": "x", "perm": "axes"}, {}),
    "reshape": ("reshape", {"tensor": "x", "shape": "newshape"}, {}),
    "softmax": ("softmax", {"logits": "x"}, {}),
    "log_softmax": ("log_softmax", {"logits": "x"}, {}),
    "einsum": ("einsum", {"equation": "subscripts"}, {}),
    "cast": ("cast", {}, {}),
    "where": ("where", {"x": "x1", "y": "x2"}, {}),
    "one_hot": ("one_hot", {"indices": "x", "depth": "num_classes"}, {}),
    "argmax": ("argmax", {"input": "x"}, {"axis": 0}),
    "argmin": ("argmin", {"input": "x"}, {"axis": 0}),
    "clip_by_value": ("clip", {"t": "x", "clip_value_min": "x_min",
                               "clip_value_max": "x_max"}, {}),
    "tile": ("tile", {"input": "x", "multiples": "repeats"}, {}),
    "reduce_logsumexp": ("logsumexp", {"input_tensor": "x"}, {}),
    **{name: (name, {}, {}) for name in (
        "tanh", "sigmoid", "relu", "exp", "log", "sqrt", "square", "abs", "add", "subtract",
        "multiply", "divide", "maximum", "minimum", "negative", "sign", "softplus")},
}
#: ``keras.backend`` (tf.keras 2) spellings, which differ from TensorFlow's.
BACKEND_EQUIVALENTS: dict[str, tuple[str, dict[str, str], dict[str, Any]]] = {
    **{name: (name, {}, {}) for name in ("sum", "mean", "max", "min", "prod", "tanh",
                                         "sigmoid", "relu", "exp", "log", "sqrt", "square",
                                         "abs", "softmax", "cast", "reshape", "stack",
                                         "squeeze", "maximum", "minimum")},
    "expand_dims": ("expand_dims", {}, {"axis": -1}),
    "concatenate": ("concatenate", {"tensors": "xs"}, {"axis": -1}),
    "permute_dimensions": ("transpose", {"pattern": "axes"}, {}),
    "transpose": ("transpose", {}, {}),
    "one_hot": ("one_hot", {"indices": "x"}, {}),
    "argmax": ("argmax", {}, {"axis": -1}),
    "argmin": ("argmin", {}, {"axis": -1}),
    "clip": ("clip", {"min_value": "x_min", "max_value": "x_max"}, {}),
    "repeat_elements": ("repeat", {"rep": "repeats"}, {}),
    "tile": ("tile", {"n": "repeats"}, {}),
    "logsumexp": ("logsumexp", {}, {}),
}


def _is_tensor(value: Any) -> bool:
    return isinstance(value, (Tensor, CallResult))


def _as_tensor(value: Any) -> Any:
    return value.tensor(0) if isinstance(value, CallResult) else value


def _plain_constant(value: Any) -> bool:
    if isinstance(value, (list, tuple)):
        return all(_plain_constant(v) for v in value)
    return isinstance(value, (bool, int, float))


def touches_tensors(args: list[Any], kwargs: dict[str, Any]) -> bool:
    """Whether any argument (or list item) is a Keras tensor or an unreadable one."""
    for value in [*args, *kwargs.values()]:
        items = value if isinstance(value, (list, tuple)) else [value]
        if any(_is_tensor(v) or isinstance(v, Opaque) for v in items):
            return True
    return False


class OpsReading:
    """Operations on Keras tensors, mixed into the reader (which gives ``where``,
    ``namer``, ``notes`` and ``call_layer``)."""

    def operation(self, function: str, args: list[Any], kwargs: dict[str, Any],
                  node: ast.AST) -> Any:
        """``keras.ops.<function>(*args, **kwargs)`` on tensors: a node of that operation."""
        from rnncalc.errors import SpecError
        from rnncalc.layers import KIND_MODULES, Namer, layer_class

        kind = f"ops.{function}"
        where = self.where(node)  # type: ignore[attr-defined]
        if kind not in KIND_MODULES:
            return Opaque(f"'{source_text(node)}' ({where}): rnncalc does not model the Keras "
                          f"operation ops.{function} yet")
        cls = layer_class(kind)
        bound: dict[str, Any] = {}
        rest = list(args)
        for name in cls.parameters():
            if name.startswith("*"):
                bound[name[1:]] = rest
                rest = []
                break
            if rest:
                bound[name] = rest.pop(0)
        if rest:
            return Opaque(f"'{source_text(node)}' ({where}): too many arguments for "
                          f"ops.{function}")
        for key, value in kwargs.items():
            if key in bound:
                return Opaque(f"'{source_text(node)}' ({where}): argument '{key}' given twice")
            bound[key] = value
        tensors: list[Any] = []
        config: dict[str, Any] = {}
        for name, value in bound.items():
            operand = name in cls.OPERANDS
            items = list(value) if operand and cls.VARIADIC and isinstance(
                value, (list, tuple)) else [value]
            for item in items:
                if isinstance(item, (Opaque, Unknown)) and operand:
                    tensors.append(item)        # call_layer explains it
                elif operand and _is_tensor(item):
                    tensors.append(_as_tensor(item))
                elif isinstance(item, Unknown):
                    return Opaque(needs(item, f"ops.{function} ({where})"))
                elif operand and cls.VARIADIC:
                    return Opaque(f"'{source_text(node)}' ({where}): ops.{function} takes "
                                  "Keras tensors in its list")
                elif operand and not _plain_constant(item):
                    return Opaque(f"'{source_text(node)}' ({where}): operand '{name}' of "
                                  f"ops.{function} is neither a Keras tensor nor a number")
                else:
                    config[name] = list(item) if isinstance(item, tuple) else item
        if not any(_is_tensor(t) for t in tensors) and not any(
                isinstance(t, (Opaque, Unknown)) for t in tensors):
            return self.unknown(node)  # type: ignore[attr-defined]
        try:
            made = cls.from_call(Call(kind, (), config), Namer())
        except SpecError as err:
            return Opaque(f"ops.{function} ({where}): {err}")
        # inside a custom layer's call an operation is no model node Keras names: its own
        # counter, so the model's names are not moved
        namer = getattr(self, "layer_call_namer", None) or self.namer  # type: ignore[attr-defined]
        name = namer.auto(cls.KERAS_CLASS)
        layer = LayerObj(Call(kind, (), {**config, "name": name}), name, where)
        result = self.call_layer(layer, [tensors], {}, node)  # type: ignore[attr-defined]
        if not isinstance(result, CallResult):
            return result
        count = made.output_count()  # type: ignore[attr-defined]
        return [result.tensor(k) for k in range(count)] if count > 1 else result.tensor(0)

    def foreign_function(self, dotted: str, args: list[Any], kwargs: dict[str, Any],
                         node: ast.AST) -> Any:
        """A TensorFlow or ``keras.backend`` function on Keras tensors: the keras.ops node
        a Keras 3 port writes, noted (Keras 3 itself refuses the call); ``None`` when the
        function has no equivalent here."""
        parts = dotted.split(".")
        table = BACKEND_EQUIVALENTS if "backend" in parts or parts[0] == "K" else TF_EQUIVALENTS
        found = table.get(parts[-1])
        if found is None:
            return None
        function, renames, defaults = found
        kwargs = {renames.get(k, k): v for k, v in kwargs.items()}
        kwargs = {**{k: v for k, v in defaults.items() if k not in kwargs}, **kwargs}
        result = self.operation(function, args, kwargs, node)
        # inside a custom layer's call TensorFlow functions are fine (they see backend
        # tensors there), so only calls on a model's Keras tensors are noted
        if not isinstance(result, (Opaque, Unknown)) and \
                not getattr(self, "in_layer_call", 0):
            written = ast.unparse(node.func) if isinstance(node, ast.Call) else dotted
            self.notes.append(  # type: ignore[attr-defined]
                f"{self.where(node)}: {written}(...) is read as keras.ops.{function} "  # type: ignore[attr-defined]
                "(Keras 3 refuses TensorFlow and keras.backend functions on Keras tensors: "
                f"write ops.{function} there)")
        return result

    def tensor_operator(self, op: ast.AST, a: Any, b: Any | None, node: ast.AST) -> Any:
        """``a <op> b`` (``b`` is ``None`` for unary minus) with a Keras tensor on a side."""
        if b is None:
            if isinstance(op, ast.USub):
                return self.operation("negative", [a], {}, node)
            return Opaque(f"'{source_text(node)}' ({self.where(node)}): Keras tensors take "  # type: ignore[attr-defined]
                          "no unary '+' or '~' (Keras raises TypeError)")
        function = BINARY_OPERATORS.get(type(op)) or COMPARISON_OPERATORS.get(type(op))
        if function is None:
            return Opaque(f"tensor arithmetic '{source_text(node)}' ({self.where(node)}) "  # type: ignore[attr-defined]
                          "is not an operation rnncalc models")
        return self.operation(function, [a, b], {}, node)

    def tensor_subscript(self, owner: Any, key: Any, node: ast.AST) -> Any:
        """``x[key]`` on a Keras tensor: Keras' GetItem (``key`` as index values)."""
        from rnncalc.errors import SpecError
        from rnncalc.layers.tensor_ops import subscript

        try:
            text = subscript(key)
        except SpecError as err:
            return Opaque(f"'{source_text(node)}' ({self.where(node)}): {err}")  # type: ignore[attr-defined]
        return self.operation("get_item", [owner], {"key": text}, node)
