"""Server-side SVG charts: the same chart on the page, in the PDF and (as PNG) in the Word report.

Issue 14, "Charts": no CDN and no network at run time; an SVG string made on the server needs no
script, prints as drawn, and WeasyPrint embeds it in the PDF as is (docs/architecture.md says why
this was chosen over a vendored JavaScript library). Greyscale-safe: series differ by dash pattern
and marker shape as well as by tone, and every point's value can be read from the table the page
puts under the chart (:func:`table_rows`). Pure: no ORM, no Django; values are ``float | None``
(``None`` is "no data", drawn as a gap, never as 0).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape as _escape

__all__ = ["Bar", "BarChart", "LineChart", "Series", "bar_svg", "line_svg", "table_rows"]

#: Tones that stay apart in greyscale (dark, mid, light), with dash patterns and markers.
TONES = ("#1d3557", "#b5651d", "#6c757d", "#2a9d8f")
DASHES = ("", "6 3", "2 3", "8 3 2 3")
MARKERS = ("circle", "square", "triangle", "diamond")
FONT = "font-family=\"'Times New Roman', 'Liberation Serif', serif\""


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[float | None]


@dataclass(frozen=True)
class LineChart:
    """Values over periods (``labels``: one per x position), with an optional target line."""

    title: str
    labels: Sequence[str]
    series: Sequence[Series]
    unit: str = "%"
    target: float | None = None
    target_label: str = ""
    y_min: float | None = None
    y_max: float | None = None


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    low: float | None = None  # confidence interval, drawn as a whisker
    high: float | None = None
    emphasis: bool = False


@dataclass(frozen=True)
class BarChart:
    """Horizontal bars (one per agency), with an optional target line and whiskers."""

    title: str
    bars: Sequence[Bar]
    unit: str = "%"
    target: float | None = None
    target_label: str = ""
    x_max: float | None = None
    extra: dict[str, str] = field(default_factory=dict)


#: Characters XML 1.0 forbids (control characters other than tab and line ends).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def escape(text: str) -> str:
    """Text safe inside an SVG element or attribute."""
    return _escape(_NOT_XML.sub("", text))


def _fmt(value: float) -> str:
    text = f"{value:,.1f}".replace(",", " ").replace(".", ",")
    return text[:-2] if text.endswith(",0") else text


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 500, 1000):
        if value <= step:
            return float(step)
    magnitude = 10 ** (len(str(int(value))) - 1)
    return float((int(value / magnitude) + 1) * magnitude)


@dataclass(frozen=True)
class LineFrame:
    """Where a line chart's plot sits and how values map to it (shared by the SVG and the PNG
    renderer, so both draw the same picture)."""

    left: float
    right: float
    top: float
    plot_w: float
    plot_h: float
    y_min: float
    span: float
    n: int

    def x(self, i: int) -> float:
        return self.left + self.plot_w * (i + 0.5) / self.n

    def y(self, v: float) -> float:
        return self.top + self.plot_h * (1 - (v - self.y_min) / self.span)


def line_frame(chart: LineChart, width: int, height: int) -> LineFrame:
    left, right, top, bottom = 44, 12, 14, 40 + 16 * len(chart.series)
    known = [v for s in chart.series for v in s.values if v is not None]
    if chart.target is not None:
        known.append(chart.target)
    y_min = chart.y_min if chart.y_min is not None else min([0.0, *known])
    y_max = chart.y_max if chart.y_max is not None else _nice_max(max(known, default=1.0))
    return LineFrame(
        left,
        right,
        top,
        width - left - right,
        height - top - bottom,
        y_min,
        (y_max - y_min) or 1.0,
        max(len(chart.labels), 1),
    )


@dataclass(frozen=True)
class BarFrame:
    """A bar chart's geometry: label column, plot width, scale (shared by both renderers)."""

    label_w: int
    top: int
    row: int
    height: int
    plot_w: int
    x_max: float

    def x(self, v: float) -> float:
        return self.label_w + self.plot_w * max(0.0, min(v, self.x_max)) / self.x_max


def bar_frame(chart: BarChart, width: int, row: int) -> BarFrame:
    label_w, right, top = 200, 56, 8
    known = [b.high if b.high is not None else b.value for b in chart.bars]
    values = [v for v in known if v is not None]
    if chart.target is not None:
        values.append(chart.target)
    x_max = chart.x_max if chart.x_max is not None else _nice_max(max(values, default=1.0))
    height = top + row * len(chart.bars) + 24
    return BarFrame(label_w, top, row, height, width - label_w - right, x_max)


def _marker(kind: str, x: float, y: float, tone: str) -> str:
    if kind == "square":
        return f'<rect x="{x - 3:.1f}" y="{y - 3:.1f}" width="6" height="6" fill="{tone}"/>'
    if kind == "triangle":
        points = f"{x:.1f},{y - 4:.1f} {x - 4:.1f},{y + 3:.1f} {x + 4:.1f},{y + 3:.1f}"
        return f'<polygon points="{points}" fill="{tone}"/>'
    if kind == "diamond":
        points = f"{x:.1f},{y - 4:.1f} {x - 4:.1f},{y:.1f} {x:.1f},{y + 4:.1f} {x + 4:.1f},{y:.1f}"
        return f'<polygon points="{points}" fill="{tone}"/>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{tone}"/>'


def _open(width: int, height: int, title: str) -> str:
    t = escape(title)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="{t}" class="chart" {FONT} font-size="11">'
        f"<title>{t}</title>"
    )


