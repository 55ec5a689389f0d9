"""Record the ``keras.ops`` functions rnncalc declares as operation kinds, as Keras has them.

Run where Keras is installed (``KERAS_BACKEND=torch python scripts/check_keras_ops.py``).
For every ``ops.<function>`` kind it writes to ``tests/golden/keras_ops.json`` the
function's parameters (name, kind), the class of the node it records in a functional
model (what the summary prints and names derive from), that class' module and its
``get_config()`` keys (what ``to_json`` holds). ``tests/test_operations.py`` checks
each kind's declared operands and arguments, class, module and config against it,
without importing Keras.
"""

from __future__ import annotations

import inspect
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "torch")
REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
OUT = REPO / "tests" / "golden" / "keras_ops.json"

import keras  # noqa: E402

from rnncalc.layers import KIND_MODULES  # noqa: E402

# A call that builds each node on symbolic tensors of shape (None, 6, 4).
SAMPLE = {
    "concatenate": lambda x: keras.ops.concatenate([x, x]),
    "stack": lambda x: keras.ops.stack([x, x]),
    "einsum": lambda x: keras.ops.einsum("btd,bsd->bts", x, x),
    "get_item": lambda x: x[:, -1],
    "expand_dims": lambda x: keras.ops.expand_dims(x, 1),
    "reshape": lambda x: keras.ops.reshape(x, (-1, 24)),
    "take": lambda x: keras.ops.take(x, 0, axis=1),
    "split": lambda x: keras.ops.split(x, 2, axis=-1)[0],
    "cast": lambda x: keras.ops.cast(x, "float16"),
    "where": lambda x: keras.ops.where(x > 0, x, 0.0),
    "matmul": lambda x: keras.ops.matmul(x, keras.ops.transpose(x, (0, 2, 1))),
    "dot": lambda x: keras.ops.dot(x, keras.ops.transpose(x, (0, 2, 1))),
    "clip": lambda x: keras.ops.clip(x, 0.0, 1.0),
    "tile": lambda x: keras.ops.tile(x, 2),
    "repeat": lambda x: keras.ops.repeat(x, 2, axis=1),
    "one_hot": lambda x: keras.ops.one_hot(keras.ops.cast(x, "int32"), 3),
}


def node_of(function: str) -> object:
    x = keras.Input((6, 4))
    make = SAMPLE.get(function)
    if make is None:
        func = getattr(keras.ops, function)
        params = inspect.signature(func).parameters
        make = (lambda x: func(x, x)) if "x2" in params else (lambda x: func(x))
    return make(x)._keras_history[0]


def main() -> int:
    record = {}
    for kind in sorted(KIND_MODULES):
        if not kind.startswith("ops."):
            continue
        function = kind.removeprefix("ops.")
        keras.backend.clear_session()
        node = node_of(function)
        func = getattr(keras.ops, function, None)
        params = [] if func is None else [
            {"name": p.name, "kind": str(p.kind).split(".")[-1]}
            for p in inspect.signature(func).parameters.values()]
        record[kind] = {"class": type(node).__name__,
                        "module": type(node).__module__.removeprefix("keras.src.ops."),
                        "config": sorted(node.get_config()), "params": params}
    doc = {"keras_version": keras.__version__, "generated_by": "scripts/check_keras_ops.py",
           "ops": record}
    OUT.write_text(json.dumps(doc, indent=1) + "\n")
    print(f"wrote {OUT.relative_to(REPO)} ({len(record)} operations)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
