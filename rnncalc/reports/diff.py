"""``diff``: two models (or one model in two conventions) lined up layer by layer.

Layers are matched by name first; the rest by position, between the layers
that matched by name, preferring layers of the same type (so a layer inserted
or removed in the middle of a stack shows as added or removed, and a renamed
layer still lines up with its old self). The record holds both sides'
shapes and counts and the differences; renderers only draw it.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from rnncalc.graph import Graph
from rnncalc.layers.shapes import Shape

SAME, CHANGED, ADDED, REMOVED = "same", "changed", "added", "removed"


@dataclass(frozen=True)
class Side:
    """One layer as one side counts it."""

    name: str
    type: str
    output_shapes: tuple[Shape, ...]
    params: int
    trainable_params: int

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "type": self.type,
                "output_shapes": [list(s) for s in self.output_shapes],
                "params": self.params, "trainable_params": self.trainable_params}


@dataclass(frozen=True)
class DiffRow:
    a: Side | None
    b: Side | None

    @property
    def changes(self) -> tuple[str, ...]:
        """What differs: ``name``, ``type``, ``shape``, ``params``, ``trainable``."""
        a, b = self.a, self.b
        if a is None or b is None:
            return ()
        found = [what for what, x, y in (
            ("name", a.name, b.name), ("type", a.type, b.type),
            ("shape", a.output_shapes, b.output_shapes), ("params", a.params, b.params),
            ("trainable", a.trainable_params, b.trainable_params)) if x != y]
        if "params" in found and "trainable" in found and a.params == a.trainable_params \
                and b.params == b.trainable_params:
            found.remove("trainable")    # all trainable on both sides: one change, not two
        return tuple(found)

    @property
    def status(self) -> str:
        if self.a is None:
            return ADDED
        if self.b is None:
            return REMOVED
        return CHANGED if self.changes else SAME

    @property
    def delta(self) -> int:
        return (self.b.params if self.b else 0) - (self.a.params if self.a else 0)

    def to_dict(self) -> dict[str, Any]:
        return {"status": self.status, "changes": list(self.changes),
                "a": self.a.to_dict() if self.a else None,
                "b": self.b.to_dict() if self.b else None, "params_delta": self.delta}


@dataclass(frozen=True)
class Totals:
    title: str
    convention: str
    total_params: int
    trainable_params: int

    @property
    def non_trainable_params(self) -> int:
        return self.total_params - self.trainable_params

    def to_dict(self) -> dict[str, Any]:
        return {"title": self.title, "convention": self.convention,
                "total_params": self.total_params, "trainable_params": self.trainable_params,
                "non_trainable_params": self.non_trainable_params}


@dataclass(frozen=True)
class DiffRecord:
    a: Totals
    b: Totals
    rows: tuple[DiffRow, ...]

    @property
    def identical(self) -> bool:
        return all(r.status == SAME for r in self.rows)

    def to_dict(self) -> dict[str, Any]:
        return {"a": self.a.to_dict(), "b": self.b.to_dict(),
                "layers": [r.to_dict() for r in self.rows],
                "total_params_delta": self.b.total_params - self.a.total_params,
                "trainable_params_delta": self.b.trainable_params - self.a.trainable_params,
                "identical": self.identical}


def sides(graph: Graph, convention: str = "keras") -> list[Side]:
    """Input layers and layers of a graph, counted in ``convention``."""
    counts: dict[str, tuple[int, int]] = {}
    if convention == "pytorch":
        from rnncalc.reports.pytorch import torch_record

        counts = {t.name: (t.params, t.trainable_params) for t in torch_record(graph).layers}
    out = [Side(n.name, "InputLayer", tuple(n.output_shapes), 0, 0) for n in graph.inputs]
    for node in graph.nodes:
        params, trainable = counts.get(node.name, (node.params, node.trainable_params))
        out.append(Side(node.name, node.type_name, tuple(node.output_shapes), params, trainable))
    return out


def align(a: list[Side], b: list[Side]) -> list[tuple[int | None, int | None]]:
    """Index pairs, in display order: by name, then by position between name matches."""
    b_index = {s.name: j for j, s in enumerate(b)}
    named = {i: b_index[s.name] for i, s in enumerate(a) if s.name in b_index}
    # Anchors: the name matches that keep both orders (a longest increasing run).
    anchors = _increasing([(i, j) for i, j in sorted(named.items())])
    pairs: dict[int, int] = dict(anchors)
    bounds = [(-1, -1), *anchors, (len(a), len(b))]
    for (i0, j0), (i1, j1) in zip(bounds, bounds[1:]):
        gap_a = [i for i in range(i0 + 1, i1) if i not in pairs]
        used = set(pairs.values())
        gap_b = [j for j in range(j0 + 1, j1) if j not in used]
        for i in gap_a:   # a name match inside the gap
            j = named.get(i)
            if j is not None and j in gap_b:
                pairs[i] = j
        gap_a = [i for i in gap_a if i not in pairs]
        gap_b = [j for j in gap_b if j not in set(pairs.values())]
        matcher = difflib.SequenceMatcher(None, [a[i].type for i in gap_a],
                                          [b[j].type for j in gap_b], autojunk=False)
        for tag, x0, x1, y0, y1 in matcher.get_opcodes():
            if tag in ("equal", "replace"):
                for x, y in zip(range(x0, x1), range(y0, y1)):
                    pairs[gap_a[x]] = gap_b[y]
    order: list[tuple[int | None, int | None]] = []
    matched_b = set(pairs.values())
    nxt = 0
    for i in range(len(a)):
        j = pairs.get(i)
        if j is None:
            order.append((i, None))
            continue
        for k in range(nxt, j):
            if k not in matched_b:
                order.append((None, k))
        nxt = max(nxt, j + 1)
        order.append((i, j))
    order += [(None, k) for k in range(nxt, len(b)) if k not in matched_b]
    return order


def _increasing(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The longest run of pairs whose second items increase (pairs sorted by first)."""
    best: list[list[tuple[int, int]]] = []
    for p in pairs:
        runs = [r for r in best if r[-1][1] < p[1]]
        best.append([*max(runs, key=len, default=[]), p])
    return max(best, key=len, default=[])


def diff_graphs(a: Graph, b: Graph, *, conventions: tuple[str, str] = ("keras", "keras"),
                titles: tuple[str, str] | None = None) -> DiffRecord:
    """Line up two built graphs (or one graph twice, in two conventions)."""
    left, right = sides(a, conventions[0]), sides(b, conventions[1])
    rows = tuple(DiffRow(left[i] if i is not None else None, right[j] if j is not None else None)
                 for i, j in align(left, right))
    titles = titles or (a.name, b.name)
    totals = [Totals(t, c, sum(s.params for s in ss), sum(s.trainable_params for s in ss))
              for t, c, ss in ((titles[0], conventions[0], left),
                               (titles[1], conventions[1], right))]
    return DiffRecord(totals[0], totals[1], rows)
