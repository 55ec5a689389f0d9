"""Models read from code, turned into :class:`~rnncalc.spec.model.ModelSpec`.

A Sequential becomes a layer list; a functional or subclassed model becomes
a graph: walking back from its outputs through the layer calls that made
them, each call one layer entry with ``inputs:`` and ``initial_state:``
references. A model that cannot be read (a value only the data knows, a
shared layer, a nested model, an argument Keras refuses) gets a ``problem``
that names the line and the reason instead of a spec.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rnncalc.errors import SpecError
from rnncalc.interop.code_values import (
    CallNode,
    FunctionalModel,
    InputNode,
    LayerObj,
    Model,
    Opaque,
    SequentialModel,
    SubclassedModel,
    Tensor,
    Unknown,
    contains_unknown,
    needs,
)
from rnncalc.layers.calls import Call
from rnncalc.spec.model import InputDecl, LayerDecl, ModelSpec, Ref

SHAPE_KWARGS = ("input_shape", "batch_input_shape")
# a layer's Keras 2 input arguments mean nothing once it is called on a tensor
KERAS2_INPUT_KWARGS = ("input_shape", "batch_input_shape")


@dataclass
class CodeModel:
    """One model the code builds: its spec, or why it cannot be read."""

    name: str
    where: str
    spec: ModelSpec | None
    problem: str | None = None
    notes: list[str] = field(default_factory=list)
    kind: str = "sequential"


class _Skip(Exception):
    pass


def to_code_model(model: Model, source: str) -> CodeModel:
    """The spec of one model (or its problem), with notes about dims taken as ``None``."""
    kind = ("sequential" if isinstance(model, SequentialModel) else
            "subclassed" if isinstance(model, SubclassedModel) else "functional")
    result = CodeModel(model.name, model.where, None, model.problem, list(model.notes), kind)
    if result.problem is not None:
        return result
    if isinstance(model, SequentialModel) and not model.has_input and model.unbuilt_hint:
        hint = model.unbuilt_hint
        result.notes.append(f"no input shape: Keras builds it on the data fit() gets ('{hint}'):"
                            f" give --set '{hint}.shape=(N, ...)'")
    try:
        if isinstance(model, SequentialModel):
            spec = _sequential(model, source, result.notes)
        else:
            if isinstance(model, SubclassedModel) and not model.traced:
                raise _Skip(f"subclassed model '{model.name}' is never called on inputs or "
                            "built, so its input shape is unknown (Keras leaves it unbuilt "
                            "too)")
            spec = _functional(model, source, result.notes)
        _validate(spec)
    except _Skip as skip:
        result.problem = str(skip)
        return result
    except SpecError as err:
        result.problem = str(err)
        return result
    result.spec = spec
    return result


# -- Sequential ---------------------------------------------------------------------------

def _sequential(model: SequentialModel, source: str, notes: list[str]) -> ModelSpec:
    if not any(isinstance(i, LayerObj) for i in model.items):
        raise _Skip("it has no layers")
    inputs: list[InputDecl] = []
    layers: list[LayerDecl] = []
    seen: set[int] = set()
    for position, item in enumerate(model.items):
        if isinstance(item, InputNode):
            if position != 0:
                raise _Skip(f"an Input is added after layers ({item.where})")
            inputs.append(_input_decl(item, notes, source))
            continue
        if id(item) in seen:
            raise _Skip(f"layer '{item.name}' is added twice ({item.where}); Keras refuses "
                        "a layer name twice in a Sequential")
        seen.add(id(item))
        call = _shape_args(item, notes) if position == 0 else item.call
        call = _check_known(call, f"layer '{item.name}'", notes)
        layers.append(LayerDecl(call, None, (), f"layers[{len(layers)}]",
                                f"{source}: {item.where}"))
    if model.build_shape is not None and not inputs:
        shape = _dims(model.build_shape, f"the shape given to build() of '{model.name}'",
                      notes, batch_first=True)
        inputs.append(InputDecl(None, shape, None, model.where))
    return ModelSpec(model.name, tuple(inputs), tuple(layers), None, False, source)


def _shape_args(item: LayerObj, notes: list[str]) -> Call:
    """The first layer's Keras 2 ``input_shape``: the time axis may be unknown."""
    kwargs = dict(item.call.kwargs)
    for key in SHAPE_KWARGS:
        if key in kwargs and contains_unknown(kwargs[key]) is not None:
            kwargs[key] = list(_dims(kwargs[key], f"'{key}' of layer '{item.name}'", notes,
                                     batch_first=key == "batch_input_shape"))
    return Call(item.call.name, item.call.args, kwargs)


# -- functional and subclassed ------------------------------------------------------------

