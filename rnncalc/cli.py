"""The ``rnncalc`` command line: parse options, call one core function, render.

Keep layer-kind decisions and arithmetic out of here: each command loads
models through :mod:`rnncalc.api` (the same front door Python users have),
asks a model for one record and hands it to a renderer; this module also maps
errors to exit codes (2 for bad input, 1 for a bug in rnncalc).
"""

from __future__ import annotations

import copy
import os
import sys
from enum import Enum
from typing import Annotated, Any

import typer

from rnncalc._version import __version__
from rnncalc.errors import ExitCode, SpecError, clip_echoes, terminal_safe

app = typer.Typer(
    name="rnncalc",
    help="Keras-exact RNN shapes, parameter counts and a NumPy engine, from a spec.",
    add_completion=True,
    no_args_is_help=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


class Format(str, Enum):
    table = "table"
    json = "json"
    markdown = "markdown"
    csv = "csv"
    latex = "latex"


def _format(format: Any, json_flag: bool) -> Any:
    """``--json`` is ``--format json``; with another ``--format`` it is a conflict, not a pick."""
    if not json_flag:
        return format
    if format.value not in ("json", "table", "text"):
        raise SpecError(f"--json and --format {format.value} ask for two formats; give one")
    return type(format)("json")


def _display(width: int | None, ascii: bool) -> None:
    from rnncalc.render.console import configure

    configure(width, ascii)


SpecArg = Annotated[str | None, typer.Argument(
    help="YAML or JSON spec file, a Keras model (.json from to_json(), .keras, .h5), a "
    "notebook (.ipynb) or .py file, or - for standard input.", show_default=False)]
LayerOpt = Annotated[list[str] | None, typer.Option(
    "--layer", help="Add a layer written as a Keras call, e.g. \"LSTM(64)\". Repeatable.")]
InputShapeOpt = Annotated[str | None, typer.Option(
    "--input-shape", help="Per-sample input shape, batch excluded, e.g. 4,5 (None/?/null: "
    "unknown).")]
BatchOpt = Annotated[int | None, typer.Option("--batch-size", min=1,
                                                 help="Fix the batch dim.")]
TimestepsOpt = Annotated[int | None, typer.Option(
    "--timesteps", min=1, help="Bind the time axis (axis 1) of every model input.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Same as --format json.")]


class ExplainFormat(str, Enum):
    text = "text"
    json = "json"
    markdown = "markdown"


class Convention(str, Enum):
    keras = "keras"
    pytorch = "pytorch"


class DType(str, Enum):
    float32 = "float32"
    float16 = "float16"
    bfloat16 = "bfloat16"
    float64 = "float64"


ConventionOpt = Annotated[Convention, typer.Option(
    "--convention", help="Count as Keras does, or as torch.nn would for the same model "
    "(also accepts num_layers, bidirectional, proj_size on recurrent layers).")]
DTypeOpt = Annotated[DType | None, typer.Option(
    "--dtype", help="Bytes per value for parameter and activation memory (default: each "
    "layer's dtype).")]
ColumnsOpt = Annotated[list[str] | None, typer.Option(
    "--columns", help="Summary columns, comma-separated: output_shape, params, params_percent, "
    "macs, flops, trainable, connected_to, weights.")]
ExpandOpt = Annotated[bool, typer.Option("--expand", help="Add a sub-row per weight.")]
SetOpt = Annotated[list[str] | None, typer.Option(
    "--set", help="NAME=VALUE (repeatable): a value a notebook or .py file reads from its data "
    "(--set maxlen=80 --set 'x_train.shape[1]=60' --set 'len(chars)=57').",
    show_default=False)]
WidthOpt = Annotated[int | None, typer.Option(
    "--width", min=20, help="Draw tables this many columns wide (default: the terminal's; "
    "a table that does not fit is folded into one block per layer).")]
AsciiOpt = Annotated[bool, typer.Option("--ascii", help="Draw tables with plain ASCII "
                                        "characters.")]
ModelOpt = Annotated[int | None, typer.Option(
    "--model", min=1, help="Pick the N-th model (1-based) of a notebook or .py file.")]


OptimizerOpt = Annotated[str | None, typer.Option(
    "--optimizer", help="Add this Keras 3 optimizer's state to the training memory: sgd, "
    "momentum, rmsprop, adam, adamw, nadam, adamax, adagrad, adadelta, lion, ftrl (options "
    "as in Keras: 'adam(amsgrad=True)').", show_default=False)]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"rnncalc {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Show the version and exit.")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks of internal "
                                        "errors.")] = False,
) -> None:
    """Keras-exact RNN shapes, parameter counts and a NumPy engine, from a spec."""


