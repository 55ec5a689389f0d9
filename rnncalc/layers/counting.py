"""What a layer kind declares about its cost: counts that may depend on unknown dims.

Layer kinds return :class:`CostTerm` and :class:`MemoryTerm` values from their
``cost`` and ``memory`` methods; :mod:`rnncalc.reports.cost` adds them up over a graph
and the renderers print them. Counts are :class:`Poly` values: exact integers
when every dim is known, otherwise polynomials in ``B`` (an unknown batch) and
``T`` (an unknown time or sequence length), so an unknown dim is reported as a
per-sample, per-timestep figure with a ``× T`` factor instead of being guessed.

Nothing here imports numpy; ``rnncalc summary`` stays fast.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from rnncalc.layers.shapes import Dim, Shape

BATCH = "B"
TIME = "T"

Monomial = tuple[str, ...]   # sorted symbol names, () for the constant term


@dataclass(frozen=True)
class Poly:
    """A non-negative integer polynomial in the unknown dims ``B`` and ``T``."""

    terms: tuple[tuple[Monomial, int], ...] = ()

    # -- construction ------------------------------------------------------------

    @staticmethod
    def of(value: PolyLike) -> Poly:
        if isinstance(value, Poly):
            return value
        return Poly((((), int(value)),)) if value else Poly()

    @staticmethod
    def symbol(name: str) -> Poly:
        return Poly((((name,), 1),))

    @staticmethod
    def _from(mapping: dict[Monomial, int]) -> Poly:
        return Poly(tuple(sorted(((m, c) for m, c in mapping.items() if c),
                                 key=lambda mc: (-len(mc[0]), mc[0]))))

    # -- arithmetic --------------------------------------------------------------

    def __add__(self, other: PolyLike) -> Poly:
        acc = dict(self.terms)
        for m, c in Poly.of(other).terms:
            acc[m] = acc.get(m, 0) + c
        return Poly._from(acc)

    __radd__ = __add__

    def __mul__(self, other: PolyLike) -> Poly:
        acc: dict[Monomial, int] = {}
        for m1, c1 in self.terms:
            for m2, c2 in Poly.of(other).terms:
                m = tuple(sorted(m1 + m2))
                acc[m] = acc.get(m, 0) + c1 * c2
        return Poly._from(acc)

    __rmul__ = __mul__

    # -- reading -----------------------------------------------------------------

    @property
    def known(self) -> bool:
        return all(not m for m, _ in self.terms)

    @property
    def value(self) -> int | None:
        """The count when no dim is unknown, else ``None``."""
        return sum(c for _, c in self.terms) if self.known else None

    def __bool__(self) -> bool:
        return bool(self.terms)

    def per_sample(self) -> tuple[Poly, bool]:
        """Divide out an unknown batch when every term carries it."""
        if self.terms and all(BATCH in m for m, _ in self.terms):
            return Poly._from({tuple(s for s in m if s != BATCH): c
                               for m, c in self.terms}), True
        return self, False

    def text(self, number=None) -> str:
        """``29,312 × T + 129`` (batch divided out by the caller when wanted)."""
        fmt = number or (lambda n: f"{n:,}")
        if not self.terms:
            return fmt(0)
        parts = []
        for m, c in self.terms:
            factor = "·".join(_power(m))
            parts.append(fmt(c) if not m else f"{fmt(c)} × {factor}")
        return " + ".join(parts)

    def to_json(self) -> int:
        """One JSON number: the value, with every unknown dim taken as 1.

        That is the figure for one sample (``B = 1``) and, with unknown
        timesteps, for one timestep (``T = 1``); :func:`per_unit` names which.
        """
        return sum(c for _, c in self.terms)

    @property
    def symbols(self) -> set[str]:
        """The unknown dims this figure depends on (``{"B", "T"}``)."""
        return {s for m, _ in self.terms for s in m}


def per_unit(figures: list[Poly]) -> str:
    """What JSON figures are per: ``batch`` (all dims known), ``sample`` (batch unknown),
    ``step`` (timesteps unknown) or ``sample*step`` (both unknown)."""
    used = set().union(*(p.symbols for p in figures)) if figures else set()
    batch, time = BATCH in used, bool(used - {BATCH})
    return {(False, False): "batch", (True, False): "sample", (False, True): "step",
            (True, True): "sample*step"}[(batch, time)]


PolyLike = "Poly | int"


def _power(m: Monomial) -> list[str]:
    out: list[str] = []
    for s in dict.fromkeys(m):
        n = m.count(s)
        out.append(s if n == 1 else f"{s}^{n}")
    return out


def dim(d: Dim, axis: int) -> Poly:
    """One dim as a count: known size, ``B`` for an unknown batch, ``T`` otherwise."""
    if d is not None:
        return Poly.of(d)
    return Poly.symbol(BATCH if axis == 0 else TIME)


def size(shape: Shape) -> Poly:
    """Number of elements of a (batch-first) tensor shape."""
    out = Poly.of(1)
    for axis, d in enumerate(shape):
        out = out * dim(d, axis)
    return out


def positions(shape: Shape, keep_last: int = 1) -> Poly:
    """Elements of ``shape`` without its last ``keep_last`` axes (e.g. B·T of (B, T, F))."""
    return size(shape[: len(shape) - keep_last])


def describe_dims(shape: Shape, keep_last: int = 1) -> str:
    """``B·T`` / ``32·100`` text for the positions of a shape, for formulas."""
    parts = []
    for axis, d in enumerate(shape[: len(shape) - keep_last]):
        parts.append(str(d) if d is not None else (BATCH if axis == 0 else TIME))
    return "·".join(parts) or "1"


# -- what a layer kind declares ---------------------------------------------------

MAC = "mac"          # one multiply-accumulate of a matrix product (2 FLOPs)
ADD = "add"          # an element-wise add or subtract (bias adds included)
MUL = "mul"          # an element-wise multiply
ACT = "act"          # one activation-function evaluation (counted as 1 FLOP)
CMP = "cmp"          # a comparison (max pooling, relu counted as ACT)


@dataclass(frozen=True)
class CostTerm:
    """``count`` operations of one ``op`` kind, ``per`` position, over ``positions``.

    ``formula`` is the per-position count in symbols (``I·4U``) and
    ``numbers`` the same with this layer's sizes (``100·4·128``), so explain
    can print ``input matmul: I·4U = 100·4·128 = 51,200 MACs × B·T``.
    """

    what: str
    op: str
    per: int
    positions: Poly
    formula: str = ""
    numbers: str = ""
    over: str = ""           # the positions as text: "B·T", "32·100"
    scope: str = ""          # e.g. "forward"/"backward" for Bidirectional

    @property
    def total(self) -> Poly:
        return self.positions * self.per

    @property
    def flops(self) -> Poly:
        return self.total * (2 if self.op == MAC else 1)

    def scoped(self, scope: str) -> CostTerm:
        return replace(self, scope=f"{scope} {self.scope}".strip())

    def times(self, factor: Poly, text: str) -> CostTerm:
        """The same work repeated ``factor`` times (TimeDistributed over time)."""
        return replace(self, positions=self.positions * factor,
                       over=f"{self.over}·{text}" if self.over else text)


INFERENCE = "inference"
TRAINING = "training"


@dataclass(frozen=True)
class MemoryTerm:
    """Activation values a layer holds beyond its output tensors.

    ``phase`` is ``inference`` (a working set held while the layer runs, e.g.
    an RNN's state and one step's gates) or ``training`` (kept for the
    backward pass, e.g. every timestep's states and gate values for BPTT).
    """

    what: str
    phase: str
    values: Poly
    formula: str = ""


def macs(terms: list[CostTerm] | tuple[CostTerm, ...]) -> Poly:
    return sum((t.total for t in terms if t.op == MAC), Poly())


def flops(terms: list[CostTerm] | tuple[CostTerm, ...]) -> Poly:
    return sum((t.flops for t in terms), Poly())
