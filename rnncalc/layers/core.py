"""Input, Embedding, Dense and the shape-preserving layers around RNNs."""

from __future__ import annotations

from typing import Any

from rnncalc.errors import SpecError
from rnncalc.layers.activations import activation
from rnncalc.layers.arguments import (
    LAYER_BASE_ARGS,
    Arg,
    anything,
    boolean,
    dims,
    dtype,
    number,
    optional,
    positive_int,
    rate,
    regularized,
)
from rnncalc.layers.base import Layer, Weight, require_known, require_rank
from rnncalc.layers.counting import ACT, ADD, MAC, CostTerm, describe_dims, positions, size
from rnncalc.layers.initializers import init_arg
from rnncalc.layers.shapes import Shape
from rnncalc.layers.torch_modules import TorchModule, TorchParam


def _input_dtype(value: Any) -> str:
    """A layer dtype, or ``string`` for a text input (TextVectorization reads strings)."""
    return value if value == "string" else dtype(value)


class InputLayer(Layer):
    """A model input written as a layer (``Input(shape=(30,), dtype='int32')``).

    The graph turns it into a model input; it has no weights of its own.
    """

    kind = "InputLayer"
    aliases = ("Input",)
    MIN_INPUTS = 0
    MAX_INPUTS = 0
    ARGS = (
        Arg("shape", optional(dims), None),
        Arg("batch_size", optional(positive_int), None),
        Arg("dtype", optional(_input_dtype), None),
        Arg("sparse", anything, None),
        Arg("batch_shape", optional(dims), None, positional=False),   # Keras: after ragged
    )
    IGNORED_ARGS = frozenset({"optional"})
    NOT_MODELLED = {"ragged": False, "input_tensor": None}

    @classmethod
    def check_config(cls, config: dict[str, Any]) -> None:
        if config["batch_shape"] is not None:
            for other in ("shape", "batch_size"):
                if config[other] is not None:
                    raise SpecError(f"give either '{other}' or 'batch_shape', not both (Keras "
                                    "refuses both at the same time)")

    def batch_shape(self) -> Shape | None:
        c = self.config
        if c["batch_shape"] is not None:
            return tuple(c["batch_shape"])
        if c["shape"] is not None:
            return (c["batch_size"], *c["shape"])
        return None


class Embedding(Layer):
    """Token ids to vectors: ``embeddings (input_dim, output_dim)``."""

    kind = "Embedding"
    ACCEPTS_INPUT_DIM = False   # its own input_dim is the vocabulary size
    IGNORED_ARGS = regularized("embeddings") | {"lora_alpha"}
    NOT_MODELLED = {"lora_rank": None, "quantization_config": None, "weights": None}
    ARGS = (
        Arg("input_dim", positive_int),
        Arg("output_dim", positive_int),
        init_arg("embeddings_initializer", "uniform"),
        Arg("embeddings_regularizer", anything, None),    # Keras' positional order
        Arg("embeddings_constraint", anything, None),
        Arg("mask_zero", boolean, False),
    )

    def default_input(self) -> Shape:
        # Keras 2 built an Embedding with no input_length on (None, None).
        return (None, None)

    def build_weights(self, inputs: list[Shape]) -> list[Weight]:
        c = self.config
        return [Weight("embeddings", (c["input_dim"], c["output_dim"]),
                       c["embeddings_initializer"], role="embedding table",
                       dims=(f"{c['input_dim']} tokens (vocabulary)",
                             f"{c['output_dim']} embedding dims"))]

    def output_shapes(self, inputs: list[Shape]) -> list[Shape]:
        return [(*inputs[0], self.config["output_dim"])]

    # A lookup does no arithmetic: no cost terms (torchinfo counts B·V·D, see docs).

    def torch_modules(self, inputs: list[Shape]) -> list[TorchModule]:
        v, d = self.config["input_dim"], self.config["output_dim"]
        pad = self.config["mask_zero"]
        notes = ("mask_zero=True: PyTorch has no masks; padding_idx=0 keeps row 0 at zero and "
                 "out of the gradient, but later layers still see the padded steps",) if pad else ()
        return [TorchModule(f"nn.Embedding({v}, {d}{', padding_idx=0' if pad else ''})",
                            (TorchParam("weight", (v, d), "embedding table",
                                        (f"{v} tokens (vocabulary)", f"{d} embedding dims"),
                                        trainable=self.trainable),), notes)]

    def forward(self, inputs: list[Any], weights: dict[str, Any], mask: Any = None) -> list[Any]:
        import numpy as np

        from rnncalc.errors import SpecError

        ids = inputs[0]
        vocab = self.config["input_dim"]
        if ids.size and (ids.min() < 0 or ids.max() >= vocab):
            bad = ids[(ids < 0) | (ids >= vocab)].flat[0].item()
            if isinstance(bad, float) and bad.is_integer():
                bad = int(bad)
            raise SpecError(f"token id {bad} is outside the vocabulary: expected integers "
                            f"in [0, {vocab}) (input_dim={vocab})")
        return [np.take(weights["embeddings"], ids.astype(np.int64), axis=0)]

    def compute_mask(self, inputs: list[Any], masks: list[Any]) -> list[Any]:
        return [inputs[0] != 0 if self.config["mask_zero"] else None]

    def input_range(self) -> tuple[int, int] | None:
        return (0, self.config["input_dim"])


