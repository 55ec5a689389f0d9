"""Text and feature front ends: TextVectorization, StringLookup, IntegerLookup,
Hashing, CategoryEncoding and Normalization, with Keras 3's numerics.

Keras runs these through TensorFlow string ops; here they are plain Python
over NumPy arrays: the same standardization (ASCII lower-casing, the same
punctuation set), the same whitespace and character splits, n-grams joined by
a space, the same vocabulary layout (mask token, OOV indices, then the
vocabulary), and the same hash functions (:mod:`rnncalc.layers.fingerprint`).
Only ``Normalization`` without a given ``mean``/``variance`` has weights:
non-trainable ``mean``, ``variance`` and an int64 ``count``, as Keras counts them.
"""

from __future__ import annotations

import re
import string
from collections import Counter
from typing import Any

from rnncalc.errors import SpecError
from rnncalc.layers.arguments import (
    Arg,
    anything,
    boolean,
    choice,
    is_int,
    optional,
    positive_int,
    show,
)
from rnncalc.layers.base import Layer, Weight, require_known
from rnncalc.layers.counting import ADD, MUL, CostTerm, describe_dims, size
from rnncalc.layers.initializers import Initializer
from rnncalc.layers.shapes import Shape, format_shape, normalize_axis
from rnncalc.layers.torch_modules import TorchModule

_PUNCTUATION = re.compile("[" + re.escape(string.punctuation) + "]")
_WHITESPACE = re.compile(r"[ \t\n\v\f\r]+")
_ASCII_UPPER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
_NO_TORCH = "torch.nn has no {kind}: preprocessing runs outside the module (no params)"


# -- argument validators --------------------------------------------------------------


def _bad(expected: str, value: Any) -> SpecError:
    return SpecError(f"expected {expected}, got {show(value)}")


def _vocab(kind: type) -> Any:
    """A vocabulary given as a list (a vocabulary file is refused: rnncalc reads no files)."""

    def check(value: Any) -> tuple[Any, ...] | None:
        if value is None:
            return None
        if isinstance(value, str):
            raise SpecError("a vocabulary file path is not read by rnncalc; give the "
                            "vocabulary as a list")
        ok = (isinstance(value, (list, tuple)) and value and
              all(isinstance(v, str) if kind is str else is_int(v) for v in value))
        if not ok:
            what = "strings" if kind is str else "integers"
            raise _bad(f"a non-empty list of {what}", value)
        return tuple(value)

    return check


def _numbers(value: Any) -> tuple[float, ...] | None:
    if value is None:
        return None
    if isinstance(value, (list, tuple)) and all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
        return tuple(float(v) for v in value)
    raise _bad("a list of numbers", value)


def _max_tokens(value: Any) -> int | None:
    if value is None:
        return None
    if not is_int(value) or value <= 1:
        raise SpecError(f"If set, `max_tokens` must be greater than 1. Received: "
                        f"max_tokens={show(value)}")
    return value


def _ngrams(value: Any) -> tuple[int, ...] | None:
    if value is None:
        return None
    if is_int(value) and value >= 1:
        return tuple(range(1, value + 1))
    if isinstance(value, (list, tuple)) and value and all(is_int(v) and v >= 1 for v in value):
        return tuple(value)
    raise _bad("null, a positive integer or a list of positive integers", value)


def _salt(value: Any) -> tuple[int, int] | None:
    if value is None:
        return None
    if is_int(value):
        return (value, value)
    if isinstance(value, (list, tuple)) and len(value) == 2 and all(is_int(v) for v in value):
        return (value[0], value[1])
    raise SpecError(f"The `salt` argument for `Hashing` can only be a tuple of size 2 "
                    f"integers, or a single integer. Received: salt={show(value)}")


def _false_only(what: str) -> Any:
    def check(value: Any) -> bool:
        if value is not False and value is not None:
            raise SpecError(f"{what}=true (sparse or ragged tensors) is not supported")
        return False

    return check


def _mode(*modes: str) -> Any:
    inner = choice(*modes)

    def check(value: Any) -> str:
        value = {"binary": "multi_hot", "tf-idf": "tf_idf"}.get(value, value)
        return inner(value)

    return check


# -- the vocabulary core shared by the lookup layers ------------------------------------


