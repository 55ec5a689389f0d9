"""Build the symbolic layer graph: layers, their tensors, shapes and weights.

The builder walks the spec's layer entries in order (Keras' construction
order, so default names match a fresh Keras session), resolves references,
and asks each layer for its weights and output shapes. Every error is
labelled with the file line and the layer it belongs to.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from rnncalc.errors import SpecError, did_you_mean
from rnncalc.layers import Layer, Namer, Weight, layer_class
from rnncalc.layers.calls import Call
from rnncalc.layers.core import InputLayer
from rnncalc.layers.shapes import Shape, format_shape
from rnncalc.spec.model import InputDecl, LayerDecl, ModelSpec, Ref
from rnncalc.spec.placeholders import refuse as refuse_placeholders

#: Spec names of a model used as a layer -> the class Keras prints for it.
MODEL_KINDS = {"Sequential": "Sequential", "Model": "Functional", "Functional": "Functional"}


@dataclass(frozen=True)
class ShapeOptions:
    """Command-line overrides of the model's input shapes."""

    input_shape: Shape | None = None    # per-sample, batch excluded
    batch_size: int | None = None
    timesteps: int | None = None


@dataclass(frozen=True)
class TensorRef:
    """Output ``index`` of node ``node``."""

    node: str
    index: int = 0


@dataclass
class Node:
    """One layer (or model input) placed in the graph with its tensors."""

    name: str
    kind: str
    layer: Layer | None
    inbound: list[TensorRef]
    input_shapes: list[Shape]
    output_shapes: list[Shape]
    weights: list[Weight] = field(default_factory=list)
    dtype: str = "float32"
    label: str = ""
    #: A later call of a shared layer: the node of its first call (whose row, name
    #: and weights it shares) and which call of that layer this is (1, 2, ...).
    owner: str = ""
    call_index: int = 0

    @property
    def type_name(self) -> str:
        """The type column Keras shows (the kind, or a user's own class name)."""
        return self.layer.type_name if self.layer is not None else self.kind

    @property
    def layer_name(self) -> str:
        """The layer this node is a call of (its own name unless a later shared call)."""
        return self.owner or self.name

    @property
    def params(self) -> int:
        return sum(w.params for w in self.weights)

    @property
    def trainable_params(self) -> int:
        return sum(w.params for w in self.weights if w.trainable)

    @property
    def param_bytes(self) -> int:
        return sum(w.bytes for w in self.weights)

    @property
    def trainable_bytes(self) -> int:
        return sum(w.bytes for w in self.weights if w.trainable)


@dataclass
class Graph:
    """The model: input nodes, layer nodes in topological order, output tensors."""

    name: str
    inputs: list[Node]
    nodes: list[Node]
    outputs: list[TensorRef]
    functional: bool
    unused: list[str] = field(default_factory=list)
    #: A functional model's inputs and layers in the order Keras' summary lists them (an
    #: input used only late comes late); empty for a layer list.
    rows: list[str] = field(default_factory=list)

    def node(self, name: str) -> Node:
        by_name = self.__dict__.get("_by_name")     # by name: O(1) per lookup
        found = by_name.get(name) if by_name is not None else None
        if found is not None:
            return found
        self.__dict__["_by_name"] = {n.name: n for n in (*self.inputs, *self.nodes)}
        return self.__dict__["_by_name"][name]

    @property
    def is_chain(self) -> bool:
        """A single chain: each layer reads the previous node's first output, or all of
        its outputs in order (as Keras' Sequential hands a multi-output layer's list on)."""
        previous, fan = (self.inputs[0].name, 1) if len(self.inputs) == 1 else (None, 1)
        for node in self.nodes:
            reads = [(r.node, r.index) for r in node.inbound]
            if reads != [(previous, 0)] and reads != [(previous, i) for i in range(fan)]:
                return False
            previous, fan = node.name, len(node.output_shapes)
        return len(self.inputs) == 1


#: Makes a layer from a call: ``Layer.from_call`` by default; the PyTorch
#: convention passes one that also reads torch.nn's own module options.
LayerMaker = Callable[[Call, Namer], Layer]


def keras_layer(call: Call, namer: Namer) -> Layer:
    """A Keras layer kind from its call."""
    return layer_class(call.name).from_call(call, namer)