class Dense(Layer):
    """``activation(x W + b)`` on the last axis of an input of any rank."""

    kind = "Dense"
    IGNORED_ARGS = regularized("kernel", "bias") | {"lora_alpha"}
    NOT_MODELLED = {"lora_rank": None, "quantization_config": None}
    ARGS = (
        Arg("units", positive_int),
        Arg("activation", activation, "linear"),
        Arg("use_bias", boolean, True),
        init_arg("kernel_initializer", "glorot_uniform"),
        init_arg("bias_initializer", "zeros"),
    )

    def build_weights(self, inputs: list[Shape]) -> list[Weight]:
        x = inputs[0]
        require_rank(x, tuple(range(2, 65)), "(batch, ..., features)")
        features = require_known(x[-1], "last (features)", x)
        units = self.config["units"]
        weights = [Weight("kernel", (features, units), self.config["kernel_initializer"],
                          role="kernel", dims=(f"{features} input features", f"{units} units"))]
        if self.config["use_bias"]:
            weights.append(Weight("bias", (units,), self.config["bias_initializer"],
                                  role="bias", dims=(f"{units} units",)))
        return weights

    def output_shapes(self, inputs: list[Shape]) -> list[Shape]:
        x = inputs[0]
        require_rank(x, tuple(range(2, 65)), "(batch, ..., features)")
        return [(*x[:-1], self.config["units"])]

    def cost(self, inputs: list[Shape], outputs: list[Shape],
             convention: str = "keras") -> list[CostTerm]:
        """Per position (every index but the last axis): ``I·U`` MACs, ``U`` bias adds."""
        x = inputs[0]
        i, u = x[-1], self.config["units"]
        over, where = positions(x), describe_dims(x)
        terms = [CostTerm("matmul x·W", MAC, i * u, over, "I·U", f"{i}·{u}", where)]
        if self.config["use_bias"]:
            terms.append(CostTerm("bias add", ADD, u, over, "U", f"{u}", where))
        act = self.config["activation"]
        if act != "linear":
            terms.append(CostTerm(f"activation ({act})", ACT, u, over, "U", f"{u}", where))
        return terms

    def torch_modules(self, inputs: list[Shape]) -> list[TorchModule]:
        i, u = inputs[0][-1], self.config["units"]
        bias = self.config["use_bias"]
        t = self.trainable
        state = [TorchParam("weight", (u, i), "weight (the Keras kernel transposed)",
                            (f"{u} out features", f"{i} in features"), trainable=t)]
        if bias:
            state.append(TorchParam("bias", (u,), "bias", (f"{u} out features",), trainable=t))
        act = self.config["activation"]
        notes = (f"activation '{act}' is a separate call in PyTorch (no params)",) if (
            act != "linear") else ()
        return [TorchModule(f"nn.Linear({i}, {u}{'' if bias else ', bias=False'})",
                            tuple(state), notes)]

    SUPPORTS_MASKING = True

    def forward(self, inputs: list[Any], weights: dict[str, Any], mask: Any = None) -> list[Any]:
        import numpy as np

        from rnncalc.layers.ops import apply

        y = np.matmul(inputs[0], weights["kernel"])      # (..., features) @ (features, units)
        if "bias" in weights:
            y += weights["bias"]
        return [apply(self.config["activation"], y)]


