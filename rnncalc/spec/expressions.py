"""Keras call expressions such as ``LSTM(3, return_sequences=True)``.

They are parsed with :mod:`ast` and turned into data; nothing is ever
evaluated. Only literals, lists/tuples/dicts of literals, nested calls and
dotted names (``tf.keras.layers.LSTM``, ``tf.int32``) are allowed.
"""

from __future__ import annotations

import ast
from typing import Any

from rnncalc.errors import SpecError
from rnncalc.layers.calls import Call, dotted_name, kind_name
from rnncalc.spec import placeholders

MAX_EXPRESSION_CHARS = 10_000
MAX_NESTING = 32

# Dotted references whose last part is a value Keras accepts as a string.
# Modules a dotted name may go through (``tf.keras.layers.LSTM``, ``np.float32``);
# anything else (``os.system``) is refused before any lookup.
_MODULES = {"tf", "tensorflow", "keras", "layers", "initializers", "activations", "nn",
            "math", "compat", "v1", "v2", "np", "numpy", "dtypes", "src", "rnn", "core",
            "models", "K", "backend", "mixed_precision", "legacy", "tf_keras", "ops",
            "regularizers", "constraints"}
_NAMED_VALUES = {"float16", "bfloat16", "float32", "float64", "int8", "int16", "int32",
                 "int64", "uint8", "bool"}


def parse_call(text: str) -> Call:
    """Parse ``Name(args...)`` into a :class:`Call`, or raise :class:`SpecError`."""
    if not isinstance(text, str):
        raise SpecError(f"expected a call expression string, got {type(text).__name__}")
    source = text.strip()
    if len(source) > MAX_EXPRESSION_CHARS:
        raise SpecError(f"expression is {len(source):,} characters long; refused")
    if _bracket_depth(source) > 4 * MAX_NESTING:  # refuse before the parser recurses
        raise SpecError(f"expression {_clip(source)} is nested too deeply")
    try:
        tree = ast.parse(placeholders.mark_source(source), mode="eval")
    except SyntaxError as err:
        col = f" at column {err.offset}" if err.offset else ""
        raise SpecError(f"cannot parse expression {_clip(source)}{col}: "
                        f"{str(err.msg).split(';')[0]}") from None
    except (ValueError, RecursionError, MemoryError) as err:
        why = str(err).split(";")[0] if isinstance(err, ValueError) else "too complex"
        raise SpecError(f"cannot parse expression {_clip(source)}: {why}") from None
    if not isinstance(tree.body, ast.Call):
        raise SpecError(f"expected a call like 'LSTM(3)', got {_clip(source)}")
    return _call(tree.body, 0)


def _dotted(node: ast.AST) -> str | None:
    """:func:`dotted_name`, refusing dunder names and prefixes other than tf/keras."""
    name = dotted_name(node)
    if name is None:
        return None
    parts = name.split(".")
    if any(p.startswith("__") or p.endswith("__") for p in parts):
        raise SpecError("dunder names are not allowed in expressions")
    if any(p not in _MODULES for p in parts[:-1]):
        raise SpecError(f"'{name}' is not a Keras name: only dotted names under "
                        "tf/keras (like 'tf.keras.layers.LSTM') are allowed")
    return name


_TORCH_PREFIXES = ("nn", "torch.nn")


def _keras_equivalent(module: str, node: ast.Call) -> str:
    """What a ``torch.nn`` call is written as in Keras (the common modules), or ``""``."""
    args = [ast.unparse(a) for a in node.args]
    kw = {k.arg: ast.unparse(k.value) for k in node.keywords if k.arg}
    pos = (args + [kw.get(k, "?") for k in ("input_size", "hidden_size")])[:2]
    if module in ("LSTM", "GRU", "RNN") and len(pos) == 2:
        keras = {"RNN": "SimpleRNN"}.get(module, module)
        layer = f"{keras}({pos[1]}, return_sequences=True)"
        if kw.get("bidirectional") == "True":
            layer = f"Bidirectional({layer})"
        return (f"{layer} on input of shape (timesteps, {pos[0]}) (--input-shape T,{pos[0]})"
                + ("; stack num_layers layers" if "num_layers" in kw else ""))
    if module == "Linear" and len(args) >= 2:
        return f"Dense({args[1]}) on {args[0]} input features"
    if module == "Embedding" and len(args) >= 2:
        return f"Embedding({args[0]}, {args[1]})"
    if module == "Conv1d" and len(args) >= 3:
        return f"Conv1D({args[1]}, {args[2]}) on {args[0]} channels (channels last)"
    return ""


