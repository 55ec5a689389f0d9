"""SVG written by rnncalc itself (no Graphviz, no pydot): boxes, arrows, labels."""

from __future__ import annotations

from xml.sax.saxutils import escape

from rnncalc.render.layout import LINE_H, MARGIN, PAD_X, TITLE_H, Layout

FONT = "DejaVu Sans Mono, Menlo, Consolas, monospace"
# (header fill, body fill, border) per box style
STYLES = {
    "layer": ("#dbe8f7", "#ffffff", "#4a6f9c"),
    "input": ("#e6e6e6", "#ffffff", "#777777"),
    "cell": ("#f9e3c4", "#fffaf2", "#b07a2e"),
    "tensor": ("#e3f1e0", "#ffffff", "#5b8a52"),
    "note": ("#f2f2f2", "#fbfbfb", "#999999"),
}


def _num(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".")


def svg(layout: Layout) -> str:
    """The whole picture as one SVG document."""
    w, h = layout.width, layout.height
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_num(w)}" height="{_num(h)}" '
        f'viewBox="0 0 {_num(w)} {_num(h)}" font-family="{FONT}" font-size="12">',
        "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" "
        "markerWidth=\"8\" markerHeight=\"8\" orient=\"auto-start-reverse\">"
        "<path d=\"M0,0 L10,5 L0,10 z\" fill=\"#444\"/></marker></defs>",
        f'<rect width="{_num(w)}" height="{_num(h)}" fill="#ffffff"/>',
        f'<text x="{MARGIN}" y="{MARGIN + 12}" font-size="14" font-weight="bold" '
        f'fill="#222">{escape(layout.title)}</text>',
    ]
    for route in layout.routes:
        pts = " ".join(f"{_num(x)},{_num(y)}" for x, y in route.points)
        out.append(f'<polyline class="edge" data-src="{escape(route.arrow.src)}" '
                   f'data-dst="{escape(route.arrow.dst)}" points="{pts}" fill="none" '
                   'stroke="#444" stroke-width="1.3" marker-end="url(#arrow)"/>')
    for p in layout.boxes.values():
        head, body, line = STYLES.get(p.box.style, STYLES["layer"])
        out.append(f'<g class="box" data-id="{escape(p.box.id)}">')
        out.append(f'<rect x="{_num(p.x)}" y="{_num(p.y)}" width="{_num(p.w)}" '
                   f'height="{_num(p.h)}" rx="4" fill="{body}" stroke="{line}"/>')
        out.append(f'<path d="M{_num(p.x + 0.5)},{_num(p.y + TITLE_H)} '
                   f'V{_num(p.y + 4)} Q{_num(p.x + 0.5)},{_num(p.y + 0.5)} '
                   f'{_num(p.x + 4)},{_num(p.y + 0.5)} H{_num(p.right - 4)} '
                   f'Q{_num(p.right - 0.5)},{_num(p.y + 0.5)} {_num(p.right - 0.5)},'
                   f'{_num(p.y + 4)} V{_num(p.y + TITLE_H)} Z" fill="{head}"/>')
        if p.box.lines:
            out.append(f'<line x1="{_num(p.x)}" y1="{_num(p.y + TITLE_H)}" '
                       f'x2="{_num(p.right)}" y2="{_num(p.y + TITLE_H)}" stroke="{line}" '
                       'stroke-width="0.6"/>')
        out.append(f'<text x="{_num(p.cx)}" y="{_num(p.y + 15)}" text-anchor="middle" '
                   f'font-weight="bold" fill="#111">{escape(p.box.title)}</text>')
        for k, text in enumerate(p.box.lines):
            y = p.y + TITLE_H + LINE_H * (k + 1) - 3
            anchor, x = ("middle", p.cx) if p.box.style in ("tensor", "cell") else \
                ("start", p.x + PAD_X)
            out.append(f'<text x="{_num(x)}" y="{_num(y)}" text-anchor="{anchor}" '
                       f'fill="#333">{escape(text)}</text>')
        out.append("</g>")
    for route in layout.routes:
        if route.label_at and route.arrow.label:
            x, y = route.label_at
            out.append(f'<text class="label" x="{_num(x)}" y="{_num(y)}" '
                       f'text-anchor="{route.label_anchor}" font-size="11" '
                       f'fill="#2a5599">{escape(route.arrow.label)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"
