"""Attention, AdditiveAttention and MultiHeadAttention, with Keras 3's masks.

Inputs are ``[query, value]`` or ``[query, value, key]`` (key defaults to
value). Call arguments ``return_attention_scores`` and ``use_causal_mask``
sit beside ``inputs:`` in a spec. Masks follow Keras 3: the value (and key)
mask hides positions from every query, the query mask zeroes ``Attention``'s
output rows and is passed on as the output mask. MultiHeadAttention folds the
query mask into its attention mask too; Keras computes masked rows there
either through its fused ``dot_product_attention`` (a row with nothing to
attend to averages every value) or, when scores are returned or dropout is
set, through a masked softmax (such a row attends to nothing), and rnncalc
follows whichever path Keras takes.
"""

from __future__ import annotations

import string
from math import prod
from typing import Any

from rnncalc.errors import SpecError
from rnncalc.layers.arguments import (
    Arg,
    anything,
    boolean,
    choice,
    int_tuple,
    optional,
    positive_int,
    rate,
    regularized,
)
from rnncalc.layers.base import Layer, Weight, require_known
from rnncalc.layers.counting import ACT, ADD, MAC, MUL, CostTerm, Poly, dim, size
from rnncalc.layers.initializers import init_arg
from rnncalc.layers.shapes import Shape, format_shape
from rnncalc.layers.torch_modules import TorchModule, TorchParam

CALL_ARGS = (
    Arg("return_attention_scores", boolean, False),
    Arg("use_causal_mask", boolean, False),
)
_LARGE = 1.0e9      # Keras subtracts this from masked scores (float32)


def _batch_positions(shape: Shape) -> tuple[Poly, str]:
    """The leading (batch) axes of a (batch, ..., T, dim) tensor, as a count and text."""
    lead = shape[:-2]
    parts = [str(d) if d is not None else ("B" if i == 0 else "T") for i, d in enumerate(lead)]
    return size(lead), "·".join(parts) or "1"


def _t(d: int | None, symbol: str) -> str:
    return str(d) if d is not None else symbol


def _softmax(x: Any, axes: tuple[int, ...]) -> Any:
    import numpy as np

    shifted = x - np.max(x, axis=axes, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=axes, keepdims=True)


def _causal(tq: int, tv: int) -> Any:
    """Keras' causal mask ``(1, Tq, Tv)``: query ``i`` sees keys ``j <= i``."""
    import numpy as np

    return (np.arange(tq)[:, None] >= np.arange(tv)[None, :])[None]


