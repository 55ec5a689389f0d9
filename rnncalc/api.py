"""The front door: every command, and every notebook user, goes through here.

``load`` (and ``load_all``, ``from_keras``) turn whatever the user has — a
spec path, YAML/JSON text, a dict, ``--layer`` expressions, a Keras file or
notebook, a live Keras model — into :class:`Model` objects. A model answers
``summary``, ``explain``, ``run`` and ``export`` from one built graph, so the
CLI is only "load, ask the model for one record, hand it to a renderer".

Nothing heavy is imported here at module level: NumPy only for ``run``, rich
only when a table is drawn, YAML only when YAML is read.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from rnncalc.errors import SpecError

if TYPE_CHECKING:
    from rnncalc.engine.run import RunResult
    from rnncalc.graph import Graph, ShapeOptions
    from rnncalc.reports.explain import ExplainRecord
    from rnncalc.reports.summary import SummaryRecord
    from rnncalc.spec.model import ModelSpec

CONVENTIONS = ("keras", "pytorch")
PLAIN_WIDTH = 100        # str(summary): the table as a 100-column terminal shows it
DTYPES = ("float32", "float16", "bfloat16", "float64")
PLOT_FORMATS = ("svg", "dot", "mermaid")


# -- reading -------------------------------------------------------------------------


def parse_dims(text: str) -> tuple[int | None, ...]:
    """``"4,5"`` / ``"None,5"`` / ``"?,5"`` / ``"(4, 5)"`` -> a per-sample shape."""
    body = text.strip().strip("()[]")
    if not body:
        raise SpecError(f"--input-shape: expected dims like 4,5, got {text!r}")
    dims: list[int | None] = []
    parts = body.split(",")
    if len(parts) == 2 and parts[1].strip() == "":
        parts = parts[:1]          # "5," / "(5,)": Python's one-tuple
    for part in parts:
        part = part.strip()
        if part == "":
            raise SpecError(f"--input-shape: an empty dim in {text!r}; write dims like 4,5 "
                            "(None/null/? for an unknown one)")
        if part.lower() in ("none", "null", "?"):
            dims.append(None)
        elif part.isdigit() and int(part) > 0:
            dims.append(int(part))
        else:
            raise SpecError(f"--input-shape: expected positive integers or None/null/?, "
                            f"got {part!r} in {text!r}")
    return tuple(dims)


def _dims(value: Any) -> tuple[int | None, ...] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return parse_dims(value)
    if isinstance(value, int) and not isinstance(value, bool):
        value = (value,)
    if isinstance(value, tuple | list) and all(
            d is None or (isinstance(d, int) and not isinstance(d, bool) and d > 0)
            for d in value):
        return tuple(value)
    raise SpecError(f"input_shape: expected a tuple of positive ints or None, got {value!r}")


def shape_options(input_shape: Any = None, batch_size: int | None = None,
                  timesteps: int | None = None) -> ShapeOptions:
    """Shape overrides as the graph builder takes them."""
    from rnncalc.graph import ShapeOptions

    _check_counts(batch_size=batch_size, timesteps=timesteps)
    return ShapeOptions(_dims(input_shape), batch_size, timesteps)


def _check_counts(**values: Any) -> None:
    """``batch_size``/``timesteps`` given in Python: positive integers or None (every entry
    point checks them, so a bad one never reaches the graph builder)."""
    for name, value in values.items():
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)
                                  or value < 1):
            raise SpecError(f"{name}: expected a positive integer, got {value!r}")


def _with_layers(spec: ModelSpec | None, expressions: list[str]) -> ModelSpec:
    """Append ``--layer`` expressions to a spec (or make a spec of them alone)."""
    from rnncalc.spec.forms import to_call
    from rnncalc.spec.model import LayerDecl, ModelSpec

    decls = []
    for i, expr in enumerate(expressions):
        label = f"--layer[{i}]"
        try:
            call = to_call(expr)
        except SpecError as err:
            raise err.at(f"{label} {expr!r}") from None
        decls.append(LayerDecl(call, None, (), label, ""))
    if spec is None:
        if not decls:
            raise SpecError("no model: give a spec file (or - for stdin) or --layer expressions")
        return ModelSpec(None, (), tuple(decls), None, False, "--layer")
    return replace(spec, layers=(*spec.layers, *decls)) if decls else spec


def _is_text(source: str) -> bool:
    """YAML/JSON text rather than a path: several lines, a JSON opener, or ``key: value``."""
    if source == "-" or os.path.exists(source):
        return False
    stripped = source.lstrip()
    return "\n" in source or stripped[:1] in "{[" or ": " in source


def _spec_of_data(data: Any, source: str, doc: Any = None) -> ModelSpec:
    """A spec from parsed data: rnncalc's own form or Keras' ``to_json()`` document.

    ``doc`` is the loader's document when there is one: it knows the lines.
    """
    if isinstance(data, dict) and "class_name" in data and "config" in data:
        from rnncalc.interop.keras_config import spec_from_config

        return spec_from_config(data, source)
    from rnncalc.spec.loader import Document
    from rnncalc.spec.model import model_spec

    return model_spec(doc if doc is not None else Document(data, source))


@dataclass(frozen=True)
class _Found:
    """One model read from a source, before ``--layer`` expressions are added."""

    spec: ModelSpec
    title: str | None = None


def _read(source: Any, stdin_text: str | None, bindings: dict[str, Any] | None) -> list[_Found]:
    """Every model a source holds (several only for notebooks and ``.py`` files)."""
    if source is None:
        return []
    if isinstance(source, dict | list):
        return [_Found(_spec_of_data(source, "<spec>"))]
    if not isinstance(source, str | os.PathLike):
        raise SpecError(f"expected a path, YAML/JSON text or a dict, got {type(source).__name__}")
    path = os.fspath(source)
    if not isinstance(path, str):
        raise SpecError("expected a text path, got bytes")
    if _is_text(path):
        from rnncalc.spec.loader import parse_text

        doc = parse_text(path, "<spec>")
        return [_Found(_spec_of_data(doc.data, doc.source, doc))]
    from rnncalc.interop import is_foreign

    if path != "-" and is_foreign(path):
        from rnncalc.interop import read_models

        return [_Found(f.spec, f.title) for f in read_models(path, bindings)]
    from rnncalc.spec.loader import load as load_document

    doc = load_document(path, stdin_text=stdin_text)
    return [_Found(_spec_of_data(doc.data, doc.source, doc))]


def load_all(source: Any = None, *, layers: list[str] | None = None, input_shape: Any = None,
             batch_size: int | None = None, timesteps: int | None = None,
             stdin_text: str | None = None, validate: bool = True,
             bindings: dict[str, Any] | None = None) -> list[Model]:
    """Every model ``source`` holds, in order: one for a spec, all of a notebook or ``.py``.

    ``bindings`` give a notebook or ``.py`` file the values only its data knows
    (``{"maxlen": 80, "x_train.shape[1]": 60}``, what ``--set`` gives).

    With ``validate`` each model is built once here (in the Keras convention),
    so bad input raises :class:`SpecError` now, not at the first question
    asked of it; the CLI defers that to the command, which knows the convention.
    """
    options = shape_options(input_shape, batch_size, timesteps)
    found = _read(source, stdin_text, bindings)
    if not found:
        if source is not None and not layers:
            raise SpecError(f"{os.fspath(source)}: no Keras model found")
        models = [Model(_with_layers(None, list(layers or [])), options)]
    else:
        models = [Model(_with_layers(f.spec, list(layers or [])), options, title=f.title)
                  for f in found]
    for m in models if validate else ():
        if not m.placeholders:        # a '?' model is checked by solve/sweep, value by value
            m.graph()
    return models


def load(source: Any = None, *, layers: list[str] | None = None, input_shape: Any = None,
         batch_size: int | None = None, timesteps: int | None = None,
         model: int | None = None, stdin_text: str | None = None,
         validate: bool = True, bindings: dict[str, Any] | None = None) -> Model:
    """One model: a spec path (or ``-``), YAML/JSON text, a dict, ``layers=`` expressions,
    a Keras file, or the ``model``-th (1-based) model of a notebook or ``.py`` file."""
    models = load_all(source, layers=layers, input_shape=input_shape, batch_size=batch_size,
                      timesteps=timesteps, stdin_text=stdin_text, validate=validate,
                      bindings=bindings)
    return pick(models, model, source)[0] if model is not None else only(models, source)


def pick(models: list[Model], model: int | None, source: Any) -> list[Model]:
    """Apply ``--model N`` (1-based) to the models found in ``source``."""
    if model is None:
        return models
    where = os.fspath(source) if isinstance(source, str | os.PathLike) else "the spec"
    if not 1 <= model <= len(models):
        found = f"{len(models)} model{'s' if len(models) != 1 else ''}"
        raise SpecError(f"--model {model}: {where} has {found}; pick 1 to {len(models)}"
                        if models else f"--model {model}: {where} has no models")
    return [models[model - 1]]


def only(models: list[Model], source: Any) -> Model:
    """The single model a caller that takes one model needs."""
    if len(models) == 1:
        return models[0]
    where = os.fspath(source) if isinstance(source, str | os.PathLike) else "the spec"
    places = "; ".join(f"{i}: {str(m.title).split(', ', 1)[-1]}"
                       for i, m in enumerate(models, 1))
    raise SpecError(f"{where}: found {len(models)} models ({places}); pick one with --model N")


def from_keras(keras_model: Any) -> Model:
    """A model from a live Keras model: its ``to_json()`` and, if it has them, its weights.

    Only those two methods are called; rnncalc never imports Keras.
    """
    import json

    to_json = getattr(keras_model, "to_json", None)
    if not callable(to_json):
        raise SpecError("from_keras: expected a Keras model (an object with to_json())")
    try:
        data = json.loads(to_json())
    except (TypeError, ValueError) as err:
        raise SpecError(f"from_keras: to_json() did not return JSON ({err})") from None
    spec = _spec_of_data(data, "<keras model>")
    arrays = None
    get_weights = getattr(keras_model, "get_weights", None)
    if callable(get_weights):
        arrays = list(get_weights())
    return Model(spec, shape_options(), saved_weights=arrays)


# -- the model -----------------------------------------------------------------------


@dataclass(eq=False)
class Model:
    """A model as read: answers summary, explain, run and export from one graph.

    ``saved_weights`` are weights that came with the model (a ``.keras``/``.h5``
    file, or ``get_weights()`` of a live Keras model); ``run`` uses them unless
    it is given others.
    """

    spec: ModelSpec
    options: ShapeOptions
    title: str | None = None
    saved_weights: list[Any] | None = None
    _graphs: dict[Any, Graph] = field(default_factory=dict, repr=False)

    @property
    def name(self) -> str:
        return self.graph().name

    @property
    def placeholders(self) -> list[str]:
        """Names of the ``?`` placeholders (``""`` for a bare ``?``) that solve/sweep fill."""
        from rnncalc.spec.placeholders import names

        return names(self.spec)

    def graph(self, *, batch_size: int | None = None, timesteps: int | None = None,
              convention: str = "keras") -> Graph:
        """The built graph, with these shape overrides on top of the model's own."""
        _check_counts(batch_size=batch_size, timesteps=timesteps)
        _choice("convention", convention, CONVENTIONS)
        options = replace(self.options,
                          batch_size=batch_size or self.options.batch_size,
                          timesteps=timesteps or self.options.timesteps)
        key = (options, convention)
        if key not in self._graphs:
            try:
                self._graphs[key] = _build(self.spec, options, convention)
            except SpecError as err:
                raise err.at(self.title) if self.title else err from None
        return self._graphs[key]

    def summary(self, *, convention: str = "keras", columns: list[str] | str | None = None,
                expand: bool = False, batch_size: int | None = None,
                timesteps: int | None = None, dtype: str | None = None,
                optimizer: str | None = None) -> Summary:
        """The summary record: shapes, counts and, on request, costs per layer.

        ``optimizer`` (``adam``, ``sgd``, ``adam(amsgrad=True)``, ...) adds the state that
        Keras 3 optimizer allocates to the training memory in the footer.
        """
        _choice("convention", convention, CONVENTIONS)
        if dtype is not None:
            _choice("dtype", dtype, DTYPES)
        _optimizer(optimizer)
        graph = self.graph(batch_size=batch_size, timesteps=timesteps, convention=convention)
        from rnncalc.reports.summary import summarize

        record = summarize(graph)
        names = [columns] if isinstance(columns, str) else columns
        return Summary(record, graph, convention=convention, columns=names, expand=expand,
                       dtype=dtype, title=self.title, optimizer=optimizer)

    def explain(self, layer_name: str | None = None, *, convention: str = "keras",
                dtype: str | None = None, batch_size: int | None = None,
                timesteps: int | None = None, optimizer: str | None = None) -> Explanation:
        """Where every parameter and FLOP comes from, layer by layer."""
        from rnncalc.reports.explain import explain

        _choice("convention", convention, CONVENTIONS)
        if dtype is not None:
            _choice("dtype", dtype, DTYPES)
        graph = self.graph(batch_size=batch_size, timesteps=timesteps, convention=convention)
        return Explanation(explain(graph, convention, dtype, layer_name, _optimizer(optimizer)))

    def plot(self, format: str = "svg", *, show: list[str] | str | None = None,
             unroll: int | None = None, layer_name: str | None = None,
             batch_size: int | None = None, timesteps: int | None = None,
             path: str | os.PathLike | None = None) -> str:
        """The model as a diagram: ``svg`` (drawn by rnncalc), ``dot`` or ``mermaid`` text.

        Like ``keras.utils.plot_model(show_shapes=True, show_layer_names=True)``;
        ``show`` picks the lines in each box (shapes, params, trainable, dtype);
        ``unroll=T`` draws one recurrent layer (``layer_name``, or the first) over T
        steps. With ``path`` the text is also written there.
        """
        from rnncalc.reports.diagram import model_diagram, parse_show, unrolled_diagram

        _choice("format", format, PLOT_FORMATS)
        graph = self.graph(batch_size=batch_size, timesteps=timesteps)
        if unroll is not None:
            diagram = unrolled_diagram(graph, unroll, layer_name)
        else:
            if layer_name is not None:
                raise SpecError("--layer-name picks the layer --unroll draws; give --unroll T")
            diagram = model_diagram(graph, parse_show(show))
        if format == "svg":
            from rnncalc.render.layout import layout
            from rnncalc.render.plot_svg import svg

            text = svg(layout(diagram))
        else:
            from rnncalc.render import plot_text

            text = getattr(plot_text, format)(diagram)
        if path is not None:
            _write(os.fspath(path), text)
        return text

    def run_result(self, *, inputs: Any = None, weights: Any = None, seed: int = 0,
                   batch_size: int | None = None, timesteps: int | None = None,
                   max_memory: int | str | None = None, input_path: str | None = None,
                   weights_path: str | None = None, stdin_text: str | None = None,
                   progress: Any = None) -> RunResult:
        """Run the model in NumPy and keep everything the renderers need."""
        from rnncalc.engine.memory import DEFAULT_LIMIT, parse_size
        from rnncalc.engine.run import RunOptions, run_graph

        graph = self.graph(batch_size=batch_size, timesteps=timesteps)
        limit = (DEFAULT_LIMIT if max_memory is None else
                 parse_size(max_memory) if isinstance(max_memory, str) else int(max_memory))
        given_weights, label = self._weights(graph, weights, weights_path)
        options = RunOptions(seed=seed, input_path=input_path, weights_path=weights_path,
                             max_memory=limit, batch_size=batch_size, stdin_text=stdin_text,
                             weights=given_weights, weights_label=label,
                             input_arrays=_input_arrays(inputs))
        return run_graph(graph, options, progress=progress)

    def run(self, inputs: Any = None, weights: Any = None, seed: int = 0, *,
            batch_size: int | None = None, timesteps: int | None = None,
            max_memory: int | str | None = None) -> dict[str, Any]:
        """``{label: array}``, one per output tensor, labelled as ``run --json`` names them.

        ``inputs``: an array (one input), a dict by input name, or a path;
        ``weights``: a list in Keras ``get_weights()`` order, a dict of
        ``<layer>/<weight>`` arrays, or an ``.npz`` path.
        """
        from rnncalc.render.labels import output_label

        path = os.fspath(inputs) if isinstance(inputs, str | os.PathLike) else None
        wpath = os.fspath(weights) if isinstance(weights, str | os.PathLike) else None
        result = self.run_result(inputs=None if path else inputs,
                                 weights=None if wpath else weights, seed=seed,
                                 batch_size=batch_size, timesteps=timesteps,
                                 max_memory=max_memory, input_path=path, weights_path=wpath)
        return {output_label(out, result): out.values for out in result.outputs}

    def _weights(self, graph: Graph, weights: Any, weights_path: str | None
                 ) -> tuple[Any, str]:
        """Weights given in Python, else the model's saved ones, else ``(None, "")``."""
        if weights_path is not None:
            return None, ""
        if weights is not None:
            return _python_weights(weights, graph), "given"
        if self.saved_weights is not None:
            return _python_weights(self.saved_weights, graph), "from the Keras model"
        if self.spec.extra.get("weights_file"):
            from rnncalc.interop.keras_archive import archive_weights

            return archive_weights(self.spec, graph), f"from {self.spec.extra['weights_file']}"
        return None, ""

    def export(self, to: str = "yaml") -> str:
        """The model as a canonical YAML spec (``"yaml"``) or Keras 3 code (``"keras"``)."""
        from rnncalc.reports.export import export

        _choice("to", to, ("yaml", "keras"))
        return export(self.graph(), to, self.spec.name)

    def __repr__(self) -> str:
        where = f", {self.title}" if self.title else ""
        return f"<rnncalc.Model {self.spec.name or self.spec.source or 'model'}{where}>"