class Vocabulary:
    """Keras' ``IndexLookup`` table: ``[mask] [oov × n] tokens...`` and how ids are encoded."""

    def __init__(self, config: dict[str, Any], *, strings: bool, kind: str) -> None:
        c = config
        self.strings = strings
        self.mask = c["mask_token"]
        self.oov = c["oov_token"]
        self.num_oov = c["num_oov_indices"]
        self.mode = c["output_mode"]
        self.invert = c.get("invert", False)
        self.salt = c.get("salt")
        self.farmhash = c.get("oov_method", "floormod") == "farmhash" or strings
        self.oov_start = 1 if self.mask is not None and self.mode == "int" else 0
        self.token_start = self.oov_start + self.num_oov
        given = c["vocabulary"]
        tokens: list[Any] = list(given) if given is not None else []
        specials = [self.mask] * self.oov_start + [self.oov] * self.num_oov
        if tokens[:self.token_start] == specials and given is not None:
            tokens = tokens[self.token_start:]
            self.found_specials = True
        else:
            self.found_specials = False
        self.known = given is not None
        self.tokens = tokens
        repeated = sorted(str(t) for t, n in Counter(tokens).items() if n > 1)
        if repeated:
            raise SpecError(f"The passed vocabulary has at least one repeated term. Please "
                            f"uniquify your dataset. The repeated terms are: {repeated}")
        if self.mask is not None and self.mask in tokens:
            raise SpecError(f"Found reserved mask token {show(self.mask)} in the vocabulary")
        if self.invert and self.oov in tokens:
            raise SpecError(f"Found reserved OOV token {show(self.oov)} in the vocabulary")
        self.size = self.token_start + len(tokens) if self.known else \
            c.get("vocabulary_size")
        if c["max_tokens"] is not None and self.size is not None and \
                self.size > c["max_tokens"]:
            raise SpecError(f"Attempted to set a vocabulary larger than the maximum vocab "
                            f"size. Received vocabulary size is {self.size}; `max_tokens` "
                            f"is {c['max_tokens']}.")
        self.depth = c["max_tokens"] if c["pad_to_max_tokens"] else self.size
        self.index = {t: self.token_start + i for i, t in enumerate(tokens)}
        idf = c.get("idf_weights")
        self.idf = None
        if idf is not None:
            if len(idf) != len(given or ()):
                raise SpecError(f"`idf_weights` must be the same length as vocabulary. "
                                f"len(idf_weights) = {len(idf)}; len(vocabulary) = "
                                f"{len(given or ())}")
            front = [] if self.found_specials else [sum(idf) / len(idf)] * self.token_start
            back = (c["max_tokens"] - len(front) - len(idf)) if c["pad_to_max_tokens"] else 0
            self.idf = [*front, *idf, *([0.0] * back)]

    def oov_index(self, value: Any) -> int:
        from rnncalc.layers.fingerprint import hash_bucket

        if self.num_oov == 0:
            raise SpecError(f"When `num_oov_indices=0` all inputs should be in vocabulary, "
                            f"found OOV value {show(value)}, consider setting "
                            "`num_oov_indices=1`.")
        if self.num_oov == 1:
            return self.oov_start
        if not self.strings and not self.farmhash:
            return int(value) % self.num_oov + self.oov_start
        return hash_bucket(str(value), self.num_oov, self.salt) + self.oov_start

    def lookup(self, values: Any) -> Any:
        """Ids of the values (``-1``: a mask token outside ``int`` mode, counted nowhere)."""
        import numpy as np

        if not self.known and self.size is not None:
            raise SpecError(f"the {self.size}-entry vocabulary of this adapted layer is not in "
                            "its config; give `vocabulary` to run it")

        flat = [v.item() if hasattr(v, "item") else v for v in np.asarray(values).ravel()]
        if self.invert:
            table = {i: t for t, i in self.index.items()}
            out = []
            for v in flat:
                if isinstance(v, (str, bytes)) or v != int(v):
                    raise SpecError(f"invert=True maps integer ids back to tokens, got "
                                    f"{show(v)}")
                if self.mask is not None and v == 0:
                    out.append(self.mask)
                else:
                    out.append(table.get(int(v), self.oov))
            dtype = object if self.strings else np.int64
            return np.asarray(out, dtype=dtype).reshape(np.shape(values))
        ids = []
        for v in flat:
            key = str(v) if self.strings else int(v)
            if self.mask is not None and key == self.mask:
                ids.append(0 if self.mode == "int" else -1)
            elif key in self.index:
                ids.append(self.index[key])
            else:
                ids.append(self.oov_index(key))
        return np.asarray(ids, dtype=np.int64).reshape(np.shape(values))

    def encode(self, ids: Any) -> Any:
        """``output_mode`` applied to looked-up ids."""
        if self.mode == "int":
            return ids
        if self.depth is None:
            raise SpecError(f"When using `output_mode={self.mode}` and "
                            "`pad_to_max_tokens=False`, you must set the layer's vocabulary "
                            "(give `vocabulary`)")
        mode = "count" if self.mode == "tf_idf" else self.mode
        out = encode_categorical(ids, mode, self.depth)
        if self.mode == "tf_idf":
            import numpy as np

            out = out * np.asarray(self.idf, dtype=np.float32)
        return out


