"""Weights for a run: drawn from the layers' initializers, or read from ``.npz``.

Both key conventions of ``--weights`` are accepted: ``arr_0 .. arr_{n-1}`` in
Keras ``model.get_weights()`` order (what ``np.savez(path,
*model.get_weights())`` writes), and ``<layer>/<weight>`` as ``summary --json``
lists them (optionally under ``weights/``, as ``run --save`` writes them).
The order and shapes come from each layer's ``build_weights``, nowhere else.
"""

from __future__ import annotations

import re
import zipfile

import numpy as np

from rnncalc.engine.arrayfile import check_array_file
from rnncalc.engine.initializers import sample
from rnncalc.errors import SpecError, did_you_mean
from rnncalc.graph import Graph
from rnncalc.layers import Weight
from rnncalc.layers.ops import bfloat16_as_float32
from rnncalc.layers.shapes import format_shape

Weights = dict[str, dict[str, np.ndarray]]    # layer name -> weight name -> values
_POSITIONAL = re.compile(r"arr_(0|[1-9]\d*)")   # np.savez's names: no leading zeros


def slots(graph: Graph) -> list[tuple[str, Weight]]:
    """(layer name, weight) in Keras ``get_weights()`` order."""
    return [(node.name, w) for node in graph.nodes for w in node.weights]


def initial_weights(graph: Graph, seed: int) -> Weights:
    """Every weight from its initializer (Keras defaults), seeded by ``seed``."""
    rng = np.random.default_rng([seed, 1])
    out: Weights = {}
    for node in graph.nodes:
        def draw(init, shape, _rng=rng):  # noqa: ANN001, ANN202
            return sample(init, tuple(shape), _rng)

        out[node.name] = {w.name: np.asarray(node.layer.initial_value(w, draw), np.float32)
                          for w in node.weights}
    return out


def flat(weights: Weights) -> dict[str, np.ndarray]:
    """``<layer>/<weight>`` -> values."""
    return {f"{layer}/{name}": v for layer, ws in weights.items() for name, v in ws.items()}


def _read_npz(path: str) -> dict[str, np.ndarray]:
    where = f"--weights {path}"
    # regular file, sane size, honest .npy/.npz headers
    source = check_array_file(path, where, numpy_only=True)
    try:
        data = np.load(source, allow_pickle=False)
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as err:
        raise SpecError(f"{where}: cannot read it as .npz ({err})") from None
    if not isinstance(data, np.lib.npyio.NpzFile):
        raise SpecError(f"{where}: expected an .npz archive (np.savez), got a single array")
    try:
        with data:
            return {k: data[k] for k in data.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as err:
        raise SpecError(f"{where}: cannot read it as .npz ({err})") from None


def _check(label: str, value: np.ndarray, weight: Weight, path: str) -> np.ndarray:
    if value.shape != weight.shape:
        raise SpecError(f"--weights {path}: weight {label}: expected shape "
                        f"{format_shape(weight.shape)}, found {format_shape(value.shape)}")
    value = bfloat16_as_float32(value)
    if value.dtype.kind not in "fiub":
        raise SpecError(f"--weights {path}: weight {label}: expected numbers, found dtype "
                        f"{value.dtype}")
    return value.astype(np.float32)


def load_weights(path: str, graph: Graph) -> Weights:
    """Read and check ``--weights``: every weight present, nothing extra, right shapes."""
    return assign_weights(_read_npz(path), graph, path)


def assign_weights(arrays: dict[str, np.ndarray], graph: Graph, path: str) -> Weights:
    """Check named arrays (``arr_k`` or ``<layer>/<weight>`` keys) against the graph's weights.

    ``path`` names where they came from in messages (a file, or ``weights=`` in Python).
    """
    if any(k.startswith("weights/") for k in arrays):
        arrays = {k.removeprefix("weights/"): v for k, v in arrays.items()
                  if k.startswith("weights/")}
    expected = slots(graph)
    out: Weights = {node.name: {} for node in graph.nodes}
    if arrays and all(_POSITIONAL.fullmatch(k) for k in arrays):
        indices = sorted(int(_POSITIONAL.fullmatch(k).group(1)) for k in arrays)  # type: ignore[union-attr]
        if indices != list(range(len(indices))) or len(indices) != len(expected):
            names = ", ".join(f"{layer}/{w.name}" for layer, w in expected[:6])
            more = ", ..." if len(expected) > 6 else ""
            wanted = set(range(len(expected)))
            missing = [f"arr_{i}" for i in sorted(wanted - set(indices))]
            extra = [f"arr_{i}" for i in indices if i not in wanted]
            found = ", ".join(f"arr_{i}" for i in indices[:8]) + (
                ", ..." if len(indices) > 8 else "")
            why = "; ".join(part for part in (
                f"missing {', '.join(missing[:5])}{', ...' if len(missing) > 5 else ''}"
                if missing else "",
                f"unexpected {', '.join(extra[:5])}{', ...' if len(extra) > 5 else ''}"
                if extra else "") if part)
            raise SpecError(f"--weights {path}: expected {len(expected)} arrays arr_0.."
                            f"arr_{len(expected) - 1} in get_weights() order ({names}{more}), "
                            f"found {len(indices)}: {found} ({why})")
        for i, (layer, w) in enumerate(expected):
            out[layer][w.name] = _check(f"'{layer}/{w.name}' (arr_{i})", arrays[f"arr_{i}"],
                                        w, path)
        return out
    names = {f"{layer}/{w.name}": (layer, w) for layer, w in expected}
    for key in arrays:
        if key not in names:
            raise SpecError(f"--weights {path}: unexpected weight '{key}' (the model has "
                            f"{len(names)} weights)", hint=did_you_mean(key, list(names)))
    for key, (layer, w) in names.items():
        if key not in arrays:
            raise SpecError(f"--weights {path}: missing weight '{key}' (expected shape "
                            f"{format_shape(w.shape)})")
        out[layer][w.name] = _check(f"'{key}'", arrays[key], w, path)
    return out
