"""Server-side SVG charts for the dashboards, as strings (pure: no Flask, no database).

Charts are drawn on the server so that they show without JavaScript, print with the page and
stay readable on a black-and-white printer: bars are grey with a black outline, series of a line
chart differ by dash pattern and marker shape (never by colour alone), and every bar and point
carries its value as text. Each chart has a `<title>` and a `<desc>` referenced by
`aria-labelledby`, so a screen reader announces what it shows; the table beside it holds the
same numbers.

Every label goes through `markupsafe.escape`, so a unit or person name cannot inject markup.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import escape

Formatter = Callable[[float], str]

FONT = "font-family=\"'Noto Sans', 'DejaVu Sans', Arial, sans-serif\""
BAR_FILL = "#6b6b6b"  # mid grey: visible on screen, prints as grey on any printer
INK = "#000"
GRID = "#bbb"
# Dash patterns and marker shapes tell series apart without colour.
DASHES: tuple[str, ...] = ("", "8 4", "2 3", "10 3 2 3", "4 4", "1 6")
MARKERS: tuple[str, ...] = ("circle", "square", "triangle", "diamond", "cross", "bar")
MAX_LABEL_CHARS = 42


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # None: cannot score (not zero)


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[float | None]  # one per x label; None leaves a gap


def default_format(value: float) -> str:
    return f"{value:.2f}"


def tick_format(value: float) -> str:
    """Axis ticks: 0, 25, 50 (values keep their decimals, ticks need none)."""
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def _e(text: object) -> str:
    return str(escape(str(text)))


def _safe_id(chart_id: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9_-]", "-", chart_id)[:60]
    return cleaned if cleaned[:1].isalpha() else f"chart-{cleaned}"


def _short(label: str, limit: int = MAX_LABEL_CHARS) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def _num(value: float) -> str:
    """Coordinates with two decimals: stable output, small files."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _finite(value: float | None) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _scale_max(values: Sequence[float], given: float | None) -> float:
    """The value at the right end (or top) of the axis: the given maximum when it holds every
    value, else the largest value; never zero, so an all-zero chart still draws."""
    top = max([0.0, *values])
    if given is not None and given > 0 and top <= given:
        return float(given)
    return top if top > 0 else 1.0


def _ticks(top: float, count: int = 4) -> list[float]:
    return [top * i / count for i in range(count + 1)]


def _open(chart_id: str, width: float, height: float, title: str, desc: str, kind: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart--{kind}" id="{chart_id}" '
        f'viewBox="0 0 {_num(width)} {_num(height)}" width="{_num(width)}" '
        f'height="{_num(height)}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" {FONT} font-size="12">'
        f'<title id="{chart_id}-title">{_e(title)}</title>'
        f'<desc id="{chart_id}-desc">{_e(desc)}</desc>'
    )


def _empty(chart_id: str, title: str, desc: str, text: str, width: float) -> str:
    return (
        _open(chart_id, width, 40, title, desc, "empty")
        + f'<text x="8" y="24" fill="{INK}">{_e(text)}</text></svg>'
    )