def encode_categorical(ids: Any, mode: str, depth: int) -> Any:
    """Keras' ``encode_categorical_inputs``: one_hot, multi_hot or count over the last axis.

    Ids outside ``[0, depth)`` (and the ``-1`` of dropped mask tokens) count nowhere.
    """
    import numpy as np

    ids = np.asarray(ids, dtype=np.int64)
    if ids.ndim == 0:
        ids = ids[None]
    valid = (ids >= 0) & (ids < depth)
    if mode == "one_hot":
        if ids.ndim > 1 and ids.shape[-1] == 1:
            ids, valid = ids[..., 0], valid[..., 0]
        out = np.zeros((*ids.shape, depth), dtype=np.float32)
        idx = np.nonzero(valid)
        out[(*idx, ids[idx])] = 1.0
        return out
    if ids.ndim == 1:
        ids, valid = ids[:, None], valid[:, None]
    out = np.zeros((*ids.shape[:-1], depth), dtype=np.float32)
    idx = np.nonzero(valid)
    np.add.at(out, (*idx[:-1], ids[idx]), 1.0)
    if mode == "multi_hot":
        out = np.minimum(out, 1.0)
    return out


def _categorical_shape(x: Shape, mode: str, depth: int | None) -> Shape:
    """IndexLookup's ``compute_output_shape`` for a non-int mode."""
    if mode == "one_hot":
        if len(x) > 1 and x[-1] == 1:
            return (*x[:-1], depth)
        return (*x, depth)
    return (*x[:-1], depth)


def _strings(values: Any, kind: str) -> Any:
    import numpy as np

    arr = np.asarray(values)
    if arr.dtype.kind not in "UOS":
        raise SpecError(f"{kind} expects string inputs, got dtype {arr.dtype}")
    return arr


class _Preprocessing(Layer):
    """What the front ends share: no torch.nn counterpart, string inputs where they read text."""

    STRING_INPUT = False

    def input_dtype(self) -> str | None:
        return "string" if self.STRING_INPUT else None

    def default_input(self) -> Shape | None:
        # A text layer first in a model reads a batch of strings: Input(shape=(), dtype=string).
        return (None,) if self.input_dtype() == "string" else None

    def torch_modules(self, inputs: list[Shape]) -> list[TorchModule]:
        return [TorchModule(f"(no torch.nn module for {self.kind})", (),
                            (_NO_TORCH.format(kind=self.kind),))]


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise _bad("a string", value)
    return value


def _int(value: Any) -> int:
    if not is_int(value):
        raise _bad("an integer", value)
    return value


def _non_negative(value: Any) -> int:
    if not is_int(value) or value < 0:
        raise SpecError(f"`num_oov_indices` must be greater than or equal to 0. Received: "
                        f"num_oov_indices={show(value)}")
    return value


# What Keras' to_json records for an adapted layer (no vocabulary list): the table size.
_VOCAB_SIZE = Arg("vocabulary_size", optional(positive_int), None, positional=False)
_LOOKUP_MODES = ("int", "one_hot", "multi_hot", "count", "tf_idf")


