"""What Keras calls mean to the static reader: layers, inputs, layer calls, models.

:class:`KerasReading` is mixed into :class:`~rnncalc.interop.code_eval.Reader`:
a call of a Keras name makes a layer object (named from Keras' session-wide
counters), an ``Input``, a ``Sequential`` or a functional ``Model``; calling a
layer object on tensors records a layer call; a subclassed model is read on
its first inputs by following its ``call``. Nothing here runs anything.
"""

from __future__ import annotations

import ast
from typing import Any

from rnncalc.interop.code_values import (
    MISSING,
    ZERO_STATE,
    CallNode,
    CallResult,
    FunctionalModel,
    InputNode,
    Instance,
    LayerObj,
    Module,
    Opaque,
    Partial,
    SequentialModel,
    SubclassedModel,
    Tensor,
    Unknown,
    UserFunction,
    needs,
    source_text,
)
from rnncalc.layers.calls import Call

MERGE_FUNCTIONS = {"concatenate": "Concatenate", "add": "Add", "subtract": "Subtract",
                   "multiply": "Multiply", "average": "Average", "maximum": "Maximum",
                   "minimum": "Minimum", "dot": "Dot"}
# Keras 3 class names for aliases (Keras names a layer after its class).
CLASS_OF = {"MaxPool1D": "MaxPooling1D", "AvgPool1D": "AveragePooling1D",
            "GlobalMaxPool1D": "GlobalMaxPooling1D", "GlobalAvgPool1D": "GlobalAveragePooling1D",
            "Convolution1D": "Conv1D", "MaxPool2D": "MaxPooling2D",
            "AvgPool2D": "AveragePooling2D", "GlobalMaxPool2D": "GlobalMaxPooling2D",
            "GlobalAvgPool2D": "GlobalAveragePooling2D", "Convolution2D": "Conv2D"}
VALUE_MODULES = ("initializers", "regularizers", "constraints")
_DATA_METHODS = ("fit", "predict", "evaluate", "train_on_batch", "predict_on_batch",
                 "test_on_batch")