class _ListAttention(Layer):
    """What Attention and AdditiveAttention share: ``[query, value(, key)]``, masks, scores."""

    MIN_INPUTS = 2
    MAX_INPUTS = 3
    CALL_ARGS = CALL_ARGS
    TAKES_INPUT_MASKS = True
    SUPPORTS_MASKING = True

    def check_inputs(self, inputs: list[Shape]) -> None:
        if not 2 <= len(inputs) <= 3:
            raise SpecError(f"{self.kind} layer accepts inputs list of length 2 or 3, namely "
                            f"[query, value] or [query, value, key], got {len(inputs)}")
        for what, shape in zip(("query", "value", "key"), inputs):
            if len(shape) < 3:
                raise SpecError(f"expects {what} of rank 3 or more (batch, timesteps, dim), "
                                f"got {format_shape(shape)}")

    def output_shapes(self, inputs: list[Shape]) -> list[Shape]:
        self.check_inputs(inputs)
        q, v = inputs[0], inputs[1]
        k = inputs[2] if len(inputs) > 2 else v
        out = [(*q[:-1], v[-1])]
        if self.call_config["return_attention_scores"]:
            out.append((*q[:-1], k[-2]))
        return out

    def output_names(self, inputs: list[Shape]) -> list[str]:
        names = ["output", "attention scores"]
        return names[: len(self.output_shapes(inputs))]

    def compute_mask(self, inputs: list[Any], masks: list[Any]) -> list[Any]:
        return [masks[0]]

    # -- numerics ----------------------------------------------------------------------

    def scores(self, q: Any, k: Any, weights: dict[str, Any]) -> Any:
        """Scores ``(..., Tq, Tv)`` before masking (each kind declares its own)."""
        raise NotImplementedError

    def forward(self, inputs: list[Any], weights: dict[str, Any], mask: Any = None) -> list[Any]:
        import numpy as np

        masks = list(mask or []) + [None] * 3
        q, v = inputs[0], inputs[1]
        k = inputs[2] if len(inputs) > 2 else v
        if q.shape[-1] != k.shape[-1]:
            raise SpecError(f"query and key must have the same last dim, got "
                            f"{format_shape(q.shape)} and {format_shape(k.shape)}")
        scores = self.scores(q.astype(np.float32), k.astype(np.float32), weights)
        keep = masks[1]
        if keep is not None:
            keep = np.asarray(keep, bool)[..., None, :]
        if self.call_config["use_causal_mask"]:
            causal = _causal(scores.shape[-2], scores.shape[-1])
            keep = causal if keep is None else keep & causal
        if keep is not None:
            scores = np.where(keep, scores, scores - _LARGE)
        probs = _softmax(scores, (-1,)).astype(np.float32)
        out = np.matmul(probs, v.astype(np.float32))
        if masks[0] is not None:
            out = np.where(np.asarray(masks[0], bool)[..., None], out, 0).astype(np.float32)
        return [out, probs] if self.call_config["return_attention_scores"] else [out]

    # -- cost --------------------------------------------------------------------------

    def _sizes(self, inputs: list[Shape]) -> tuple[Shape, Shape, Shape]:
        q, v = inputs[0], inputs[1]
        return q, v, (inputs[2] if len(inputs) > 2 else v)

    def score_terms(self, inputs: list[Shape], over: Poly, where: str) -> list[CostTerm]:
        raise NotImplementedError

    def cost(self, inputs: list[Shape], outputs: list[Shape],
             convention: str = "keras") -> list[CostTerm]:
        """Scores, softmax over Tv, and the weighted sum of values, per batch row."""
        q, v, k = self._sizes(inputs)
        over, where = _batch_positions(q)
        tq, tv, dv = dim(q[-2], 1), dim(k[-2], 1), v[-1]
        terms = self.score_terms(inputs, over, where)
        pairs = tq * tv
        tqs, tvs = _t(q[-2], "Tq"), _t(k[-2], "Tv")
        terms += [
            CostTerm("softmax: exp", ACT, 1, over * pairs, "1", "1", f"{where}·{tqs}·{tvs}"),
            CostTerm("softmax: sum and max", ADD, 2, over * pairs, "2", "2",
                     f"{where}·{tqs}·{tvs}"),
            CostTerm("softmax: divide", MUL, 1, over * pairs, "1", "1", f"{where}·{tqs}·{tvs}"),
            CostTerm("weights·V (AV)", MAC, dv, over * pairs, "Dv", f"{dv}",
                     f"{where}·{tqs}·{tvs}"),
        ]
        return terms

    def torch_modules(self, inputs: list[Shape]) -> list[TorchModule]:
        note = (f"torch.nn has no {self.kind} module; torch.nn.functional."
                "scaled_dot_product_attention computes dot-product attention without params")
        state = tuple(TorchParam(w.name, w.shape, w.role, w.dims, trainable=self.trainable)
                      for w in self.weights(inputs))
        return [TorchModule(f"(no torch.nn module for {self.kind})", state, (note,))]