def _functional(model: FunctionalModel | SubclassedModel, source: str,
                notes: list[str]) -> ModelSpec:
    declared: list[InputNode] = []
    for value in model.inputs:
        if isinstance(value, Tensor) and isinstance(value.source, InputNode):
            declared.append(value.source)
        else:
            raise _Skip(_why(value, f"the inputs of model '{model.name}'"))
    if not model.outputs:
        raise _Skip(f"model '{model.name}' has no outputs")
    outputs: list[Tensor] = []
    for value in model.outputs:
        if not isinstance(value, Tensor):
            raise _Skip(_why(value, f"the outputs of model '{model.name}'"))
        outputs.append(value)

    nodes: dict[int, CallNode] = {}
    reached_inputs: dict[int, InputNode] = {}
    stack = list(outputs)
    while stack:
        tensor = stack.pop()
        source_node = tensor.source
        if isinstance(source_node, InputNode):
            reached_inputs[id(source_node)] = source_node
            continue
        if id(source_node) in nodes:
            continue
        nodes[id(source_node)] = source_node
        stack.extend([*source_node.inputs, *source_node.initial_state])

    for node in reached_inputs.values():
        if all(node is not d for d in declared):
            raise _Skip(f"input '{node.name}' ({node.where}) is needed by the outputs but is "
                        f"not among the model's inputs (Keras: graph disconnected)")
    inputs = [_input_decl(node, notes, source) for node in declared]
    decls = []
    # A layer object called more than once (shared weights): its first call is the layer,
    # each later call a ``call:`` entry that later layers reach by its alias.
    names: dict[int, str] = {}
    calls: dict[int, int] = {}
    for node in sorted(nodes.values(), key=lambda n: n.order):
        k = calls.get(id(node.layer), 0)
        calls[id(node.layer)] = k + 1
        refs_in = tuple(_ref(t, names) for t in node.inputs)
        states = tuple(_ref(t, names) for t in node.initial_state)
        label, where = f"layers[{len(decls)}]", f"{source}: {node.where}"
        if k:
            names[id(node)] = f"{node.layer.name}_call_{k}"
            decls.append(LayerDecl(Call(node.layer.name), refs_in, states, label, where,
                                   shared=node.layer.name, alias=names[id(node)]))
            continue
        names[id(node)] = node.layer.name
        call = _check_known(node.layer.call, f"layer '{node.layer.name}'", notes)
        kwargs = {k: v for k, v in call.kwargs.items() if k not in KERAS2_INPUT_KWARGS}
        kwargs.setdefault("name", node.layer.name)
        decls.append(LayerDecl(Call(call.name, call.args, kwargs), refs_in, states, label,
                               where))
    refs = tuple(_ref(t, names) for t in outputs)
    return ModelSpec(model.name, tuple(inputs), tuple(decls), refs, True, source)


def nested_model_call(model: FunctionalModel, source: str) -> tuple[Call | None, str]:
    """A functional model used as a layer, as the nested ``Functional`` call the graph
    builds (its declarations handed over already parsed); ``(None, reason)`` when the model
    cannot be read."""
    notes: list[str] = []
    try:
        spec = _functional(model, source, notes)
    except _Skip as skip:
        return None, str(skip)
    inputs = {decl.name: {"batch_shape": list(decl.batch_shape or ()) or None,
                          **({"dtype": decl.dtype} if decl.dtype else {})}
              for decl in spec.inputs}
    outputs = [str(ref) for ref in spec.outputs or ()]
    return Call("Functional", (), {"name": model.name, "inputs": inputs,
                                   "layers": list(spec.layers), "outputs": outputs}), ""


def _ref(tensor: Tensor, names: dict[int, str]) -> Ref:
    if isinstance(tensor.source, InputNode):
        return Ref(tensor.source.name)
    return Ref(names[id(tensor.source)], tensor.index)


# -- inputs and shapes --------------------------------------------------------------------

def _input_decl(node: InputNode, notes: list[str], source: str) -> InputDecl:
    if node.batch_shape is None:
        raise _Skip(f"Input '{node.name}' ({node.where}) has no shape")
    shape = _dims(node.batch_shape, f"the shape of Input '{node.name}'", notes, batch_first=True)
    if node.dtype is not None and contains_unknown(node.dtype):
        raise _Skip(needs(node.dtype, f"the dtype of Input '{node.name}'"))
    return InputDecl(node.name, shape, node.dtype, f"{source}: {node.where}")


def _dims(shape: Any, what: str, notes: list[str], batch_first: bool) -> tuple[Any, ...]:
    """A shape with an unknown time axis taken as ``None`` (noted); other unknowns skip."""
    if isinstance(shape, Unknown):
        raise _Skip(needs(shape, what))
    if not isinstance(shape, (list, tuple)):
        raise _Skip(f"{what} is not a shape: {shape!r}")
    dims = list(shape)
    for dim in dims:
        if not (dim is None or isinstance(dim, Unknown) or (
                isinstance(dim, int) and not isinstance(dim, bool) and dim > 0)):
            raise _Skip(f"{what}: {dim!r} is not a dim (a positive integer or None)")
    # batch, then the time axis (the first per-sample axis) of a rank >= 3 input
    free = {0, 1} if batch_first else {0}
    rank = len(dims) - (1 if batch_first else 0)
    for k, dim in enumerate(dims):
        if isinstance(dim, Unknown):
            per_sample = k - (1 if batch_first else 0)
            if (batch_first and k == 0) or (k in free and rank >= 2 and per_sample == 0):
                dims[k] = None
                notes.append(f"{what}: '{dim.text}' ({dim.where}) is known only from the "
                             f"data, so that axis is None (give --set '{dim.text}=VALUE' to "
                             "fix it)")
            else:
                raise _Skip(needs(dim, what))
    return tuple(dims)