class _Lookup(_Preprocessing):
    """StringLookup and IntegerLookup: a vocabulary table and an output mode."""

    STRINGS = True

    @classmethod
    def check_config(cls, config: dict[str, Any]) -> None:
        _check_lookup(config, strings=cls.STRINGS, kind=cls.kind)

    @property
    def vocabulary(self) -> Vocabulary:
        return Vocabulary(self.config, strings=self.STRINGS, kind=self.kind)

    def output_shapes(self, inputs: list[Shape]) -> list[Shape]:
        x = inputs[0]
        if self.config["output_mode"] == "int":
            return [x]
        return [_categorical_shape(x, self.config["output_mode"], self.vocabulary.depth)]

    def forward(self, inputs: list[Any], weights: dict[str, Any], mask: Any = None) -> list[Any]:
        vocab = self.vocabulary
        return [vocab.encode(vocab.lookup(inputs[0]))]

    def input_tokens(self) -> list[Any] | None:
        vocab = self.config["vocabulary"]
        return list(vocab) if vocab else None


def _check_lookup(config: dict[str, Any], *, strings: bool, kind: str) -> None:
    """IndexLookup's own refusals, before any table is built."""
    if config["invert"] and config["output_mode"] != "int":
        raise SpecError("`output_mode` must be `'int'` when `invert` is true. Received: "
                        f"output_mode={config['output_mode']}")
    if config["pad_to_max_tokens"] and config["max_tokens"] is None:
        raise SpecError("If pad_to_max_tokens is True, must set `max_tokens`")
    if config["idf_weights"] is not None and config["output_mode"] != "tf_idf":
        raise SpecError("`idf_weights` should only be set if output_mode is `'tf_idf'`")
    if config["output_mode"] == "tf_idf" and config["vocabulary"] is not None and \
            config["idf_weights"] is None:
        raise SpecError("`idf_weights` must be set if output_mode is `'tf_idf'` and a "
                        "vocabulary is given")
    Vocabulary(config, strings=strings, kind=kind)


class StringLookup(_Lookup):
    """Strings to vocabulary ids (or the reverse with ``invert``)."""

    kind = "StringLookup"
    STRING_INPUT = True
    IGNORED_ARGS = frozenset({"vocabulary_dtype"})   # the ids are the same either way
    ARGS = (
        Arg("max_tokens", _max_tokens, None),
        Arg("num_oov_indices", _non_negative, 1),
        Arg("mask_token", optional(_str), None),
        Arg("oov_token", _str, "[UNK]"),
        Arg("vocabulary", _vocab(str), None),
        Arg("idf_weights", _numbers, None),
        Arg("invert", boolean, False),
        Arg("output_mode", _mode(*_LOOKUP_MODES), "int"),
        Arg("pad_to_max_tokens", boolean, False),
        Arg("sparse", _false_only("sparse"), False),
        Arg("encoding", choice("utf-8"), "utf-8"),
        Arg("salt", _salt, None, positional=False),
        Arg("oov_method", choice("floormod", "farmhash"), "floormod", positional=False),
        _VOCAB_SIZE,
    )

    def input_dtype(self) -> str | None:
        return "int64" if self.config["invert"] else "string"


class IntegerLookup(_Lookup):
    """Integer values to vocabulary ids (or the reverse with ``invert``)."""

    kind = "IntegerLookup"
    STRINGS = False
    ARGS = (
        Arg("max_tokens", _max_tokens, None),
        Arg("num_oov_indices", _non_negative, 1),
        Arg("mask_token", optional(_int), None),
        Arg("oov_token", _int, -1),
        Arg("vocabulary", _vocab(int), None),
        Arg("vocabulary_dtype", choice("int64", "int32"), "int64"),
        Arg("idf_weights", _numbers, None),
        Arg("invert", boolean, False),
        Arg("output_mode", _mode(*_LOOKUP_MODES), "int"),
        Arg("sparse", _false_only("sparse"), False),
        Arg("pad_to_max_tokens", boolean, False),
        Arg("oov_method", choice("floormod", "farmhash"), "floormod"),
        Arg("salt", _salt, None, positional=False),
        _VOCAB_SIZE,
    )

    def input_dtype(self) -> str | None:
        return "int64"


