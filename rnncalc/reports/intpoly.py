"""Exact polynomials in one integer unknown: fit from samples, then solve ``p(v) <= limit``.

Why this works for sizing: parameter counts, MACs and memory of a model are
sums of products of layer sizes, so with one size left open they are
polynomials in it (``LSTM(u)`` on 100 features: ``4u² + 404u``). Fitting the
polynomial exactly (rational arithmetic, Newton's divided differences) from a
few models and checking it at more points turns "build a model for every
candidate" into arithmetic, and the largest fitting value is found exactly
with integer steps, never with floating-point root finding.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

MAX_DEGREE = 8


@dataclass(frozen=True)
class IntPoly:
    """``sum(coeffs[k] * v**k)`` with rational coefficients (integer-valued on integers)."""

    coeffs: tuple[Fraction, ...]

    @property
    def degree(self) -> int:
        return max((k for k, c in enumerate(self.coeffs) if c), default=0)

    def __call__(self, v: int) -> Fraction:
        acc = Fraction(0)
        for c in reversed(self.coeffs):
            acc = acc * v + c
        return acc

    def shift_difference(self) -> IntPoly:
        """``Δp(v) = p(v + 1) - p(v)``, one degree lower."""
        n = len(self.coeffs)
        out = [Fraction(0)] * max(n - 1, 1)
        for k, c in enumerate(self.coeffs):       # c·((v+1)^k - v^k) = c·Σ_{j<k} C(k,j) v^j
            binom = 1
            for j in range(k):
                out[j] += c * binom
                binom = binom * (k - j) // (j + 1)
        return IntPoly(tuple(out))

    def minus(self, value: int) -> IntPoly:
        return IntPoly((self.coeffs[0] - value, *self.coeffs[1:]))

    def text(self, var: str = "v") -> str:
        """``4·u² + 404·u + 129`` (highest power first)."""
        sup = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
        parts = []
        for k in range(len(self.coeffs) - 1, -1, -1):
            c = self.coeffs[k]
            if not c:
                continue
            num = f"{int(c):,}" if c.denominator == 1 else f"{c.numerator:,}/{c.denominator:,}"
            power = "" if k == 0 else (var if k == 1 else var + str(k).translate(sup))
            parts.append(num if k == 0 else (power if c == 1 else f"{num}·{power}"))
        return " + ".join(parts).replace("+ -", "- ") or "0"


def fit(points: list[int], values: list[int]) -> IntPoly:
    """The lowest-degree polynomial through ``(points[i], values[i])`` (Newton form)."""
    n = len(points)
    table = [Fraction(v) for v in values]
    newton = [table[0]]
    for level in range(1, n):
        table = [(table[i + 1] - table[i]) / (points[i + level] - points[i])
                 for i in range(n - level)]
        newton.append(table[0])
    # Expand the Newton form sum newton[k] * prod_{i<k} (v - points[i]) into coefficients.
    coeffs = [Fraction(0)] * n
    basis = [Fraction(1)]                      # prod_{i<k} (v - x_i), lowest power first
    for k in range(n):
        for j, b in enumerate(basis):
            coeffs[j] += newton[k] * b
        nxt = [Fraction(0)] * (len(basis) + 1)
        for j, b in enumerate(basis):
            nxt[j + 1] += b
            nxt[j] -= b * points[k]
        basis = nxt
    while len(coeffs) > 1 and not coeffs[-1]:
        coeffs.pop()
    return IntPoly(tuple(coeffs))


def breaks(p: IntPoly, lo: int, hi: int) -> list[int]:
    """Integers ``x`` in ``[lo, hi)`` where ``p(x) > 0`` differs from ``p(x + 1) > 0``.

    On integers, ``p`` is monotone wherever its forward difference keeps one
    sign; the difference's own sign changes come from the same function one
    degree lower, so each monotone stretch holds at most one change, found by
    bisection. Exact and ``O(degree² · log(hi - lo))`` evaluations.
    """
    if hi <= lo:
        return []
    if p.degree == 0:
        return []
    cuts = breaks(p.shift_difference(), lo, hi - 1)
    found = []
    start = lo
    for end in [*cuts, hi - 1]:
        # Δp keeps its sign on [start, end], so p is monotone on [start, end + 1].
        a, b = start, end + 1
        if (p(a) > 0) != (p(b) > 0):
            positive_a = p(a) > 0
            while b - a > 1:
                mid = (a + b) // 2
                if (p(mid) > 0) == positive_a:
                    a = mid
                else:
                    b = mid
            found.append(a)
        start = end + 1
    return sorted(set(found))


def largest_fitting(checks: list[IntPoly], lo: int, hi: int, multiple: int,
                    holds: Callable[[int], bool] | None = None) -> int | None:
    """The largest ``v`` in ``[lo, hi]``, a multiple of ``multiple``, with every ``p(v) <= 0``.

    ``holds`` (optional) double-checks a candidate; the stretches between the
    sign changes of all checks are tried from the top down.
    """
    cuts = sorted({c for p in checks for c in breaks(p, lo, hi)})
    edges = [lo - 1, *cuts, hi]
    for k in range(len(edges) - 1, 0, -1):
        a, b = edges[k - 1] + 1, edges[k]         # a stretch where every check keeps its sign
        top = b - b % multiple
        if top < a:
            continue
        if all(p(top) <= 0 for p in checks) and (holds is None or holds(top)):
            return top
    return None
