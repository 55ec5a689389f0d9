"""Custom layer classes of the code (``class Attention(Layer)``) read as ``Custom`` layers.

When an instance of a user's ``Layer`` subclass is called on tensors, the
reader knows the input shapes; this module then

- runs the class's ``build(input_shape)`` through the reader (nothing is
  executed: the reader evaluates the code), recording every
  ``self.add_weight(...)`` with its evaluated shape, initializer and trainable
  flag (weights made in ``__init__`` were recorded when the object was made);
- takes the output shape from ``compute_output_shape(input_shape)`` when the
  class defines it, and otherwise inlines ``call`` (assignments, helper
  methods of the class, ``if mask is not None`` read with no mask, the
  ``return``) into one ``lambda`` over the input and the weights, which the
  ``Custom`` kind walks with the Lambda vocabulary (shapes, cost and the
  NumPy forward pass).

A class whose call uses its own sublayers, loops or anything outside that
vocabulary is reported with the line and reason, as other unreadable code is.
"""

from __future__ import annotations

import ast
from typing import Any

from rnncalc.interop.code_values import (
    CallResult,
    FunctionalModel,
    InputNode,
    Instance,
    LayerObj,
    Opaque,
    Tensor,
    Unknown,
    UserFunction,
    WeightRef,
)
from rnncalc.layers.calls import Call

MAX_INLINE = 8          # helper methods inlined into one another at most this deep


class _NotRead(Exception):
    """A call body rnncalc does not inline; the message says what."""


def add_weight(instance: Instance, args: list[Any], kwargs: dict[str, Any],
               where: str) -> Any:
    """``self.add_weight(...)``: Keras 3's signature (``shape`` first; a first positional
    string is Keras 2's ``name``)."""
    args = list(args)
    name = kwargs.get("name")
    if args and isinstance(args[0], str):
        name = args.pop(0)
    shape = kwargs.get("shape", args[0] if args else None)
    ref = WeightRef(name if isinstance(name, str) else None, shape,
                    kwargs.get("initializer"), kwargs.get("trainable", True), where)
    instance.layer_state.setdefault("weights", []).append(ref)
    return ref


def custom_layer(reader: Any, instance: Instance, shapes: list[Any], node: ast.AST,
                 why: str | None = None, separate: bool = False) -> Any:
    """The ``Custom`` layer an instance is when first built on inputs of ``shapes`` (batch
    first; ``None`` for a shape the reader could not work out, ``why`` says why);
    ``separate``: the tensors were passed as separate arguments, not one list."""
    state = instance.layer_state
    if "as_layer" in state:
        return state["as_layer"]
    cls = instance.cls
    where = reader.where(node)
    if not shapes or any(shape is None for shape in shapes):
        because = f": {why}" if why else ""
        return Opaque(f"custom layer class '{cls.name}' ({cls.where}) is built on a tensor "
                      f"whose shape rnncalc cannot work out ({where}){because}")
    shapes = [tuple(shape) for shape in shapes]
    shape_arg: Any = shapes[0] if len(shapes) == 1 else list(shapes)
    build = cls.lookup("build")
    if isinstance(build, UserFunction):
        reader.invoke(build, [instance, shape_arg], {}, node)
    try:
        weights = _weights(cls.name, state.get("weights", []))
    except _NotRead as why:
        return Opaque(f"custom layer class '{cls.name}' ({cls.where}): {why}")
    config: dict[str, Any] = {"class_name": cls.name, "name": state.get("name"),
                              "weights": {k: v for k, (v, _) in weights.items()}}
    compute = cls.lookup("compute_output_shape")
    if isinstance(compute, UserFunction):
        out = reader.invoke(compute, [instance, shape_arg], {}, node)
        if not _is_shape(out):
            return Opaque(f"custom layer class '{cls.name}' ({cls.where}): its "
                          f"compute_output_shape gives {out!r}, not a shape")
        config["output_shape"] = list(out[1:])
        try:    # Keras shapes it by compute_output_shape; its call, when read, still runs
            config["function"], config["reads_mask"] = _inline_call(
                instance, weights, len(shapes) if separate else 1)
        except _NotRead:
            pass
    else:
        try:
            config["function"], config["reads_mask"] = _inline_call(
                instance, weights, len(shapes) if separate else 1)
        except _NotRead as why:
            return Opaque(f"custom layer class '{cls.name}' ({cls.where}): its call {why}; "
                          "rnncalc reads call bodies of tf./K./ops. functions on the input "
                          "and the layer's own weights (or give the class a "
                          "compute_output_shape)")
    layer = LayerObj(Call("Custom", (), config), str(config["name"]), where)
    state["as_layer"] = layer
    return layer