class Attention(_ListAttention):
    """Luong-style dot-product attention: ``softmax(Q·Kᵀ)·V``, optional learned scalar scale."""

    kind = "Attention"
    ARGS = (
        Arg("use_scale", boolean, False),
        Arg("score_mode", choice("dot", "concat"), "dot"),
        Arg("dropout", rate, 0.0),
        Arg("seed", anything, None),
    )

    def build_weights(self, inputs: list[Shape]) -> list[Weight]:
        from rnncalc.layers.initializers import Initializer

        ones = Initializer("Ones")
        weights = []
        if self.config["use_scale"]:
            weights.append(Weight("scale", (), ones, role="score scale (scalar)"))
        if self.config["score_mode"] == "concat":
            weights.append(Weight("concat_score_weight", (), ones,
                                  role="concat score weight (scalar)"))
        return weights

    def scores(self, q: Any, k: Any, weights: dict[str, Any]) -> Any:
        import numpy as np

        scale = weights.get("scale")
        if self.config["score_mode"] == "dot":
            s = np.matmul(q, np.swapaxes(k, -1, -2))
            return s * scale if scale is not None else s
        summed = q[..., :, None, :] + k[..., None, :, :]
        if scale is not None:
            summed = scale * summed
        return weights["concat_score_weight"] * np.sum(np.tanh(summed), axis=-1)

    def score_terms(self, inputs: list[Shape], over: Poly, where: str) -> list[CostTerm]:
        q, _, k = self._sizes(inputs)
        d = q[-1]
        pairs = dim(q[-2], 1) * dim(k[-2], 1)
        at = f"{where}·{_t(q[-2], 'Tq')}·{_t(k[-2], 'Tv')}"
        if self.config["score_mode"] == "dot":
            terms = [CostTerm("scores Q·Kᵀ", MAC, d, over * pairs, "D", f"{d}", at)]
            if self.config["use_scale"]:
                terms.append(CostTerm("scale scores", MUL, 1, over * pairs, "1", "1", at))
            return terms
        terms = [CostTerm("q + k (concat scores)", ADD, d, over * pairs, "D", f"{d}", at)]
        if self.config["use_scale"]:
            terms.append(CostTerm("scale q + k", MUL, d, over * pairs, "D", f"{d}", at))
        return terms + [
            CostTerm("tanh", ACT, d, over * pairs, "D", f"{d}", at),
            CostTerm("sum over D", ADD, d, over * pairs, "D", f"{d}", at),
            CostTerm("concat score weight", MUL, 1, over * pairs, "1", "1", at)]


class AdditiveAttention(_ListAttention):
    """Bahdanau-style attention: ``softmax(Σ scale·tanh(q + k))·V``."""

    kind = "AdditiveAttention"
    ARGS = (
        Arg("use_scale", boolean, True),
        Arg("dropout", rate, 0.0),
        Arg("score_mode", choice("dot", "concat"), "dot", positional=False),
        Arg("seed", anything, None, positional=False),
    )

    def build_weights(self, inputs: list[Shape]) -> list[Weight]:
        if not self.config["use_scale"]:
            return []
        q = inputs[0]
        d = require_known(q[-1], "last (query dim)", q)
        from rnncalc.layers.initializers import Initializer

        return [Weight("scale", (d,), Initializer("GlorotUniform"),
                       role="score scale (per dim)", dims=(f"{d} query dims",))]

    def scores(self, q: Any, k: Any, weights: dict[str, Any]) -> Any:
        import numpy as np

        t = np.tanh(q[..., :, None, :] + k[..., None, :, :])
        scale = weights.get("scale")
        return np.sum(t * scale if scale is not None else t, axis=-1)

    def score_terms(self, inputs: list[Shape], over: Poly, where: str) -> list[CostTerm]:
        q, _, k = self._sizes(inputs)
        d = q[-1]
        pairs = dim(q[-2], 1) * dim(k[-2], 1)
        at = f"{where}·{_t(q[-2], 'Tq')}·{_t(k[-2], 'Tv')}"
        terms = [CostTerm("q + k", ADD, d, over * pairs, "D", f"{d}", at),
                 CostTerm("tanh", ACT, d, over * pairs, "D", f"{d}", at)]
        if self.config["use_scale"]:
            terms.append(CostTerm("scale · tanh, summed over D", MAC, d, over * pairs,
                                  "D", f"{d}", at))
        else:
            terms.append(CostTerm("sum over D", ADD, d, over * pairs, "D", f"{d}", at))
        return terms


def _shape_arg(value: Any) -> tuple[int, ...] | None:
    """MultiHeadAttention's ``output_shape``: an int or a list of ints (falsy: query dim)."""
    if value is None or value == [] or value == ():
        return None
    return int_tuple()(value)


def _axes_arg(value: Any) -> tuple[int, ...] | None:
    if value is None:
        return None
    return int_tuple(positive=False)(value)