class TextVectorization(_Preprocessing):
    """Strings to token ids (or multi-hot/count/tf-idf vectors): standardize, split, look up."""

    kind = "TextVectorization"
    STRING_INPUT = True
    ARGS = (
        Arg("max_tokens", _max_tokens, None),
        Arg("standardize", choice(None, "lower_and_strip_punctuation", "lower",
                                  "strip_punctuation"), "lower_and_strip_punctuation"),
        Arg("split", choice(None, "whitespace", "character"), "whitespace"),
        Arg("ngrams", _ngrams, None),
        Arg("output_mode", _mode("int", "one_hot", "multi_hot", "count", "tf_idf"), "int"),
        Arg("output_sequence_length", optional(positive_int), None),
        Arg("pad_to_max_tokens", boolean, False),
        Arg("vocabulary", _vocab(str), None),
        Arg("idf_weights", _numbers, None),
        Arg("sparse", _false_only("sparse"), False),
        Arg("ragged", _false_only("ragged"), False),
        Arg("encoding", choice("utf-8"), "utf-8"),
        _VOCAB_SIZE,
    )

    @classmethod
    def check_config(cls, config: dict[str, Any]) -> None:
        if config["output_mode"] != "int" and config["output_sequence_length"] is not None:
            raise SpecError("`output_sequence_length` must not be set if `output_mode` is not "
                            f"'int'. Received output_sequence_length="
                            f"{config['output_sequence_length']}.")
        _check_lookup(cls.lookup_config(config), strings=True, kind=cls.kind)

    @staticmethod
    def lookup_config(config: dict[str, Any]) -> dict[str, Any]:
        """The StringLookup TextVectorization builds inside (mask token ``""``)."""
        return {**config, "mask_token": "", "oov_token": "[UNK]", "num_oov_indices": 1,
                "invert": False, "salt": None}

    @property
    def vocabulary(self) -> Vocabulary:
        return Vocabulary(self.lookup_config(self.config), strings=True, kind=self.kind)

    def output_shapes(self, inputs: list[Shape]) -> list[Shape]:
        x = inputs[0]
        c = self.config
        if c["output_mode"] == "int":
            return [(x[0], c["output_sequence_length"])]
        if c["split"] is None:
            x = (*x, 1) if len(x) <= 1 else x
        else:
            x = (*x, None)
        return [_categorical_shape(x, c["output_mode"], self.vocabulary.depth)]

    def tokens(self, text: str) -> list[str]:
        """One string's tokens after standardization, split and n-grams."""
        mode = self.config["standardize"]
        if mode in ("lower", "lower_and_strip_punctuation"):
            text = text.translate(_ASCII_UPPER)     # TF lower-cases ASCII only
        if mode in ("strip_punctuation", "lower_and_strip_punctuation"):
            text = _PUNCTUATION.sub("", text)
        split = self.config["split"]
        if split == "whitespace":
            words = [w for w in _WHITESPACE.split(text) if w]
        elif split == "character":
            words = list(text)
        else:
            words = [text]
        grams = self.config["ngrams"]
        if grams is None:
            return words
        out = []
        for n in grams:
            out += [" ".join(words[i:i + n]) for i in range(len(words) - n + 1)]
        return out

    def forward(self, inputs: list[Any], weights: dict[str, Any], mask: Any = None) -> list[Any]:
        import numpy as np

        x = _strings(inputs[0], self.kind)
        if x.ndim > 1:
            if x.shape[-1] != 1:
                raise SpecError("When using TextVectorization to tokenize strings, the input "
                                f"rank must be 1 or the last shape dimension must be 1. "
                                f"Received: inputs.shape={format_shape(x.shape)}")
            x = x[..., 0]
        rows = [self.tokens(str(s)) for s in x.ravel()]
        vocab = self.vocabulary
        c = self.config
        length = c["output_sequence_length"]
        if c["output_mode"] == "int":
            width = length if length is not None else max((len(r) for r in rows), default=0)
            out = np.zeros((len(rows), width), dtype=np.int64)
            for i, row in enumerate(rows):
                ids = vocab.lookup(np.asarray(row[:width], dtype=object))
                out[i, :len(ids)] = ids
            return [out]
        out = np.zeros((len(rows), vocab.depth or 0), dtype=np.float32)
        for i, row in enumerate(rows):
            if row:
                ids = vocab.lookup(np.asarray(row, dtype=object))
                out[i] = vocab.encode(ids[None])[0]
        return [out]

    def input_tokens(self) -> list[Any] | None:
        vocab = self.config["vocabulary"]
        return list(vocab) if vocab else None