class KerasReading:
    """Keras calls, mixed into the reader (which gives ``where``, ``unknown``, ``namer``,
    ``models``, ``bindings``, ``invoke`` and ``call``)."""

    def name_model(self, model: SubclassedModel, kwargs: dict[str, Any]) -> None:
        name = kwargs.get("name")
        model.name = name if isinstance(name, str) else self.namer.auto(
            model.cls.name if model.cls else "Model")
        model.named = True

    def keras_call(self, func: Module, args: list[Any], kwargs: dict[str, Any],
                   node: ast.Call) -> Any:
        path, last = func.path, func.last
        parts = path.split(".")
        if last == "Sequential":
            return self.new_sequential(args, kwargs, node)
        if last in ("Model", "Functional") and len(parts) > 1 or path in ("Model",):
            return self.new_functional(args, kwargs, node)
        if last in ("Input", "InputLayer"):
            return self.new_input(args, kwargs, node)
        if last == "ArgumentParser" and parts[0] in ("argparse", "ArgumentParser"):
            from rnncalc.interop.code_eval import _PARSER

            return Instance(_PARSER)
        if last == "TensorShape" and len(args) == 1 and isinstance(args[0], (list, tuple)):
            return tuple(args[0])
        if last == "clear_session":
            self.namer.counts.clear()     # Keras starts its default names over
            return None
        if last == "partial" and parts[0] in ("functools", "partial"):
            if args:
                return Partial(args[0], tuple(args[1:]), dict(kwargs))
            return self.unknown(node)
        if last in MERGE_FUNCTIONS and any(p == "layers" for p in parts[:-1]):
            layer = self.new_layer(MERGE_FUNCTIONS[last], [], {
                k: v for k, v in kwargs.items() if k not in ("inputs",)}, node)
            inputs = args[0] if args else kwargs.get("inputs")
            if not isinstance(layer, LayerObj):
                return layer
            result = self.call_layer(layer, [inputs], {}, node)
            return result.tensor(0) if isinstance(result, CallResult) else result
        if last == "int_shape" or (last == "shape" and "ops" in parts):
            tensor = _tensor(args[0]) if args else None
            if isinstance(tensor, Tensor):
                shape = self.tensor_shape(tensor)
                if shape is not None:
                    return shape
            return self.unknown(node)
        if any(p in VALUE_MODULES for p in parts[:-1]) or (
                parts[0] in ("tf", "tensorflow") and "initializers" in parts):
            return Call(last, tuple(_as_value(a) for a in args),
                        {k: _as_value(v) for k, v in kwargs.items()})
        if last and last[0].isupper() and (
                last in self.layers or any(p == "layers" for p in parts[:-1])):
            return self.new_layer(last, args, kwargs, node)
        return self.unknown(node)

    def new_layer(self, class_name: str, args: list[Any], kwargs: dict[str, Any],
                  node: ast.AST) -> LayerObj | Opaque:
        if "batch_size" in kwargs and class_name not in ("Input", "InputLayer"):
            # Keras 2 took it on any layer; Keras 3 refuses it (Input takes it)
            return Opaque(f"Keras 3 refuses {class_name}(batch_size=...) ({self.where(node)}): "
                          f"Unrecognized keyword arguments passed to {class_name}: "
                          f"{{'batch_size': {kwargs['batch_size']!r}}}")
        name = kwargs.get("name")
        if not isinstance(name, str):
            name = self.namer.auto(CLASS_OF.get(class_name, class_name))
        kwargs = {k: _as_value(v) for k, v in kwargs.items()}
        kwargs["name"] = name
        call = Call(class_name, tuple(_as_value(a) for a in args), kwargs)
        return LayerObj(call, name, self.where(node))

    def new_input(self, args: list[Any], kwargs: dict[str, Any], node: ast.Call) -> Tensor:
        names = ("shape", "batch_size", "dtype", "sparse", "batch_shape", "name", "tensor")
        bound = dict(zip(names, args))
        bound.update(kwargs)
        name = bound.get("name")
        if not isinstance(name, str):
            name = self.namer.auto("InputLayer")
        shape = bound.get("shape", bound.get("input_shape"))
        batch_shape = bound.get("batch_shape", bound.get("batch_input_shape"))
        if batch_shape is not None:
            full = tuple(batch_shape) if isinstance(batch_shape, (list, tuple)) else batch_shape
        elif shape is not None:
            batch = bound.get("batch_size")
            full = (batch, *shape) if isinstance(shape, (list, tuple)) else \
                ((batch, shape) if isinstance(shape, int) else shape)
        else:
            full = None
        dtype = bound.get("dtype")
        call_kwargs = {k: _as_value(v) for k, v in bound.items()
                       if k in ("shape", "batch_size", "dtype", "batch_shape")}
        call_kwargs["name"] = name
        source = InputNode(name, full if isinstance(full, tuple) or full is None else full,
                           dtype if isinstance(dtype, str) else None, self.where(node),
                           Call("InputLayer" if "shape" not in call_kwargs else "Input", (),
                                call_kwargs))
        return Tensor(source)

    def new_sequential(self, args: list[Any], kwargs: dict[str, Any],
                       node: ast.Call) -> SequentialModel:
        name = kwargs.get("name")
        model = SequentialModel(name if isinstance(name, str) else self.namer.auto("Sequential"),
                                self.where(node))
        self.models.append(model)
        items = args[0] if args else kwargs.get("layers")
        if items is None:
            return model
        if not isinstance(items, (list, tuple)):
            model.fail(self.explain(items, "the layer list"))
            return model
        for item in items:
            self.seq_add(model, item, node, rebuild=False)
        self.seq_rebuild(model)
        return model

    def seq_add(self, model: SequentialModel, item: Any, node: ast.AST,
                rebuild: bool = True) -> None:
        if isinstance(item, Tensor) and isinstance(item.source, InputNode):
            if model.has_input:
                model.fail(f"a second Input added ({self.where(node)}); Keras refuses it")
            model.items.append(item.source)
            model.has_input = True
        elif isinstance(item, LayerObj):
            if not model.items and any(k in item.call.kwargs for k in (
                    "input_shape", "batch_input_shape", "input_dim")):
                model.input_name = self.namer.auto("InputLayer")   # Keras puts one first
                model.has_input = True
                model.implicit_input = True
            if item.kind == "InputLayer":
                model.has_input = True
            model.items.append(item)
        elif isinstance(item, (SequentialModel, FunctionalModel, SubclassedModel)):
            model.fail(f"model '{item.name}' is added as a layer ({self.where(node)}); nested "
                       "models are not supported yet")
            return
        elif isinstance(item, Opaque):
            model.fail(item.reason)
            return
        elif isinstance(item, Instance) and item.cls.keras_base == "Layer":
            from rnncalc.interop.code_custom import custom_layer

            shape = self.sequential_output_shape(model)
            if shape is None:
                model.fail(f"custom layer class '{item.cls.name}' ({item.cls.where}) is added "
                           f"({self.where(node)}) where the Sequential's shape is not known "
                           "(Keras builds it on the data)")
                return
            layer = custom_layer(self, item, [shape], node)
            if isinstance(layer, Opaque):
                model.fail(layer.reason)
                return
            model.items.append(layer)
        else:
            model.fail(self.explain(item, f"the layer added at {self.where(node)}"))
            return
        if rebuild:
            self.seq_rebuild(model)

    def seq_rebuild(self, model: SequentialModel) -> None:
        """Keras rebuilds a Sequential whose input is known as a Functional (a name drawn)."""
        if model.has_input and len(model.items) + model.implicit_input > 1:
            self.namer.auto("Functional")

    def new_functional(self, args: list[Any], kwargs: dict[str, Any],
                       node: ast.Call) -> FunctionalModel:
        inputs = args[0] if args else kwargs.get("inputs")
        outputs = args[1] if len(args) > 1 else kwargs.get("outputs")
        name = kwargs.get("name")
        model = FunctionalModel(name if isinstance(name, str) else self.namer.auto("Functional"),
                                self.where(node))
        self.models.append(model)
        model.inputs = [_tensor(v) for v in _flatten(inputs)]
        model.outputs = [_tensor(v) for v in _flatten(outputs)]
        return model

    def call_layer(self, layer: LayerObj, args: list[Any], kwargs: dict[str, Any],
                   node: ast.AST) -> Any:
        inputs: list[Any] = []
        for arg in args or [kwargs.get("inputs")]:
            inputs.extend(_flatten(arg))
        states = _flatten(kwargs.get("initial_state")) if "initial_state" in kwargs else []
        states = [] if any(v is ZERO_STATE for v in states) else states
        for value in [*inputs, *states]:
            if isinstance(value, Opaque):
                return value
            if isinstance(value, Unknown):
                origin = f" (= {value.origin})" if value.origin else ""
                return Opaque(f"the input of layer '{layer.name}' ({self.where(node)}) is "
                              f"'{value.text}'{origin}, {value.where}, not the output of a "
                              "Keras layer: rnncalc follows layer calls only")
            if not isinstance(value, (Tensor, CallResult)):
                return Opaque(self.explain(value, f"the input of layer '{layer.name}' "
                                                  f"({self.where(node)})"))
        self.order += 1
        call_node = CallNode(layer, [_tensor(v) for v in inputs], [_tensor(v) for v in states],
                             self.where(node), self.order)
        layer.calls.append(call_node)
        return CallResult(call_node)

    def trace(self, model: SubclassedModel, args: list[Any], kwargs: dict[str, Any],
              node: ast.AST) -> None:
        """Read a subclassed model's ``call`` on its first inputs, like a functional model."""
        if model.traced:
            return
        model.traced = True
        inputs = []
        for value in _flatten(args[0] if args else kwargs.get("inputs")):
            value = _tensor(value)
            if isinstance(value, Tensor) and isinstance(value.source, InputNode):
                inputs.append(value)
            elif isinstance(value, Tensor) and self.tensor_shape(value) is not None:
                # called on a tensor inside another model: built on that tensor's shape
                inputs.append(Tensor(InputNode(self.namer.auto("InputLayer"),
                                               self.tensor_shape(value), None,
                                               self.where(node))))
            elif isinstance(value, Unknown):
                shape = self.bindings.get(f"{value.text}.shape")
                if isinstance(shape, (list, tuple)):
                    self.used_bindings.add(f"{value.text}.shape")
                    inputs.append(Tensor(InputNode(self.namer.auto("InputLayer"), tuple(shape),
                                                   None, self.where(node))))
                else:
                    model.fail(f"it is called on data ('{value.text}', {value.where}) whose "
                               f"shape only the data knows: give it with --set "
                               f"'{value.text}.shape=(BATCH, ...)'")
                    return
            else:
                model.fail(self.explain(value, f"the input of model '{model.name}'"))
                return
        method = model.cls.lookup("call") if model.cls else MISSING
        if not isinstance(method, UserFunction):
            model.fail(f"class '{model.cls.name if model.cls else '?'}' has no call method")
            return
        argument: Any = inputs[0] if len(inputs) == 1 else list(inputs)
        result = self.invoke(method, [model, argument], dict(kwargs), node)
        model.inputs = inputs
        model.outputs = [_tensor(v) for v in _flatten(result)]

    def tensor_shape(self, tensor: Tensor) -> tuple[Any, ...] | None:
        """The shape of a tensor inside a graph, worked out by building the graph up to it."""
        if isinstance(tensor.source, InputNode):
            return tensor.source.batch_shape
        from rnncalc.interop.code_specs import output_shape

        return output_shape(tensor)

    def explain(self, value: Any, what: str) -> str:
        if isinstance(value, Unknown):
            return needs(value, what)
        if isinstance(value, Opaque):
            return value.reason
        return f"{what} is not a Keras layer or tensor rnncalc can follow"

    def model_method(self, model: Any, method: str, args: list[Any], kwargs: dict[str, Any],
                     node: ast.Call) -> Any:
        if isinstance(model, SequentialModel):
            if method == "add" and args:
                self.seq_add(model, args[0], node)
            elif method == "pop" and model.items:
                model.items.pop()
                self.seq_rebuild(model)
            elif method == "build":
                shape = args[0] if args else kwargs.get("input_shape")
                if isinstance(shape, (list, tuple)):
                    if not model.has_input:
                        model.input_name = self.namer.auto("InputLayer")
                    model.build_shape = tuple(shape)
                    model.has_input = True
                    self.namer.auto("Functional")
                elif shape is not None:
                    model.fail(self.explain(shape, f"the shape built at {self.where(node)}"))
            elif method in _DATA_METHODS and not model.has_input and args:
                shape = self.data_shape(args[0], method, kwargs)
                if shape is not None:          # Keras builds it on the first batch it sees
                    self.namer.auto("InputLayer")
                    model.build_shape = shape
                    model.has_input = True
                    self.namer.auto("Functional")
                elif isinstance(args[0], Unknown):
                    model.unbuilt_hint = args[0].text
            return None
        if isinstance(model, SubclassedModel) and method in _DATA_METHODS and args and \
                not model.traced:
            shape = self.data_shape(args[0], method, kwargs)
            if shape is not None:
                source = InputNode(self.namer.auto("InputLayer"), shape, None, self.where(node))
                self.trace(model, [Tensor(source)], {}, node)
            return None
        if isinstance(model, FunctionalModel) and method == "get_layer":
            wanted = args[0] if args else kwargs.get("name")
            for layer in functional_layers(model):
                if isinstance(layer, LayerObj) and layer.name == wanted:
                    return layer
            return self.unknown(node)
        if isinstance(model, SubclassedModel) and method == "build":
            shape = args[0] if args else kwargs.get("input_shape")
            if isinstance(shape, (list, tuple)):
                source = InputNode(self.namer.auto("InputLayer"), tuple(shape), None,
                                   self.where(node))
                self.trace(model, [Tensor(source)], {}, node)
            return None
        if isinstance(model, SubclassedModel) and method == "__call__":
            return self.call(model, args, kwargs, node)
        return self.unknown(node)

    def data_shape(self, value: Any, method: str,
                   kwargs: dict[str, Any]) -> tuple[Any, ...] | None:
        """The first batch's shape when a model meets data (``fit(x_train, ...)``): from
        ``--set 'x_train.shape=(N, T, F)'``; the batch is what Keras' first batch holds."""
        if not isinstance(value, Unknown):
            return None
        key = f"{value.text}.shape"
        shape = self.bindings.get(key)
        if not isinstance(shape, (list, tuple)) or not shape or \
                not all(isinstance(d, int) and d > 0 for d in shape):
            return None
        self.used_bindings.add(key)
        batch = shape[0]
        if method in ("fit", "predict", "evaluate"):
            size = kwargs.get("batch_size")
            batch = min(size if isinstance(size, int) and size > 0 else 32, shape[0])
        return (batch, *shape[1:])

    def sequential_output_shape(self, model: SequentialModel) -> tuple[Any, ...] | None:
        """The shape a layer added to a Sequential now would be built on (``None`` when its
        input is not known yet); the layers are chained on scratch calls, not recorded."""
        from rnncalc.interop.code_specs import output_shape

        source = self.sequential_source(model)
        if source is None:
            return None
        tensor = Tensor(source)
        for k, layer in enumerate(i for i in model.items if isinstance(i, LayerObj) and
                                  i.kind != "InputLayer"):
            tensor = Tensor(CallNode(layer, [tensor], [], layer.where, k), 0)
        return output_shape(tensor)

    def sequential_source(self, model: SequentialModel) -> InputNode | None:
        """The input a Sequential is built on: its Input, ``build()`` shape, or the first
        layer's Keras 2 ``input_shape``/``batch_input_shape``; ``None`` when unknown."""
        layers = [i for i in model.items if isinstance(i, LayerObj) and i.kind != "InputLayer"]
        first = model.items[0] if model.items else None
        name = model.input_name or f"{model.name}_input"
        if isinstance(first, InputNode):
            return first
        if model.build_shape is not None:
            return InputNode(name, tuple(model.build_shape), None, model.where)
        if layers and isinstance(layers[0].call.kwargs.get("input_shape"), (list, tuple)):
            shape = layers[0].call.kwargs["input_shape"]
            return InputNode(name, (None, *shape), None, model.where)
        if layers and isinstance(layers[0].call.kwargs.get("batch_input_shape"),
                                 (list, tuple)):
            return InputNode(name, tuple(layers[0].call.kwargs["batch_input_shape"]), None,
                             model.where)
        return None

    def sequential_graph(self, model: SequentialModel) -> tuple[list[Any], list[Any]] | None:
        """A built Sequential's ``input`` and ``output`` tensors: its layers called in a
        chain (what Keras' ``model.input`` / ``model.layers[k].output`` refer to)."""
        if model.graph is not None:
            return model.graph
        layers = [i for i in model.items if isinstance(i, LayerObj) and i.kind != "InputLayer"]
        source = self.sequential_source(model)
        if source is None:
            return None
        tensor = Tensor(source)
        for layer in layers:
            self.order += 1
            node = CallNode(layer, [tensor], [], layer.where, self.order)
            layer.calls.append(node)
            tensor = Tensor(node, 0)
        model.graph = ([Tensor(source)], [tensor])
        return model.graph