def _load(spec: str | None, layer: list[str] | None, input_shape: str | None,
          batch_size: int | None, timesteps: int | None, model: int | None,
          set_: list[str] | None = None) -> Any:
    """The models a command works on: every model of the input, or the ``--model N``-th."""
    import rnncalc.api as api
    from rnncalc.spec.bindings import parse_bindings

    models = api.load_all(spec, layers=layer, input_shape=input_shape, batch_size=batch_size,
                          timesteps=timesteps, validate=False, bindings=parse_bindings(set_))
    return api.pick(models, model, spec)


def _one(spec: str | None, layer: list[str] | None, input_shape: str | None,
         batch_size: int | None, timesteps: int | None, model: int | None,
         set_: list[str] | None = None) -> Any:
    """The single model a command that takes one model works on."""
    import rnncalc.api as api

    return api.only(_load(spec, layer, input_shape, batch_size, timesteps, model, set_), spec)


def note_unused(graph: Any) -> None:
    """Tell (on stderr) about layers no output depends on; Keras drops them too."""
    for name in graph.unused:
        sys.stderr.write(f"note: layer '{terminal_safe(name)}' feeds no model output and is "
                         "left out, as Keras does\n")


@app.command()
def summary(
    spec: SpecArg = None,
    layer: LayerOpt = None,
    input_shape: InputShapeOpt = None,
    batch_size: BatchOpt = None,
    timesteps: TimestepsOpt = None,
    format: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.table,
    json_flag: JsonOpt = False,
    columns: ColumnsOpt = None,
    expand: ExpandOpt = False,
    dtype: DTypeOpt = None,
    convention: ConventionOpt = Convention.keras,
    optimizer: OptimizerOpt = None,
    model: ModelOpt = None,
    set_: SetOpt = None,
    width: WidthOpt = None,
    ascii: AsciiOpt = False,
) -> None:
    """Print the Keras-style summary: output shapes and parameter counts per layer.

    A notebook or .py file gets one summary per Keras model found in it.
    """
    fmt = _format(format, json_flag)
    _display(width, ascii)
    models = _load(spec, layer, input_shape, None, None, model, set_)
    summaries = []
    for m in models:
        try:
            s = m.summary(convention=convention.value, columns=columns, expand=expand,
                          batch_size=batch_size, timesteps=timesteps,
                          dtype=dtype.value if dtype else None,
                          optimizer=optimizer)
        except SpecError as err:
            if len(models) > 1 and m.title and "no input shape" in str(err):
                # Keras leaves such a model unbuilt until it sees data; the others still print
                sys.stderr.write(f"note: {m.title}: skipped, no input shape (Keras leaves "
                                 "it unbuilt too); pick it with --model N --input-shape DIMS\n")
                continue
            raise
        note_unused(s.graph)
        summaries.append(s)
        if fmt is Format.markdown:
            sys.stdout.write(("\n" if len(summaries) > 1 else "") + s.to_markdown())
        elif fmt is Format.csv:
            from rnncalc.render.summary_grid import grid_csv

            sys.stdout.write(("\n" if len(summaries) > 1 else "") + grid_csv(s.grid()))
        elif fmt is Format.latex:
            from rnncalc.render.summary_grid import grid_latex

            sys.stdout.write(("\n" if len(summaries) > 1 else "") + grid_latex(s.grid()))
        elif fmt is Format.table:
            from rnncalc.render.console import DISPLAY, stdout_style

            width, styled = stdout_style()
            if m.title:
                sys.stdout.write(("\n" if len(summaries) > 1 else "") + m.title + "\n")
            sys.stdout.write(s.table_text(width, ascii=DISPLAY.ascii, styled=styled))
    if fmt is Format.json:
        from rnncalc.render.json_out import document, dumps

        if model is None and any(m.title for m in models):    # several models
            body = document("summary", {"models": [s.model_dict() for s in summaries]})
            sys.stdout.write(dumps(body) + "\n")
        else:
            sys.stdout.write(summaries[0].to_json())


