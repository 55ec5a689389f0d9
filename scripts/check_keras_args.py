"""List the constructor arguments each Keras 3 layer class accepts.

Run where Keras is installed (``KERAS_BACKEND=torch python scripts/check_keras_args.py``).
It writes ``tests/golden/keras_layer_args.json``: for every layer kind rnncalc
knows, the keyword arguments Keras' constructor takes (its own signature, then
every ``__init__`` up the class chain that ``**kwargs`` reaches, then the
keywords ``keras.layers.Layer`` pops from ``**kwargs``) and the positional
order. ``tests/test_keras_args.py`` compares rnncalc's declared arguments with
it, so rnncalc refuses exactly what Keras refuses ("Unrecognized keyword
arguments") without importing Keras.

The base ``Layer`` keywords are also checked by trial: an argument is counted
as accepted only if constructing the layer with it does not raise Keras'
"Unrecognized keyword arguments" error.
"""

from __future__ import annotations

import inspect
import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "tests" / "golden" / "keras_layer_args.json"

# rnncalc kinds (and aliases) by Keras class name; Input is a function in Keras.
KINDS = ["Activation", "Add", "Average", "AveragePooling1D", "AvgPool1D",
         "BatchNormalization", "Bidirectional", "Concatenate", "Conv1D", "Convolution1D",
         "Dense", "Dropout", "Embedding", "Flatten", "GRU", "GlobalAveragePooling1D",
         "GlobalAvgPool1D", "GlobalMaxPool1D", "GlobalMaxPooling1D", "InputLayer", "LSTM",
         "LayerNormalization", "Masking", "MaxPool1D", "MaxPooling1D", "Multiply", "Permute",
         "RepeatVector", "Reshape", "SimpleRNN", "SpatialDropout1D", "Subtract",
         "TimeDistributed"]

# Keywords keras.layers.Layer.__init__ takes from **kwargs (besides its named ones).
LAYER_POPPED = ("input_dim", "input_shape")

# How Keras (or Python, for a signature without **kwargs) refuses a keyword, and
# how Python refuses one the subclass already passes itself (``cell``, ``rank``).
REFUSED = ("Unrecognized keyword arguments", "unexpected keyword argument",
           "multiple values for")

# Minimal required arguments to construct each class for the trial check.
REQUIRED = {"Activation": ("relu",), "Bidirectional": None, "TimeDistributed": None,
            "Conv1D": (2, 3), "Convolution1D": (2, 3), "Dense": (2,), "Dropout": (0.5,),
            "Embedding": (5, 2), "GRU": (2,), "LSTM": (2,), "SimpleRNN": (2,),
            "Permute": ((1,),), "RepeatVector": (2,), "Reshape": ((2,),),
            "SpatialDropout1D": (0.5,), "AveragePooling1D": (2,), "AvgPool1D": (2,),
            "InputLayer": (), "ConvLSTM1D": (2, 3), "ConvLSTM2D": (2, 3), "ConvLSTM3D": (2, 3),
            "SimpleRNNCell": (2,), "LSTMCell": (2,), "GRUCell": (2,), "RNN": None,
            "StackedRNNCells": None, "MultiHeadAttention": (2, 4), "CategoryEncoding": (3,),
            **{k: (2,) for k in ("AveragePooling2D", "AveragePooling3D", "AvgPool2D",
                                 "AvgPool3D")},
            **{k: (2, 3) for k in ("Conv2D", "Conv3D", "Convolution2D", "Convolution3D",
                                   "SeparableConv1D", "SeparableConv2D",
                                   "SeparableConvolution1D", "SeparableConvolution2D")},
            "DepthwiseConv1D": (3,), "DepthwiseConv2D": (3,)}


def chain_kwargs(cls: type) -> tuple[list[str], list[str]]:
    """(positional names in order, every keyword name) reachable through ``**kwargs``."""
    import keras

    positional: list[str] = []
    names: list[str] = []
    first = True
    for klass in cls.__mro__:
        if "__init__" not in klass.__dict__:
            continue
        params = list(inspect.signature(klass.__dict__["__init__"]).parameters.values())[1:]
        for p in params:
            if p.kind in (p.VAR_KEYWORD, p.VAR_POSITIONAL):
                continue
            if first and p.kind is p.POSITIONAL_OR_KEYWORD:
                positional.append(p.name)
            if p.name not in names:
                names.append(p.name)
        first = False
        if klass is keras.layers.Layer:
            break
        if not any(p.kind is p.VAR_KEYWORD for p in params):
            break
    return positional, names + [n for n in LAYER_POPPED if n not in names]


def accepted_by_trial(cls: type, name: str, candidate: str) -> bool:
    """False only when Keras refuses ``candidate`` as an unrecognized keyword."""
    import keras

    args = REQUIRED.get(name, ())
    if args is None:  # wrappers: wrap a small layer
        inner = {"Bidirectional": lambda: keras.layers.LSTM(2),
                 "RNN": lambda: keras.layers.LSTMCell(2),
                 "StackedRNNCells": lambda: [keras.layers.LSTMCell(2)]}.get(
                     name, lambda: keras.layers.Dense(2))()
        args = (inner,)
    if name == "InputLayer" and candidate not in ("shape", "batch_shape", "input_tensor"):
        args, extra = (), {"shape": (3,)}
    else:
        extra = {}
    value = {"dtype": "float32", "name": "x", "trainable": True, "autocast": True,
             "input_shape": (3, 4), "input_dim": 4}.get(candidate)
    try:
        cls(*args, **{**extra, candidate: value})
    except Exception as err:  # noqa: BLE001 - any other error means the name was taken
        text = str(err)
        return not any(refused in text for refused in REFUSED)
    return True


def rnncalc_kinds() -> list[str]:
    """Every kind rnncalc registers (read from this checkout), as Keras class names."""
    sys.path.insert(0, str(OUT.parent.parent.parent))
    try:
        from rnncalc.layers import LAYER_KINDS
    except ImportError:     # rnncalc's own dependencies missing here: the list above
        return KINDS
    return sorted({"InputLayer" if k == "Input" else k for k in LAYER_KINDS})


def main() -> int:
    import keras

    result: dict[str, object] = {"keras_version": keras.__version__, "layers": {}}
    for name in rnncalc_kinds():
        if not hasattr(keras.layers, name):
            print(f"note: keras.layers has no {name}; left out")
            continue
        cls = getattr(keras.layers, name)
        positional, names = chain_kwargs(cls)
        names = [n for n in names if n in positional or accepted_by_trial(cls, name, n)]
        result["layers"][name] = {"class": cls.__name__, "positional": positional,
                                  "keywords": sorted(names)}
    OUT.write_text(json.dumps(result, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {OUT} ({len(result['layers'])} layer kinds)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
