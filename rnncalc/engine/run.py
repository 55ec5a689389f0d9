"""``rnncalc run``'s core: inputs, weights, memory check, execution, as plain data."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from rnncalc.engine.executor import Progress, execute
from rnncalc.engine.inputs import bind_inputs, concrete_input_shapes, random_inputs, read_input_file
from rnncalc.engine.memory import DEFAULT_LIMIT, check_limit, estimate_bytes
from rnncalc.engine.weights import Weights, initial_weights, load_weights
from rnncalc.graph import Graph


@dataclass(frozen=True)
class RunOptions:
    """What ``rnncalc run`` takes besides the model."""

    seed: int = 0
    input_path: str | None = None
    weights_path: str | None = None
    max_memory: int = DEFAULT_LIMIT
    batch_size: int | None = None
    stdin_text: str | None = None
    weights: Weights | None = None          # e.g. read from a .keras/.h5 file
    weights_label: str = ""
    input_arrays: dict[str, np.ndarray] | None = None   # given in Python; key "" = the only input


@dataclass(frozen=True)
class OutputTensor:
    """One model output: the producing layer, its output index and the values."""

    name: str
    index: int
    values: np.ndarray


@dataclass
class RunResult:
    """A finished run, ready for the renderers."""

    graph: Graph
    seed: int
    inputs: dict[str, np.ndarray]
    outputs: list[OutputTensor]
    weights: Weights
    estimate: int
    input_source: str = ""
    weights_source: str = ""
    notes: list[str] = field(default_factory=list)


def run_graph(graph: Graph, options: RunOptions, progress: Progress | None = None) -> RunResult:
    """Run a built graph: check the memory estimate first, then compute."""
    if options.input_arrays is not None:
        inputs = bind_inputs(graph, options.input_arrays, "inputs=")
        shapes = {k: v.shape for k, v in inputs.items()}
        input_source = "given"
    elif options.input_path is not None:
        where = "--input -" if options.input_path == "-" else f"--input {options.input_path}"
        inputs = bind_inputs(graph, read_input_file(options.input_path, options.stdin_text),
                             where)
        shapes = {k: v.shape for k, v in inputs.items()}
        input_source = f"from {options.input_path}"
    else:
        inputs = None
        shapes = concrete_input_shapes(graph, options.batch_size)
        input_source = f"random, seed {options.seed}"
    estimate = estimate_bytes(graph, shapes)
    check_limit(estimate, options.max_memory)
    if options.weights_path is not None:
        weights = load_weights(options.weights_path, graph)
        weights_source = f"from {options.weights_path}"
    elif options.weights is not None:
        weights = options.weights
        weights_source = options.weights_label or "from the model file"
    else:
        weights = initial_weights(graph, options.seed)
        weights_source = f"initializers, seed {options.seed}"
    if inputs is None:
        inputs = random_inputs(graph, shapes, options.seed)
    with np.errstate(all="ignore"):  # NaN/inf inputs give NaN/inf outputs, as in Keras
        values = execute(graph, inputs, weights, progress=progress)
    outputs = [OutputTensor(ref.node, ref.index, v) for ref, v in zip(graph.outputs, values)]
    return RunResult(graph, options.seed, inputs, outputs, weights, estimate, input_source,
                     weights_source)


# -- the seed notebook's example, `rnncalc run` with no model --------------------------

CELLS = ("SimpleRNN", "LSTM", "GRU")


def example_layer(cell: str | None, units: int | None) -> str:
    """The seed's NumPy RNN as a layer: ``SimpleRNN(8, return_sequences=True)``."""
    from rnncalc.errors import SpecError, did_you_mean

    name = cell or "SimpleRNN"
    if name not in CELLS:
        raise SpecError(f"--cell: expected one of {', '.join(CELLS)}, got {name!r}",
                        hint=did_you_mean(name, CELLS))
    return f"{name}({units or 8}, return_sequences=True)"
