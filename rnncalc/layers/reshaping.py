"""Flatten, Reshape, RepeatVector and Permute: shape changes without weights."""

from __future__ import annotations

from math import prod
from typing import Any

from rnncalc.errors import SpecError
from rnncalc.layers.arguments import Arg, choice, int_tuple, optional, positive_int
from rnncalc.layers.base import Layer, require_rank
from rnncalc.layers.shapes import Shape, format_shape, known_prod

DATA_FORMAT = Arg("data_format", optional(choice("channels_last", "channels_first")), None)


class Flatten(Layer):
    """Collapses all non-batch axes into one."""

    kind = "Flatten"
    ARGS = (DATA_FORMAT,)

    def output_shapes(self, inputs: list[Shape]) -> list[Shape]:
        x = inputs[0]
        if len(x) == 1:
            return [(x[0], 1)]
        return [(x[0], known_prod(x[1:]))]

    def forward(self, inputs: list[Any], weights: dict[str, Any], mask: Any = None) -> list[Any]:
        import numpy as np

        x = inputs[0]
        if self.config["data_format"] == "channels_first" and x.ndim > 2:
            x = np.moveaxis(x, 1, -1)    # Keras flattens channels-last order
        return [x.reshape(x.shape[0], -1)]


class Reshape(Layer):
    """Reshapes the non-batch axes to ``target_shape`` (one ``-1`` allowed)."""

    kind = "Reshape"
    ARGS = (Arg("target_shape", int_tuple(allow=(-1,))),)

    @classmethod
    def check_config(cls, config: dict) -> None:
        if list(config["target_shape"]).count(-1) > 1:
            raise SpecError("argument 'target_shape': at most one dim may be -1, got "
                            f"{list(config['target_shape'])}")

    def output_shapes(self, inputs: list[Shape]) -> list[Shape]:
        x = inputs[0]
        target = tuple(self.config["target_shape"])
        size = known_prod(x[1:])
        if -1 in target:
            rest = prod(d for d in target if d != -1)
            if size is None:
                return [(x[0], *(None if d == -1 else d for d in target))]
            if size % rest:
                raise SpecError(f"cannot reshape input {format_shape(x)} to "
                                f"{format_shape(target)}: {size} values do not divide by {rest}")
            return [(x[0], *(size // rest if d == -1 else d for d in target))]
        if size is not None and size != prod(target):
            raise SpecError(f"cannot reshape input {format_shape(x)} ({size} values per sample) "
                            f"to {format_shape(target)} ({prod(target)} values)")
        return [(x[0], *target)]

    def forward(self, inputs: list[Any], weights: dict[str, Any], mask: Any = None) -> list[Any]:
        x = inputs[0]
        return [x.reshape(x.shape[0], *self.config["target_shape"])]


class RepeatVector(Layer):
    """(batch, features) -> (batch, n, features)."""

    kind = "RepeatVector"
    ARGS = (Arg("n", positive_int),)

    def output_shapes(self, inputs: list[Shape]) -> list[Shape]:
        x = inputs[0]
        require_rank(x, 2, "(batch, features)")
        return [(x[0], self.config["n"], x[1])]

    def forward(self, inputs: list[Any], weights: dict[str, Any], mask: Any = None) -> list[Any]:
        import numpy as np

        return [np.repeat(inputs[0][:, None, :], self.config["n"], axis=1)]


class Permute(Layer):
    """Reorders non-batch axes; ``dims`` are 1-based as in Keras."""

    kind = "Permute"
    ARGS = (Arg("dims", int_tuple(scalar_ok=False)),)

    def output_shapes(self, inputs: list[Shape]) -> list[Shape]:
        x = inputs[0]
        order = self.config["dims"]
        if sorted(order) != list(range(1, len(x))):
            raise SpecError(f"argument 'dims': expected a permutation of "
                            f"{list(range(1, len(x)))} for input {format_shape(x)}, "
                            f"got {list(order)}")
        return [(x[0], *(x[d] for d in order))]

    def forward(self, inputs: list[Any], weights: dict[str, Any], mask: Any = None) -> list[Any]:
        return [inputs[0].transpose(0, *self.config["dims"])]