class ExportFormat(str, Enum):
    yaml = "yaml"
    keras = "keras"


@app.command()
def export(
    spec: SpecArg = None,
    layer: LayerOpt = None,
    to: Annotated[ExportFormat, typer.Option("--to", help="yaml: the canonical spec; keras: "
                                             "Keras 3 Python code.")] = ExportFormat.yaml,
    input_shape: InputShapeOpt = None,
    batch_size: BatchOpt = None,
    timesteps: TimestepsOpt = None,
    model: ModelOpt = None,
    set_: SetOpt = None,
) -> None:
    """Write the model as a canonical YAML spec or as Keras 3 code that builds it."""
    m = _one(spec, layer, input_shape, batch_size, timesteps, model, set_)
    sys.stdout.write(m.export(to.value))


class Cell(str, Enum):
    SimpleRNN = "SimpleRNN"
    LSTM = "LSTM"
    GRU = "GRU"


@app.command()
def run(
    spec: SpecArg = None,
    layer: LayerOpt = None,
    input_shape: InputShapeOpt = None,
    batch_size: BatchOpt = None,
    timesteps: TimestepsOpt = None,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Seed of random inputs and "
                                      "initializer weights.")] = 0,
    input_file: Annotated[str | None, typer.Option(
        "--input", help="Input values: .npy, .json, - (JSON on stdin), or .npz keyed by input "
        "name. Without the batch axis: a batch of one.")] = None,
    weights: Annotated[str | None, typer.Option(
        "--weights", help="Weights .npz: arr_0.. in Keras get_weights() order, or "
        "<layer>/<weight> keys.")] = None,
    save: Annotated[str | None, typer.Option(
        "--save", help="Write outputs, inputs and weights used to FILE.npz.")] = None,
    json_flag: Annotated[bool, typer.Option("--json", help="Print the outputs as one JSON "
                                            "document.")] = False,
    cell: Annotated[Cell | None, typer.Option(
        "--cell", help="Default example (no SPEC): the recurrent cell.")] = None,
    units: Annotated[int | None, typer.Option(
        "--units", min=1, help="Default example: hidden units (8).")] = None,
    input_dim: Annotated[int | None, typer.Option(
        "--input-dim", min=1, help="Default example: input features (4).")] = None,
    max_memory: Annotated[str, typer.Option(
        "--max-memory", help="Refuse runs estimated above this size.")] = "2GiB",
    heatmap: Annotated[bool, typer.Option(
        "--heatmap", help="Also draw each output over timesteps as a terminal heatmap.")] = False,
    model: ModelOpt = None,
    set_: SetOpt = None,
    width: WidthOpt = None,
    ascii: AsciiOpt = False,
) -> None:
    """Run the model in NumPy with Keras 3 inference semantics and print the outputs.

    With no SPEC and no --layer: the seed notebook's example, SimpleRNN(8,
    return_sequences=True) on (timesteps=10, input_dim=4).
    """
    from rnncalc.engine.run import example_layer
    from rnncalc.render.run_output import ProgressBar

    _display(width, ascii)
    if spec == "-" and input_file == "-":
        raise SpecError("SPEC and --input cannot both be - (standard input); put one in a file")
    example = spec is None and not layer
    if not example and (cell or units or input_dim):
        raise SpecError("--cell, --units and --input-dim set up the default example; "
                        "with a SPEC or --layer, put them in the model")
    if example:
        layer = [example_layer(cell.value if cell else None, units)]
        if input_shape is None:
            input_shape = f"{timesteps or 10},{input_dim or 4}"
    m = _one(spec, layer, input_shape, None, None, model, set_)
    if save is not None:
        from rnncalc.render.run_output import save_target

        save_target(save)   # refuse a bad --save before the run, so nothing is written
    bar = ProgressBar()
    try:
        result = m.run_result(seed=seed, batch_size=batch_size, timesteps=timesteps,
                              max_memory=max_memory, input_path=input_file,
                              weights_path=weights, progress=bar)
    finally:
        bar.close()
    from rnncalc.render.run_output import non_finite_warnings

    for warning in non_finite_warnings(result):
        sys.stderr.write(warning + "\n")
    if save is not None:
        from rnncalc.render.run_output import save_npz

        written = save_npz(result, save)
        sys.stderr.write(f"saved outputs, inputs and weights to {terminal_safe(written)}\n")
    if json_flag:
        from rnncalc.render.run_output import write_run_json

        write_run_json(result, sys.stdout.write)
        return
    from rnncalc.render.console import colour, make_console
    from rnncalc.render.run_output import run_renderables

    console = make_console()
    for part in run_renderables(result, heatmap=heatmap, width=console.width,
                                colour=colour(console)):
        console.print(part)