def has_sublayers(instance: Instance) -> bool:
    """The object holds Keras layers of its own (``self.W1 = layers.Dense(units)``)."""
    return any(isinstance(v, LayerObj) or (isinstance(v, list) and any(
        isinstance(x, LayerObj) for x in v)) for v in instance.attrs.values())


def composite_layer(reader: Any, instance: Instance, args: list[Any], kwargs: dict[str, Any],
                    node: ast.AST) -> Any:
    """A layer class made of sublayers, as the nested model Keras shows as one row: its
    ``call`` is read on stand-in inputs of the real shapes (sublayer calls and
    operations become the inner graph), named after the object, typed by its class."""
    from rnncalc.interop.code_specs import nested_model_call

    state = instance.layer_state
    if "as_layer" in state:
        return state["as_layer"]
    cls = instance.cls
    call = cls.lookup("call")
    if not isinstance(call, UserFunction):
        return Opaque(f"custom layer class '{cls.name}' ({cls.where}) has no call method")
    name = str(state.get("name"))
    stand_ins: list[Tensor] = []

    def stand_in(value: Any) -> Any:
        if isinstance(value, (list, tuple)):
            return [stand_in(v) for v in value]
        tensor = value.tensor(0) if isinstance(value, CallResult) else value
        if not isinstance(tensor, Tensor):
            return value
        shape = reader.tensor_shape(tensor)
        if shape is None:
            raise _NotRead(f"is called on a tensor whose shape rnncalc cannot work out "
                           f"({reader.where(node)})")
        made = Tensor(InputNode(f"{name}_input" + (f"_{len(stand_ins)}" if stand_ins else ""),
                                tuple(shape), None, reader.where(node)))
        stand_ins.append(made)
        return made

    try:
        mapped = [stand_in(a) for a in args]
        mapped_kwargs = {k: stand_in(v) for k, v in kwargs.items()}
    except _NotRead as why:
        return Opaque(f"custom layer class '{cls.name}' ({cls.where}) {why}")
    from rnncalc.layers.base import Namer

    build = cls.lookup("build")        # Keras builds the layer on its first inputs
    if isinstance(build, UserFunction):
        shapes = [t.source.batch_shape for t in stand_ins]
        reader.invoke(build, [instance, shapes[0] if len(shapes) == 1 else shapes], {}, node)
    if state.get("weights"):
        return Opaque(f"custom layer class '{cls.name}' ({cls.where}) has weights of its own "
                      "and sublayers; rnncalc reads one or the other")
    reader.in_layer_call = getattr(reader, "in_layer_call", 0) + 1
    outer_namer = getattr(reader, "layer_call_namer", None)
    reader.layer_call_namer = outer_namer or Namer()
    try:
        result = reader.invoke(call, [instance, *mapped], mapped_kwargs, node)
    finally:
        reader.in_layer_call -= 1
        reader.layer_call_namer = outer_namer
    outputs = [v.tensor(0) if isinstance(v, CallResult) else v for v in _flat(result)]
    if not outputs or not all(isinstance(t, Tensor) for t in outputs):
        bad = next((t for t in outputs if not isinstance(t, Tensor)), None)
        reason = bad.reason if isinstance(bad, Opaque) else "it returns no tensor rnncalc follows"
        return Opaque(f"custom layer class '{cls.name}' ({cls.where}): {reason}")
    model = FunctionalModel(name, reader.where(node), inputs=stand_ins, outputs=outputs)
    built, problem = nested_model_call(model, reader.source)
    if built is None:
        return Opaque(f"custom layer class '{cls.name}' ({cls.where}): {problem}")
    built.kwargs["class_name"] = cls.name
    layer = LayerObj(built, name, reader.where(node))
    state["as_layer"] = layer
    return layer


def _flat(value: Any) -> list[Any]:
    if isinstance(value, (list, tuple)):
        return [v for item in value for v in _flat(item)]
    return [value]


def _is_shape(value: Any) -> bool:
    return isinstance(value, (list, tuple)) and len(value) >= 1 and all(
        d is None or (isinstance(d, int) and not isinstance(d, bool) and d > 0) for d in value)


def _weights(cls_name: str, refs: list[WeightRef]) -> dict[str, tuple[dict[str, Any], WeightRef]]:
    """Each weight under a unique identifier: its ``name=`` when that is one, else
    ``weight_k``; its shape must be known."""
    out: dict[str, tuple[dict[str, Any], WeightRef]] = {}
    for k, ref in enumerate(refs):
        if not (isinstance(ref.shape, (list, tuple)) and ref.shape and all(
                isinstance(d, int) and not isinstance(d, bool) and d > 0 for d in ref.shape)):
            shown = ref.shape.text if isinstance(ref.shape, Unknown) else repr(ref.shape)
            raise _NotRead(f"weight {ref.name or k} ({ref.where}) has shape {shown}, not "
                           "known dims")
        key = ref.name if isinstance(ref.name, str) and ref.name.isidentifier() and \
            not ref.name.startswith("__") and ref.name not in out else f"weight_{k}"
        body: dict[str, Any] = {"shape": list(ref.shape)}
        if isinstance(ref.initializer, (str, dict)):
            body["initializer"] = ref.initializer
        if ref.trainable is False:
            body["trainable"] = False
        out[key] = (body, ref)
    return out