class Dropout(Layer):
    """Random zeroing while training; the identity at inference."""

    kind = "Dropout"
    ARGS = (Arg("rate", rate),)
    IGNORED_ARGS = frozenset({"noise_shape", "seed"})
    SUPPORTS_MASKING = True

    def forward(self, inputs: list[Any], weights: dict[str, Any], mask: Any = None) -> list[Any]:
        return [inputs[0]]


class SpatialDropout1D(Layer):
    """Drops whole feature channels of (batch, time, features) while training."""

    kind = "SpatialDropout1D"
    ARGS = (Arg("rate", rate),)
    IGNORED_ARGS = frozenset({"seed"})
    LAYER_KWARGS = False   # Keras' constructor takes only rate, seed, name, dtype
    ACCEPTS_INPUT_DIM = False

    def output_shapes(self, inputs: list[Shape]) -> list[Shape]:
        require_rank(inputs[0], 3, "(batch, timesteps, features)")
        return [inputs[0]]

    SUPPORTS_MASKING = True

    def forward(self, inputs: list[Any], weights: dict[str, Any], mask: Any = None) -> list[Any]:
        return [inputs[0]]


class Activation(Layer):
    """An activation function as its own layer."""

    kind = "Activation"
    ARGS = (Arg("activation", activation),)

    def cost(self, inputs: list[Shape], outputs: list[Shape],
             convention: str = "keras") -> list[CostTerm]:
        act = self.config["activation"]
        if act == "linear":
            return []
        x = inputs[0]
        return [CostTerm(f"activation ({act})", ACT, 1, size(x), "1", "1",
                         describe_dims(x, 0))]
    SUPPORTS_MASKING = True

    def forward(self, inputs: list[Any], weights: dict[str, Any], mask: Any = None) -> list[Any]:
        from rnncalc.layers.ops import apply

        return [apply(self.config["activation"], inputs[0])]


class Masking(Layer):
    """Marks timesteps whose features all equal ``mask_value`` as padding."""

    kind = "Masking"
    ARGS = (Arg("mask_value", number, 0.0),)
    SUPPORTS_MASKING = True

    def forward(self, inputs: list[Any], weights: dict[str, Any], mask: Any = None) -> list[Any]:
        import numpy as np

        x = inputs[0]
        keep = np.any(x != self.config["mask_value"], axis=-1, keepdims=True)
        return [np.where(keep, x, 0).astype(x.dtype, copy=False)]

    def compute_mask(self, inputs: list[Any], masks: list[Any]) -> list[Any]:
        import numpy as np

        return [np.any(inputs[0] != self.config["mask_value"], axis=-1)]


class Identity(Layer):
    """Returns its input unchanged (mask included)."""

    kind = "Identity"
    IGNORED_ARGS = LAYER_BASE_ARGS
    SUPPORTS_MASKING = True

    def forward(self, inputs: list[Any], weights: dict[str, Any], mask: Any = None) -> list[Any]:
        return [inputs[0]]

    def torch_modules(self, inputs: list[Shape]) -> list[TorchModule]:
        return [TorchModule("nn.Identity()")]