def _refuse_torch(name: str, node: ast.Call) -> None:
    prefix, _, module = name.rpartition(".")
    if prefix not in _TORCH_PREFIXES:
        return
    same = _keras_equivalent(module, node)
    raise SpecError(f"'{ast.unparse(node)}' is a PyTorch module; rnncalc reads Keras layers"
                    + (f": write {same}" if same else "")
                    + ", and add --convention pytorch to count it as torch.nn does")


def _call(node: ast.Call, depth: int) -> Call:
    if depth > MAX_NESTING:
        raise SpecError("expression nested too deeply")
    torch_name = dotted_name(node.func)
    if torch_name:
        _refuse_torch(torch_name, node)
    name = _dotted(node.func)
    if name is None:
        raise SpecError("only calls of plain names like 'LSTM(...)' or "
                        "'tf.keras.layers.LSTM(...)' are allowed")
    args = []
    for arg in node.args:
        if isinstance(arg, ast.Starred):
            raise SpecError("*args are not allowed in expressions")
        args.append(_value(arg, depth + 1))
    kwargs: dict[str, Any] = {}
    for kw in node.keywords:
        if kw.arg is None:
            raise SpecError("**kwargs are not allowed in expressions")
        if kw.arg in kwargs:
            raise SpecError(f"argument '{kw.arg}' given twice")
        kwargs[kw.arg] = _value(kw.value, depth + 1)
    return Call(kind_name(name), tuple(args), kwargs)


def _value(node: ast.AST, depth: int) -> Any:
    if depth > MAX_NESTING:
        raise SpecError("expression nested too deeply")
    if isinstance(node, ast.Constant):
        if isinstance(node.value, (bytes, complex)) or node.value is Ellipsis:
            raise SpecError(f"unsupported literal {ast.unparse(node)!r}")
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        inner = _value(node.operand, depth + 1)
        if isinstance(inner, bool) or not isinstance(inner, (int, float)):
            raise SpecError(f"unsupported expression {ast.unparse(node)!r}")
        return -inner if isinstance(node.op, ast.USub) else inner
    if isinstance(node, (ast.Tuple, ast.List)):
        items = [_value(e, depth + 1) for e in node.elts]
        return tuple(items) if isinstance(node, ast.Tuple) else items
    if isinstance(node, ast.Dict):
        result = {}
        for key, value in zip(node.keys, node.values):
            if key is None:
                raise SpecError("**mappings are not allowed in expressions")
            k = _value(key, depth + 1)
            if isinstance(k, (list, dict, Call)):
                raise SpecError(f"mapping keys must be plain values, got {ast.unparse(key)!r}")
            result[k] = _value(value, depth + 1)
        return result
    if isinstance(node, ast.Call):
        return _call(node, depth + 1)
    if isinstance(node, ast.Lambda):    # Lambda(lambda x: ...): carried as source, never run
        return ast.unparse(node)
    if isinstance(node, ast.Name) and placeholders.from_name(node.id):
        return placeholders.from_name(node.id)
    if isinstance(node, (ast.Name, ast.Attribute)):
        name = _dotted(node)
        if name is not None:
            last = name.split(".")[-1]
            if "." in name and last in _NAMED_VALUES | _activation_names():
                return last
            raise SpecError(f"names are not evaluated: write the value of '{name}' instead")
    raise SpecError(f"only literal values and calls are allowed, got "
                    f"{_clip(ast.unparse(node))}")


def _clip(text: str, limit: int = 80) -> str:
    """Source text for an error message, shortened: messages stay one readable line."""
    return repr(text if len(text) <= limit else text[:limit - 3] + "...")


def _bracket_depth(text: str) -> int:
    depth = deepest = 0
    for ch in text:
        if ch in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in ")]}":
            depth -= 1
    return deepest


def _activation_names() -> set[str]:
    from rnncalc.layers.activations import ACTIVATIONS

    return set(ACTIVATIONS)
