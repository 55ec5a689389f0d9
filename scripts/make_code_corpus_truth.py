"""Execute OUR code corpus (tests/code_corpus) in Keras 3 and write what it builds.

Run where Keras is installed (never in the normal test run):

    KERAS_BACKEND=torch /root/kerasenv/bin/python scripts/make_code_corpus_truth.py

Only the files under ``tests/code_corpus`` are executed: the project wrote them.
Data the files load is stubbed (``keras.datasets.*.load_data``, ``get_file``,
``open`` of a missing file, a tiny ``pandas``), and ``tensorflow`` is an alias
of Keras 3 so ``tf.keras`` spellings run as Keras 3 reads them. Every
``keras.Model`` created is captured in creation order with where it was
built, and each layer's name, class, output shapes and params are written to
``tests/golden/code_corpus_truth.json``. The values of the file's data-only
expressions (``# data-only: x_train.shape[1]`` in a ``.py``, the notebook's
``metadata.rnncalc_corpus.data_only``) are recorded as the ``--set`` bindings
the test passes to rnncalc.
"""

from __future__ import annotations

import builtins
import io
import json
import os
import re
import sys
import traceback
import types
from pathlib import Path

import numpy as np

os.environ.setdefault("KERAS_BACKEND", "torch")
import keras  # noqa: E402
from keras.src.ops.function import make_node_key  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "code_corpus"
OUT = ROOT / "tests" / "golden" / "code_corpus_truth.json"
STUB_TEXT = ("the quick brown fox jumps over the lazy dog. a stitch in time saves nine!\n"
             "to be or not to be, that is the question: whether 'tis nobler...\n") * 40


# -- the stubbed world ------------------------------------------------------------------

_FAKES: dict[str, object] = {}


def _fake_tensorflow() -> None:
    """``tensorflow`` as an alias of Keras 3, enough for the corpus' tf.keras spellings.

    Only the corpus sees it (through its own ``__import__``): Keras itself must keep
    knowing that TensorFlow is not installed.
    """
    tf = types.ModuleType("tensorflow")
    tf.keras = keras
    tf.nn = types.SimpleNamespace(relu=keras.activations.relu,
                                  sigmoid=keras.activations.sigmoid,
                                  softmax=keras.activations.softmax,
                                  tanh=keras.activations.tanh)
    # the TensorFlow functions the corpus' custom layers call, as the Keras 3 ops that
    # compute the same (checked once against TensorFlow itself for p57)
    ops = keras.ops
    tf.nn.softmax = lambda x, axis=-1: ops.softmax(x, axis=axis)
    for name, fn in {"matmul": ops.matmul, "tanh": ops.tanh, "sigmoid": ops.sigmoid,
                     "exp": ops.exp, "expand_dims": ops.expand_dims, "squeeze": ops.squeeze,
                     "cast": ops.cast, "reduce_sum": ops.sum, "reduce_mean": ops.mean,
                     "reduce_max": ops.max, "concat": lambda values, axis: ops.concatenate(
                         values, axis=axis), "transpose": ops.transpose}.items():
        setattr(tf, name, fn)
    tf.newaxis = None
    tf.initializers = keras.initializers
    for dtype in ("int32", "int64", "float32", "float64", "string", "bool"):
        setattr(tf, dtype, dtype)
    tf.test = types.SimpleNamespace(is_gpu_available=lambda *a, **k: False)   # a CPU run
    if not hasattr(keras.backend, "int_shape"):      # Keras 2's K.int_shape, as it was
        keras.backend.int_shape = lambda tensor: tuple(tensor.shape)
    _FAKES["tensorflow"] = tf
    _FAKES["tensorflow.keras"] = keras
    for sub in ("layers", "models", "optimizers", "initializers", "regularizers",
                "activations", "utils", "callbacks", "datasets"):
        _FAKES[f"tensorflow.keras.{sub}"] = getattr(keras, sub)


class _Frame:
    """A data frame stand-in: rows x 14 numeric columns."""

    def __init__(self, rows: int = 1000, cols: int = 14) -> None:
        self.values = np.random.rand(rows, cols).astype("float32")

    @property
    def shape(self) -> tuple[int, int]:
        return self.values.shape

    def __len__(self) -> int:
        return len(self.values)

    def __getitem__(self, key):
        frame = _Frame(0, 0)
        frame.values = self.values[key] if isinstance(key, slice) else self.values
        return frame


def _fake_pandas() -> None:
    pd = types.ModuleType("pandas")
    pd.read_csv = lambda *a, **k: _Frame()
    _FAKES["pandas"] = pd


def _corpus_import(name, globals=None, locals=None, fromlist=(), level=0):
    """``import`` as the corpus sees it: the fakes first, then the real modules."""
    if name in _FAKES:
        if fromlist:
            return _FAKES[name]
        return _FAKES[name.split(".")[0]]
    return _REAL_IMPORT(name, globals, locals, fromlist, level)


_REAL_IMPORT = builtins.__import__
_CORPUS_BUILTINS = {**vars(builtins), "__import__": _corpus_import}


