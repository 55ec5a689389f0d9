#!/usr/bin/env python3
"""Write tests/golden/keras_signatures.json: the arguments each Keras 3 layer takes.

Why: rnncalc refuses an argument a layer does not take, as Keras does ("Unrecognized
keyword arguments"), and binds positional arguments in Keras' order. Both come from
each layer's ``__init__`` signature plus what the base ``Layer`` accepts, so this
script records them from real Keras for every kind rnncalc registers that
``keras.layers`` has; the tests compare without Keras.

    KERAS_BACKEND=torch ~/kerasenv/bin/python scripts/make_keras_signatures.py
"""

from __future__ import annotations

import inspect
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "torch")
REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "tests" / "golden" / "keras_signatures.json"


def parameters(cls: type) -> list[dict]:
    out = []
    for p in inspect.signature(cls.__init__).parameters.values():
        if p.name == "self" or p.kind in (p.VAR_KEYWORD, p.VAR_POSITIONAL):
            continue
        out.append({"name": p.name, "keyword_only": p.kind == p.KEYWORD_ONLY,
                    "required": p.default is p.empty})
    return out


def main() -> int:
    import keras

    sys.path.insert(0, str(REPO))
    from rnncalc.layers import LAYER_KINDS

    kinds = sorted({cls.kind for cls in LAYER_KINDS.values()})
    layers = {k: parameters(getattr(keras.layers, k)) for k in kinds
              if isinstance(getattr(keras.layers, k, None), type)}
    doc = {"keras_version": keras.__version__,
           "generated_by": "scripts/make_keras_signatures.py",
           "base_layer": parameters(keras.layers.Layer), "layers": layers}
    OUT.write_text(json.dumps(doc, indent=1, sort_keys=True) + "\n")
    print(f"{len(layers)} layers -> {OUT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
