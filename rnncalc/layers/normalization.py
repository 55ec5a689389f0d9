"""LayerNormalization and BatchNormalization."""

from __future__ import annotations

from typing import Any

from rnncalc.errors import SpecError
from rnncalc.layers.arguments import (
    LAYER_BASE_ARGS,
    Arg,
    axes,
    boolean,
    integer,
    number,
    regularized,
)
from rnncalc.layers.base import Layer, Weight, require_known
from rnncalc.layers.counting import ADD, MUL, CostTerm, describe_dims, size
from rnncalc.layers.initializers import init_arg
from rnncalc.layers.shapes import Shape, format_shape, normalize_axis
from rnncalc.layers.torch_modules import TorchModule, TorchParam


def torch_permute(rank: int, keras_axes: tuple[int, ...], torch_axes: tuple[int, ...]) -> str:
    """The ``x.permute(...)`` that moves Keras' normalized axes to where torch expects them.

    ``torch_axes`` are the positions the torch module normalizes (the last
    ones for ``nn.LayerNorm``, axis 1 for ``nn.BatchNorm1d``); an empty string
    when the layouts already agree.
    """
    chosen = sorted(a % rank for a in keras_axes)
    want = [a % rank for a in torch_axes]
    if chosen == want:
        return ""
    rest = [a for a in range(rank) if a not in chosen]
    order = list(rest)
    for target, axis in sorted(zip(want, chosen)):
        order.insert(target, axis)
    back = [order.index(a) for a in range(rank)]
    return (f"x.permute({', '.join(map(str, order))}) before the module and "
            f".permute({', '.join(map(str, back))}) after it")


def _axis_dims(x: Shape, axis: int | tuple[int, ...]) -> tuple[int, ...]:
    """The known sizes of the normalized axes (batch axis excluded)."""
    chosen = (axis,) if isinstance(axis, int) else axis
    sizes = []
    for a in chosen:
        try:
            index = normalize_axis(a, len(x))
        except ValueError:
            raise SpecError(f"argument 'axis': {a} is out of range for input "
                            f"{format_shape(x)}") from None
        if index == 0:
            raise SpecError("argument 'axis': cannot normalize over the batch axis")
        sizes.append(require_known(x[index], f"axis {a}", x))
    return tuple(sizes)


