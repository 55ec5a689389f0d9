"""Model inputs for a run: read from ``--input`` or drawn from ``--seed``.

``--input`` takes ``.npy``, ``.json`` (a nested list, or an object keyed by
input name), ``-`` (JSON on stdin) or ``.npz`` keyed by input name (``input/``
prefixes, as ``run --save`` writes them, are accepted). An array without the
batch axis is a batch of one. Nothing is ever unpickled.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from rnncalc.engine.arrayfile import MAX_FILE_BYTES, check_array_file
from rnncalc.errors import SpecError, did_you_mean
from rnncalc.graph import Graph, Node
from rnncalc.layers.shapes import Shape, format_shape

_SINGLE = ""    # key of an array not named after an input


def _from_json(data: Any, where: str) -> dict[str, np.ndarray]:
    items = data.items() if isinstance(data, dict) else [(_SINGLE, data)]
    out = {}
    for name, value in items:
        _check_leaf_kinds(value, f"{where}: {'input ' + repr(name) + ': ' if name else ''}")
        try:
            arr = np.asarray(value)
        except ValueError:
            raise SpecError(f"{where}: {'input ' + repr(name) + ': ' if name else ''}the nested "
                            "lists are ragged (rows of different lengths)") from None
        if arr.dtype == object:
            raise SpecError(f"{where}: {'input ' + repr(name) + ': ' if name else ''}holds a "
                            "value that is not a number, or an integer too large for a 64-bit "
                            "array")
        out[name] = arr
    return out


def _check_leaf_kinds(value: Any, label: str) -> None:
    """Refuse JSON that mixes strings with numbers (or nulls) in one array.

    Why: NumPy would silently turn ``["a b", 5]`` into the strings ``"a b"``
    and ``"5"``, and ``[1, null]`` into objects; Keras refuses both.
    """
    kinds: set[str] = set()
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
            continue
        kinds.add("text" if isinstance(item, str) else "null" if item is None
                  else "object" if isinstance(item, dict) else "number")
    if "null" in kinds or "object" in kinds:
        what = "null" if "null" in kinds else "an object"
        raise SpecError(f"{label}found {what} among the values; expected numbers "
                        "(or strings for a string input)")
    if len(kinds) > 1:
        raise SpecError(f"{label}mixes strings and numbers in one array; give all "
                        "strings (a string input) or all numbers")

def _json(text: str, where: str) -> Any:
    """JSON text as data; every parse problem is a one-line error naming the file."""
    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in pairs:
            if key in out:
                raise SpecError(f"{where}: the key {key!r} is given twice")
            out[key] = value
        return out

    try:
        return json.loads(text, object_pairs_hook=no_duplicates)
    except json.JSONDecodeError as err:
        raise SpecError(f"{where}:{err.lineno}: invalid JSON (column {err.colno}): "
                        f"{err.msg}") from None
    except ValueError as err:   # an integer of more than 4,300 digits
        raise SpecError(f"{where}: invalid JSON: {str(err).split(';')[0]}") from None
    except RecursionError:
        raise SpecError(f"{where}: JSON nested too deeply") from None


def read_input_file(path: str, stdin_text: str | None = None) -> dict[str, np.ndarray]:
    """Arrays from ``--input``; key ``""`` is an array not named after an input."""
    where = "--input -" if path == "-" else f"--input {path}"
    if path == "-":
        import sys

        text = stdin_text if stdin_text is not None else sys.stdin.read(MAX_FILE_BYTES + 1)
        if len(text) > MAX_FILE_BYTES:
            raise SpecError(f"{where}: more than {MAX_FILE_BYTES:,} characters; refused")
        return _from_json(_json(text, where), where)
    file = Path(path)
    # regular file (or a pipe's bytes), sane size, honest .npy/.npz headers
    source = check_array_file(path, where)
    suffix = file.suffix.lower()
    if suffix not in (".json", ".npy", ".npz") and isinstance(source, io.BytesIO):
        head = source.getvalue()[:8]      # a pipe such as <(...): tell by the content
        suffix = ".npy" if head.startswith(b"\x93NUMPY") else ".npz" if head.startswith(
            b"PK") else ".json" if head.lstrip()[:1] in (b"[", b"{") else suffix
    if suffix == ".json":
        try:
            text = (file.read_text(encoding="utf-8") if isinstance(source, str)
                    else source.getvalue().decode("utf-8"))
        except UnicodeDecodeError:
            raise SpecError(f"{where}: not UTF-8 text") from None
        return _from_json(_json(text, where), where)
    if suffix not in (".npy", ".npz"):
        raise SpecError(f"{where}: expected a .npy, .npz or .json file (or - for JSON on "
                        f"stdin), got '{file.suffix or file.name}'")
    try:
        data = np.load(source, allow_pickle=False)
        if isinstance(data, np.lib.npyio.NpzFile):
            with data:
                return {k.removeprefix("input/"): data[k] for k in data.files
                        if not k.startswith(("output/", "weights/"))}
        return {_SINGLE: data}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as err:
        raise SpecError(f"{where}: cannot read it ({err})") from None


def bind_inputs(graph: Graph, arrays: dict[str, np.ndarray], where: str
                ) -> dict[str, np.ndarray]:
    """Match arrays to the model inputs, add a missing batch axis, check shape and dtype."""
    names = [n.name for n in graph.inputs]
    if _SINGLE in arrays:
        if len(names) != 1:
            raise SpecError(f"{where}: the model has {len(names)} inputs ({', '.join(names)}); "
                            "give an .npz (or a JSON object) keyed by input name")
        arrays = {names[0]: arrays[_SINGLE]}
    elif len(names) == 1 and len(arrays) == 1 and names[0] not in arrays:
        arrays = {names[0]: next(iter(arrays.values()))}
    for key in arrays:
        if key not in names:
            raise SpecError(f"{where}: '{key}' is not a model input (inputs: "
                            f"{', '.join(names)})", hint=did_you_mean(key, names))
    out = {}
    for node in graph.inputs:
        if node.name not in arrays:
            raise SpecError(f"{where}: no array for model input '{node.name}'")
        out[node.name] = _check(node, arrays[node.name], where)
    return out


def _check(node: Node, arr: np.ndarray, where: str) -> np.ndarray:
    declared = node.output_shapes[0]
    label = f"{where}: input '{node.name}'"
    if node.dtype == "string":
        return _check_strings(arr, declared, label)
    if arr.dtype.kind not in "biuf":
        raise SpecError(f"{label}: expected numbers, found dtype {arr.dtype}")
    arr = _batched(arr, declared, label)
    if node.dtype.startswith(("int", "uint")):
        if arr.dtype.kind == "f":
            if not np.all(np.isfinite(arr)) or not np.all(arr == np.round(arr)) or \
                    np.any(np.abs(arr) >= 2**62):
                raise SpecError(f"{label}: expected integer token ids (dtype {node.dtype}), "
                                "found non-integer or out-of-range values")
        elif arr.dtype.kind == "u" and arr.size and arr.max() > np.iinfo(np.int64).max:
            raise SpecError(f"{label}: token id {int(arr.max())} is out of range (dtype "
                            f"{node.dtype}): ids index the vocabulary")
        elif arr.dtype.kind == "b":
            raise SpecError(f"{label}: expected integer token ids (dtype {node.dtype}), "
                            "found booleans")
        return arr.astype(np.int64)
    with np.errstate(over="ignore"):  # beyond float32: inf, as Keras casts it
        return arr.astype(np.float32)


def _batched(arr: np.ndarray, declared: Shape, label: str) -> np.ndarray:
    """``arr`` with its batch axis (added when missing: a batch of one), checked against
    the declared shape."""
    found = arr.shape
    if arr.ndim == len(declared) - 1:
        arr = arr[None]
    if arr.ndim != len(declared) or any(d is not None and d != a
                                        for d, a in zip(declared, arr.shape)):
        raise SpecError(f"{label}: expected shape {format_shape(declared)} (or "
                        f"{format_shape(declared[1:])} for one sample), found "
                        f"{format_shape(found)}")
    return arr


def _check_strings(arr: np.ndarray, declared: Shape, label: str) -> np.ndarray:
    """A string input: text only; ``[n]`` strings for shape ``()`` are a batch of ``n``."""
    if arr.dtype.kind not in "UO" or (arr.dtype.kind == "O" and
                                      not all(isinstance(v, str) for v in arr.ravel())):
        raise SpecError(f"{label}: expected strings (dtype string), found dtype {arr.dtype}")
    arr = _batched(arr, declared, label)
    return arr.astype(object)


def concrete_input_shapes(graph: Graph, batch: int | None = None) -> dict[str, Shape]:
    """Declared input shapes with the batch dim filled (default 1); other dims must be known."""
    out = {}
    for node in graph.inputs:
        shape = list(node.output_shapes[0])
        if shape and shape[0] is None:
            shape[0] = batch or 1
        unknown = [i for i, d in enumerate(shape) if d is None]
        if unknown:
            raise SpecError(f"input '{node.name}' has an unknown dim {unknown[0]} in "
                            f"{format_shape(node.output_shapes[0])}: give --timesteps, "
                            "--input-shape or --input FILE")
        out[node.name] = tuple(shape)
    return out


def random_inputs(graph: Graph, shapes: dict[str, Shape], seed: int) -> dict[str, np.ndarray]:
    """Float inputs uniform in [0, 1); token inputs integers below the Embedding's input_dim.

    A float input that only token layers read (an Embedding first in a Sequential, whose
    input Keras declares float32) gets token ids too, as floats: in [0, 1) every id would
    be 0 and every sample the same.
    """
    rng = np.random.default_rng(seed)
    out = {}
    for node in graph.inputs:
        shape = shapes[node.name]
        if node.dtype == "string":
            out[node.name] = random_strings(graph, node, shape, rng)
        elif node.dtype.startswith(("int", "uint")):
            out[node.name] = rng.integers(0, token_limit(graph, node), size=shape)
        elif _reads_tokens(graph, node):
            out[node.name] = rng.integers(0, token_limit(graph, node), size=shape).astype(
                np.float32)
        else:
            out[node.name] = rng.random(shape, dtype=np.float32)
    return out


def _reads_tokens(graph: Graph, node: Node) -> bool:
    """Every layer reading this input takes token ids (it declares an input range)."""
    readers = [c for c in graph.nodes if any(t.node == node.name for t in c.inbound)]
    return bool(readers) and all(c.layer is not None and c.layer.input_range() is not None
                                 for c in readers)


def token_limit(graph: Graph, node: Node) -> int:
    """The smallest vocabulary among the layers reading this input (10 if none has one)."""
    limits = [c.layer.input_range() for c in graph.nodes
              if c.inbound and c.inbound[0].node == node.name]
    highs = [r[1] for r in limits if r is not None]
    return min(highs) if highs else 10


def random_strings(graph: Graph, node: Node, shape: Shape, rng: np.random.Generator
                   ) -> np.ndarray:
    """Text drawn from the reading layers' vocabulary (plus one unknown word), 1-8 words each."""
    words: list[str] = []
    for c in graph.nodes:
        if c.inbound and c.inbound[0].node == node.name:
            words += [str(w) for w in (getattr(c.layer, "input_tokens", lambda: None)() or [])]
    words = words + ["unknown"] if words else ["the", "cat", "sat", "on", "a", "mat"]
    out = np.empty(shape, dtype=object)
    for index in np.ndindex(*shape):
        n = int(rng.integers(1, 9))
        out[index] = " ".join(words[int(i)] for i in rng.integers(0, len(words), size=n))
    return out