def _flatten(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, dict):
        return [v for item in value.values() for v in _flatten(item)]
    if isinstance(value, (list, tuple)):
        return [v for item in value for v in _flatten(item)]
    return [value]


def _tensor(value: Any) -> Tensor:
    return value.tensor(0) if isinstance(value, CallResult) else value


def _as_value(value: Any) -> Any:
    """A value as it goes into a layer's Call: layer objects become their calls."""
    if isinstance(value, LayerObj):
        return value.call
    if isinstance(value, list):
        return [_as_value(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_as_value(v) for v in value)
    if isinstance(value, UserFunction) and isinstance(value.node, ast.Lambda):
        return source_text(value.node, 10_000)
    if isinstance(value, Module):
        return value.last
    return value


def functional_layers(model: FunctionalModel) -> list[Any]:
    """``model.layers`` of a functional model: its inputs, then its layers in call order."""
    seen: dict[int, CallNode] = {}
    stack = [t for t in model.outputs if isinstance(t, Tensor)]
    while stack:
        tensor = stack.pop()
        if isinstance(tensor.source, CallNode) and id(tensor.source) not in seen:
            seen[id(tensor.source)] = tensor.source
            stack.extend(t for t in [*tensor.source.inputs, *tensor.source.initial_state]
                         if isinstance(t, Tensor))
    layers: list[Any] = [t for t in model.inputs if isinstance(t, Tensor)]
    for node in sorted(seen.values(), key=lambda n: n.order):
        if all(node.layer is not other for other in layers):
            layers.append(node.layer)
    return layers