class Hashing(_Preprocessing):
    """Values to hash bins: FarmHash64 of the text (SipHash-2-4 with a salt), as Keras does."""

    kind = "Hashing"
    ARGS = (
        Arg("num_bins", positive_int),
        Arg("mask_value", anything, None),
        Arg("salt", _salt, None),
        Arg("output_mode", _mode("int", "one_hot", "multi_hot", "count"), "int"),
        Arg("sparse", _false_only("sparse"), False),
    )

    def output_shapes(self, inputs: list[Shape]) -> list[Shape]:
        x = inputs[0]
        if self.config["output_mode"] == "int":
            return [x]
        return [(*x[:-1], self.config["num_bins"]) if x else (self.config["num_bins"],)]

    def forward(self, inputs: list[Any], weights: dict[str, Any], mask: Any = None) -> list[Any]:
        import numpy as np

        from rnncalc.layers.fingerprint import hash_bucket

        c = self.config
        x = np.asarray(inputs[0])
        if c["output_mode"] == "one_hot" and x.ndim and x.shape[-1] == 1:
            x = x[..., 0]
        bins = c["num_bins"]
        masked = c["mask_value"] is not None and bins > 1
        if masked:
            bins -= 1
        out = []
        for v in x.ravel():
            v = v.item() if hasattr(v, "item") else v
            if masked and v == c["mask_value"]:
                out.append(0)
                continue
            if isinstance(v, float):
                if v != v or v in (float("inf"), float("-inf")):
                    raise SpecError(f"Hashing cannot hash {v} (Keras casts floats to int64)")
                v = int(v)
            text = v if isinstance(v, str) else str(int(v))
            out.append(hash_bucket(text, bins, c["salt"]) + (1 if masked else 0))
        ids = np.asarray(out, dtype=np.int64).reshape(x.shape)
        if c["output_mode"] == "int":
            return [ids]
        return [encode_categorical(ids, c["output_mode"], c["num_bins"])]


class CategoryEncoding(_Preprocessing):
    """Integer ids to one-hot, multi-hot or count vectors of ``num_tokens``."""

    kind = "CategoryEncoding"
    ARGS = (
        Arg("num_tokens", positive_int),
        Arg("output_mode", _mode("count", "one_hot", "multi_hot"), "multi_hot"),
        Arg("sparse", _false_only("sparse"), False),
    )

    def output_shapes(self, inputs: list[Shape]) -> list[Shape]:
        x = inputs[0]
        n = self.config["num_tokens"]
        if not x:
            return [(n,)]
        if self.config["output_mode"] == "one_hot":
            if x[-1] != 1 or len(x) == 1:
                return [(*x, n)]
            return [(*x[:-1], n)]
        return [(*x[:-1], n)]

    def forward(self, inputs: list[Any], weights: dict[str, Any], mask: Any = None) -> list[Any]:
        return [encode_categorical(inputs[0], self.config["output_mode"],
                                   self.config["num_tokens"])]


def _norm_axis(value: Any) -> tuple[int, ...]:
    if value is None:
        return ()
    if is_int(value):
        return (value,)
    if isinstance(value, (list, tuple)) and all(is_int(a) for a in value):
        return tuple(value)
    raise _bad("an axis, a list of axes or null", value)


def _stat(value: Any) -> Any:
    if value is None or (isinstance(value, (int, float)) and not isinstance(value, bool)):
        return value
    if isinstance(value, (list, tuple)):
        return [_stat(v) for v in value]
    raise _bad("a number or a list of numbers", value)