@app.command()
def explain(
    spec: SpecArg = None,
    layer: LayerOpt = None,
    input_shape: InputShapeOpt = None,
    batch_size: BatchOpt = None,
    timesteps: TimestepsOpt = None,
    layer_name: Annotated[str | None, typer.Option(
        "--layer-name", help="Explain only the layer with this name.")] = None,
    dtype: DTypeOpt = None,
    convention: ConventionOpt = Convention.keras,
    format: Annotated[ExplainFormat, typer.Option("--format", help="Output format.")
                      ] = ExplainFormat.text,
    json_flag: Annotated[bool, typer.Option("--json", help="Print the explanation as one "
                                            "JSON document (--format json).")] = False,
    optimizer: OptimizerOpt = None,
    model: ModelOpt = None,
    set_: SetOpt = None,
) -> None:
    """Explain every parameter count, and the compute and memory cost, layer by layer."""
    fmt = _format(format, json_flag)
    m = _one(spec, layer, input_shape, None, None, model, set_)
    e = m.explain(layer_name, convention=convention.value, dtype=dtype.value if dtype else None,
                  batch_size=batch_size, timesteps=timesteps, optimizer=optimizer)
    if fmt is ExplainFormat.json:
        sys.stdout.write(e.to_json())
    elif fmt is ExplainFormat.markdown:
        sys.stdout.write(e.to_markdown())
    else:
        sys.stdout.write(str(e))


def _table(result: Any) -> None:
    """Write a result's table to stdout at the terminal's width (``--width``, ``--ascii``)."""
    from rnncalc.render.console import DISPLAY, stdout_style

    width, styled = stdout_style()
    sys.stdout.write(result.table_text(width, ascii=DISPLAY.ascii, styled=styled))