def _broadcast(rank: int, axis: int | tuple[int, ...],
               shape: tuple[int, ...]) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(normalized axes, the shape a weight of those axes broadcasts as)."""
    chosen = sorted({a % rank for a in ((axis,) if isinstance(axis, int) else axis)})
    return tuple(chosen), tuple(shape[i] if i in chosen else 1 for i in range(rank))



def _affine(config: dict[str, Any], shape: tuple[int, ...], *, center: bool) -> list[Weight]:
    """The learned scale (gamma) and offset (beta) both normalizations declare."""
    note = tuple(f"{d} features" for d in shape)
    weights = []
    if config["scale"]:
        weights.append(Weight("gamma", shape, config["gamma_initializer"],
                              role="scale (gamma)", dims=note))
    if center:
        weights.append(Weight("beta", shape, config["beta_initializer"],
                              role="offset (beta)", dims=note))
    return weights

class LayerNormalization(Layer):
    """Per-sample normalization with a learned scale (gamma) and offset (beta)."""

    kind = "LayerNormalization"
    IGNORED_ARGS = regularized("beta", "gamma")
    ARGS = (
        Arg("axis", axes, -1),
        Arg("epsilon", number, 1e-3),
        Arg("center", boolean, True),
        Arg("scale", boolean, True),
        Arg("rms_scaling", boolean, False, positional=False),   # Keras: through **kwargs
        init_arg("beta_initializer", "zeros"),
        init_arg("gamma_initializer", "ones"),
    )

    def build_weights(self, inputs: list[Shape]) -> list[Weight]:
        shape = _axis_dims(inputs[0], self.config["axis"])
        c = self.config
        return _affine(c, shape, center=c["center"] and not c["rms_scaling"])

    def cost(self, inputs: list[Shape], outputs: list[Shape],
             convention: str = "keras") -> list[CostTerm]:
        """Per element: mean, centre, square, variance sum, normalize; then γ and β."""
        x = inputs[0]
        c = self.config
        over, where = size(x), describe_dims(x, 0)
        terms = [CostTerm("mean, centre, variance: adds", ADD, 3, over, "3", "3", where),
                 CostTerm("square and normalize: multiplies", MUL, 2, over, "2", "2", where)]
        if c["scale"]:
            terms.append(CostTerm("scale by gamma", MUL, 1, over, "1", "1", where))
        if c["center"] and not c["rms_scaling"]:
            terms.append(CostTerm("offset by beta", ADD, 1, over, "1", "1", where))
        return terms

    def torch_modules(self, inputs: list[Shape]) -> list[TorchModule]:
        shape = _axis_dims(inputs[0], self.config["axis"])
        c = self.config
        text = str(shape[0]) if len(shape) == 1 else str(list(shape))
        t = self.trainable
        rank = len(inputs[0])
        keras_axes = (c["axis"],) if isinstance(c["axis"], int) else tuple(c["axis"])
        permute = torch_permute(rank, keras_axes, tuple(range(rank - len(shape), rank)))
        notes = [f"{'nn.RMSNorm' if c['rms_scaling'] else 'nn.LayerNorm'} normalizes the last "
                 f"{'axis' if len(shape) == 1 else f'{len(shape)} axes'}, Keras "
                 f"axis={c['axis']!r}: {permute}"] if permute else []
        if c["rms_scaling"]:
            state = (TorchParam("weight", shape, "scale (gamma)", trainable=t),)
            return [TorchModule(f"nn.RMSNorm({text}, eps={c['epsilon']})", state, tuple(notes))]
        kw = [f"eps={c['epsilon']}"]
        state = []
        if c["scale"]:
            state.append(TorchParam("weight", shape, "scale (gamma)", trainable=t))
            if c["center"]:
                state.append(TorchParam("bias", shape, "offset (beta)", trainable=t))
            else:
                kw.append("bias=False")
        else:
            kw.append("elementwise_affine=False")
            if c["center"]:
                notes.append("no PyTorch equivalent for scale=False with center=True: "
                             "nn.LayerNorm drops the bias only with the weight (shown without "
                             "both)")
        return [TorchModule(f"nn.LayerNorm({', '.join([text, *kw])})", tuple(state),
                            tuple(notes))]

    SUPPORTS_MASKING = True

    def forward(self, inputs: list[Any], weights: dict[str, Any], mask: Any = None) -> list[Any]:
        import numpy as np

        x = inputs[0]
        axes, shape = _broadcast(x.ndim, self.config["axis"], x.shape)
        c = self.config
        mean = np.mean(x, axis=axes, keepdims=True)
        var = np.var(x, axis=axes, keepdims=True)
        inv = 1.0 / np.sqrt(var + c["epsilon"])
        if c["rms_scaling"]:
            # Keras 3 scales by the variance here too (not the raw mean square).
            y = x * inv
            if "gamma" in weights:
                y = y * weights["gamma"].reshape(shape)
            return [y.astype(x.dtype, copy=False)]
        if "gamma" in weights:
            inv = inv * weights["gamma"].reshape(shape)
        y = (x - mean) * inv
        if "beta" in weights:
            y = y + weights["beta"].reshape(shape)
        return [y.astype(x.dtype, copy=False)]


class BatchNormalization(Layer):
    """Batch statistics while training, moving statistics at inference."""

    kind = "BatchNormalization"
    IGNORED_ARGS = regularized("beta", "gamma") | {"synchronized", "renorm_clipping",
                                              "renorm_momentum"}
    NOT_MODELLED = {"renorm": False}   # renorm=True adds three non-trainable weights
    ARGS = (
        Arg("axis", integer, -1),   # Keras: an int (LayerNormalization takes a list)
        Arg("momentum", number, 0.99),
        Arg("epsilon", number, 1e-3),
        Arg("center", boolean, True),
        Arg("scale", boolean, True),
        init_arg("beta_initializer", "zeros"),
        init_arg("gamma_initializer", "ones"),
        init_arg("moving_mean_initializer", "zeros"),
        init_arg("moving_variance_initializer", "ones"),
    )

    def build_weights(self, inputs: list[Shape]) -> list[Weight]:
        shape = _axis_dims(inputs[0], self.config["axis"])
        note = tuple(f"{d} features" for d in shape)
        c = self.config
        weights = _affine(c, shape, center=c["center"])
        weights += [
            Weight("moving_mean", shape, c["moving_mean_initializer"], trainable=False,
                   role="moving mean (not trained)", dims=note),
            Weight("moving_variance", shape, c["moving_variance_initializer"], trainable=False,
                   role="moving variance (not trained)", dims=note),
        ]
        return weights

    def cost(self, inputs: list[Shape], outputs: list[Shape],
             convention: str = "keras") -> list[CostTerm]:
        """Inference: ``(x − mean)·(gamma/√(var+ε)) + beta``, the scale folded in."""
        x = inputs[0]
        over, where = size(x), describe_dims(x, 0)
        terms = [CostTerm("subtract moving mean", ADD, 1, over, "1", "1", where),
                 CostTerm("scale by gamma/√(var+ε)", MUL, 1, over, "1", "1", where)]
        if self.config["center"]:
            terms.append(CostTerm("offset by beta", ADD, 1, over, "1", "1", where))
        return terms

    def torch_modules(self, inputs: list[Shape]) -> list[TorchModule]:
        shape = _axis_dims(inputs[0], self.config["axis"])
        c = self.config
        n = shape[0] if len(shape) == 1 else shape
        t = self.trainable
        affine = c["scale"] and c["center"]
        state = []
        if affine:
            state += [TorchParam("weight", shape, "scale (gamma)", trainable=t),
                      TorchParam("bias", shape, "offset (beta)", trainable=t)]
        state += [TorchParam("running_mean", shape, "moving mean", buffer=True),
                  TorchParam("running_var", shape, "moving variance", buffer=True),
                  TorchParam("num_batches_tracked", (), "batch counter (int64)",
                             buffer=True)]
        notes = ["Keras counts moving_mean and moving_variance as non-trainable params; "
                 "PyTorch keeps running_mean, running_var and num_batches_tracked as buffers, "
                 "outside parameters()",
                 f"momentum differs in meaning: PyTorch momentum = 1 − Keras momentum "
                 f"({1 - c['momentum']:.3g})"]
        rank = len(inputs[0])
        # (N, C[, L]) -> 1d, (N, C, H, W) -> 2d, (N, C, D, H, W) -> 3d; torch has no 4d
        module = f"nn.BatchNorm{ {4: 2, 5: 3}.get(rank, 1) }d"
        if c["scale"] != c["center"]:
            notes.append(f"no PyTorch equivalent for only one of scale/center: {module} "
                         "has both (affine=True) or neither (shown without both)")
        permute = torch_permute(rank, (c["axis"],), (1,))
        if permute:
            notes.append(f"{module} normalizes axis 1, Keras axis={c['axis']}: {permute}")
        if rank > 5:
            notes.append(f"{module} takes rank 2 or 3: flatten the axes after the channels "
                         f"(rank {rank} here)")
        kw = [f"eps={c['epsilon']}"] + ([] if affine else ["affine=False"])
        return [TorchModule(f"{module}({', '.join([str(n), *kw])})", tuple(state),
                            tuple(notes))]

    SUPPORTS_MASKING = True

    def forward(self, inputs: list[Any], weights: dict[str, Any], mask: Any = None) -> list[Any]:
        import numpy as np

        x = inputs[0]
        _, shape = _broadcast(x.ndim, self.config["axis"], x.shape)
        # inference: the moving statistics, never the batch's
        inv = 1.0 / np.sqrt(weights["moving_variance"].reshape(shape) + self.config["epsilon"])
        if "gamma" in weights:
            inv = inv * weights["gamma"].reshape(shape)
        y = (x - weights["moving_mean"].reshape(shape)) * inv
        if "beta" in weights:
            y = y + weights["beta"].reshape(shape)
        return [y.astype(x.dtype, copy=False)]


class UnitNormalization(Layer):
    """Scales each sample to unit L2 norm over ``axis`` (no weights)."""

    kind = "UnitNormalization"
    IGNORED_ARGS = LAYER_BASE_ARGS
    ARGS = (Arg("axis", axes, -1),)
    SUPPORTS_MASKING = True

    def _axes(self, rank: int) -> tuple[int, ...]:
        axis = self.config["axis"]
        chosen = (axis,) if isinstance(axis, int) else axis
        for a in chosen:
            if not -rank <= a < rank:
                raise SpecError(f"argument 'axis': {a} is out of range for input of rank "
                                f"{rank}")
        return tuple(a % rank for a in chosen)

    def output_shapes(self, inputs: list[Shape]) -> list[Shape]:
        self._axes(len(inputs[0]))
        return [inputs[0]]

    def cost(self, inputs: list[Shape], outputs: list[Shape],
             convention: str = "keras") -> list[CostTerm]:
        """Per element: square, add into the sum, scale by 1/‖x‖."""
        x = inputs[0]
        over, where = size(x), describe_dims(x, 0)
        return [CostTerm("square", MUL, 1, over, "1", "1", where),
                CostTerm("sum of squares", ADD, 1, over, "1", "1", where),
                CostTerm("scale by 1/‖x‖", MUL, 1, over, "1", "1", where)]

    def forward(self, inputs: list[Any], weights: dict[str, Any], mask: Any = None) -> list[Any]:
        import numpy as np

        x = inputs[0]
        square_sum = np.sum(np.square(x), axis=self._axes(x.ndim), keepdims=True)
        with np.errstate(divide="ignore"):
            inv = np.minimum(1.0 / np.sqrt(square_sum), 1e12)    # Keras: epsilon 1e-12
        return [(x * inv).astype(x.dtype, copy=False)]

    def torch_modules(self, inputs: list[Shape]) -> list[TorchModule]:
        return [TorchModule("(F.normalize)", (),
                            (f"torch.nn has no module: F.normalize(x, p=2, "
                             f"dim={self.config['axis']}, eps=1e-12) (eps bounds the norm "
                             "instead of its inverse: equal away from zero)",))]
