"""A layer class of the user's own: its weights as its ``build`` creates them, its body walked.

Notebooks define layers (``class Attention(Layer)``) whose ``build`` calls
``self.add_weight(...)`` and whose ``call`` is a few ``tf.``/``K.``/``ops.``
lines. The code reader turns such a class into this kind: ``class_name`` (the
type Keras shows), the ``weights`` its ``build`` made for the shapes it was
called on, and either its ``call`` written as one ``lambda`` over the input
and the weights (walked by the Lambda vocabulary: shapes, cost and the NumPy
forward pass, nothing executed) or the per-sample ``output_shape`` its
``compute_output_shape`` returned. A spec can declare one directly::

    - Custom:
        class_name: Attention
        weights: {w: [64, 1], b: {shape: [20, 1], initializer: zeros}}
        function: "lambda x, w, b: ops.sum(ops.softmax(ops.tanh(x @ w + b), axis=1) * x, axis=1)"
"""

from __future__ import annotations

import ast
from typing import Any

from rnncalc.errors import SpecError
from rnncalc.layers.arguments import Arg, boolean, dims, optional, show, string
from rnncalc.layers.base import Namer, Weight
from rnncalc.layers.initializers import initializer
from rnncalc.layers.lambdas import Dims, Lambda, NumpyOps, ShapeOps, Walker, parse_body
from rnncalc.layers.shapes import Shape
from rnncalc.layers.torch_modules import TorchModule, TorchParam

WEIGHT_KEYS = ("shape", "initializer", "trainable")
DEFAULT_INIT = initializer("glorot_uniform")    # add_weight's default for floats


def _class_name(value: Any) -> str:
    name = string(value)
    if not name.isidentifier():
        raise SpecError(f"expected a Python class name, got {show(name)}")
    return name


def _weights(value: Any) -> dict[str, dict[str, Any]]:
    """``{name: shape}`` or ``{name: {shape, initializer, trainable}}``, checked and kept as
    plain data in order (so export writes it back as written)."""
    if not isinstance(value, dict):
        raise SpecError(f"expected a mapping of weight names to shapes, got {show(value)}")
    out = {}
    for name, body in value.items():
        if not isinstance(name, str) or not name.isidentifier() or name.startswith("__"):
            raise SpecError(f"weight name {show(name)}: expected a Python identifier")
        body = body if isinstance(body, dict) else {"shape": body}
        for key in body:
            if key not in WEIGHT_KEYS:
                raise SpecError(f"weight '{name}': unknown key '{key}' (takes: "
                                f"{', '.join(WEIGHT_KEYS)})")
        try:
            shape = dims(body.get("shape"))
            if any(d is None for d in shape):
                raise SpecError(f"every dim must be known, got {show(body.get('shape'))}")
            if body.get("initializer") is not None:
                initializer(body["initializer"])
            boolean(body.get("trainable", True))
        except SpecError as err:
            raise err.at(f"weight '{name}'") from None
        out[name] = {"shape": [int(d) for d in shape], **{
            k: body[k] for k in ("initializer", "trainable") if k in body}}
    return out


class Custom(Lambda):
    """A user's ``Layer`` subclass: declared weights plus a walked body (or a fixed shape)."""

    kind = "Custom"
    ARGS = (Arg("class_name", _class_name), Arg("weights", _weights, {}),
            Arg("function", optional(string), None),
            Arg("output_shape", optional(dims), None),
            Arg("reads_mask", boolean, False))
    IGNORED_ARGS = frozenset()
    SOURCE_ARGS = ("function",)
    BODY = "call"

    def __init__(self, config: dict[str, Any], namer: Namer) -> None:
        # Keras names an instance after its class: ``AttentionLayer`` -> ``attention_layer``.
        if config.get("name") is None:
            config = {**config, "name": namer.auto(config["class_name"])}
        super().__init__({"mask": None, "arguments": None, **config}, namer)

    @classmethod
    def check_config(cls, config: dict[str, Any]) -> None:
        fn = config["function"]
        if fn is None and config["output_shape"] is None:
            raise SpecError(f"Custom layer {config['class_name']}: give 'function' (its call "
                            "as a lambda over the input and the weights) or 'output_shape'")
        if fn is None:
            return
        params = [a.arg for a in parse_body(fn).args.args]
        names = list(config["weights"])
        if any(p not in names for p in params[1:]):
            raise SpecError(f"Custom layer {config['class_name']}: the function's parameters "
                            f"after the input must be weight names ({', '.join(names) or '-'}),"
                            f" got {', '.join(params[1:]) or '-'}")

    @property
    def type_name(self) -> str:
        return self.config["class_name"]

    def build_weights(self, inputs: list[Shape]) -> list[Weight]:
        return [Weight(name, tuple(w["shape"]), DEFAULT_INIT if w.get("initializer") is None
                       else initializer(w["initializer"]), w.get("trainable", True),
                       role="declared by the layer's build")
                for name, w in self.config["weights"].items()]

    def _walk(self, inputs: list[Any], ops: ShapeOps | NumpyOps) -> Any:
        fn = parse_body(self.config["function"])
        params = [a.arg for a in fn.args.args]
        env: dict[str, Any] = {params[0]: inputs[0] if len(inputs) == 1 else list(inputs)}
        values = self._arrays if isinstance(ops, NumpyOps) else {
            name: Dims(tuple(w["shape"])) for name, w in self.config["weights"].items()}
        env.update({p: values[p] for p in params[1:]})
        return Walker(fn, ops, env).run()

    def forward(self, inputs: list[Any], weights: dict[str, Any], mask: Any = None) -> list[Any]:
        if self.config["function"] is None:
            raise SpecError(f"custom layer '{self.name}' ({self.type_name}): only its output "
                            "shape is known (compute_output_shape), so it cannot be run")
        if mask is not None and self.config["reads_mask"]:
            raise SpecError(f"custom layer '{self.name}' ({self.type_name}) reads its input's "
                            "mask in call; rnncalc walks it without the mask, so it is not run "
                            "on masked input")
        self._arrays = weights
        try:
            return super().forward(inputs, weights, mask)
        finally:
            del self._arrays

    def torch_modules(self, inputs: list[Shape]) -> list[TorchModule]:
        state = tuple(TorchParam(w.name, w.shape, w.role, trainable=w.trainable)
                      for w in self.weights(inputs))
        return [TorchModule(f"{self.type_name} (a torch.nn.Module of your own)", state,
                            ("a custom layer: its weights become nn.Parameter entries of the "
                             "same shapes",))]


def lambda_text(param: str, weights: list[str], body: ast.expr) -> str:
    """The ``lambda`` source a reader writes for a call body inlined to one expression."""
    fn = ast.Lambda(args=ast.arguments(posonlyargs=[], args=[ast.arg(a) for a in
                                                              (param, *weights)],
                                       kwonlyargs=[], kw_defaults=[], defaults=[]),
                    body=body)
    return ast.unparse(ast.fix_missing_locations(fn))