class _Builder:
    def __init__(self, spec: ModelSpec, options: ShapeOptions,
                 make_layer: LayerMaker = keras_layer) -> None:
        self.spec = spec
        self.options = options
        self.make_layer = make_layer
        self.namer = Namer()
        self.inputs: list[Node] = []
        self.nodes: list[Node] = []
        self.by_name: dict[str, Node] = {}
        self.later_calls: dict[str, int] = {}     # layer name -> its calls after the first

    # -- inputs -----------------------------------------------------------------

    def add_input(self, name: str | None, batch_shape: Shape | None, dtype: str | None,
                  where: str) -> Node:
        o = self.options
        if o.input_shape is not None:
            if self.inputs:
                raise SpecError("--input-shape sets the shape of a single-input model; this "
                                "model has several inputs")
            batch_shape = (batch_shape[0] if batch_shape else None, *o.input_shape)
        if batch_shape is None:
            raise SpecError("no input shape: give 'input: {shape: [...]}', input_shape on "
                            "the first layer, or --input-shape").at(where)
        shape = list(batch_shape)
        if o.batch_size is not None:
            shape[0] = o.batch_size
        if o.timesteps is not None and not (dtype == "string" and len(shape) < 2):
            if len(shape) < 2:
                raise SpecError(f"--timesteps binds axis 1, but input {format_shape(batch_shape)}"
                                " has no time axis").at(where)
            shape[1] = o.timesteps
        check_size([tuple(shape)], [], where)
        node = Node(name or self.namer.auto("InputLayer"), "InputLayer", None, [], [],
                    [tuple(shape)], dtype=dtype or "float32", label=where)
        self.register(node, where)
        self.inputs.append(node)
        return node

    def register(self, node: Node, where: str) -> None:
        if node.name in self.by_name:
            raise SpecError(f"duplicate layer name '{node.name}': names must be unique").at(where)
        self.by_name[node.name] = node

    # -- references ------------------------------------------------------------

    def resolve(self, ref: Ref) -> tuple[TensorRef, Shape]:
        node = self.by_name.get(ref.name)
        if node is None:
            later = [d for d in self.spec.layers if d.call.kwargs.get("name") == ref.name]
            if later:
                raise SpecError(f"refers to '{ref.name}', which is defined later; layers may "
                                "only use earlier layers (no cycles)")
            raise SpecError(f"unknown reference '{ref.name}'",
                            hint=did_you_mean(ref.name, list(self.by_name)))
        index = ref.index or 0
        if index >= len(node.output_shapes):
            raise SpecError(f"reference '{ref}': '{ref.name}' has {len(node.output_shapes)} "
                            f"output{'s' if len(node.output_shapes) != 1 else ''}, so index "
                            f"{index} is out of range")
        return TensorRef(node.name, index), node.output_shapes[index]

    # -- layers ----------------------------------------------------------------

    def submodel(self, decl: LayerDecl) -> Layer:
        """A nested ``Sequential``/``Model``: its inner graph built now, as Keras builds it.

        Keras constructs the inner layers first (they take their default names
        before the model and before any later layer), names the model, and a
        nested Sequential builds an internal functional model when it is called,
        which takes a ``functional`` name of the session.
        """
        from rnncalc.spec.loader import Document
        from rnncalc.spec.model import model_spec
        from rnncalc.submodel import SubModel

        call, kind = decl.call, MODEL_KINDS[decl.call.name]
        kwargs = dict(call.kwargs)
        if call.args:
            if kind != "Sequential" or len(call.args) > 1 or "layers" in kwargs:
                raise SpecError(f"a nested {call.name} takes its parts as keywords "
                                "(layers:, inputs:, outputs:)")
            kwargs["layers"] = call.args[0]
        name, trainable = kwargs.pop("name", None), kwargs.pop("trainable", True)
        # a custom layer class made of sublayers shows its own class name (code reader)
        class_name = kwargs.pop("class_name", None) if kind == "Functional" else None
        if class_name is not None and (not isinstance(class_name, str) or
                                       not class_name.isidentifier()):
            raise SpecError(f"'class_name': expected a Python class name, got {class_name!r}")
        allowed = ("layers",) if kind == "Sequential" else ("inputs", "layers", "outputs")
        for key in kwargs:
            if key not in allowed:
                raise SpecError(f"unknown key '{key}' of a nested {call.name} (takes: name, "
                                f"trainable, {', '.join(allowed)})",
                                hint=did_you_mean(str(key), list(allowed)))
        if name is not None and not isinstance(name, str):
            raise SpecError(f"'name': expected a string, got {name!r}")
        if not isinstance(trainable, bool):
            raise SpecError(f"'trainable': expected true or false, got {trainable!r}")
        if not isinstance(kwargs.get("layers"), list) or not kwargs["layers"]:
            raise SpecError(f"a nested {call.name} needs a non-empty 'layers:' list")
        inner_spec = model_spec(Document(kwargs, self.spec.source))
        if kind == "Sequential":
            refs = self.input_refs(decl)
            if len(refs) != 1:
                raise SpecError(f"a nested Sequential takes 1 input tensor, got {len(refs)}")
            source, shape = self.resolve(refs[0])
            feed = self.by_name[source.node]
            dtype = feed.dtype if feed.layer is None else None
            inner_spec = replace(inner_spec, inputs=(
                InputDecl(f"{name or 'sequential'}_input", shape, dtype, decl.where),),
                functional=False, name=name)
        else:
            inner_spec = replace(inner_spec, name=name)
        builder = _Builder(inner_spec, ShapeOptions(), self.make_layer)
        builder.namer = self.namer
        graph = builder.build()
        if kind == "Sequential":
            self.namer.auto("Functional")   # the functional model a Sequential builds when called
        return SubModel(kind, graph.name, trainable, graph, class_name)

    def input_refs(self, decl: LayerDecl) -> list[Ref]:
        """The references an entry reads: its ``inputs:``, else the previous node's output."""
        if decl.inputs is not None:
            return list(decl.inputs)
        last = self.nodes[-1] if self.nodes else (self.inputs[-1] if self.inputs else None)
        if last is None:
            raise SpecError("has no input")
        return [Ref(last.name, 0)]

    def add_layer(self, decl: LayerDecl, layer: Layer) -> None:
        if decl.inputs is not None:
            refs = list(decl.inputs)
        else:
            last = self.nodes[-1] if self.nodes else (self.inputs[-1] if self.inputs else None)
            if last is None:
                raise SpecError("has no input")
            fan = len(last.output_shapes)
            if not self.spec.functional and fan > 1:
                # Keras' Sequential hands a layer its predecessor's whole output list.
                if layer.MAX_INPUTS is not None and fan > layer.MAX_INPUTS:
                    raise SpecError(
                        f"follows '{last.name}', which has {fan} outputs; a {layer.kind} "
                        "layer takes one tensor: use "
                        f"'inputs: {last.name}[0]' to pick one")
                refs = [Ref(last.name, i) for i in range(fan)]
            elif fan == 1:
                refs = None
            else:
                refs = [Ref(last.name, 0)]
        # a layer list's next layer reads its predecessor's only output: no lookup needed
        resolved = [(TensorRef(last.name), last.output_shapes[0])] if refs is None else \
            [self.resolve(r) for r in refs]
        for ref in decl.initial_state:
            try:
                resolved.append(self.resolve(ref))
            except SpecError as err:
                raise err.at("initial_state") from None
        inbound = [t for t, _ in resolved]
        shapes = [s for _, s in resolved]
        layer = layer.called_with(decl.call_args)
        if decl.initial_state and not layer.TAKES_INITIAL_STATE:
            raise SpecError(f"initial_state: a {layer.kind} layer takes no initial state "
                            "(recurrent layers and Bidirectional do)")
        layer.check_inputs(shapes)
        try:
            weights = layer.weights(shapes)
            outputs = layer.output_shapes(shapes)
        except SpecError as err:
            raise self.teach(err, inbound) from None
        check_size(outputs, weights)
        node = Node(layer.name, layer.kind, layer, inbound, shapes, outputs, weights,
                    dtype=layer.dtype, label=decl.label)
        self.register(node, "")
        self.nodes.append(node)

    def add_call(self, decl: LayerDecl) -> None:
        """A later call of an earlier layer: same layer and weights, its own tensors."""
        owner = self.by_name.get(decl.shared or "")
        if owner is None or owner.layer is None or owner.owner:
            known = [n.name for n in self.nodes if not n.owner]
            raise SpecError(f"'call: {decl.shared}': no earlier layer has that name",
                            hint=did_you_mean(decl.shared or "", known))
        calls = 1 + self.later_calls.get(owner.name, 0)    # a count, not a scan: no n² steps
        name = decl.alias or f"{owner.name}_call_{calls}"
        resolved = [self.resolve(r) for r in [*(decl.inputs or ()), *decl.initial_state]]
        shapes = [s for _, s in resolved]
        layer = owner.layer.called_with(decl.call_args)
        layer.check_inputs(shapes)
        if owner.input_shapes and [len(s) for s in shapes] != [len(s) for s in
                                                             owner.input_shapes]:
            raise SpecError(f"'{owner.name}' was built for inputs "
                            f"{', '.join(format_shape(s) for s in owner.input_shapes)}; a "
                            f"second call gets {', '.join(format_shape(s) for s in shapes)}")
        weights = layer.weights(shapes)
        if [w.shape for w in weights] != [w.shape for w in owner.weights]:
            raise SpecError(f"'{owner.name}' cannot be called on "
                            f"{', '.join(format_shape(s) for s in shapes)}: its weights were "
                            f"built for {', '.join(format_shape(s) for s in owner.input_shapes)}")
        outputs = layer.output_shapes(shapes)
        node = Node(name, owner.kind, layer, [t for t, _ in resolved], shapes, outputs, [],
                    dtype=layer.dtype, label=decl.label, owner=owner.name, call_index=calls)
        self.register(node, "")
        self.nodes.append(node)
        self.later_calls[owner.name] = calls

    def teach(self, err: SpecError, inbound: list[TensorRef]) -> SpecError:
        """A rank error after a layer that dropped the time axis: say which switch keeps it.

        The classic stacked-RNN mistake (``LSTM(64)`` then ``LSTM(3)``): the first
        layer returns only its last output, so the second gets no sequence.
        """
        if "rank" not in str(err) or err.hint:
            return err
        for ref in inbound[:1]:
            source = self.by_name[ref.node]
            option = source.layer.sequence_option() if source.layer else None
            if option and ref.index == 0:
                err.hint = (f"set {option}=True on '{source.name}' ({source.kind}) so it "
                            "passes on the whole sequence")
        return err

    def build(self) -> Graph:
        for decl in self.spec.inputs:
            self.add_input(decl.name, decl.batch_shape, decl.dtype, decl.where)
        for decl in self.spec.layers:
            if decl.shared is not None:
                try:
                    self.add_call(decl)
                except SpecError as err:
                    raise err.at(decl.where, f"{decl.label} (call {decl.shared})") from None
                continue
            try:
                refuse_placeholders(decl.call)
                layer = self.submodel(decl) if decl.call.name in MODEL_KINDS else \
                    self.make_layer(decl.call, self.namer)
                if isinstance(layer, InputLayer):
                    self.add_input(layer.name, layer.batch_shape(),
                                   layer.config["dtype"], decl.where)
                    continue
                if not self.inputs:
                    self.add_implied_input(layer, decl)
                self.add_layer(decl, layer)
            except SpecError as err:
                raise err.at(decl.where, f"{decl.label} ({decl.call.name})") from None
        if not self.nodes:
            raise SpecError("the model has no layers").at(self.spec.source)
        self.check_inputs_used()
        outputs = self.outputs()
        nodes, rows = keras_order(self.inputs, self.nodes, outputs) if \
            self.spec.functional else (self.nodes, [])
        kept = {id(n) for n in nodes}   # identity: Node equality compares every field
        names = {n.name for n in nodes}
        for node in nodes:
            if node.owner and node.owner not in names:
                raise SpecError(
                    f"'{node.name}' calls '{node.owner}' again, but that layer's first call "
                    "feeds no output; rnncalc shows a shared layer at its first call: make it "
                    "feed an output (or call the layer once)").at(node.label or self.spec.source)
        return Graph(self.model_name(), self.inputs, nodes, outputs, self.spec.functional,
                     unused=[n.name for n in self.nodes if id(n) not in kept], rows=rows)

    def add_implied_input(self, layer: Layer, decl: LayerDecl) -> None:
        implied = layer.implied_input()
        if implied is not None:
            shape, dtype = implied
        else:
            shape, dtype = layer.default_input(), None
            if shape is None and self.options.input_shape is None:
                raise SpecError(
                    "no input shape: give 'input: {shape: [...]}', input_shape on the first "
                    "layer, or --input-shape")
        self.add_input(None, shape, dtype or layer.input_dtype(), decl.where)

    def check_inputs_used(self) -> None:
        used = {r.node for n in self.nodes for r in n.inbound}
        for node in self.inputs:
            if node.name not in used:
                raise SpecError(f"input '{node.name}' is not used by any layer").at(node.label)

    def outputs(self) -> list[TensorRef]:
        if self.spec.outputs is None:
            last = self.nodes[-1]
            return [TensorRef(last.name, k) for k in range(len(last.output_shapes))]
        result = []
        for ref in self.spec.outputs:
            try:
                tensor, _ = self.resolve(ref)
            except SpecError as err:
                raise err.at(self.spec.source, "outputs") from None
            node = self.by_name[ref.name]
            if ref.index is None:
                result += [TensorRef(node.name, k) for k in range(len(node.output_shapes))]
            else:
                result.append(tensor)
        return result

    def model_name(self) -> str:
        if self.spec.name:
            return self.spec.name
        return self.namer.auto("Functional" if self.spec.functional else "Sequential")