@app.command()
def solve(
    spec: SpecArg = None,
    layer: LayerOpt = None,
    input_shape: InputShapeOpt = None,
    batch_size: BatchOpt = None,
    timesteps: TimestepsOpt = None,
    max_params: Annotated[str | None, typer.Option(
        "--max-params", help="Budget on total params (1000000, 1e6, 10**6 or 1M).",
        show_default=False)] = None,
    max_macs: Annotated[str | None, typer.Option(
        "--max-macs", help="Budget on MACs of one forward pass (per sample when the batch is "
        "unknown).", show_default=False)] = None,
    max_memory: Annotated[str | None, typer.Option(
        "--max-memory", help="Budget on memory (2GiB, 512MB): inference, or with --training "
        "the BPTT training memory. Needs a known batch and time.", show_default=False)] = None,
    training: Annotated[bool, typer.Option(
        "--training", help="--max-memory limits training memory (activations kept for BPTT, "
        "gradients, --optimizer state).")] = False,
    optimizer: OptimizerOpt = None,
    range_: Annotated[str, typer.Option(
        "--range", help="Values to consider, LO..HI.")] = "1..10**9",
    multiple_of: Annotated[int, typer.Option(
        "--multiple-of", min=1, help="Only multiples of K (e.g. 8 for tensor cores).")] = 1,
    dtype: DTypeOpt = None,
    json_flag: JsonOpt = False,
    model: ModelOpt = None,
    set_: SetOpt = None,
    width: WidthOpt = None,
    ascii: AsciiOpt = False,
) -> None:
    """Find the largest value of the model's '?' (LSTM(?), units: '?') within every budget.

    Exact, not a search: counts, MACs and memory are polynomials in the placeholder.
    """
    import rnncalc.api as api
    from rnncalc.reports.sizing import parse_count, parse_range

    _display(width, ascii)
    m = _one(spec, layer, input_shape, None, None, model, set_)
    result = api.solve(
        m, max_params=parse_count(max_params, "--max-params") if max_params else None,
        max_macs=parse_count(max_macs, "--max-macs") if max_macs else None,
        max_memory=max_memory, training=training, optimizer=optimizer,
        range=parse_range(range_), multiple_of=multiple_of, batch_size=batch_size,
        timesteps=timesteps, dtype=dtype.value if dtype else None)
    if json_flag:
        sys.stdout.write(result.to_json())
        return
    sys.stdout.write(result.lines() + "\n")
    _table(result.summary)