def bar_chart(
    bars: Sequence[Bar],
    *,
    chart_id: str,
    title: str,
    desc: str,
    scale_max: float | None = None,
    value_format: Formatter = default_format,
    axis_format: Formatter = tick_format,
    none_text: str = "—",
    empty_text: str = "No data",
    width: float = 720,
) -> str:
    """Horizontal bars, one per item in the given order, each with its label on the left and
    its value written at the end of the bar. A None value draws no bar and writes `none_text`.
    Bar lengths are proportional to the values on an axis from 0 to `scale_max` (or the largest
    value when one exceeds it)."""
    chart_id = _safe_id(chart_id)
    if not bars:
        return _empty(chart_id, title, desc, empty_text, width)
    values = [_finite(b.value) for b in bars]
    top = _scale_max([v for v in values if v is not None], scale_max)
    longest = max(len(_short(b.label)) for b in bars)
    label_w = min(300.0, max(90.0, 6.6 * longest + 12))
    value_w = 64.0
    plot_x = label_w
    plot_w = max(120.0, width - label_w - value_w)
    row_h, bar_h, top_pad, axis_h = 24.0, 15.0, 6.0, 22.0
    height = top_pad + row_h * len(bars) + axis_h
    axis_y = top_pad + row_h * len(bars)
    parts = [_open(chart_id, width, height, title, desc, "bar")]
    parts.append('<g class="chart__grid">')
    for tick in _ticks(top):
        x = plot_x + plot_w * tick / top
        parts.append(
            f'<line x1="{_num(x)}" y1="{_num(top_pad)}" x2="{_num(x)}" y2="{_num(axis_y)}" '
            f'stroke="{GRID}" stroke-width="0.5"/>'
            f'<text x="{_num(x)}" y="{_num(axis_y + 15)}" text-anchor="middle" '
            f'font-size="10" fill="{INK}">{_e(axis_format(tick))}</text>'
        )
    parts.append(
        f'<line x1="{_num(plot_x)}" y1="{_num(top_pad)}" x2="{_num(plot_x)}" '
        f'y2="{_num(axis_y)}" stroke="{INK}" stroke-width="1"/></g>'
    )
    for i, (bar, value) in enumerate(zip(bars, values, strict=True)):
        y = top_pad + row_h * i
        text_y = y + row_h / 2 + 4
        shown = value_format(value) if value is not None else none_text
        parts.append(f'<g class="chart__row"><title>{_e(bar.label)}: {_e(shown)}</title>')
        parts.append(
            f'<text x="{_num(plot_x - 6)}" y="{_num(text_y)}" text-anchor="end" '
            f'fill="{INK}">{_e(_short(bar.label))}</text>'
        )
        end = plot_x
        if value is not None:
            length = plot_w * max(0.0, value) / top
            end = plot_x + length
            parts.append(
                f'<rect class="chart__bar" x="{_num(plot_x)}" '
                f'y="{_num(y + (row_h - bar_h) / 2)}" width="{_num(length)}" '
                f'height="{_num(bar_h)}" fill="{BAR_FILL}" stroke="{INK}" stroke-width="0.75" '
                f'data-value="{_num(value)}"/>'
            )
        parts.append(
            f'<text class="chart__value" x="{_num(end + 4)}" y="{_num(text_y)}" '
            f'fill="{INK}">{_e(shown)}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _points(*pairs: tuple[float, float]) -> str:
    return " ".join(f"{_num(x)},{_num(y)}" for x, y in pairs)


def _marker(shape: str, x: float, y: float) -> str:
    s = 4.0
    common = f'fill="#fff" stroke="{INK}" stroke-width="1.5"'
    if shape == "circle":
        return f'<circle cx="{_num(x)}" cy="{_num(y)}" r="{_num(s)}" {common}/>'
    if shape == "square":
        return (
            f'<rect x="{_num(x - s)}" y="{_num(y - s)}" width="{_num(2 * s)}" '
            f'height="{_num(2 * s)}" {common}/>'
        )
    if shape == "triangle":
        pts = _points((x, y - s - 1), (x - s - 1, y + s), (x + s + 1, y + s))
        return f'<polygon points="{pts}" {common}/>'
    if shape == "diamond":
        pts = _points((x, y - s - 1), (x + s + 1, y), (x, y + s + 1), (x - s - 1, y))
        return f'<polygon points="{pts}" {common}/>'
    if shape == "cross":
        return (
            f'<path d="M{_num(x - s)} {_num(y - s)}L{_num(x + s)} {_num(y + s)}'
            f'M{_num(x - s)} {_num(y + s)}L{_num(x + s)} {_num(y - s)}" '
            f'stroke="{INK}" stroke-width="2"/>'
        )
    return (
        f'<rect x="{_num(x - 1.5)}" y="{_num(y - s - 1)}" width="3" height="{_num(2 * s + 2)}" '
        f'fill="{INK}"/>'
    )


def _spread(positions: list[float], gap: float, low: float) -> list[float]:
    """Push end labels apart (in order of height) so that no two overlap."""
    order = sorted(range(len(positions)), key=lambda i: positions[i])
    out = list(positions)
    last = low - gap
    for i in order:
        out[i] = max(out[i], last + gap)
        last = out[i]
    return out


def line_chart(
    series: Sequence[Series],
    x_labels: Sequence[str],
    *,
    chart_id: str,
    title: str,
    desc: str,
    scale_max: float | None = None,
    value_format: Formatter = default_format,
    axis_format: Formatter = tick_format,
    empty_text: str = "No data",
    width: float = 720,
    plot_height: float = 220,
) -> str:
    """Lines over the x labels (years), from 0 to `scale_max` on the y axis. Each series has
    its own dash pattern and marker shape, a value written at its last point, and a legend
    entry (sample line, marker, label) under the plot; every point has a tooltip."""
    chart_id = _safe_id(chart_id)
    cleaned = [[_finite(v) for v in s.values] for s in series]
    known = [v for vals in cleaned for v in vals if v is not None]
    if not series or not x_labels or not known:
        return _empty(chart_id, title, desc, empty_text, width)
    top = _scale_max(known, scale_max)
    left, right, top_pad, axis_h = 52.0, 200.0, 12.0, 26.0
    plot_w = max(120.0, width - left - right)
    legend_row = 18.0
    height = top_pad + plot_height + axis_h + legend_row * len(series) + 8
    base_y = top_pad + plot_height
    count = len(x_labels)

    def x_at(i: int) -> float:
        return left + (plot_w / 2 if count == 1 else plot_w * i / (count - 1))

    def y_at(value: float) -> float:
        return base_y - plot_height * max(0.0, value) / top

    parts = [_open(chart_id, width, height, title, desc, "line")]
    parts.append('<g class="chart__grid">')
    for tick in _ticks(top):
        y = y_at(tick)
        parts.append(
            f'<line x1="{_num(left)}" y1="{_num(y)}" x2="{_num(left + plot_w)}" y2="{_num(y)}" '
            f'stroke="{GRID}" stroke-width="0.5"/>'
            f'<text x="{_num(left - 6)}" y="{_num(y + 4)}" text-anchor="end" font-size="10" '
            f'fill="{INK}">{_e(axis_format(tick))}</text>'
        )
    for i, label in enumerate(x_labels):
        parts.append(
            f'<text x="{_num(x_at(i))}" y="{_num(base_y + 16)}" text-anchor="middle" '
            f'fill="{INK}">{_e(label)}</text>'
        )
    parts.append(
        f'<line x1="{_num(left)}" y1="{_num(base_y)}" x2="{_num(left + plot_w)}" '
        f'y2="{_num(base_y)}" stroke="{INK}" stroke-width="1"/></g>'
    )
    ends: list[tuple[int, float, float, float]] = []  # series index, x, y, value
    for n, (s, vals) in enumerate(zip(series, cleaned, strict=True)):
        dash, shape = DASHES[n % len(DASHES)], MARKERS[n % len(MARKERS)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        path: list[str] = []
        pen_down = False
        for i, v in enumerate(vals[:count]):
            if v is None:
                pen_down = False
                continue
            path.append(f"{'L' if pen_down else 'M'}{_num(x_at(i))} {_num(y_at(v))}")
            pen_down = True
        parts.append(f'<g class="chart__series"><title>{_e(s.label)}</title>')
        if path:
            parts.append(
                f'<path class="chart__line" d="{"".join(path)}" fill="none" stroke="{INK}" '
                f'stroke-width="2"{dash_attr}/>'
            )
        last: tuple[float, float, float] | None = None
        for i, v in enumerate(vals[:count]):
            if v is None:
                continue
            x, y = x_at(i), y_at(v)
            parts.append(
                f'<g class="chart__point" data-value="{_num(v)}"><title>{_e(s.label)}, '
                f"{_e(x_labels[i])}: {_e(value_format(v))}</title>{_marker(shape, x, y)}</g>"
            )
            last = (x, y, v)
        parts.append("</g>")
        if last is not None:
            ends.append((n, *last))
    label_ys = _spread([y + 4 for _, _, y, _ in ends], 13.0, top_pad)
    label_x = left + plot_w + 10
    for (n, x, y, v), ly in zip(ends, label_ys, strict=True):
        parts.append(
            f'<line x1="{_num(x + 5)}" y1="{_num(y)}" x2="{_num(label_x - 2)}" '
            f'y2="{_num(ly - 4)}" stroke="{GRID}" stroke-width="0.75"/>'
            f'<text class="chart__value" x="{_num(label_x)}" y="{_num(ly)}" fill="{INK}">'
            f"{_e(_short(series[n].label, 22))}: {_e(value_format(v))}</text>"
        )
    legend_y = base_y + axis_h + 6
    for n, s in enumerate(series):
        dash, shape = DASHES[n % len(DASHES)], MARKERS[n % len(MARKERS)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        y = legend_y + legend_row * n + 6
        parts.append(
            f'<g class="chart__legend"><line x1="{_num(left)}" y1="{_num(y)}" '
            f'x2="{_num(left + 36)}" y2="{_num(y)}" stroke="{INK}" stroke-width="2"{dash_attr}/>'
            f"{_marker(shape, left + 18, y)}"
            f'<text x="{_num(left + 44)}" y="{_num(y + 4)}" fill="{INK}">'
            f"{_e(_short(s.label, 80))}</text></g>"
        )
    parts.append("</svg>")
    return "".join(parts)