class MultiHeadAttention(Layer):
    """Multi-head attention as Keras 3 builds it from four EinsumDense projections.

    Weights (query of shape ``(B, T, E)``, ``H`` heads of ``key_dim`` K and
    ``value_dim`` V): ``query/kernel (E, H, K)``, ``key/kernel (Ek, H, K)``,
    ``value/kernel (Ev, H, V)``, ``attention_output/kernel (H, V, E)`` with
    biases ``(H, K)``, ``(H, K)``, ``(H, V)``, ``(E,)``.
    """

    kind = "MultiHeadAttention"
    IGNORED_ARGS = regularized("kernel", "bias")
    MIN_INPUTS = 2
    MAX_INPUTS = 3
    CALL_ARGS = CALL_ARGS
    TAKES_INPUT_MASKS = True
    INPUTS_AS_ARGUMENTS = True
    SUPPORTS_MASKING = True
    ARGS = (
        Arg("num_heads", positive_int),
        Arg("key_dim", positive_int),
        Arg("value_dim", optional(positive_int), None),
        Arg("dropout", rate, 0.0),
        Arg("use_bias", boolean, True),
        Arg("output_shape", _shape_arg, None),
        Arg("attention_axes", _axes_arg, None),
        Arg("sliding_window", optional(positive_int), None),
        Arg("flash_attention", optional(boolean), None),
        init_arg("kernel_initializer", "glorot_uniform"),
        init_arg("bias_initializer", "zeros"),
        Arg("use_gate", boolean, False, positional=False),
        Arg("seed", anything, None, positional=False),
    )

    @property
    def heads(self) -> int:
        return self.config["num_heads"]

    @property
    def key_dim(self) -> int:
        return self.config["key_dim"]

    @property
    def value_dim(self) -> int:
        return self.config["value_dim"] or self.config["key_dim"]

    def check_inputs(self, inputs: list[Shape]) -> None:
        if len(inputs) < 2:
            raise SpecError("MultiHeadAttention needs a value: inputs must be [query, value] "
                            f"or [query, value, key], got {len(inputs)} tensor")
        if len(inputs) > 3:
            raise SpecError("MultiHeadAttention takes [query, value] or [query, value, key], "
                            f"got {len(inputs)} tensors")
        q, v = inputs[0], inputs[1]
        k = inputs[2] if len(inputs) > 2 else v
        for what, shape in (("query", q), ("value", v), ("key", k)):
            if len(shape) < 3:
                raise SpecError(f"expects {what} of rank 3 or more (batch, ..., dim), got "
                                f"{format_shape(shape)}")
        if v[1:-1] != k[1:-1]:
            raise SpecError("All dimensions of `value` and `key`, except the last one, must be "
                            f"equal. Received: value_shape={format_shape(v)} and "
                            f"key_shape={format_shape(k)}")
        if self.call_config["return_attention_scores"] and self.config["flash_attention"]:
            raise SpecError("Returning attention scores is not supported when flash "
                            "attention is enabled")

    def out_dims(self, q: Shape) -> tuple[int, ...]:
        return self.config["output_shape"] or (require_known(q[-1], "last (query dim)", q),)

    def build_weights(self, inputs: list[Shape]) -> list[Weight]:
        self.check_inputs(inputs)
        q, v = inputs[0], inputs[1]
        k = inputs[2] if len(inputs) > 2 else v
        h, kd, vd = self.heads, self.key_dim, self.value_dim
        kinit, binit = self.config["kernel_initializer"], self.config["bias_initializer"]
        heads = f"{h} heads"

        def proj(name: str, x: Shape, what: str, width: int, wname: str,
                 act: str = "") -> list[Weight]:
            e = require_known(x[-1], f"last ({what} dim)", x)
            out = [Weight(f"{name}/kernel", (e, h, width), kinit,
                          role=f"{name} projection{act}",
                          dims=(f"{e} {what} features", heads, f"{width} {wname}"))]
            if self.config["use_bias"]:
                out.append(Weight(f"{name}/bias", (h, width), binit, role=f"{name} bias",
                                  dims=(heads, f"{width} {wname}")))
            return out

        weights = proj("query", q, "query", kd, "key dims")
        weights += proj("key", k, "key", kd, "key dims")
        if self.config["use_gate"]:
            weights += proj("gate", q, "query", vd, "value dims", " (sigmoid gate)")
        weights += proj("value", v, "value", vd, "value dims")
        out = self.out_dims(q)
        out_note = tuple(f"{d} output features" for d in out)
        weights.append(Weight("attention_output/kernel", (h, vd, *out), kinit,
                              role="output projection", dims=(heads, f"{vd} value dims",
                                                              *out_note)))
        if self.config["use_bias"]:
            weights.append(Weight("attention_output/bias", tuple(out), binit,
                                  role="output bias", dims=out_note))
        return weights

    def output_shapes(self, inputs: list[Shape]) -> list[Shape]:
        self.check_inputs(inputs)
        q = inputs[0]
        shapes = [(*q[:-1], *self.out_dims(q))]
        if self.call_config["return_attention_scores"]:
            # Keras' symbolic shape: the query length on both score axes.
            shapes.append((q[0], self.heads, q[1], q[1]))
        return shapes

    def output_names(self, inputs: list[Shape]) -> list[str]:
        names = ["output", "attention scores"]
        return names[: len(self.output_shapes(inputs))]

    def compute_mask(self, inputs: list[Any], masks: list[Any]) -> list[Any]:
        return [masks[0]]

    # -- numerics ----------------------------------------------------------------------

    def attention_axes(self, rank: int) -> tuple[int, ...]:
        """Attention axes of the projected ``(B, ..., H, dim)`` tensors of this rank."""
        axes = self.config["attention_axes"]
        if axes is None:
            return tuple(range(1, rank - 2))
        return tuple(a if a >= 0 else (rank - 1) + a for a in axes)

    def forward(self, inputs: list[Any], weights: dict[str, Any], mask: Any = None) -> list[Any]:
        import numpy as np

        masks = list(mask or []) + [None] * 3
        q = inputs[0].astype(np.float32, copy=False)
        v = inputs[1].astype(np.float32, copy=False)
        has_key = len(inputs) > 2
        k = inputs[2].astype(np.float32, copy=False) if has_key else v
        c = self.call_config
        keep = self.attention_mask(q, v, masks[0], masks[1], masks[2] if has_key else None)

        def project(x: Any, name: str) -> Any:
            kernel = weights[f"{name}/kernel"]                 # (E, H, K)
            y = np.matmul(x.reshape(-1, x.shape[-1]), kernel.reshape(kernel.shape[0], -1))
            y = y.reshape(*x.shape[:-1], *kernel.shape[1:])    # (B, ..., H, K)
            if f"{name}/bias" in weights:
                y += weights[f"{name}/bias"]
            return y

        gate = None
        if self.config["use_gate"]:
            gate = 1.0 / (1.0 + np.exp(-project(q, "gate")))
        qp = project(q, "query")
        qp *= np.float32(1.0 / np.sqrt(float(self.key_dim)))
        kp, vp = project(k, "key"), project(v, "value")
        rank = qp.ndim
        attn = self.attention_axes(rank)
        if attn == (1,) and rank == 4:
            # (B, T, H, K) -> (B, H, T, S) with BLAS matmuls
            scores = np.matmul(qp.transpose(0, 2, 1, 3), kp.transpose(0, 2, 3, 1))
            product = source_s = target = ""
        else:
            letters = string.ascii_lowercase
            target = letters[:rank]
            batch = [i for i in range(rank) if i not in attn and i != rank - 1]
            source = list(target)
            extra = iter(letters[rank:])
            for i in attn:
                source[i] = next(extra)
            source_s = "".join(source)
            product = "".join([target[i] for i in batch] + [target[i] for i in attn] +
                              [source[i] for i in attn])
            scores = np.einsum(f"{source_s},{target}->{product}", kp, qp)
        probs = self.masked_softmax(scores, keep, len(attn))
        if product:
            out = np.einsum(f"{product},{source_s}->{target}", probs, vp)
        else:
            out = np.matmul(probs, vp.transpose(0, 2, 1, 3)).transpose(0, 2, 1, 3)
        if gate is not None:
            out = out * gate
        kernel = weights["attention_output/kernel"]           # (H, V, *out)
        flat = out.reshape(-1, out.shape[-2] * out.shape[-1])
        y = np.matmul(flat, kernel.reshape(flat.shape[-1], -1))
        y = y.reshape(*out.shape[:-2], *kernel.shape[2:])
        if "attention_output/bias" in weights:
            y += weights["attention_output/bias"]
        y = y.astype(np.float32, copy=False)
        return [y, probs] if c["return_attention_scores"] else [y]

    def attention_mask(self, q: Any, v: Any, q_mask: Any, v_mask: Any, k_mask: Any) -> Any:
        """Keras' ``_compute_attention_mask``: query, value, key, causal and window masks."""
        import numpy as np

        keep = None
        if q_mask is not None:
            keep = np.asarray(q_mask, bool)[..., None]
        for m in (v_mask, k_mask):
            if m is not None:
                m = np.asarray(m, bool)[..., None, :]
                keep = m if keep is None else keep & m
        if self.call_config["use_causal_mask"]:
            causal = _causal(q.shape[1], v.shape[1])
            keep = causal if keep is None else keep & causal
        if self.config["sliding_window"] is not None:
            band = np.abs(np.arange(q.shape[1])[:, None] - np.arange(v.shape[1])[None, :])
            window = (band < self.config["sliding_window"])[None]
            keep = window if keep is None else keep & window
        return keep

    def masked_softmax(self, scores: Any, keep: Any, n_axes: int) -> Any:
        """Softmax over the key axes, in place; masked as the path Keras takes masks it."""
        import numpy as np

        norm = tuple(range(scores.ndim - n_axes, scores.ndim))
        if keep is not None:
            while keep.ndim < scores.ndim:
                keep = np.expand_dims(keep, -n_axes * 2 - 1)
            scores = np.where(keep, scores, np.float32(-_LARGE))
        scores -= np.max(scores, axis=norm, keepdims=True)
        np.exp(scores, out=scores)
        scores /= np.sum(scores, axis=norm, keepdims=True)
        probs = scores.astype(np.float32, copy=False)
        if keep is None:
            return probs
        fused = (self.config["dropout"] == 0 and not self.call_config["return_attention_scores"]
                 and scores.ndim == 4)
        if fused:
            # Keras' dot_product_attention: a row with nothing to attend to sees equal
            # (large negative) logits and averages every value.
            empty = ~np.any(keep, axis=norm, keepdims=True)
            count = prod(scores.shape[a] for a in norm)
            return np.where(empty, np.float32(1.0 / count), probs).astype(np.float32)
        return np.where(keep, probs, 0).astype(np.float32)

    # -- cost --------------------------------------------------------------------------

    def cost(self, inputs: list[Shape], outputs: list[Shape],
             convention: str = "keras") -> list[CostTerm]:
        """Projections per position; QKᵀ, softmax and AV per head and (query, key) pair."""
        q, v = inputs[0], inputs[1]
        k = inputs[2] if len(inputs) > 2 else v
        h, kd, vd = self.heads, self.key_dim, self.value_dim
        out = self.out_dims(q)
        n_out = prod(out)

        def at(x: Shape) -> tuple[Poly, str]:
            lead = x[:-1]
            parts = [str(d) if d is not None else ("B" if i == 0 else "T")
                     for i, d in enumerate(lead)]
            return size(lead), "·".join(parts)

        (qn, qw), (kn, kw), (vn, vw) = at(q), at(k), at(v)
        bias = self.config["use_bias"]
        terms = [CostTerm("query projection", MAC, q[-1] * h * kd, qn, "E·H·K",
                          f"{q[-1]}·{h}·{kd}", qw),
                 CostTerm("key projection", MAC, k[-1] * h * kd, kn, "Ek·H·K",
                          f"{k[-1]}·{h}·{kd}", kw),
                 CostTerm("value projection", MAC, v[-1] * h * vd, vn, "Ev·H·V",
                          f"{v[-1]}·{h}·{vd}", vw)]
        if bias:
            terms += [CostTerm("query bias add", ADD, h * kd, qn, "H·K", f"{h}·{kd}", qw),
                      CostTerm("key bias add", ADD, h * kd, kn, "H·K", f"{h}·{kd}", kw),
                      CostTerm("value bias add", ADD, h * vd, vn, "H·V", f"{h}·{vd}", vw)]
        if self.config["use_gate"]:
            terms += [CostTerm("gate projection", MAC, q[-1] * h * vd, qn, "E·H·V",
                               f"{q[-1]}·{h}·{vd}", qw),
                      CostTerm("gate sigmoid and multiply", ACT, 2 * h * vd, qn, "2·H·V",
                               f"2·{h}·{vd}", qw)]
        tv = dim(k[-2], 1)
        pairs = qn * tv * h
        pw = f"{qw}·{_t(k[-2], 'Tv')}·{h} heads"
        terms += [
            CostTerm("scale queries by 1/√K", MUL, h * kd, qn, "H·K", f"{h}·{kd}", qw),
            CostTerm("scores Q·Kᵀ", MAC, kd, pairs, "K", f"{kd}", pw),
            CostTerm("softmax: exp", ACT, 1, pairs, "1", "1", pw),
            CostTerm("softmax: sum and max", ADD, 2, pairs, "2", "2", pw),
            CostTerm("softmax: divide", MUL, 1, pairs, "1", "1", pw),
            CostTerm("weights·V (AV)", MAC, vd, pairs, "V", f"{vd}", pw),
            CostTerm("output projection", MAC, h * vd * n_out, qn, "H·V·E",
                     f"{h}·{vd}·{n_out}", qw),
        ]
        if bias:
            terms.append(CostTerm("output bias add", ADD, n_out, qn, "E", f"{n_out}", qw))
        return terms

    # -- PyTorch -----------------------------------------------------------------------

    def torch_modules(self, inputs: list[Shape]) -> list[TorchModule]:
        q, v = inputs[0], inputs[1]
        k = inputs[2] if len(inputs) > 2 else v
        h, kd, vd = self.heads, self.key_dim, self.value_dim
        e, ek, ev = q[-1], k[-1], v[-1]
        bias = self.config["use_bias"]
        t = self.trainable
        equivalent = (h * kd == e and vd == kd and self.config["output_shape"] in (None, (e,))
                      and len(q) == 3 and not self.config["use_gate"]
                      and self.config["attention_axes"] in (None, (1,)))
        if not equivalent:
            return self._linears(e, ek, ev)
        state = []
        same = ek == e and ev == e
        if same:
            state.append(TorchParam("in_proj_weight", (3 * e, e),
                                    "packed W_q, W_k, W_v (rows: q, k, v)",
                                    (f"3 (q, k, v) × {e} heads·head_dim", f"{e} features"),
                                    trainable=t))
        else:
            for name, d in (("q", e), ("k", ek), ("v", ev)):
                state.append(TorchParam(f"{name}_proj_weight", (e, d),
                                        f"W_{name} (the Keras {name} kernel, heads flattened, "
                                        "transposed)", (f"{e} heads·head_dim", f"{d} features"),
                                        trainable=t))
        if bias:
            state.append(TorchParam("in_proj_bias", (3 * e,), "packed b_q, b_k, b_v",
                                    (f"3 (q, k, v) × {e}",), trainable=t))
        state.append(TorchParam("out_proj.weight", (e, e), "output projection",
                                (f"{e} out features", f"{e} heads·head_dim"), trainable=t))
        if bias:
            state.append(TorchParam("out_proj.bias", (e,), "output bias", (f"{e} out features",),
                                    trainable=t))
        kw = [f"{e}", f"{h}"]
        if not bias:
            kw.append("bias=False")
        if not same:
            kw += [f"kdim={ek}", f"vdim={ev}"]
        kw.append("batch_first=True")
        notes = ["in_proj_weight packs the Keras query, key and value kernels: rows "
                 "[0:E] = query/kernel reshaped (E, H·K) and transposed, then key, then value"
                 if same else "kdim/vdim differ from embed_dim: PyTorch keeps separate "
                 "q_proj_weight, k_proj_weight, v_proj_weight (in_proj_weight is None)"]
        if self.call_config["use_causal_mask"]:
            notes.append("use_causal_mask=True: pass is_causal=True with attn_mask="
                         "nn.Transformer.generate_square_subsequent_mask(T)")
        return [TorchModule(f"nn.MultiheadAttention({', '.join(kw)})", tuple(state),
                            tuple(notes))]

    def _linears(self, e: int, ek: int, ev: int) -> list[TorchModule]:
        """No nn.MultiheadAttention equivalent: the four projections as nn.Linear."""
        h, kd, vd = self.heads, self.key_dim, self.value_dim
        bias = self.config["use_bias"]
        t = self.trainable
        out = prod(self.out_dims((None, None, e)))
        mods = []
        gate = (("gate", e, h * vd),) if self.config["use_gate"] else ()
        for name, i, o in (("query", e, h * kd), ("key", ek, h * kd), *gate,
                           ("value", ev, h * vd), ("attention_output", h * vd, out)):
            state = [TorchParam("weight", (o, i), f"{name} projection", trainable=t)]
            if bias:
                state.append(TorchParam("bias", (o,), f"{name} bias", trainable=t))
            mods.append(TorchModule(f"nn.Linear({i}, {o}{'' if bias else ', bias=False'})",
                                    tuple(state), prefix=f"{name}."))
        note = ("no nn.MultiheadAttention equivalent: it needs num_heads·key_dim = embed_dim = "
                "num_heads·value_dim and output dim = embed_dim on rank-3 inputs; shown as "
                "four nn.Linear projections around F.scaled_dot_product_attention")
        mods[0] = TorchModule(mods[0].call, mods[0].state_dict, (note,), mods[0].prefix)
        return mods
