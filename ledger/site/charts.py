"""Charts as inline SVG, drawn at build time: no script draws anything, and every label is
escaped text like the rest of the page (`ledger.site.html`).

Each chart is an `<svg role="img">` with a `<title>` and a `<desc>` that says in words what it
shows; the pages put the numbers themselves in a table next to it (the text alternative,
and what the browser verifies). Colours and fonts come from `site.css` classes, never from
style attributes (the Content-Security-Policy allows no inline style).
"""

from __future__ import annotations

from dataclasses import dataclass

from .html import Markup, h

WIDTH = 640


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    css: str = "bar"
    note: str = ""  # shown after the bar, e.g. the formatted value


def _svg(title: str, desc: str, height: int, *body) -> Markup:
    return h("svg", {"xmlns": "http://www.w3.org/2000/svg", "viewBox": f"0 0 {WIDTH} {height}",
                     "width": WIDTH, "height": height, "role": "img", "class_": "chart"},
             h("title", None, title), h("desc", None, desc), *body)


def bars(title: str, desc: str, items: list[Bar], markers: list[tuple[int, str, str]] = (),
         scale_max: int | None = None, label_width: int = 210) -> Markup:
    """Horizontal bars, one per item, on a common scale; `markers` are vertical lines
    (value, label, css class) such as a quorum or a cap."""
    row, top = 26, 18 if markers else 6
    plot = WIDTH - label_width - 110
    top_value = max([scale_max or 0, *(i.value for i in items), *(m[0] for m in markers), 1])
    parts = []
    for n, item in enumerate(items):
        y = top + n * row
        w = round(plot * item.value / top_value) if item.value > 0 else 0
        parts.append(h("text", {"x": label_width - 8, "y": y + 15, "class_": "label", "text-anchor": "end"},
                       _clip(item.label, 28)))
        parts.append(h("rect", {"x": label_width, "y": y + 3, "width": max(w, 1 if item.value else 0), "height": row - 8,
                                "class_": item.css}))
        parts.append(h("text", {"x": label_width + w + 6, "y": y + 15, "class_": "value"}, item.note))
    height = top + row * max(len(items), 1) + 6
    for value, label, css in markers:
        x = label_width + round(plot * value / top_value)
        parts.append(h("line", {"x1": x, "x2": x, "y1": top - 4, "y2": height - 2, "class_": css}))
        parts.append(h("text", {"x": x, "y": top - 6, "class_": f"marker-label {css}", "text-anchor": "middle"}, label))
    return _svg(title, desc, height, *parts)


def stacked(title: str, desc: str, rows: list[tuple[str, list[tuple[int, str]]]], legend: list[tuple[str, str]],
            label_width: int = 110) -> Markup:
    """Horizontal stacked bars: each row is (label, [(value, css class), ...])."""
    row = 28
    plot = WIDTH - label_width - 60
    top_value = max([sum(v for v, _ in parts) for _, parts in rows] + [1])
    out = []
    for n, (label, parts) in enumerate(rows):
        y = 6 + n * row
        out.append(h("text", {"x": label_width - 8, "y": y + 16, "class_": "label", "text-anchor": "end"}, label))
        x = label_width
        for value, css in parts:
            w = round(plot * value / top_value)
            if w:
                out.append(h("rect", {"x": x, "y": y + 3, "width": w, "height": row - 8, "class_": css}))
            x += w
        out.append(h("text", {"x": x + 6, "y": y + 16, "class_": "value"}, str(sum(v for v, _ in parts))))
    y = 6 + len(rows) * row + 6
    x = label_width
    for label, css in legend:
        out.append(h("rect", {"x": x, "y": y, "width": 12, "height": 12, "class_": css}))
        out.append(h("text", {"x": x + 18, "y": y + 11, "class_": "label"}, label))
        x += 24 + 8 * len(label)
    return _svg(title, desc, y + 20, *out)


def steps(title: str, desc: str, series: list[tuple[str, str, list[tuple[int, int]]]], x_labels: tuple[str, str],
          y_label: str) -> Markup:
    """Cumulative step lines over time: each series is (label, css class, [(time, total), ...])."""
    height, left, right, top, bottom = 250, 70, 20, 46, 34
    points = [p for _, _, pts in series for p in pts]
    if not points:
        return _svg(title, desc, 40, h("text", {"x": 10, "y": 24, "class_": "label"}, "nothing yet"))
    t0, t1 = min(t for t, _ in points), max(t for t, _ in points)
    top_value = max(v for _, v in points) or 1
    span = (t1 - t0) or 1

    def x(t: int) -> float:
        return round(left + (WIDTH - left - right) * (t - t0) / span, 1)

    def y(v: int) -> float:
        return round(height - bottom - (height - top - bottom) * v / top_value, 1)

    out = [h("line", {"x1": left, "x2": WIDTH - right, "y1": height - bottom, "y2": height - bottom, "class_": "axis"}),
           h("line", {"x1": left, "x2": left, "y1": top, "y2": height - bottom, "class_": "axis"}),
           h("text", {"x": left, "y": height - 12, "class_": "label"}, x_labels[0]),
           h("text", {"x": WIDTH - right, "y": height - 12, "class_": "label", "text-anchor": "end"}, x_labels[1]),
           h("text", {"x": left - 6, "y": top + 4, "class_": "value", "text-anchor": "end"}, f"{top_value:,}"),
           h("text", {"x": left - 6, "y": height - bottom + 4, "class_": "value", "text-anchor": "end"}, "0"),
           h("text", {"x": left, "y": top - 10, "class_": "label"}, y_label)]
    legend_x = left
    for label, css, pts in series:
        if not pts:
            continue
        d, last = [f"M{x(pts[0][0])},{y(0)}"], 0
        for t, v in pts:
            d.append(f"L{x(t)},{y(last)}L{x(t)},{y(v)}")
            last = v
        d.append(f"L{x(t1)},{y(last)}")
        out.append(h("path", {"d": "".join(d), "class_": f"step {css}"}))
        out.append(h("rect", {"x": legend_x, "y": 6, "width": 14, "height": 4, "class_": css}))
        out.append(h("text", {"x": legend_x + 20, "y": 12, "class_": "label"}, label))
        legend_x += 40 + 8 * len(label)
    return _svg(title, desc, height, *out)


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"