def _patch_data() -> None:
    rng = np.random.default_rng(0)

    def load_data(num_words=None, **_):
        top = num_words or 1000
        seqs = [list(rng.integers(1, top, size=int(rng.integers(5, 120)))) for _ in range(64)]
        labels = rng.integers(0, 2, size=64)
        return (seqs, labels), (seqs, labels)

    for name in ("imdb", "reuters"):
        getattr(keras.datasets, name).load_data = load_data
    keras.utils.get_file = lambda *a, **k: "stub-missing.txt"

    real_open = builtins.open

    def open_stub(file, mode="r", *args, **kwargs):
        if isinstance(file, str) and not os.path.exists(file) and "w" not in mode \
                and "a" not in mode:
            return io.BytesIO(STUB_TEXT.encode()) if "b" in mode else io.StringIO(STUB_TEXT)
        return real_open(file, mode, *args, **kwargs)

    _CORPUS_BUILTINS["open"] = open_stub
    io.open = open_stub


# -- capturing models -------------------------------------------------------------------

class Capture:
    def __init__(self) -> None:
        self.models: list[dict] = []
        self.by_id: dict[int, dict] = {}
        self.calls: dict[int, list] = {}          # layer id -> output shapes of each call
        self.symbolic: set[int] = set()           # models called on symbolic tensors
        self.files: set[str] = set()
        self.cell_of: dict[str, int] = {}
        self.frames: list[dict] = []

    def install(self) -> None:
        capture = self
        init = keras.layers.Layer.__init__
        call = keras.layers.Layer.__call__

        def layer_init(self, *args, **kwargs):
            init(self, *args, **kwargs)
            if isinstance(self, keras.Model) and id(self) not in capture.by_id:
                where = capture.where(self)
                if where is None:
                    return
                entry = {"model": self, "where": where}
                capture.by_id[id(self)] = entry
                capture.models.append(entry)

        def layer_call(self, *args, **kwargs):
            if isinstance(self, keras.Model) and any(
                    isinstance(t, keras.KerasTensor) for t in keras.tree.flatten(args)):
                capture.symbolic.add(id(self))
            out = call(self, *args, **kwargs)
            shapes = [list(t.shape) for t in keras.tree.flatten(out)
                      if hasattr(t, "shape")]
            capture.calls.setdefault(id(self), []).append(shapes)
            return out

        keras.layers.Layer.__init__ = layer_init
        keras.layers.Layer.__call__ = layer_call

    def where(self, model) -> str | None:
        """Where the corpus built this model; ``None`` for models Keras builds itself."""
        frame = sys._getframe(2)
        while frame is not None and _KERAS_DIR in frame.f_code.co_filename:
            if frame.f_code.co_filename.endswith("sequential.py") and \
                    not isinstance(model, keras.Sequential):
                return None      # the Functional a Sequential builds inside
            frame = frame.f_back
        if frame is None or frame.f_code.co_filename not in self.files:
            return None          # e.g. the Functional a Sequential builds inside
        place = None
        scopes = []
        while frame is not None:
            name = frame.f_code.co_filename
            if name in self.files:
                if place is None and frame.f_locals.get("self") is not model:
                    cell = self.cell_of.get(name)
                    place = (f"cell {cell}, line {frame.f_lineno}" if cell is not None
                             else f"line {frame.f_lineno}")
                scopes.append(dict(frame.f_locals))
            frame = frame.f_back
        self.frames.extend(scopes)
        return place or "?"


def _shapes_from_graph(model, layer) -> list[list] | None:
    graph = model if not isinstance(model, keras.Sequential) else getattr(
        model, "_functional", None)
    if graph is None or not hasattr(graph, "_nodes"):
        return None
    nodes = [node for k, node in enumerate(layer._inbound_nodes)
             if make_node_key(layer, k) in graph._nodes]
    if not nodes:
        return None
    return [[list(t.shape) for t in node.outputs] for node in nodes]


def describe(entry: dict, capture: Capture) -> dict:
    model = entry["model"]
    kind = ("sequential" if isinstance(model, keras.Sequential)
            else "functional" if hasattr(model, "_nodes") and hasattr(model, "_inputs")
            else "subclassed")
    record = {"where": entry["where"], "name": model.name, "class": type(model).__name__,
              "kind": kind, "built": bool(model.built)}
    layers = []
    shared = False
    nested = False
    for layer in model.layers:
        if isinstance(layer, keras.layers.InputLayer):
            continue
        if isinstance(layer, keras.Model):
            nested = True
        item = {"name": layer.name, "class": type(layer).__name__}
        if kind == "subclassed":
            calls = capture.calls.get(id(layer), [])
            shapes = calls[:1]
            if id(model) in capture.symbolic and len(calls) >= 2:
                # the torch backend traces a symbolic call twice with stand-in sizes for
                # unknown dims (83, 89): the dims that differ are the unknown ones
                shapes = [[[a if a == b else None for a, b in zip(s, t)]
                           for s, t in zip(calls[0], calls[1])]]
        else:
            shapes = _shapes_from_graph(model, layer)
        if shapes is None or not shapes:
            item["output_shapes"] = None
        else:
            if len(shapes) > 1:
                shared = True
            item["output_shapes"] = shapes[0]
            if len(shapes) > 1:
                item["call_output_shapes"] = shapes
        if layer.built:
            item["params"] = int(layer.count_params())
            item["trainable_params"] = int(sum(np.prod(w.shape) for w in
                                               layer.trainable_weights))
        else:
            item["params"] = None
        layers.append(item)
    record["layers"] = layers
    record["shared_layers"] = shared
    record["nested_models"] = nested
    if model.built and all(x["params"] is not None for x in layers):
        record["total_params"] = int(model.count_params())
        record["trainable_params"] = int(sum(np.prod(w.shape) for w in model.trainable_weights))
    return record


