"""Sizing a model: ``solve`` for the largest ``?`` under budgets, ``sweep`` a grid.

Both take a spec whose sizes may be ``?`` placeholders and measure the built
model (params, MACs, FLOPs, memory, optimizer state) through the same
summary and cost records every other command uses. ``solve`` never searches
by trial: the measures are polynomials in the placeholder, fitted exactly
from a few models and checked at more (:mod:`rnncalc.reports.intpoly`), then
the largest value under every budget is found with integer arithmetic.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from typing import Any

from rnncalc.errors import SpecError
from rnncalc.graph import Graph, ShapeOptions, build_graph
from rnncalc.layers.counting import BATCH, Poly, per_unit
from rnncalc.reports.cost import model_cost
from rnncalc.reports.intpoly import MAX_DEGREE, IntPoly, fit, largest_fitting
from rnncalc.reports.optimizers import Optimizer, parse_optimizer
from rnncalc.reports.summary import SummaryRecord, summarize
from rnncalc.spec import placeholders
from rnncalc.spec.model import ModelSpec

Number = int | Poly
DEFAULT_RANGE = (1, 10**9)
MAX_COMBINATIONS = 10_000
SHAPE_NAMES = ("batch_size", "timesteps")


@dataclass(frozen=True)
class Measure:
    """What one concrete model costs. Unknown batch: per sample; unknown time: a polynomial."""

    summary: SummaryRecord
    macs: Number
    flops: Number
    inference_memory: Number
    training_memory: Number        # BPTT activations, gradients, optimizer state
    optimizer_bytes: int | None
    per_sample: bool
    graph: Any = None              # the built model, for summaries and diagrams
    per: str = "batch"             # what the figures are per: batch, sample, step, sample*step

    @property
    def params(self) -> int:
        return self.summary.total_params

    def metric(self, name: str) -> Number:
        return {"params": self.params, "trainable_params": self.summary.trainable_params,
                "macs": self.macs, "flops": self.flops,
                "param_bytes": self.summary.param_bytes,
                "inference_memory": self.inference_memory,
                "training_memory": self.training_memory}[name]

    def to_dict(self) -> dict[str, Any]:
        """JSON numbers; an unknown time dim is taken as 1 and ``per`` says so."""
        def js(n: Number) -> Any:
            return n.to_json() if isinstance(n, Poly) else n
        out: dict[str, Any] = {
            "params": self.params, "trainable_params": self.summary.trainable_params,
            "non_trainable_params": self.summary.non_trainable_params,
            "macs": js(self.macs), "flops": js(self.flops),
            "param_bytes": self.summary.param_bytes,
            "inference_memory_bytes": js(self.inference_memory),
            "training_memory_bytes": js(self.training_memory)}
        if self.optimizer_bytes is not None:
            out["optimizer_bytes"] = self.optimizer_bytes
        out["per"] = self.per
        return out


def _per_sample(p: Poly) -> Number:
    """Batch set to 1 when it is unknown; an ``int`` when nothing else is unknown."""
    acc: dict[tuple[str, ...], int] = {}
    for m, c in p.terms:
        key = tuple(s for s in m if s != BATCH)
        acc[key] = acc.get(key, 0) + c
    q = Poly._from(acc)
    return q.value if q.known else q


def measure(graph: Graph, *, optimizer: Optimizer | None = None, dtype: str | None = None,
            convention: str = "keras") -> Measure:
    """Counts, compute and memory of a built model (the sizing row of one model)."""
    record = summarize(graph)
    cost = model_cost(graph, convention, dtype, optimizer)
    per_sample = any(BATCH in m for p in (cost.macs, cost.training_total) for m, _ in p.terms)
    return Measure(record, _per_sample(cost.macs), _per_sample(cost.flops),
                   _per_sample(cost.inference_total), _per_sample(cost.training_total),
                   cost.optimizer.bytes if cost.optimizer else None, per_sample, graph,
                   per_unit([cost.macs, cost.flops, cost.inference_total, cost.training_total]))


# -- solve ---------------------------------------------------------------------------------

BUDGET_FLAGS = {"params": "--max-params", "macs": "--max-macs", "memory": "--max-memory"}


@dataclass(frozen=True)
class Budget:
    """One limit: ``what`` is params, macs or memory; ``metric`` what it reads."""

    what: str
    limit: int
    metric: str

    @property
    def flag(self) -> str:
        return BUDGET_FLAGS[self.what]


@dataclass(frozen=True)
class Solution:
    """The largest value that fits, the model there, and the next allowed value."""

    name: str
    value: int
    next_value: int
    measure: Measure
    next_measure: Measure | None
    budgets: tuple[Budget, ...]
    polynomials: dict[str, IntPoly]
    range: tuple[int, int]
    multiple: int
    optimizer: str | None

    def broken(self) -> list[Budget]:
        """Budgets the next value breaks (none: it is past ``--range``)."""
        m = self.next_measure
        return [b for b in self.budgets if m is not None and m.metric(b.metric) > b.limit]

    def to_dict(self) -> dict[str, Any]:
        nxt = self.next_measure
        return {
            "placeholder": placeholders.describe(self.name),
            "value": self.value, "next_value": self.next_value,
            "summary": self.measure.summary.to_dict(),
            "next_summary": nxt.summary.to_dict() if nxt else None,
            "cost": self.measure.to_dict(),
            "next_cost": nxt.to_dict() if nxt else None,
            "budgets": [{"flag": b.flag, "limit": b.limit, "metric": b.metric,
                         "value": _json(self.measure.metric(b.metric)),
                         "next_value": _json(nxt.metric(b.metric)) if nxt else None,
                         "polynomial": self.polynomials[b.metric].text(self.var)}
                        for b in self.budgets],
            "next_breaks": [b.flag for b in self.broken()],
            "range": list(self.range), "multiple_of": self.multiple,
            "optimizer": self.optimizer,
        }

    @property
    def var(self) -> str:
        return self.name or "?"


def _json(n: Number) -> Any:
    return n.to_json() if isinstance(n, Poly) else n


def budgets_from(max_params: int | None = None, max_macs: int | None = None,
                 max_memory: int | None = None, *, training: bool = False) -> list[Budget]:
    """The budgets the user gave, in a fixed order."""
    out = []
    if max_params is not None:
        out.append(Budget("params", max_params, "params"))
    if max_macs is not None:
        out.append(Budget("macs", max_macs, "macs"))
    if max_memory is not None:
        out.append(Budget("memory", max_memory,
                          "training_memory" if training else "inference_memory"))
    if not out:
        raise SpecError("give at least one budget: --max-params, --max-macs or --max-memory")
    if training and max_memory is None:
        raise SpecError("--training sets which memory --max-memory limits; give --max-memory")
    return out


class _Model:
    """The spec with its one placeholder filled in on demand, each value built once."""

    def __init__(self, spec: ModelSpec, name: str, options: ShapeOptions,
                 optimizer: Optimizer | None, dtype: str | None, convention: str) -> None:
        self.spec, self.name, self.options = spec, name, options
        self.optimizer, self.dtype, self.convention = optimizer, dtype, convention
        self.cache: dict[int, Measure] = {}

    def at(self, value: int) -> Measure:
        if value not in self.cache:
            filled = placeholders.substitute(self.spec, {self.name: value})
            try:
                graph = build_graph(filled, self.options)
            except SpecError as err:
                raise err.at(f"with {placeholders.describe(self.name)}={value}") from None
            self.cache[value] = measure(graph, optimizer=self.optimizer, dtype=self.dtype,
                                        convention=self.convention)
        return self.cache[value]

    def number(self, value: int, budget: Budget) -> int:
        measured = self.at(value)
        if budget.what == "memory" and measured.per_sample:
            raise SpecError(f"{budget.flag}: memory depends on the batch size; give "
                            "--batch-size")
        n = measured.metric(budget.metric)
        if isinstance(n, Poly):
            missing = "--timesteps" if any("T" in m for m, _ in n.terms) else "--batch-size"
            raise SpecError(f"{budget.flag}: the {budget.metric.replace('_', ' ')} depends on "
                            f"an unknown dim; give {missing}")
        return n


def solve(spec: ModelSpec, budgets: list[Budget], *, options: ShapeOptions | None = None,
          lo: int = DEFAULT_RANGE[0], hi: int = DEFAULT_RANGE[1], multiple: int = 1,
          optimizer: Optimizer | str | None = None, dtype: str | None = None,
          convention: str = "keras") -> Solution:
    """The largest placeholder value in ``[lo, hi]`` (a multiple of ``multiple``) under budgets.

    Raises :class:`SpecError` when no value fits (naming the smallest model's
    cost), when the spec has no or several placeholders, when no budget
    depends on the placeholder, or when a measure is not a polynomial in it.
    """
    options = options or ShapeOptions()
    opt = parse_optimizer(optimizer) if isinstance(optimizer, str) else optimizer
    found = placeholders.names(spec)
    if not found:
        raise SpecError("solve needs a '?' in the model, e.g. --layer 'LSTM(?)' or units: '?'")
    if len(found) > 1:
        shown = ", ".join(placeholders.describe(n) for n in found)
        raise SpecError(f"solve finds one unknown, but the model has {len(found)} ({shown}); "
                        "write them all as '?' (one unknown) or use sweep")
    name = found[0]
    var = placeholders.describe(name)
    if lo < 1 or hi < lo:
        raise SpecError(f"--range: expected 1 <= LO <= HI, got {lo}..{hi}")
    if multiple < 1:
        raise SpecError(f"--multiple-of: expected a positive integer, got {multiple}")
    first = -(-lo // multiple) * multiple
    top = hi - hi % multiple
    if first > top:
        raise SpecError(f"--range {lo}..{hi} holds no multiple of {multiple}")
    model = _Model(spec, name, options, opt, dtype, convention)
    count = (top - first) // multiple + 1
    metrics = list(dict.fromkeys(b.metric for b in budgets))
    polys: dict[str, IntPoly] = {}
    if count <= 2 * MAX_DEGREE + 4:        # a short range: every allowed value, exactly
        values = list(range(first, top + 1, multiple))
        # The polynomials (shown, and telling whether the placeholder matters at all) from
        # enough models, past the range if it is short and those models build.
        points = [first + k * multiple for k in range(MAX_DEGREE + 2)]
        for metric in metrics:
            b = next(b for b in budgets if b.metric == metric)
            try:
                polys[metric] = fit(points, [model.number(v, b) for v in points])
            except SpecError:
                polys[metric] = fit(values[:MAX_DEGREE + 2],
                                    [model.number(v, b) for v in values[:MAX_DEGREE + 2]])
        fits = [v for v in values if all(model.number(v, b) <= b.limit for b in budgets)]
        value = fits[-1] if fits else None
    else:
        points = [first + k * multiple for k in range(MAX_DEGREE + 2)]
        probes = sorted({top, first + ((top - first) // multiple // 2) * multiple,
                         first + (MAX_DEGREE + 7) * multiple})
        for metric in metrics:
            b = next(b for b in budgets if b.metric == metric)
            p = fit(points, [model.number(v, b) for v in points])
            bad = [v for v in probes if p(v) != model.number(v, b)]
            if p.degree >= MAX_DEGREE or bad:
                raise SpecError(f"{b.flag}: the {metric.replace('_', ' ')} is not a polynomial "
                                f"in {var} (is {var} a window or pool size?); solve needs sizes "
                                "such as units; use sweep to try values")
            polys[metric] = p
        value = largest_fitting([polys[b.metric].minus(b.limit) for b in budgets],
                                first, top, multiple)
    if all(polys[m].degree == 0 for m in metrics):
        flags = ", ".join(b.flag for b in budgets)
        raise SpecError(f"{var} does not change what {flags} limits "
                        f"({', '.join(m.replace('_', ' ') for m in metrics)} stay the same "
                        f"for every value); put {var} where it sizes the model")
    if value is None:
        costs = ", ".join(f"{b.metric.replace('_', ' ')} {model.number(first, b):,} "
                          f"({b.flag} {b.limit:,})" for b in budgets)
        raise SpecError(f"no value of {var} in {lo:,}..{hi:,} fits: the smallest model, "
                        f"{var}={first}, has {costs}")
    for b in budgets:   # the answer is a real model, measured, not a fitted number
        assert model.number(value, b) <= b.limit
    nxt = value + multiple
    try:
        next_measure = model.at(nxt)
    except SpecError:
        next_measure = None
    return Solution(name, value, nxt, model.at(value), next_measure, tuple(budgets), polys,
                    (lo, hi), multiple, opt.label if opt else None)


_SUFFIX = {"k": 10**3, "m": 10**6, "g": 10**9, "t": 10**12}


def parse_count(text: str | int, flag: str) -> int:
    """``1000000``, ``1_000_000``, ``1e6``, ``10**6``, ``1M``, ``2.5k`` -> an int (1000-based)."""
    if isinstance(text, int) and not isinstance(text, bool):
        return text
    raw = str(text).strip().replace("_", "").replace(",", "")
    try:
        if "**" in raw:
            base, _, power = raw.partition("**")
            if base.isdigit() and power.isdigit() and int(power) <= 100:
                return int(base) ** int(power)
            raise ValueError
        scale = _SUFFIX.get(raw[-1:].lower(), 1)
        body = raw[:-1] if scale > 1 else raw
        if body.isdigit():
            return int(body) * scale
        value = float(body) * scale
        if value != int(value) or value < 0:
            raise ValueError
        return int(value)
    except (ValueError, OverflowError):
        raise SpecError(f"{flag}: expected a whole number such as 1000000, 1e6, 10**6 or 1M, "
                        f"got {str(text)!r}") from None


def parse_range(text: str) -> tuple[int, int]:
    """``--range 1..10**9`` -> ``(1, 1000000000)``."""
    lo, sep, hi = str(text).partition("..")
    if not sep:
        raise SpecError(f"--range: expected LO..HI such as 1..1024, got {text!r}")
    return parse_count(lo, "--range"), parse_count(hi, "--range")


# -- sweep ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SweepRow:
    values: dict[str, int]
    measure: Measure

    def to_dict(self) -> dict[str, Any]:
        return {**self.values, **self.measure.to_dict()}


@dataclass(frozen=True)
class SweepRecord:
    """One row per combination of the varied values, in grid order (last varies fastest)."""

    names: tuple[str, ...]
    rows: tuple[SweepRow, ...]
    optimizer: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"vary": list(self.names), "optimizer": self.optimizer,
                "rows": [r.to_dict() for r in self.rows]}


def parse_vary(items: list[str]) -> list[tuple[str, list[int]]]:
    """``["u=32,64", "timesteps=50,100"]`` -> ``[("u", [32, 64]), ("timesteps", [50, 100])]``.

    Values may be a list, a range ``32..256`` (step 1), ``32..256:32`` (step 32)
    or a doubling range ``32..256*2``.
    """
    out: list[tuple[str, list[int]]] = []
    for item in items:
        name, sep, body = item.partition("=")
        name = name.strip()
        if name.startswith("?"):
            name = name[1:]
        if not sep or not body.strip():
            raise SpecError(f"--vary: expected NAME=V1,V2,..., got {item!r}")
        values: list[int] = []
        for part in body.split(","):
            values += _values(part.strip(), item)
        if any(n == name for n, _ in out):
            raise SpecError(f"--vary: '{name}' is given twice")
        out.append((name, list(dict.fromkeys(values))))
    return out


def _values(part: str, item: str) -> list[int]:
    def num(text: str) -> int:
        text = text.strip().replace("_", "")
        if "**" in text:
            base, _, power = text.partition("**")
            if base.isdigit() and power.isdigit() and int(power) < 40:
                return int(base) ** int(power)
        if not text.isdigit() or int(text) < 1:
            raise SpecError(f"--vary: expected positive integers, got {text!r} in {item!r}")
        return int(text)

    if ".." not in part:
        return [num(part)]
    lo_text, _, rest = part.partition("..")
    if "*" in rest and "**" not in rest:
        hi_text, _, factor = rest.partition("*")
        lo, hi, k = num(lo_text), num(hi_text), num(factor)
        if k < 2:
            raise SpecError(f"--vary: a factor must be at least 2, got {k} in {item!r}")
        out = []
        while lo <= hi:
            out.append(lo)
            lo *= k
        return out
    hi_text, _, step = rest.partition(":")
    lo, hi, k = num(lo_text), num(hi_text), num(step) if step else 1
    if (hi - lo) // k + 1 > MAX_COMBINATIONS:
        raise SpecError(f"--vary: {part!r} has more than {MAX_COMBINATIONS:,} values")
    return list(range(lo, hi + 1, k))


def sweep(spec: ModelSpec, vary: list[tuple[str, list[int]]], *,
          options: ShapeOptions | None = None, optimizer: Optimizer | str | None = None,
          dtype: str | None = None, convention: str = "keras") -> SweepRecord:
    """Measure the model for every combination of the varied placeholders and shape dims."""
    options = options or ShapeOptions()
    opt = parse_optimizer(optimizer) if isinstance(optimizer, str) else optimizer
    found = placeholders.names(spec)
    if not vary:
        raise SpecError("sweep needs at least one --vary NAME=V1,V2,...")
    for name, _ in vary:
        if name not in found and name not in SHAPE_NAMES:
            known = [placeholders.describe(n) for n in found] + list(SHAPE_NAMES)
            raise SpecError(f"--vary: '{name or '?'}' is neither a placeholder of the model nor "
                            f"batch_size/timesteps; expected one of {', '.join(known)}")
    missing = [n for n in found if n not in {v for v, _ in vary}]
    if missing:
        shown = placeholders.describe(missing[0])
        raise SpecError(f"the model has {shown} but no --vary gives its values; add "
                        f"--vary {missing[0] or '?'}=V1,V2,...")
    total = 1
    for _, values in vary:
        total *= len(values)
    if total > MAX_COMBINATIONS:
        raise SpecError(f"--vary: {total:,} combinations; at most {MAX_COMBINATIONS:,}")
    names = tuple(n for n, _ in vary)
    rows = []
    for combo in itertools.product(*(values for _, values in vary)):
        values = dict(zip(names, combo))
        shape = replace(options, **{k: values[k] for k in SHAPE_NAMES if k in values})
        filled = placeholders.substitute(spec, {k: v for k, v in values.items()
                                                if k not in SHAPE_NAMES})
        shown = ", ".join(f"{placeholders.describe(k) if k not in SHAPE_NAMES else k}={v}"
                          for k, v in values.items())
        try:
            graph = build_graph(filled, shape)
        except SpecError as err:
            raise err.at(f"with {shown}") from None
        rows.append(SweepRow(values, measure(graph, optimizer=opt, dtype=dtype,
                                             convention=convention)))
    return SweepRecord(names, tuple(rows), opt.label if opt else None)
