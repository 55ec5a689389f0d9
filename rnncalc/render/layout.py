"""Geometry of a diagram: box sizes from their text, positions, and arrow routes.

The layer graph gets a layered top-to-bottom layout (the Sugiyama recipe
Graphviz's ``dot`` also follows): layers ranked by their longest path from an
input, arrows that skip ranks broken into points that reserve a slot in every
rank they cross, ranks ordered by barycenters to reduce crossings, and x
positions that sit each box under its neighbours as closely as the spacing
allows (an isotonic regression per rank). Boxes of a rank share a top edge,
and arrows leave a box straight down to the bottom of its rank, so a segment
only ever crosses the empty band between two ranks: arrows cannot pass
through boxes. The unrolled view is a fixed grid.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rnncalc.reports.diagram import Arrow, Box, Diagram

CHAR_W = 7.2          # px per character of 12px monospace text
LINE_H = 16
TITLE_H = 22
PAD_X = 10
PAD_Y = 6
H_GAP = 28            # between boxes of a rank
V_GAP = 46            # between ranks
MARGIN = 20
HEADING = 30          # the diagram's title above the boxes
DUMMY_W = 10


def text_width(text: str) -> float:
    return len(text) * CHAR_W


def box_size(box: Box) -> tuple[float, float]:
    """Width and height that fit the title and every line."""
    width = max([text_width(box.title), *(text_width(line) for line in box.lines)]) + 2 * PAD_X
    height = TITLE_H + len(box.lines) * LINE_H + (PAD_Y if box.lines else 0)
    return max(width, 60.0), float(height)


@dataclass
class Placed:
    box: Box
    x: float
    y: float
    w: float
    h: float

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h

    @property
    def cx(self) -> float:
        return self.x + self.w / 2


@dataclass
class Route:
    arrow: Arrow
    points: list[tuple[float, float]]
    label_at: tuple[float, float] | None = None
    label_anchor: str = "middle"


@dataclass
class Layout:
    title: str
    width: float
    height: float
    boxes: dict[str, Placed] = field(default_factory=dict)
    routes: list[Route] = field(default_factory=list)


def layout(diagram: Diagram) -> Layout:
    """Positions for every box and a route for every arrow."""
    return _grid(diagram) if diagram.fixed else _layered(diagram)


# -- layered layout ------------------------------------------------------------------------


def _ranks(ids: list[str], arrows: tuple[Arrow, ...]) -> dict[str, int]:
    rank = dict.fromkeys(ids, 0)
    preds: dict[str, list[str]] = {i: [] for i in ids}
    for a in arrows:
        preds[a.dst].append(a.src)
    for i in ids:                             # boxes come in topological order
        if preds[i]:
            rank[i] = max(rank[p] + 1 for p in preds[i])
    return rank


def _crossings(rows: list[list[str]], edges: list[tuple[str, str]], pos: dict[str, int],
               rank: dict[str, int]) -> int:
    total = 0
    by_rank: dict[int, list[tuple[int, int]]] = {}
    for u, v in edges:
        by_rank.setdefault(rank[u], []).append((pos[u], pos[v]))
    for pairs in by_rank.values():
        for k, (a1, b1) in enumerate(pairs):
            for a2, b2 in pairs[k + 1:]:
                if (a1 - a2) * (b1 - b2) < 0:
                    total += 1
    return total


def _isotonic(targets: list[float], offsets: list[float]) -> list[float]:
    """Centers closest to ``targets`` keeping order and spacing (pool adjacent violators)."""
    blocks: list[list[float]] = []           # [mean, weight]
    for t, o in zip(targets, offsets):
        blocks.append([t - o, 1.0])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            m2, w2 = blocks.pop()
            m1, w1 = blocks.pop()
            blocks.append([(m1 * w1 + m2 * w2) / (w1 + w2), w1 + w2])
    z = [m for m, w in blocks for _ in range(int(w))]
    return [zi + o for zi, o in zip(z, offsets)]


def _layered(diagram: Diagram) -> Layout:
    ids = [b.id for b in diagram.boxes]
    boxes = {b.id: b for b in diagram.boxes}
    size = {i: box_size(boxes[i]) for i in ids}
    rank = _ranks(ids, diagram.arrows)
    # Arrows skipping ranks pass through dummy points, one per rank crossed.
    chains: list[list[str]] = []
    for k, a in enumerate(diagram.arrows):
        chain = [a.src]
        for r in range(rank[a.src] + 1, rank[a.dst]):
            dummy = f"\0{k}:{r}"
            rank[dummy] = r
            size[dummy] = (DUMMY_W, 0.0)
            chain.append(dummy)
        chain.append(a.dst)
        chains.append(chain)
    edges = [(c[i], c[i + 1]) for c in chains for i in range(len(c) - 1)]
    depth = max(rank.values()) + 1
    rows: list[list[str]] = [[] for _ in range(depth)]
    for node in [*ids, *(n for c in chains for n in c[1:-1])]:
        rows[rank[node]].append(node)
    preds: dict[str, list[str]] = {n: [] for n in rank}
    succs: dict[str, list[str]] = {n: [] for n in rank}
    for u, v in edges:
        preds[v].append(u)
        succs[u].append(v)

    pos = {n: i for row in rows for i, n in enumerate(row)}
    best, best_cross = [list(r) for r in rows], _crossings(rows, edges, pos, rank)
    for sweep in range(8):                   # barycenter ordering, down then up
        order = range(1, depth) if sweep % 2 == 0 else range(depth - 2, -1, -1)
        for r in order:
            near = preds if sweep % 2 == 0 else succs
            rows[r].sort(key=lambda n: (sum(pos[m] for m in near[n]) / len(near[n])
                                        if near[n] else pos[n]))
            for i, n in enumerate(rows[r]):
                pos[n] = i
        cross = _crossings(rows, edges, pos, rank)
        if cross < best_cross:
            best, best_cross = [list(r) for r in rows], cross
    rows = best

    center: dict[str, float] = {}
    for row in rows:                          # packed start
        x = 0.0
        for n in row:
            center[n] = x + size[n][0] / 2
            x += size[n][0] + H_GAP
    for sweep in range(10):
        order = list(range(1, depth)) if sweep % 2 == 0 else list(range(depth - 2, -1, -1))
        near = preds if sweep % 2 == 0 else succs
        for r in order:
            row = rows[r]
            targets = [sum(center[m] for m in near[n]) / len(near[n]) if near[n] else center[n]
                       for n in row]
            offsets, acc = [], 0.0
            for i, n in enumerate(row):
                if i:
                    acc += size[row[i - 1]][0] / 2 + H_GAP + size[n][0] / 2
                offsets.append(acc)
            for n, c in zip(row, _isotonic(targets, offsets)):
                center[n] = c
    left = min(center[n] - size[n][0] / 2 for n in center)
    shift = MARGIN - left

    heights = [max((size[n][1] for n in row), default=0.0) for row in rows]
    tops, y = [], MARGIN + HEADING
    for h in heights:
        tops.append(y)
        y += h + V_GAP
    out = Layout(diagram.name, 0, y - V_GAP + MARGIN)
    for n in ids:
        w, h = size[n]
        out.boxes[n] = Placed(boxes[n], center[n] + shift - w / 2, tops[rank[n]], w, h)
    out.width = max(max(p.right for p in out.boxes.values()) + MARGIN,
                    text_width(diagram.name) + 2 * MARGIN)

    # Ports: arrows leave and enter spread along the box edges, in order of where they go.
    def spread(box: Placed, others: list[str], key: dict[str, float]) -> dict[str, float]:
        ordered = sorted(others, key=lambda o: key[o])
        return {o: box.x + box.w * (k + 1) / (len(ordered) + 1) for k, o in enumerate(ordered)}

    x_of = {n: center[n] + shift for n in center}
    outs: dict[str, list[tuple[int, str]]] = {}
    ins: dict[str, list[tuple[int, str]]] = {}
    for k, chain in enumerate(chains):
        outs.setdefault(chain[0], []).append((k, chain[1]))
        ins.setdefault(chain[-1], []).append((k, chain[-2]))
    out_port: dict[int, float] = {}
    in_port: dict[int, float] = {}
    for node, items in outs.items():
        keyed = {f"{k}": x_of[nxt] + k * 1e-6 for k, nxt in items}
        for key, x in spread(out.boxes[node], list(keyed), keyed).items():
            out_port[int(key)] = x
    for node, items in ins.items():
        keyed = {f"{k}": x_of[prev] + k * 1e-6 for k, prev in items}
        for key, x in spread(out.boxes[node], list(keyed), keyed).items():
            in_port[int(key)] = x
    for k, (arrow, chain) in enumerate(zip(diagram.arrows, chains)):
        src, dst = out.boxes[chain[0]], out.boxes[chain[-1]]
        r0 = rank[chain[0]]
        px = out_port[k]
        points = [(px, src.bottom)]
        if src.bottom < tops[r0] + heights[r0]:
            points.append((px, tops[r0] + heights[r0]))
        for dummy in chain[1:-1]:
            r = rank[dummy]
            points += [(x_of[dummy], tops[r]), (x_of[dummy], tops[r] + heights[r])]
        points.append((in_port[k], dst.y))
        out.routes.append(Route(arrow, points))
    return out


# -- grid layout (unrolled view) -------------------------------------------------------------


def _grid(diagram: Diagram) -> Layout:
    size = {b.id: box_size(b) for b in diagram.boxes}
    spanning = [b for b in diagram.boxes if b.style == "note"]
    placed = [b for b in diagram.boxes if b.style != "note"]
    n_rows = max(b.cell[0] for b in placed) + 1
    n_cols = max(b.cell[1] for b in placed) + 1
    col_w = [max((size[b.id][0] for b in placed if b.cell[1] == c), default=0.0)
             for c in range(n_cols)]
    row_h = [max((size[b.id][1] for b in placed if b.cell[0] == r), default=0.0)
             for r in range(n_rows)]
    side_labels = [text_width(a.label) for a in diagram.arrows if a.side]
    col_gap = max([H_GAP * 2, *(w + 24 for w in side_labels)])
    xs, x = [], float(MARGIN)
    for w in col_w:
        xs.append(x)
        x += w + col_gap
    ys, y = [], float(MARGIN + HEADING)
    for h in row_h:
        ys.append(y)
        y += h + V_GAP
    out = Layout(diagram.name, 0, 0)
    for b in placed:
        w, h = size[b.id]
        r, c = b.cell
        out.boxes[b.id] = Placed(b, xs[c] + (col_w[c] - w) / 2, ys[r] + (row_h[r] - h) / 2, w, h)
    for b in spanning:
        w, h = size[b.id]
        out.boxes[b.id] = Placed(b, xs[min(b.cell[1], n_cols - 1)], y, w, h)
        y += h + V_GAP
    out.width = max(max(p.right for p in out.boxes.values()) + MARGIN,
                    text_width(diagram.name) + 2 * MARGIN)
    out.height = y - V_GAP + MARGIN
    sides: dict[tuple[str, str], list[Arrow]] = {}
    for a in diagram.arrows:
        if a.side:
            sides.setdefault((a.src, a.dst), []).append(a)
    for a in diagram.arrows:
        src, dst = out.boxes[a.src], out.boxes[a.dst]
        if not a.side:                        # up: from the top of src to the bottom of dst
            x0 = dst.cx
            points = [(x0, src.y), (x0, dst.bottom)]
            out.routes.append(Route(a, points, (x0 + 6, (src.y + dst.bottom) / 2 + 4), "start"))
            continue
        group = sides[(a.src, a.dst)]
        k = group.index(a)
        mid = dst.y + dst.h / 2
        y0 = mid + (k - (len(group) - 1) / 2) * 2 * LINE_H * 0.75
        points = [(src.right, y0), (dst.x, y0)]
        label_y = y0 - 5 if k == 0 else y0 + 14
        out.routes.append(Route(a, points, ((src.right + dst.x) / 2, label_y), "middle"))
    return out


def segment_hits_box(p: tuple[float, float], q: tuple[float, float], box: Placed,
                     inset: float = 0.5) -> bool:
    """Does segment ``p``-``q`` pass through the inside of ``box`` (edges excluded)?"""
    x0, y0, x1, y1 = box.x + inset, box.y + inset, box.right - inset, box.bottom - inset
    t0, t1 = 0.0, 1.0                          # Liang-Barsky clipping
    dx, dy = q[0] - p[0], q[1] - p[1]
    for pk, qk in ((-dx, p[0] - x0), (dx, x1 - p[0]), (-dy, p[1] - y0), (dy, y1 - p[1])):
        if pk == 0:
            if qk < 0:
                return False
            continue
        t = qk / pk
        if pk < 0:
            t0 = max(t0, t)
        else:
            t1 = min(t1, t)
        if t0 > t1:
            return False
    return t1 - t0 > 1e-9


def overlaps(a: Placed, b: Placed) -> bool:
    return a.x < b.right and b.x < a.right and a.y < b.bottom and b.y < a.bottom
