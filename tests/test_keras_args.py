"""Every layer kind takes exactly the keyword arguments Keras 3 takes.

``tests/golden/keras_layer_args.json`` is written by ``scripts/check_keras_args.py``
from the real Keras constructors; an argument Keras refuses ("Unrecognized
keyword arguments") must be refused by rnncalc too, and every argument Keras
takes must be accepted (declared, ignored, or refused as not modelled with a
clear message) unless listed below with the reason.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rnncalc.errors import SpecError
from rnncalc.layers import LAYER_KINDS, Namer
from rnncalc.layers.arguments import COMMON_ARGS, IGNORED_ARGS, LAYER_IGNORED
from rnncalc.spec.expressions import parse_call

GOLDEN = json.loads((Path(__file__).parent / "golden" / "keras_layer_args.json")
                    .read_text(encoding="utf-8"))["layers"]

# The Keras 2 spellings the contract accepts on a first layer (section 2).
KERAS2 = {"batch_input_shape", "batch_size", "input_length", "input_shape"}
# rnncalc's own additions, with why.
EXTRAS = {
    # --convention pytorch options on recurrent layers (contract section 3, pytorch).
    "SimpleRNN": {"num_layers", "bidirectional", "proj_size"},
    "LSTM": {"num_layers", "bidirectional", "proj_size"},
    "GRU": {"num_layers", "bidirectional", "proj_size"},
    # Keras 3.0-3.8 took rms_scaling (3.9 moved it to RMSNormalization).
    "LayerNormalization": {"rms_scaling"},
    # rnncalc's stand-in for a vocabulary adapted from data (sizes only).
    "IntegerLookup": {"vocabulary_size"}, "StringLookup": {"vocabulary_size"},
    "TextVectorization": {"vocabulary_size"},
    # Known gaps left to the kinds' owners (Keras refuses them): Keras 2's LeakyReLU
    # alpha, and activity_regularizer on ActivityRegularization (Keras: TypeError).
    "LeakyReLU": {"alpha"}, "ActivityRegularization": {"activity_regularizer"},
}


# rnncalc's own kinds with no Keras class of that name: a user's Layer subclass read from
# code (its arguments are what rnncalc read, not a Keras signature).
OWN_KINDS = {"Custom"}
KERAS_KINDS = sorted(k for k in LAYER_KINDS if k not in OWN_KINDS)


def accepted(cls: type) -> set[str]:
    common = {a.name for a in COMMON_ARGS} if cls.LAYER_KWARGS else {
        a.name for a in COMMON_ARGS if a.name != "trainable"}
    ignored = IGNORED_ARGS if cls.IGNORED_ARGS is None else cls.IGNORED_ARGS
    names = {a.name for a in cls.ARGS} | common | set(ignored) | set(cls.NOT_MODELLED)
    if cls.LAYER_KWARGS:
        names |= LAYER_IGNORED
    if cls.ACCEPTS_INPUT_DIM:
        names.add("input_dim")
    return names


def keras_name(kind: str) -> str:
    name = "InputLayer" if kind == "Input" else kind
    assert name in GOLDEN, (f"{name} is not in tests/golden/keras_layer_args.json: run "
                            "scripts/check_keras_args.py with Keras to add it")
    return name


@pytest.mark.parametrize("kind", KERAS_KINDS)
def test_arguments_match_keras(kind):
    keras = GOLDEN[keras_name(kind)]
    cls = LAYER_KINDS[kind]
    expected = set(keras["keywords"]) | set(keras["positional"])
    ours = accepted(cls) - (KERAS2 - expected) - EXTRAS.get(kind, set())
    assert sorted(ours - expected) == [], "accepted although Keras refuses them"
    assert sorted(expected - ours) == [], "Keras takes them, rnncalc refuses them"


@pytest.mark.parametrize("kind", KERAS_KINDS)
def test_positional_order_matches_keras(kind):
    keras = GOLDEN[keras_name(kind)]["positional"]
    ours = [a.name for a in LAYER_KINDS[kind].ARGS if a.positional]
    # rnncalc may stop earlier (later arguments keyword-only), never skip one: the k-th
    # positional value must bind to the argument Keras binds it to.
    assert ours == keras[:len(ours)]


def _other_layers_args(kind: str) -> list[str]:
    mine = set(GOLDEN[keras_name(kind)]["keywords"]) | set(GOLDEN[keras_name(kind)]["positional"])
    others = {n for v in GOLDEN.values() for n in v["keywords"]}
    return sorted(others - mine - KERAS2 - EXTRAS.get(kind, set()))


CASES = [(k, a) for k in KERAS_KINDS if k not in ("Bidirectional", "TimeDistributed")
         for a in _other_layers_args(k)]


@pytest.mark.parametrize(("kind", "arg"), CASES)
def test_other_layers_arguments_refused(kind, arg):
    with pytest.raises(SpecError, match=f"unknown argument '{arg}'"):
        LAYER_KINDS[kind].from_call(parse_call(f"{kind}({arg}=None)"), Namer())


def test_refusals_from_the_issue():
    for text in ("Dense(3, renorm=True)", "LSTM(3, time_major=True)",
                 "Embedding(5, 2, sparse=True)", "Dense(3, seed=1)"):
        call = parse_call(text)
        with pytest.raises(SpecError, match="Unrecognized keyword arguments"):
            LAYER_KINDS[call.name].from_call(call, Namer())


def test_not_modelled_values_are_refused_clearly():
    call = parse_call("BatchNormalization(renorm=True)")
    with pytest.raises(SpecError, match="does not model renorm=true"):
        LAYER_KINDS[call.name].from_call(call, Namer())
    ok = parse_call("BatchNormalization(renorm=False)")
    LAYER_KINDS[ok.name].from_call(ok, Namer())
