"""Saved Keras models: ``.keras`` archives (Keras 3) and legacy ``.h5`` files.

A ``.keras`` file is a zip holding ``config.json`` (the ``to_json()`` config)
and ``model.weights.h5``, where each layer's variables sit under
``layers/<snake_case class name>[_k]/.../vars/<i>`` (``_k`` counts layers of the
same class in model order; sub-objects such as ``cell``, ``forward_layer``,
``backward_layer`` and ``layer`` nest inside). A legacy ``.h5`` full-model file
keeps the config in the root attribute ``model_config`` and the weights under
``model_weights/<layer name>``, listed in order by the ``weight_names``
attribute.

The config is enough for ``summary`` and needs only the standard library for
``.keras``; weights (and ``.h5`` configs) need ``h5py``, an optional extra,
imported only here.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from typing import Any

from rnncalc.errors import SpecError
from rnncalc.spec.model import ModelSpec

MAX_CONFIG_BYTES = 20 * 1024 * 1024
# Sub-objects in the order Keras creates (and get_weights() lists) their weights.
# Sub-objects in the order their layer creates them (MultiHeadAttention: q, k, gate, v, out).
_SUBGROUP_ORDER = ("cell", "forward_layer", "backward_layer", "layer", "query_dense",
                   "key_dense", "gate_dense", "value_dense", "output_dense")

Weights = dict[str, dict[str, Any]]   # layer name -> weight name -> array (engine's form)


def require_h5py(path: str) -> Any:
    """Import h5py or explain how to get it."""
    try:
        import h5py
    except ImportError:
        raise SpecError(f"{path}: reading HDF5 needs h5py; install it with "
                        "pip install 'rnncalc[keras]'") from None
    return h5py


def read_archive_spec(path: str) -> ModelSpec:
    """The model described by a ``.keras`` or legacy ``.h5`` file."""
    from rnncalc.interop.keras_config import spec_from_config

    config = _read_config(path)
    layers = _layer_classes(config)
    return spec_from_config(config, path, weights_file=path, archive_layers=layers)


def _read_config(path: str) -> dict[str, Any]:
    from rnncalc.engine.arrayfile import check_path

    check_path(path, path)   # missing, a directory, a device: said as such
    if not os.path.isfile(path):
        raise SpecError(f"{path}: is not a regular file; a saved model must be one")
    if path.lower().endswith(".keras"):
        try:
            with zipfile.ZipFile(path) as archive:
                info = archive.getinfo("config.json")
                if info.file_size > MAX_CONFIG_BYTES:
                    raise SpecError(f"{path}: config.json is {info.file_size:,} bytes; refused")
                text = archive.read("config.json").decode("utf-8")
        except KeyError:
            raise SpecError(f"{path}: not a Keras 3 archive (no config.json inside)") from None
        except (zipfile.BadZipFile, OSError) as err:
            raise SpecError(f"{path}: not a .keras archive ({err})") from None
        except UnicodeDecodeError:
            raise SpecError(f"{path}: config.json is not UTF-8") from None
    else:
        h5py = require_h5py(path)
        try:
            with h5py.File(path, "r") as f:
                raw = f.attrs.get("model_config")
        except OSError as err:
            raise SpecError(f"{path}: cannot read it as HDF5 ({err})") from None
        if raw is None:
            raise SpecError(f"{path}: no model config in this HDF5 file (saved with "
                            "save_weights?); rnncalc needs a full model saved with model.save()")
        text = raw.decode("utf-8") if isinstance(raw, bytes) else str(raw)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise SpecError(f"{path}: the model config is not valid JSON ({err.msg})") from None
    if not isinstance(data, dict):
        raise SpecError(f"{path}: the model config is not a JSON object")
    return data


def _layer_classes(config: dict[str, Any]) -> list[tuple[str, str]]:
    """(layer name, class name) of every layer in model order, input layers included."""
    body = config.get("config")
    entries = body if isinstance(body, list) else (
        body.get("layers") if isinstance(body, dict) else None)
    if not isinstance(entries, list):
        return []             # spec_from_config says what is wrong with the config
    out = []
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        inner = entry.get("config") if isinstance(entry.get("config"), dict) else {}
        out.append((str(entry.get("name") or inner.get("name")), str(entry.get("class_name"))))
    return out


# -- weights --------------------------------------------------------------------------


def _dataset_array(dataset: Any) -> Any:
    """A saved variable as numbers: Keras writes bfloat16 as raw 2-byte data plus a
    ``dtype`` attribute, which h5py cannot turn into numbers by itself."""
    from rnncalc.layers.ops import bfloat16_as_float32

    declared = dataset.attrs.get("dtype", "")
    declared = declared.decode() if isinstance(declared, bytes) else str(declared)
    return bfloat16_as_float32(dataset[()], declared)


def archive_weights(spec: ModelSpec, graph: Any) -> Weights:
    """The saved weights of the file ``spec`` came from, checked against ``graph``."""
    path = spec.extra["weights_file"]
    h5py = require_h5py(path)
    if path.lower().endswith(".keras"):
        from rnncalc.engine.arrayfile import MAX_FILE_BYTES

        try:
            with zipfile.ZipFile(path) as archive:
                info = archive.getinfo("model.weights.h5")
                if info.file_size > MAX_FILE_BYTES:
                    raise SpecError(f"{path}: model.weights.h5 is {info.file_size:,} bytes, "
                                    f"over the {MAX_FILE_BYTES:,} bytes rnncalc reads")
                blob = archive.read(info)
        except KeyError:
            raise SpecError(f"{path}: no model.weights.h5 inside the archive") from None
        except (zipfile.BadZipFile, OSError) as err:
            raise SpecError(f"{path}: cannot read the archive ({err})") from None
        if not blob.startswith(b"\x89HDF\r\n\x1a\n"):
            raise SpecError(f"{path}: model.weights.h5 inside the archive is not an HDF5 "
                            "file; save the model again with model.save()")
        try:
            with h5py.File(io.BytesIO(blob), "r") as f:
                arrays = _keras3_arrays(f, spec.extra.get("archive_layers", []), path, graph)
        except OSError as err:
            raise SpecError(f"{path}: cannot read model.weights.h5 as HDF5 ({err})") from None
    else:
        try:
            with h5py.File(path, "r") as f:
                arrays = _legacy_arrays(f, path)
        except OSError as err:
            raise SpecError(f"{path}: cannot read its weights as HDF5 ({err})") from None
    return _assign(arrays, graph, path)



def _keras3_arrays(f: Any, layers: list[tuple[str, str]], path: str,
                   graph: Any = None) -> dict[str, list[Any]]:
    from rnncalc.layers.base import Namer

    groups = Namer()      # Keras names the groups as it names layers: lstm, lstm_1, ...
    built = {n.name: n.layer for n in graph.nodes} if graph is not None else {}
    out: dict[str, list[Any]] = {}
    for name, kind in layers:
        group = f.get(f"layers/{groups.auto(kind)}")
        out[name] = _collect(group, built.get(name)) if group is not None else []
    return out


# Where a sub-object's group sits on the built layer (for list order inside it).
_SUBOBJECT = {"forward_layer": "forward_layer", "backward_layer": "backward_layer",
              "layer": "inner"}


def _collect(group: Any, layer: Any = None) -> list[Any]:
    """A layer group's arrays in creation order: its own vars, then sub-objects.

    A list of sub-objects (``cells`` of a stack) is saved under names Keras
    draws per class in list order (``lstm_cell``, ``gru_cell``, ``lstm_cell_1``);
    the built layer's cells give that order back.
    """
    from rnncalc.layers.base import Namer

    if group is not None and "vars" not in group and layer is not None and hasattr(
            layer, "cells"):
        names = Namer()
        order = [names.auto(c.kind) for c in layer.cells]
        if sorted(order) == sorted(group.keys()):
            return [a for key in order for a in _collect(group[key])]
    arrays = []
    own = group.get("vars")
    if own is not None:
        for key in sorted(own.keys(), key=lambda k: int(k) if k.isdigit() else 1 << 30):
            arrays.append(_dataset_array(own[key]))
    subgroups = [k for k in group.keys() if k != "vars"]
    subgroups.sort(key=lambda k: (_SUBGROUP_ORDER.index(k) if k in _SUBGROUP_ORDER
                                  else len(_SUBGROUP_ORDER), k))
    for key in subgroups:
        child = group[key]
        if hasattr(child, "keys"):
            inner = layer if key in ("cell", "cells") else getattr(
                layer, _SUBOBJECT.get(key, ""), None)
            arrays += _collect(child, inner)
    return arrays


def _legacy_arrays(f: Any, path: str) -> dict[str, list[Any]]:
    root = f["model_weights"] if "model_weights" in f else f
    out: dict[str, list[Any]] = {}
    for layer in _names(root.attrs.get("layer_names", [])):
        group = root[layer]
        out[layer] = [group[w][()] for w in _names(group.attrs.get("weight_names", []))]
    return out


def _names(values: Any) -> list[str]:
    return [v.decode("utf-8") if isinstance(v, bytes) else str(v) for v in values]


def _assign(arrays: dict[str, list[Any]], graph: Any, path: str) -> Weights:
    import numpy as np

    from rnncalc.layers.shapes import format_shape

    out: Weights = {}
    for node in graph.nodes:
        found = arrays.get(node.name, [])
        if len(found) != len(node.weights):
            raise SpecError(f"{path}: layer '{node.name}' ({node.kind}) has {len(found)} saved "
                            f"weight arrays, expected {len(node.weights)} "
                            f"({', '.join(w.name for w in node.weights) or 'none'})")
        out[node.name] = {}
        for weight, value in zip(node.weights, found):
            value = np.asarray(value)
            if value.shape != weight.shape:
                raise SpecError(f"{path}: weight '{node.name}/{weight.name}': expected shape "
                                f"{format_shape(weight.shape)}, found "
                                f"{format_shape(value.shape)}")
            out[node.name][weight.name] = value.astype(np.float32)
    return out