def _inline_call(instance: Instance, weights: dict[str, tuple[dict[str, Any], WeightRef]],
                 n_inputs: int = 1) -> tuple[str, bool]:
    """``call`` as ``lambda <input>, <weights...>: <one expression>`` and whether it reads
    the mask. A layer called on several tensors as separate arguments
    (``ctc(labels, logits)`` into ``call(self, y_true, y_pred)``) gets them as one list."""
    from rnncalc.layers.custom import lambda_text

    call = instance.cls.lookup("call")
    if not isinstance(call, UserFunction) or isinstance(call.node, ast.Lambda):
        raise _NotRead("is not a method of the class")
    params = [a.arg for a in call.node.args.args]
    if len(params) < 2:
        raise _NotRead("takes no input")
    names = {id(ref): key for key, (_, ref) in weights.items()}
    inliner = _Inliner(instance, names)
    spread = n_inputs > 1 and len(params) > n_inputs
    source = "inputs" if spread and "inputs" not in params else (
        params[1] if not spread else "_inputs")
    env: dict[str, Any] = {}
    for k, name in enumerate(params[1:]):
        if spread and k < n_inputs:
            env[name] = ast.Subscript(ast.Name(source, ast.Load()), ast.Constant(k), ast.Load())
        elif k == 0:
            env[name] = ast.Name(source, ast.Load())
        else:
            env[name] = ast.Constant(None)         # mask=None, training=None
    body = inliner.block(call.node.body, env, 0)
    used = sorted({n.id for n in ast.walk(body) if isinstance(n, ast.Name)} & set(weights),
                  key=list(weights).index)
    return lambda_text(source, used, body), inliner.reads_mask


class _Lazy:
    """An assignment not substituted yet: only what the returned value reads is read (a
    loss computed for ``add_loss`` beside it may use anything)."""

    def __init__(self, node: ast.expr, env: dict[str, Any], depth: int) -> None:
        self.node, self.env, self.depth = node, env, depth
        self.value: ast.expr | None = None


# Statements kept for their side effects only; the output does not depend on them.
SIDE_EFFECTS = ("add_loss", "add_metric", "add_update")