class Normalization(_Preprocessing):
    """``(x - mean) / max(√variance, 1e-7)`` per kept axis; weights only when adapted."""

    kind = "Normalization"
    SUPPORTS_MASKING = True
    ARGS = (
        Arg("axis", _norm_axis, (-1,)),
        Arg("mean", _stat, None),
        Arg("variance", _stat, None),
        Arg("invert", boolean, False),
    )

    @classmethod
    def check_config(cls, config: dict[str, Any]) -> None:
        import numpy as np

        mean, var = config["mean"], config["variance"]
        if (mean is None) != (var is None):
            raise SpecError("When setting values directly, both `mean` and `variance` must be "
                            f"set. Received: mean={show(mean)} and variance={show(var)}")
        if mean is not None:
            if np.shape(mean) != np.shape(var):
                raise SpecError("In `Normalization`, `mean` and `variance` must have the same "
                                f"shape, got {show(mean)} and {show(var)}")
            if len(np.shape(mean)) > len(config["axis"]):
                raise SpecError("In `Normalization`, `mean` and `variance` must have no more "
                                "dims than there are kept axes")

    def kept(self, x: Shape) -> tuple[int, ...]:
        out = []
        for a in self.config["axis"]:
            try:
                out.append(normalize_axis(a, len(x)))
            except ValueError:
                raise SpecError(f"All `axis` values must be in the range [-{len(x)}, "
                                f"{len(x)}). Received inputs with ndim={len(x)}, while axis "
                                f"is {self.config['axis']}") from None
        for d in out:
            require_known(x[d], f"axis {d}", x)
        return tuple(sorted(out))

    def output_shapes(self, inputs: list[Shape]) -> list[Shape]:
        x = inputs[0]
        keep = self.kept(x)
        mean = self.config["mean"]
        if mean is not None:
            import numpy as np

            given = np.shape(mean)
            want = tuple(x[d] for d in keep)[len(keep) - len(given):] if given else ()
            if given and given != want:
                raise SpecError(f"`mean` and `variance` of shape {given} do not fit the "
                                f"kept axes {keep} of input {format_shape(x)} (sizes {want})")
        return [x]

    def build_weights(self, inputs: list[Shape]) -> list[Weight]:
        x = inputs[0]
        keep = self.kept(x)
        if self.config["mean"] is not None:
            return []
        shape = tuple(int(x[d]) for d in keep)  # type: ignore[arg-type]
        note = tuple(f"{d} features" for d in shape)
        return [
            Weight("mean", shape, Initializer("Zeros"), trainable=False,
                   role="mean (from adapt, not trained)", dims=note),
            Weight("variance", shape, Initializer("Ones"), trainable=False,
                   role="variance (from adapt, not trained)", dims=note),
            Weight("count", (), Initializer("Zeros"), trainable=False,
                   role="samples seen by adapt (int64)", dtype="int64"),
        ]

    def stats(self, x: Any, weights: dict[str, Any]) -> tuple[Any, Any]:
        import numpy as np

        keep = self.kept(x.shape)
        bshape = [x.shape[d] if d in keep else 1 for d in range(x.ndim)]
        if self.config["mean"] is None:
            mean = np.asarray(weights["mean"], np.float32).reshape(bshape)
            var = np.asarray(weights["variance"], np.float32).reshape(bshape)
            return mean, var
        mean = np.asarray(self.config["mean"], np.float32)
        var = np.asarray(self.config["variance"], np.float32)
        if mean.ndim:
            expanded = [1] * x.ndim
            for i in range(1, mean.ndim + 1):
                expanded[keep[-i]] = mean.shape[-i]
            mean, var = mean.reshape(expanded), var.reshape(expanded)
        return np.broadcast_to(mean, bshape), np.broadcast_to(var, bshape)

    def forward(self, inputs: list[Any], weights: dict[str, Any], mask: Any = None) -> list[Any]:
        import numpy as np

        x = np.asarray(inputs[0], np.float32)
        mean, var = self.stats(x, weights)
        scale = np.maximum(np.sqrt(var), np.float32(1e-7))
        if self.config["invert"]:
            return [(mean + x * scale).astype(np.float32)]
        return [((x - mean) / scale).astype(np.float32)]

    def cost(self, inputs: list[Shape], outputs: list[Shape],
             convention: str = "keras") -> list[CostTerm]:
        """Per element: subtract the mean, divide by the standard deviation."""
        x = inputs[0]
        over, where = size(x), describe_dims(x, 0)
        return [CostTerm("subtract mean", ADD, 1, over, "1", "1", where),
                CostTerm("divide by √variance", MUL, 1, over, "1", "1", where)]