def _build(spec: ModelSpec, options: ShapeOptions, convention: str) -> Graph:
    """The graph a report in ``convention`` is a view of (the PyTorch one only when asked:
    its module is not part of a plain summary's start-up)."""
    if convention == "pytorch":
        from rnncalc.reports.pytorch import graph_for

        return graph_for(spec, options, convention)
    from rnncalc.graph import build_graph

    return build_graph(spec, options)


def _choice(what: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        from rnncalc.errors import did_you_mean

        raise SpecError(f"{what}: {value!r} is not one of "
                        f"{', '.join(repr(a) for a in allowed)}", hint=did_you_mean(value, allowed))


def _input_arrays(inputs: Any) -> dict[str, Any] | None:
    """Python inputs as named arrays (``""``: the model's only input)."""
    if inputs is None:
        return None
    import numpy as np

    def array(value: Any, where: str) -> Any:
        try:
            return np.asarray(value)
        except ValueError:
            raise SpecError(f"inputs={where}: the nested lists are ragged (rows of different "
                            "lengths)") from None

    if isinstance(inputs, dict):
        return {str(k): array(v, f"[{k!r}]") for k, v in inputs.items()}
    return {"": array(inputs, "")}


def _python_weights(weights: Any, graph: Graph) -> Any:
    """A ``get_weights()`` list or a ``<layer>/<weight>`` dict, checked against the graph."""
    import numpy as np

    from rnncalc.engine.weights import assign_weights

    if isinstance(weights, dict):
        arrays = {str(k): np.asarray(v) for k, v in weights.items()}
    elif isinstance(weights, list | tuple):
        arrays = {f"arr_{i}": np.asarray(v) for i, v in enumerate(weights)}
    else:
        raise SpecError("weights: expected a list (get_weights() order), a dict of "
                        f"'<layer>/<weight>' arrays or an .npz path, got {type(weights).__name__}")
    return assign_weights(arrays, graph, "weights=")


# -- records the model hands out --------------------------------------------------------


class Summary:
    """A model's summary: attributes for code, and the same text as every output format.

    ``to_dict()`` is exactly the ``summary --json`` document, ``to_markdown()``
    exactly ``--format markdown``, ``str()`` the table as plain text.
    """

    def __init__(self, record: SummaryRecord, graph: Graph, *, convention: str = "keras",
                 columns: list[str] | None = None, expand: bool = False,
                 dtype: str | None = None, title: str | None = None,
                 optimizer: str | None = None) -> None:
        self.record = record
        self.graph = graph
        self.convention = convention
        self.columns = columns
        self.expand = expand
        self.dtype = dtype
        self.title = title
        self.optimizer = optimizer

    # attributes of the record, for code
    def __getattr__(self, name: str) -> Any:
        if name in ("name", "inputs", "layers", "outputs", "total_params", "trainable_params",
                    "non_trainable_params", "param_bytes"):
            return getattr(self.record, name)
        raise AttributeError(name)

    @property
    def costed(self) -> bool:
        """Whether costs join the record (asked for with columns, dtype or a convention)."""
        return bool(self.columns or self.expand or self.dtype or self.convention != "keras"
                    or self.optimizer)

    def cost(self) -> Any:
        """The cost record (MACs, FLOPs, memory) at this summary's convention and dtype."""
        from rnncalc.reports.cost import costed_summary

        return costed_summary(self.graph, self.convention, self.dtype, self.record,
                              _optimizer(self.optimizer))

    def grid(self) -> Any:
        """Rows and footer, shared by the table and markdown renderers.

        Costs are worked out only when a column, the dtype or the convention needs them.
        """
        from rnncalc.render.summary_grid import grid, parse_columns

        columns = parse_columns(self.columns, self.record.chain)
        needs_cost = bool({"macs", "flops"} & set(columns)) or self.dtype or \
            self.convention != "keras" or self.optimizer
        costed = self.cost() if needs_cost else None
        return grid(self.record, costed.cost if costed else None, columns,
                    expand=self.expand, torch=costed.torch if costed else None,
                    cost_footer=self.costed, title=self.title)

    def to_dict(self) -> dict[str, Any]:
        """The ``summary --json`` document (``"schema": "rnncalc/summary/1"``)."""
        from rnncalc.render.json_out import document

        return document("summary", self.model_dict())

    def model_dict(self) -> dict[str, Any]:
        """The model's record without the schema tag (one entry of ``"models"``)."""
        body = self.cost().to_dict() if self.costed else self.record.to_dict()
        return {"found_at": self.title, **body} if self.title else body

    def to_json(self) -> str:
        """``summary --json`` text (with its closing newline)."""
        if not self.costed and not self.title:     # the plain record: layers from templates
            from rnncalc.render.summary_json import summary_json

            return summary_json(self.record) + "\n"
        from rnncalc.render.json_out import dumps

        return dumps(self.to_dict()) + "\n"

    def to_markdown(self) -> str:
        """Exactly ``summary --format markdown``."""
        from rnncalc.render.summary_grid import grid_markdown

        return grid_markdown(self.grid())

    def table_text(self, width: int | None = None, *, ascii: bool = False,
                   styled: bool = False) -> str:
        """The table and footer as text ``width`` columns wide (folded if it would not fit);
        ``styled`` adds bold and dim terminal codes."""
        from rnncalc.render.summary_grid import grid_text

        return grid_text(self.grid(), width, ascii=ascii, styled=styled)

    def __str__(self) -> str:
        return self.table_text(PLAIN_WIDTH)

    def __repr__(self) -> str:
        return (f"<rnncalc.Summary {self.record.name}: {self.record.total_params:,} params, "
                f"{len(self.record.layers)} layers>")

    def _repr_markdown_(self) -> str:
        return self.to_markdown()

    def _repr_html_(self) -> str:
        from rnncalc.render.html import grid_html

        return grid_html(self.grid())


class Explanation:
    """``explain`` as an object: ``str()`` is the text, ``to_dict()`` the ``--json`` document."""

    def __init__(self, record: ExplainRecord) -> None:
        self.record = record

    def to_dict(self) -> dict[str, Any]:
        """The ``explain --json`` document (``"schema": "rnncalc/explain/1"``)."""
        from rnncalc.render.json_out import document

        return document("explain", self.record.to_dict())

    def to_json(self) -> str:
        from rnncalc.render.json_out import dumps

        return dumps(self.to_dict()) + "\n"

    def __str__(self) -> str:
        from rnncalc.render.explain_view import explain_text

        return explain_text(self.record)

    def to_markdown(self) -> str:
        from rnncalc.render.explain_view import explain_markdown

        return explain_markdown(self.record)

    def __repr__(self) -> str:
        return f"<rnncalc.Explanation {self.record.name}>"

    def _repr_markdown_(self) -> str:
        return self.to_markdown()

    def _repr_html_(self) -> str:
        import html

        return f"<pre>{html.escape(str(self))}</pre>"


# -- sizing, diff -----------------------------------------------------------------------


def _optimizer(optimizer: Any) -> Any:
    """An optimizer name (``adam``, ``adam(amsgrad=True)``) checked and parsed, or ``None``."""
    if optimizer is None:
        return None
    from rnncalc.reports.optimizers import Optimizer, parse_optimizer

    return optimizer if isinstance(optimizer, Optimizer) else parse_optimizer(str(optimizer))


def _write(path: str, text: str) -> None:
    try:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as err:
        raise SpecError(f"{path}: cannot write: {err.strerror or err}") from None


def _as_model(model: Any) -> Model:
    return model if isinstance(model, Model) else load(model)


def _with_shape(model: Model, batch_size: int | None, timesteps: int | None) -> ShapeOptions:
    options = model.options
    extra = shape_options(None, batch_size, timesteps)
    return replace(options, batch_size=extra.batch_size or options.batch_size,
                   timesteps=extra.timesteps or options.timesteps)


def solve(model: Any, *, max_params: int | None = None, max_macs: int | None = None,
          max_memory: int | str | None = None, training: bool = False,
          optimizer: str | None = None, range: tuple[int, int] = (1, 10**9),
          multiple_of: int = 1, batch_size: int | None = None, timesteps: int | None = None,
          dtype: str | None = None) -> Solved:
    """The largest value of the model's ``?`` that keeps every budget (exact, instant).

    ``model`` is a :class:`Model` or anything :func:`load` takes. ``max_memory``
    limits inference memory, or with ``training=True`` the BPTT training memory
    (plus ``optimizer`` state). Raises :class:`SpecError` when no value fits.
    """
    from rnncalc.reports.sizing import budgets_from
    from rnncalc.reports.sizing import solve as solve_spec

    m = _as_model(model)
    if dtype is not None:
        _choice("dtype", dtype, DTYPES)
    if isinstance(max_memory, str):
        from rnncalc.engine.memory import parse_size

        max_memory = parse_size(max_memory)
    budgets = budgets_from(max_params, max_macs, max_memory, training=training)
    lo, hi = range
    solution = solve_spec(m.spec, budgets, options=_with_shape(m, batch_size, timesteps),
                          lo=lo, hi=hi, multiple=multiple_of, optimizer=_optimizer(optimizer),
                          dtype=dtype)
    return Solved(solution)


def sweep(model: Any, vary: dict[str, Any] | list[str], *, batch_size: int | None = None,
          timesteps: int | None = None, optimizer: str | None = None,
          dtype: str | None = None) -> Swept:
    """Params, MACs, FLOPs and memory for every combination of the varied values.

    ``vary`` maps a placeholder name (``u`` for ``?u``, ``?`` for a bare ``?``),
    ``batch_size`` or ``timesteps`` to values: ``{"u": [32, 64], "timesteps":
    [50, 100]}``; or is a list of ``"u=32,64"`` strings as ``--vary`` takes them.
    """
    from rnncalc.reports.sizing import parse_vary
    from rnncalc.reports.sizing import sweep as sweep_spec

    m = _as_model(model)
    if dtype is not None:
        _choice("dtype", dtype, DTYPES)
    if isinstance(vary, dict):
        items = []
        for k, values in vary.items():
            values = values if isinstance(values, list | tuple | range) else [values]
            items.append(f"{k}={','.join(str(v) for v in values)}")
    else:
        items = list(vary)
    record = sweep_spec(m.spec, parse_vary(items), options=_with_shape(m, batch_size, timesteps),
                        optimizer=_optimizer(optimizer), dtype=dtype)
    return Swept(record)


def diff(a: Any, b: Any = None, *, convention: str | tuple[str, str] = "keras",
         batch_size: int | None = None, timesteps: int | None = None,
         titles: tuple[str, str] | None = None) -> Diffed:
    """Two models side by side, layer by layer; one model in two conventions.

    ``convention`` is one name for both sides or a pair (``("keras", "pytorch")``,
    also written ``"keras,pytorch"``); with one model, the pair is required.
    """
    from rnncalc.reports.diff import diff_graphs

    pair = tuple(convention.split(",")) if isinstance(convention, str) else tuple(convention)
    pair = tuple(p.strip() for p in pair)
    if len(pair) == 1:
        pair = (pair[0], pair[0])
    if len(pair) != 2:
        raise SpecError(f"--convention: expected one or two of keras, pytorch, got "
                        f"{','.join(pair)!r}")
    for c in pair:
        if c not in CONVENTIONS:
            from rnncalc.errors import did_you_mean

            raise SpecError(f"--convention: expected keras or pytorch (or keras,pytorch), got "
                            f"{c!r}", hint=did_you_mean(c, CONVENTIONS))
    left = _as_model(a)
    if b is None and pair[0] == pair[1]:
        raise SpecError("diff needs two models, or one model with two conventions "
                        "(--convention keras,pytorch)")
    right = left if b is None else _as_model(b)
    titles = titles or (_title(a, left), _title(b, right) if b is not None else _title(a, left))
    graphs = (left.graph(batch_size=batch_size, timesteps=timesteps, convention=pair[0]),
              right.graph(batch_size=batch_size, timesteps=timesteps, convention=pair[1]))
    return Diffed(diff_graphs(*graphs, conventions=pair, titles=titles))


def _title(source: Any, model: Model) -> str:
    if isinstance(source, str | os.PathLike) and not _is_text(os.fspath(source)):
        return os.fspath(source)
    return model.name


class _Result:
    """Shared by the sizing results: ``to_dict``, ``to_json``, ``str()`` and notebook display."""

    record: Any
    command: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The command's ``--json`` document (``"schema"`` first)."""
        from rnncalc.render.json_out import document

        return document(self.command, self.record.to_dict())

    def to_json(self) -> str:
        from rnncalc.render.json_out import dumps

        return dumps(self.to_dict()) + "\n"

    def __getattr__(self, name: str) -> Any:
        if name == "record":
            raise AttributeError(name)
        return getattr(self.record, name)

    def _repr_markdown_(self) -> str:
        return self.to_markdown()

    def to_markdown(self) -> str:
        return f"```\n{self}```\n"


class Solved(_Result):
    """``solve``: ``.value``, ``.next_value``, ``.summary`` (a :class:`Summary`), ``str()``."""

    command = "solve"

    def __init__(self, record: Any) -> None:
        self.record = record

    @property
    def summary(self) -> Summary:
        """The model at the solved value."""
        m = self.record.measure
        return Summary(m.summary, m.graph)

    @property
    def next_summary(self) -> Summary | None:
        """The model at the next allowed value (``None`` if it does not build)."""
        m = self.record.next_measure
        return Summary(m.summary, m.graph) if m else None

    def lines(self) -> str:
        """The answer, the budgets and what the next value costs."""
        from rnncalc.render.sizing_view import solve_lines

        return "\n".join(solve_lines(self.record)) + "\n"

    def __str__(self) -> str:
        return self.lines() + "\n" + str(self.summary)

    def __repr__(self) -> str:
        return f"<rnncalc.Solved ?{self.record.name}={self.record.value}>"


class Swept(_Result):
    """``sweep``: ``.rows``; ``str()`` the table, ``to_csv()``, ``to_markdown()``, ``chart()``."""

    command = "sweep"

    def __init__(self, record: Any) -> None:
        self.record = record

    def table_text(self, width: int | None = None, *, ascii: bool = False,
                   styled: bool = False) -> str:
        """The table, ``width`` columns wide where it fits."""
        from rnncalc.render.sizing_view import sweep_text

        return sweep_text(self.record, width, ascii=ascii, styled=styled)

    def __str__(self) -> str:
        return self.table_text()

    def to_csv(self) -> str:
        from rnncalc.render.sizing_view import sweep_csv

        return sweep_csv(self.record)

    def to_markdown(self) -> str:
        from rnncalc.render.sizing_view import sweep_markdown

        return sweep_markdown(self.record)

    def chart(self, width: int = 56) -> str:
        """Params and memory against the varied value, drawn with characters."""
        from rnncalc.render.chart import sweep_charts

        return sweep_charts(self.record, width)

    def __repr__(self) -> str:
        return f"<rnncalc.Swept {len(self.record.rows)} rows>"


class Diffed(_Result):
    """``diff``: ``.rows`` (each with ``.status``, ``.a``, ``.b``, ``.delta``); ``str()``."""

    command = "diff"

    def __init__(self, record: Any) -> None:
        self.record = record

    def table_text(self, width: int | None = None, *, ascii: bool = False,
                   styled: bool = False) -> str:
        """The side-by-side table and the totals."""
        from rnncalc.render.diff_view import diff_text

        return diff_text(self.record, width, ascii=ascii, styled=styled)

    def __str__(self) -> str:
        return self.table_text()

    def to_markdown(self) -> str:
        from rnncalc.render.diff_view import diff_markdown

        return diff_markdown(self.record)

    def __repr__(self) -> str:
        return f"<rnncalc.Diffed {self.record.a.title} -> {self.record.b.title}>"