def _check_known(call: Call, what: str, notes: list[str] | None = None) -> Call:
    """The call, if everything in it is known. Initial values only the data knows
    (``weights=[embedding_matrix]``, ``Constant(matrix)``) change no shape or count: they
    are left out, with a note."""
    kwargs = dict(call.kwargs)
    for key, value in call.kwargs.items():
        found = contains_unknown(value)
        if found is not None and (key == "weights" or key.endswith("_initializer")):
            del kwargs[key]
            if notes is not None:
                notes.append(f"{what}: '{key}' comes from data ('{found.text}', {found.where});"
                             " it changes no shape or count and is left out")
    call = Call(call.name, call.args, kwargs)
    found = contains_unknown(call)
    if found is not None:
        raise _Skip(needs(found, what))
    return call


def _why(value: Any, what: str) -> str:
    if isinstance(value, Opaque):
        return value.reason
    if isinstance(value, Unknown):
        return needs(value, what)
    return f"{what} are not Keras tensors rnncalc can follow"


def _validate(spec: ModelSpec) -> None:
    """Build the graph once, as Keras builds the model: what Keras refuses, we refuse."""
    from rnncalc.graph import build_graph

    try:
        build_graph(spec)
    except SpecError as err:
        if "no input shape" in str(err):
            return          # shapes may come from --input-shape later
        raise


def output_shape(tensor: Tensor) -> tuple[Any, ...] | None:
    """The shape of a tensor made by layer calls, or ``None`` when it cannot be worked out."""
    shapes = output_shapes(tensor)
    return None if shapes is None else shapes[tensor.index]


def output_shapes(tensor: Tensor) -> list[tuple[Any, ...]] | None:
    """Every output shape of the layer call that made a tensor (``[output, *states]``);
    worked out once per layer call."""
    if isinstance(tensor.source, InputNode):
        return [tuple(tensor.source.batch_shape or ())]
    if tensor.source.shapes is not None:
        return tensor.source.shapes
    # the calls before it that are not worked out yet, oldest first, each on its own
    pending: dict[int, CallNode] = {}
    stack = [tensor.source]
    while stack:
        node = stack.pop()
        if id(node) in pending or node.shapes is not None:
            continue
        pending[id(node)] = node
        stack.extend(t.source for t in [*node.inputs, *node.initial_state]
                     if isinstance(t, Tensor) and isinstance(t.source, CallNode))
    for node in sorted(pending.values(), key=lambda n: n.order):
        node.shapes, node.problem = _call_shapes(node)
        if node.shapes is None:
            tensor.source.problem = tensor.source.problem or node.problem
            break
    return tensor.source.shapes


def shape_problem(tensor: Tensor) -> str | None:
    """Why :func:`output_shape` gave ``None`` for a tensor (the first layer call that could
    not be shaped, and its reason)."""
    return None if isinstance(tensor.source, InputNode) else tensor.source.problem


def _call_shapes(node: CallNode) -> tuple[list[tuple[Any, ...]] | None, str | None]:
    """One layer call's output shapes, from its inputs' (already known) shapes; or
    ``None`` and why."""
    stand_ins: list[list[Tensor]] = [[], []]
    for group, tensors in zip(stand_ins, (node.inputs, node.initial_state)):
        for k, t in enumerate(tensors):
            if isinstance(t.source, InputNode):
                group.append(t)
                continue
            if t.source.shapes is None:
                return None, t.source.problem
            shape = t.source.shapes[t.index]
            group.append(Tensor(InputNode(f"probe_{len(stand_ins[0])}_{k}_{id(group)}",
                                          shape, None, "")))
    probe_node = CallNode(node.layer, stand_ins[0], stand_ins[1], node.where, node.order)
    return _output_shapes(Tensor(probe_node, 0))


def _output_shapes(tensor: Tensor) -> tuple[list[tuple[Any, ...]] | None, str | None]:
    from rnncalc.graph import build_graph

    inputs: dict[int, InputNode] = {}
    stack, seen = [tensor], set()
    while stack:
        current = stack.pop()
        source = current.source
        if isinstance(source, InputNode):
            inputs[id(source)] = source
        elif id(source) not in seen:
            seen.add(id(source))
            stack.extend(t for t in [*source.inputs, *source.initial_state]
                         if isinstance(t, Tensor))
    probe = FunctionalModel("probe", "", inputs=[Tensor(i) for i in inputs.values()],
                            outputs=[tensor])
    try:
        graph = build_graph(_functional(probe, "", []))
    except (_Skip, SpecError) as err:
        return None, str(err)
    node = graph.node(graph.outputs[0].node)
    return [tuple(shape) for shape in node.output_shapes], None