# -- running one file -------------------------------------------------------------------

_MAGIC_ASSIGN = re.compile(r"^(\s*[\w, ]+=\s*)!")


def cell_code(source: str) -> str:
    """Drop IPython magics and shell escapes as IPython would run them (statement lines)."""
    lines = source.split("\n")
    if lines and lines[0].startswith("%%"):
        lines[0] = ""
    out = []
    for line in lines:
        stripped = line.lstrip()
        if stripped.startswith(("%", "!")):
            out.append("")
        elif _MAGIC_ASSIGN.match(line):
            out.append(_MAGIC_ASSIGN.match(line).group(1) + "[]")
        else:
            out.append(line)
    return "\n".join(out)


def run_file(path: Path, capture: Capture) -> dict:
    text = path.read_text()
    namespace = {"__name__": "__main__", "__file__": str(path),
                 "__builtins__": _CORPUS_BUILTINS}
    errors = []
    first = len(capture.models)
    if path.suffix == ".ipynb":
        nb = json.loads(text)
        meta = nb.get("metadata", {}).get("rnncalc_corpus", {})
        data_only = meta.get("data_only", [])
        requires = meta.get("requires", [])
        for number, cell in enumerate(nb["cells"], 1):
            if cell["cell_type"] != "code":
                continue
            filename = f"<{path.name} cell {number}>"
            capture.files.add(filename)
            capture.cell_of[filename] = number
            try:
                exec(compile(cell_code("".join(cell["source"])), filename, "exec"), namespace)
            except Exception as err:   # a failing cell: record it and go on, as a notebook does
                errors.append({"where": f"cell {number}, line {_line(err, filename)}",
                               "error": f"{type(err).__name__}: {err}"})
    else:
        data_only = _header(text, "data-only")
        requires = [r.strip() for r in ",".join(_header(text, "requires")).split(",")
                    if r.strip()]
        filename = str(path)
        capture.files.add(filename)
        try:
            exec(compile(text, filename, "exec"), namespace)
        except Exception as err:
            errors.append({"where": f"line {_line(err, filename)}",
                           "error": f"{type(err).__name__}: {err}"})
    if errors and not data_only == []:
        print(f"{path.name}: {errors}", file=sys.stderr)
    bindings = {}
    for expr in data_only:
        bindings[expr] = _evaluate(expr, [namespace, *capture.frames])
    models = [describe(entry, capture) for entry in capture.models[first:]]
    return {"file": path.name, "set": bindings, "requires": requires, "models": models,
            "errors": errors}


def _header(text: str, key: str) -> list[str]:
    for line in text.splitlines()[:5]:
        if line.startswith(f"# {key}:"):
            return [s.strip() for s in line.split(":", 1)[1].split(";") if s.strip()]
    return []


def _line(err: BaseException, filename: str) -> int | None:
    for frame, line in traceback.walk_tb(err.__traceback__):
        if frame.f_code.co_filename == filename:
            found = line
    return locals().get("found")


def _evaluate(expr: str, scopes: list[dict]):
    for scope in scopes:
        try:
            value = eval(expr, {"__builtins__": builtins}, scope)  # our corpus only
        except Exception:
            continue
        if isinstance(value, (np.integer, int)):
            return int(value)
        if isinstance(value, tuple):
            return [int(v) for v in value]
        return value
    raise SystemExit(f"cannot evaluate data-only expression {expr!r}")


def main() -> None:
    _fake_tensorflow()
    _fake_pandas()
    _patch_data()
    keras.utils.set_random_seed(0)
    files = sorted(p for p in CORPUS.iterdir() if p.suffix in (".py", ".ipynb"))
    results = []
    for path in files:
        keras.backend.clear_session()        # each file is a fresh session: names restart
        capture = Capture()
        capture.install()
        results.append(run_file(path, capture))
        keras.layers.Layer.__init__ = _ORIGINAL_INIT
        keras.layers.Layer.__call__ = _ORIGINAL_CALL
        done = results[-1]
        print(f"{path.name}: {len(done['models'])} models, {len(done['errors'])} errors",
              file=sys.stderr)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"keras_version": keras.__version__, "files": results},
                              indent=1) + "\n")
    print(f"wrote {OUT.relative_to(ROOT)}", file=sys.stderr)


_KERAS_DIR = str(Path(keras.__file__).resolve().parent)
_ORIGINAL_INIT = keras.layers.Layer.__init__
_ORIGINAL_CALL = keras.layers.Layer.__call__

if __name__ == "__main__":
    main()