def line_svg(chart: LineChart, width: int = 640, height: int = 260) -> str:
    """A line per series over ``chart.labels``; gaps where a value is ``None``."""
    f = line_frame(chart, width, height)
    left, right, top, plot_h = f.left, f.right, f.top, f.plot_h
    y_min, span, n = f.y_min, f.span, f.n
    x_at, y_at = f.x, f.y

    out = [_open(width, height, chart.title)]
    for k in range(5):  # horizontal grid with its scale
        v = y_min + span * k / 4
        y = y_at(v)
        out.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
            f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end">{_fmt(v)}</text>'
        )
    step = max(1, n // 12)
    for i, label in enumerate(chart.labels):
        if i % step == 0:
            out.append(
                f'<text x="{x_at(i):.1f}" y="{top + plot_h + 14}" text-anchor="middle">'
                f"{escape(label)}</text>"
            )
    if chart.target is not None:
        y = y_at(chart.target)
        out.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="#000" stroke-width="1" stroke-dasharray="1 2"/>'
            f'<text x="{width - right}" y="{y - 3:.1f}" text-anchor="end">'
            f"{escape(chart.target_label)} {_fmt(chart.target)}</text>"
        )
    for j, series in enumerate(chart.series):
        tone, dash, marker = TONES[j % 4], DASHES[j % 4], MARKERS[j % 4]
        runs: list[list[tuple[float, float]]] = [[]]
        for i, point in enumerate(series.values):
            if point is None:
                runs.append([])
            else:
                runs[-1].append((x_at(i), y_at(point)))
        for run in runs:
            if len(run) > 1:
                points = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
                dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
                out.append(
                    f'<polyline points="{points}" fill="none" stroke="{tone}" '
                    f'stroke-width="2"{dash_attr}/>'
                )
            out.extend(_marker(marker, x, y, tone) for x, y in run)
        legend_y = top + plot_h + 30 + 16 * j
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(
            f'<line x1="{left}" x2="{left + 24}" y1="{legend_y - 4}" y2="{legend_y - 4}" '
            f'stroke="{tone}" stroke-width="2"{dash_attr}/>'
            + _marker(marker, left + 12, legend_y - 4, tone)
            + f'<text x="{left + 30}" y="{legend_y}">{escape(series.label)}</text>'
        )
    out.append("</svg>")
    return "".join(out)


def bar_svg(chart: BarChart, width: int = 640, row: int = 22) -> str:
    """One horizontal bar per entry, its value written at its end; whiskers for intervals."""
    f = bar_frame(chart, width, row)
    label_w, top, height, plot_w, x_max, x_at = f.label_w, f.top, f.height, f.plot_w, f.x_max, f.x

    out = [_open(width, height, chart.title)]
    for i, bar in enumerate(chart.bars):
        y = top + i * row
        name = bar.label if len(bar.label) <= 34 else bar.label[:33] + "…"
        weight = ' font-weight="bold"' if bar.emphasis else ""
        out.append(
            f'<text x="{label_w - 6}" y="{y + row * 0.65:.1f}" text-anchor="end"{weight}>'
            f"{escape(name)}</text>"
        )
        if bar.value is None:
            out.append(f'<text x="{label_w + 4}" y="{y + row * 0.65:.1f}" fill="#555">—</text>')
            continue
        tone = TONES[0] if not bar.emphasis else TONES[1]
        end = x_at(bar.value)
        out.append(
            f'<rect x="{label_w}" y="{y + 4}" width="{end - label_w:.1f}" height="{row - 8}" '
            f'fill="{tone}"/>'
        )
        if bar.low is not None and bar.high is not None:
            lo, hi, mid = x_at(bar.low), x_at(bar.high), y + row / 2
            out.append(
                f'<line x1="{lo:.1f}" x2="{hi:.1f}" y1="{mid}" y2="{mid}" stroke="#000"/>'
                f'<line x1="{lo:.1f}" x2="{lo:.1f}" y1="{mid - 4}" y2="{mid + 4}" stroke="#000"/>'
                f'<line x1="{hi:.1f}" x2="{hi:.1f}" y1="{mid - 4}" y2="{mid + 4}" stroke="#000"/>'
            )
        text_x = max(end, x_at(bar.high) if bar.high is not None else end) + 4
        suffix = "%" if chart.unit == "%" else ""
        out.append(
            f'<text x="{text_x:.1f}" y="{y + row * 0.65:.1f}">{_fmt(bar.value)}{suffix}</text>'
        )
    axis_y = top + row * len(chart.bars)
    out.append(
        f'<line x1="{label_w}" x2="{label_w}" y1="{top}" y2="{axis_y}" stroke="#000"/>'
        f'<text x="{label_w}" y="{axis_y + 14}" text-anchor="middle">0</text>'
        f'<text x="{label_w + plot_w}" y="{axis_y + 14}" text-anchor="middle">{_fmt(x_max)}</text>'
    )
    if chart.target is not None:
        x = x_at(chart.target)
        out.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{axis_y}" stroke="#000" '
            f'stroke-dasharray="1 2"/>'
            f'<text x="{x:.1f}" y="{axis_y + 14}" text-anchor="middle">'
            f"{escape(chart.target_label)} {_fmt(chart.target)}</text>"
        )
    out.append("</svg>")
    return "".join(out)


def table_rows(chart: LineChart) -> list[list[str]]:
    """The chart's numbers as rows (period, one column per series) for the table under it."""
    rows = []
    for i, label in enumerate(chart.labels):
        cells = [label]
        for series in chart.series:
            value = series.values[i] if i < len(series.values) else None
            cells.append("—" if value is None else _fmt(value))
        rows.append(cells)
    return rows