class SweepFormat(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"


@app.command()
def sweep(
    spec: SpecArg = None,
    layer: LayerOpt = None,
    vary: Annotated[list[str] | None, typer.Option(
        "--vary", help="NAME=V1,V2,... for a placeholder ?NAME (or ? for a bare '?'), "
        "batch_size or timesteps; ranges 32..256:32 and 32..1024*2. Repeat for a grid.",
        show_default=False)] = None,
    input_shape: InputShapeOpt = None,
    batch_size: BatchOpt = None,
    timesteps: TimestepsOpt = None,
    optimizer: OptimizerOpt = None,
    dtype: DTypeOpt = None,
    format: Annotated[SweepFormat, typer.Option("--format", help="Output format.")
                      ] = SweepFormat.table,
    json_flag: JsonOpt = False,
    plot: Annotated[bool, typer.Option(
        "--plot", help="Also draw params and memory against the varied value.")] = False,
    model: ModelOpt = None,
    set_: SetOpt = None,
    width: WidthOpt = None,
    ascii: AsciiOpt = False,
) -> None:
    """Params, MACs, FLOPs and memory for every combination of --vary values."""
    import rnncalc.api as api

    _display(width, ascii)
    m = _one(spec, layer, input_shape, None, None, model, set_)
    result = api.sweep(m, list(vary or []), batch_size=batch_size, timesteps=timesteps,
                       optimizer=optimizer, dtype=dtype.value if dtype else None)
    fmt = SweepFormat.json if json_flag else format
    if fmt is SweepFormat.json:
        sys.stdout.write(result.to_json())
    elif fmt is SweepFormat.csv:
        sys.stdout.write(result.to_csv())
    elif fmt is SweepFormat.markdown:
        sys.stdout.write(result.to_markdown())
    else:
        _table(result)
    if plot:
        (sys.stderr if fmt in (SweepFormat.json, SweepFormat.csv) else sys.stdout).write(
            "\n" + result.chart())


@app.command()
def diff(
    a: Annotated[str, typer.Argument(help="A model: a spec, Keras file or notebook.",
                                     show_default=False)],
    b: Annotated[str | None, typer.Argument(
        help="The model to compare with (omit with --convention keras,pytorch).",
        show_default=False)] = None,
    convention: Annotated[str, typer.Option(
        "--convention", help="keras or pytorch for both sides, or one per side: "
        "keras,pytorch.")] = "keras",
    input_shape: InputShapeOpt = None,
    batch_size: BatchOpt = None,
    timesteps: TimestepsOpt = None,
    model: Annotated[str | None, typer.Option(
        "--model", help="Which model of a notebook or .py file (1-based): N for both sides, "
        "or N,M one per side (with one file: its N-th against its M-th).",
        show_default=False)] = None,
    format: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.table,
    json_flag: JsonOpt = False,
    set_: SetOpt = None,
    width: WidthOpt = None,
    ascii: AsciiOpt = False,
) -> None:
    """Two models side by side, layer by layer: shapes, params and the difference."""
    import rnncalc.api as api
    from rnncalc.spec.bindings import parse_bindings

    _display(width, ascii)
    bindings = parse_bindings(set_)
    picks = _model_pair(model)
    second = b if b is not None or picks[1] is None or picks[0] == picks[1] else a
    models = [api.load(x, input_shape=input_shape, bindings=bindings, model=n)
              for x, n in ((a, picks[0]), (second, picks[1])) if x is not None]
    titles = (a, second or a)
    if second is a and picks[0] != picks[1]:
        titles = (f"{a} (model {picks[0]})", f"{a} (model {picks[1]})")
    result = api.diff(models[0], models[1] if second is not None else None,
                      convention=convention, batch_size=batch_size, timesteps=timesteps,
                      titles=titles)
    fmt = Format.json if json_flag else format
    if fmt is Format.json:
        sys.stdout.write(result.to_json())
    elif fmt is Format.markdown:
        sys.stdout.write(result.to_markdown())
    else:
        _table(result)


def _model_pair(text: str | None) -> tuple[int | None, int | None]:
    """``--model N`` (both sides) or ``N,M`` (one per side) as 1-based numbers."""
    if text is None:
        return None, None
    parts = [p.strip() for p in text.split(",")]
    if len(parts) > 2 or not all(p.isdigit() and int(p) >= 1 for p in parts):
        raise SpecError(f"--model: expected N or N,M (1-based model numbers), got {text!r}")
    first = int(parts[0])
    return first, int(parts[-1])


class PlotFormat(str, Enum):
    svg = "svg"
    dot = "dot"
    mermaid = "mermaid"


@app.command()
def plot(
    spec: SpecArg = None,
    layer: LayerOpt = None,
    input_shape: InputShapeOpt = None,
    batch_size: BatchOpt = None,
    timesteps: TimestepsOpt = None,
    format: Annotated[PlotFormat | None, typer.Option(
        "--format", help="svg (drawn by rnncalc, no Graphviz needed), dot or mermaid; "
        "default: from -o's extension, else svg.", show_default=False)] = None,
    output: Annotated[str | None, typer.Option(
        "-o", "--output", help="Write to FILE instead of standard output.",
        show_default=False)] = None,
    show: Annotated[list[str] | None, typer.Option(
        "--show", help="Lines in each box: shapes, params, trainable, dtype "
        "(comma-separated; default shapes).", show_default=False)] = None,
    unroll: Annotated[int | None, typer.Option(
        "--unroll", min=1, help="Draw one recurrent layer unrolled over T timesteps.",
        show_default=False)] = None,
    layer_name: Annotated[str | None, typer.Option(
        "--layer-name", help="The recurrent layer --unroll draws (default: the first).",
        show_default=False)] = None,
    model: ModelOpt = None,
    set_: SetOpt = None,
) -> None:
    """Draw the model as keras.utils.plot_model does (SVG, DOT or Mermaid)."""
    m = _one(spec, layer, input_shape, None, None, model, set_)
    fmt = format.value if format else _plot_format(output)
    text = m.plot(fmt, show=show, unroll=unroll, layer_name=layer_name,
                  batch_size=batch_size, timesteps=timesteps, path=output)
    if output is None:
        sys.stdout.write(terminal_safe(text))   # names are user text: no raw ANSI/bidi
    else:
        sys.stderr.write(f"wrote {terminal_safe(output)}\n")


def _plot_format(output: str | None) -> str:
    ext = os.path.splitext(output or "")[1].lower()
    return {".dot": "dot", ".gv": "dot", ".mmd": "mermaid", ".mermaid": "mermaid"}.get(ext, "svg")


class SchemaName(str, Enum):
    summary = "summary"
    explain = "explain"
    run = "run"
    solve = "solve"
    sweep = "sweep"
    diff = "diff"


@app.command()
def schema(
    command: Annotated[SchemaName, typer.Argument(
        help="Whose JSON output: summary, explain, run, solve, sweep or diff.",
        show_default=False)],
) -> None:
    """Print the JSON Schema of a command's JSON output (versioned: rnncalc/<command>/1)."""
    from rnncalc.render.json_out import schema_text

    sys.stdout.write(schema_text(command.value))


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the app and turn errors into one ``error:`` line and an exit code.

    ``--debug`` is accepted anywhere on the line; bare ``rnncalc`` prints the
    help; a closed pipe (``| head``) ends quietly with status 0.

    The cyclic garbage collector is paused for the command: what rnncalc builds
    (graphs, records, arrays) holds no reference cycles, so reference counting
    frees it all the same, while the collector re-walked the whole growing graph
    at each full collection (0.35 s of a 10,000-layer summary's 1.4 s).
    """
    import gc

    collecting = gc.isenabled()
    gc.disable()
    try:
        _main(argv)
    finally:
        if collecting:
            gc.enable()


def _main(argv: list[str] | None) -> None:
    """:func:`main`'s work."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args or os.environ.get("RNNCALC_DEBUG", "") not in ("", "0")
    args = [a for a in args if a != "--debug"]
    command = typer.main.get_command(_app_for(args))
    click_error = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")
    completing = any(key.endswith("_COMPLETE") for key in os.environ)   # shell completion
    if not args and not completing:
        with command.make_context("rnncalc", ["--help"], resilient_parsing=True) as ctx:
            sys.stdout.write(ctx.get_help() + "\n")
        raise SystemExit(ExitCode.OK)
    try:
        result = command.main(args=args, prog_name="rnncalc", standalone_mode=False)
    except SpecError as err:
        _fail(str(err), ExitCode.BAD_INPUT)
    except click_error as err:
        ctx = getattr(err, "ctx", None)
        hint = f" (see 'rnncalc {ctx.info_name} --help')" if ctx and ctx.parent else ""
        # Typer validates choices with pydantic, whose messages start "Value error, ".
        message = err.format_message().replace("Value error, ", "", 1)
        _fail(message + hint, ExitCode.BAD_INPUT)
    except typer.Abort:
        _fail("aborted", ExitCode.BAD_INPUT)
    except KeyboardInterrupt:
        _fail("interrupted", ExitCode.BAD_INPUT)
    except BrokenPipeError:
        _quiet_exit()
    except RecursionError:
        if debug:
            raise
        _fail("input nested too deeply", ExitCode.BAD_INPUT)
    except Exception as err:  # a bug in rnncalc, not the user's input
        if debug:
            raise
        _fail(f"internal error: {type(err).__name__}: {err} (run with --debug for the traceback)",
              ExitCode.INTERNAL)
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _quiet_exit()
    raise SystemExit(result if isinstance(result, int) else ExitCode.OK)


def _app_for(args: list[str]) -> typer.Typer:
    """The app with only the invoked command registered.

    Typer turns every registered command into a click command (reading each
    signature's type hints) at every start, though one command runs; that was
    about a tenth of a cold ``summary``. The top-level help, an unknown
    command and shell completion get the whole app.
    """
    if not args or any(key.endswith("_COMPLETE") for key in os.environ):   # completion: all
        return app
    chosen = [info for info in app.registered_commands
              if (info.name or info.callback.__name__.replace("_", "-")) == args[0]]
    if not chosen:
        return app
    lean = copy.copy(app)
    lean.registered_commands = chosen
    return lean


def _quiet_exit() -> None:
    """The reader closed the pipe: point stdout at /dev/null (so the exit flush cannot fail)
    and end with status 0."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    raise SystemExit(ExitCode.OK)


def _fail(message: str, code: ExitCode) -> None:
    sys.stdout.flush()
    one_line = " ".join(part.strip() for part in message.splitlines() if part.strip())
    sys.stderr.write(f"error: {clip_echoes(terminal_safe(one_line))}\n")
    raise SystemExit(int(code))