class _Inliner:
    """Substitutes assignments and helper methods into the returned expression."""

    def __init__(self, instance: Instance, weight_names: dict[int, str]) -> None:
        self.instance = instance
        self.weight_names = weight_names
        self.reads_mask = False

    def block(self, stmts: list[ast.stmt], env: dict[str, ast.expr], depth: int) -> ast.expr:
        for stmt in stmts:
            result = self.statement(stmt, env, depth)
            if result is not None:
                return result
        raise _NotRead("returns nothing")

    def statement(self, stmt: ast.stmt, env: dict[str, ast.expr], depth: int
                  ) -> ast.expr | None:
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
            return None                                   # a docstring
        if isinstance(stmt, ast.Return) and stmt.value is not None:
            return self.expr(stmt.value, env, depth)
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            self.assign(stmt.targets[0], _Lazy(stmt.value, dict(env), depth), env, stmt)
            return None
        if isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            self.assign(stmt.target, _Lazy(stmt.value, dict(env), depth), env, stmt)
            return None
        if isinstance(stmt, ast.AugAssign) and isinstance(stmt.target, ast.Name):
            if stmt.target.id not in env:
                raise _NotRead(f"updates '{stmt.target.id}' before setting it (line "
                               f"{stmt.lineno})")
            update = ast.BinOp(ast.Name(stmt.target.id, ast.Load()), stmt.op, stmt.value)
            env[stmt.target.id] = _Lazy(update, dict(env), depth)
            return None
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) and isinstance(
                stmt.value.func, ast.Attribute) and stmt.value.func.attr in SIDE_EFFECTS:
            return None                                   # self.add_loss(...): no output
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) and isinstance(
                stmt.value.func, ast.Name) and stmt.value.func.id == "print":
            return None
        if isinstance(stmt, ast.If):
            branch = self.condition(stmt.test, env, stmt)
            return self.block_or_none(stmt.body if branch else stmt.orelse, env, depth)
        if isinstance(stmt, ast.Pass):
            return None
        raise _NotRead(f"has '{type(stmt).__name__.lower()}' at line {stmt.lineno}")

    def block_or_none(self, stmts: list[ast.stmt], env: dict[str, ast.expr], depth: int
                      ) -> ast.expr | None:
        for stmt in stmts:
            result = self.statement(stmt, env, depth)
            if result is not None:
                return result
        return None

    def condition(self, test: ast.expr, env: dict[str, ast.expr], stmt: ast.stmt) -> bool:
        """Tests on the mask or training flag, read with neither given."""
        if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(
                test.comparators[0], ast.Constant) and test.comparators[0].value is None:
            left = self.expr(test.left, env, 0) if isinstance(test.left, ast.Name) else None
            if isinstance(left, ast.Constant) and left.value is None:
                self.reads_mask = True
                return isinstance(test.ops[0], ast.Is)
        if isinstance(test, ast.Name) and isinstance(env.get(test.id), ast.Constant):
            return bool(env[test.id].value)                # type: ignore[attr-defined]
        if isinstance(test, ast.Name) and test.id in ("training", "return_attention_scores"):
            return False
        raise _NotRead(f"branches on '{ast.unparse(test)}' (line {stmt.lineno})")

    def assign(self, target: ast.expr, value: _Lazy, env: dict[str, Any],
               stmt: ast.stmt) -> None:
        if isinstance(target, ast.Name):
            env[target.id] = value
            return
        if isinstance(target, (ast.Tuple, ast.List)) and all(
                isinstance(t, ast.Name) for t in target.elts):
            for k, t in enumerate(target.elts):               # query, values = inputs
                item = ast.Subscript(value.node, ast.Constant(k), ast.Load())
                env[t.id] = _Lazy(item, value.env, value.depth)  # type: ignore[attr-defined]
            return
        raise _NotRead(f"assigns to '{ast.unparse(target)}' (line {stmt.lineno})")

    def expr(self, node: ast.expr, env: dict[str, ast.expr], depth: int) -> ast.expr:
        inliner = self

        class Substitute(ast.NodeTransformer):
            def visit_Name(self, name: ast.Name) -> Any:
                value = env.get(name.id)
                if isinstance(value, _Lazy):
                    if value.value is None:
                        value.value = inliner.expr(value.node, value.env, value.depth)
                    return value.value
                return name if value is None else value

            def visit_Attribute(self, attr: ast.Attribute) -> Any:
                if isinstance(attr.value, ast.Name) and attr.value.id == "self":
                    return inliner.attribute(attr)
                if isinstance(attr.value, ast.Name) and attr.value.id == "tf" and \
                        attr.attr == "newaxis":
                    return ast.Constant(None)
                self.generic_visit(attr)
                return attr

            def visit_Call(self, call: ast.Call) -> Any:
                func = call.func
                if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and \
                        func.value.id == "self":
                    args = [self.visit(a) for a in call.args]
                    kwargs = {k.arg: self.visit(k.value) for k in call.keywords if k.arg}
                    return inliner.method(func.attr, args, kwargs, depth, call)
                self.generic_visit(call)
                return call

        copied = ast.parse(ast.unparse(node), mode="eval").body
        return Substitute().visit(copied)

    def attribute(self, attr: ast.Attribute) -> ast.expr:
        value = self.instance.attrs.get(attr.attr)
        if isinstance(value, WeightRef) and id(value) in self.weight_names:
            return ast.Name(self.weight_names[id(value)], ast.Load())
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return ast.Constant(value)
        if isinstance(value, LayerObj):
            raise _NotRead(f"calls its own sublayer 'self.{attr.attr}'")
        raise _NotRead(f"uses 'self.{attr.attr}', which is not one of its weights or a number")

    def method(self, name: str, args: list[ast.expr], kwargs: dict[str, ast.expr], depth: int,
               call: ast.Call) -> ast.expr:
        if isinstance(self.instance.attrs.get(name), LayerObj):
            raise _NotRead(f"calls its own sublayer 'self.{name}'")
        found = self.instance.cls.lookup(name)
        if not isinstance(found, UserFunction) or isinstance(found.node, ast.Lambda):
            raise _NotRead(f"calls 'self.{name}', which is not a method rnncalc reads")
        if depth >= MAX_INLINE:
            raise _NotRead("nests helper methods too deeply")
        spec = found.node.args
        params = [a.arg for a in spec.args][1:]
        env: dict[str, ast.expr] = {}
        defaults = dict(zip(params[len(params) - len(spec.defaults):], spec.defaults))
        for k, p in enumerate(params):
            if k < len(args):
                env[p] = args[k]
            elif p in kwargs:
                env[p] = kwargs[p]
            elif p in defaults:
                env[p] = defaults[p]
            else:
                raise _NotRead(f"calls 'self.{name}' without its '{p}' argument")
        return self.block(found.node.body, env, depth + 1)