# Dims up to a googol are counted exactly (big ints); beyond that a spec is not a
# model but a typo, and the counts would be too long to print.
MAX_DIM = 10**100


def check_size(shapes: list[Shape], weights: list[Weight], where: str = "") -> None:
    """Refuse absurd dims (``10**30`` is fine, ``10**200`` is not) in outputs and weights."""
    for dims in [*shapes, *(w.shape for w in weights)]:
        for dim in dims:
            if dim is not None and dim > MAX_DIM:
                raise SpecError(f"a dim of {len(str(dim))} digits is larger than the 10**100 "
                                "rnncalc accepts").at(where)


def keras_order(inputs: list[Node], nodes: list[Node], outputs: list[TensorRef]
                ) -> tuple[list[Node], list[str]]:
    """Layers in the order a Keras functional model lists them, and the names of inputs
    and layers in its summary's row order.

    Keras walks back from the outputs depth-first, numbering layers (input
    layers too) as it first meets them, gives each its longest distance to an
    output as its depth, then lists them by decreasing depth, ties in meeting
    order. Layers that no output depends on are left out, as Keras leaves them out.
    """
    by_name = {n.name: n for n in (*inputs, *nodes)}
    met: dict[str, int] = {}
    finished: list[str] = []    # post-order: parents before children
    done: set[str] = set()

    def visit(name: str) -> None:
        stack: list[tuple[str, int]] = [(name, 0)]
        while stack:
            current, child = stack.pop()
            node = by_name.get(current)
            if node is None or (child == 0 and current in done):
                continue
            met.setdefault(current, len(met))
            if child < len(node.inbound):
                stack.append((current, child + 1))
                stack.append((node.inbound[child].node, 0))
            elif current not in done:
                done.add(current)
                finished.append(current)

    for ref in outputs:
        visit(ref.node)
    depth: dict[str, int] = {}
    for name in reversed(finished):
        d = depth.setdefault(name, 0)
        for parent in {r.node for r in by_name[name].inbound}:
            if parent in by_name:
                depth[parent] = max(depth.get(parent, 0), d + 1)
    kept = sorted(finished, key=lambda n: (-depth[n], met[n]))
    layers = {n.name for n in nodes}
    return [by_name[n] for n in kept if n in layers], kept


def build_graph(spec: ModelSpec, options: ShapeOptions | None = None,
                make_layer: LayerMaker = keras_layer) -> Graph:
    """Build and shape-check the layer graph of a spec."""
    return _Builder(spec, options or ShapeOptions(), make_layer).build()


__all__ = ["Graph", "InputDecl", "Node", "ShapeOptions", "TensorRef", "build_graph"]
