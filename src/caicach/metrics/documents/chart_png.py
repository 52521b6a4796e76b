"""The chart models of :mod:`caicach.metrics.charts` drawn as PNG for the Word report.

Word cannot show SVG without a PNG fallback, and python-docx embeds raster pictures only; the PDF
takes the SVG of ``metrics.charts`` as is. Drawing the *same* model here (the same tones, dash
patterns, markers, scale and labels) keeps the two files alike. Pillow is already installed with
WeasyPrint and is the best kept imaging library for Python; the text uses the shipped Liberation
Serif (Times metrics, Vietnamese coverage), so the picture does not depend on system fonts.
Drawn at 2x and 200 dpi: sharp in print. Pure: no Django.
"""

from __future__ import annotations

import io
import math
from itertools import pairwise
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from caicach.metrics.charts import (
    DASHES,
    MARKERS,
    TONES,
    BarChart,
    LineChart,
    _fmt,
    bar_frame,
    line_frame,
)

__all__ = ["bar_png", "chart_png", "line_png"]

_FONTS = Path(__file__).resolve().parents[2] / "core" / "static" / "caicach" / "fonts"
_S = 2  # scale: drawn at twice the SVG's size


def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    name = "LiberationSerif-Bold.ttf" if bold else "LiberationSerif-Regular.ttf"
    return ImageFont.truetype(str(_FONTS / name), size * _S)


def _dashes(spec: str) -> list[float]:
    return [float(x) * _S for x in spec.split()] if spec else []


def _line(draw: ImageDraw.ImageDraw, a: tuple[float, float], b: tuple[float, float], fill: str,
          width: int, dash: str = "") -> None:  # fmt: skip
    """A straight line, dashed like SVG's ``stroke-dasharray`` when ``dash`` is given."""
    pattern = _dashes(dash)
    if not pattern:
        draw.line([a, b], fill=fill, width=width)
        return
    length = math.dist(a, b)
    if length == 0:
        return
    ux, uy = (b[0] - a[0]) / length, (b[1] - a[1]) / length
    pos, i = 0.0, 0
    while pos < length:
        seg = min(pattern[i % len(pattern)], length - pos)
        if i % 2 == 0:
            draw.line(
                [
                    (a[0] + ux * pos, a[1] + uy * pos),
                    (a[0] + ux * (pos + seg), a[1] + uy * (pos + seg)),
                ],
                fill=fill,
                width=width,
            )
        pos += seg
        i += 1


def _marker(draw: ImageDraw.ImageDraw, kind: str, x: float, y: float, tone: str) -> None:
    r = 3 * _S
    if kind == "square":
        draw.rectangle([x - r, y - r, x + r, y + r], fill=tone)
    elif kind == "triangle":
        draw.polygon(
            [(x, y - 4 * _S), (x - 4 * _S, y + 3 * _S), (x + 4 * _S, y + 3 * _S)], fill=tone
        )
    elif kind == "diamond":
        q = 4 * _S
        draw.polygon([(x, y - q), (x - q, y), (x, y + q), (x + q, y)], fill=tone)
    else:
        draw.ellipse([x - r, y - r, x + r, y + r], fill=tone)


def _text(draw: ImageDraw.ImageDraw, xy: tuple[float, float], text: str, anchor: str = "ls",
          font: ImageFont.FreeTypeFont | None = None, fill: str = "#000") -> None:  # fmt: skip
    draw.text(xy, text, fill=fill, font=font or _font(11), anchor=anchor)


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", dpi=(200, 200), optimize=True)
    return out.getvalue()


def line_png(chart: LineChart, width: int = 640, height: int = 260) -> bytes:
    """The PNG twin of :func:`caicach.metrics.charts.line_svg` (same layout, 2x pixels)."""
    f = line_frame(chart, width, height)
    left, right, top, plot_h = f.left, f.right, f.top, f.plot_h
    y_min, span, n = f.y_min, f.span, f.n

    def x_at(i: int) -> float:
        return f.x(i) * _S

    def y_at(v: float) -> float:
        return f.y(v) * _S

    image = Image.new("RGB", (width * _S, height * _S), "white")
    draw = ImageDraw.Draw(image)
    for k in range(5):
        v = y_min + span * k / 4
        y = y_at(v)
        draw.line([(left * _S, y), ((width - right) * _S, y)], fill="#dddddd", width=_S)
        _text(draw, ((left - 4) * _S, y + 4 * _S), _fmt(v), "rs")
    step = max(1, n // 12)
    for i, label in enumerate(chart.labels):
        if i % step == 0:
            _text(draw, (x_at(i), (top + plot_h + 14) * _S), label, "ms")
    if chart.target is not None:
        y = y_at(chart.target)
        _line(draw, (left * _S, y), ((width - right) * _S, y), "#000000", _S, "1 2")
        label = f"{chart.target_label} {_fmt(chart.target)}".strip()
        _text(draw, ((width - right) * _S, y - 3 * _S), label, "rs")
    for j, series in enumerate(chart.series):
        tone, dash, marker = TONES[j % 4], DASHES[j % 4], MARKERS[j % 4]
        runs: list[list[tuple[float, float]]] = [[]]
        for i, point in enumerate(series.values):
            if point is None:
                runs.append([])
            else:
                runs[-1].append((x_at(i), y_at(point)))
        for run in runs:
            for a, b in pairwise(run):
                _line(draw, a, b, tone, 2 * _S, dash)
            for x, y in run:
                _marker(draw, marker, x, y, tone)
        ly = (top + plot_h + 30 + 16 * j) * _S
        _line(draw, (left * _S, ly - 4 * _S), ((left + 24) * _S, ly - 4 * _S), tone, 2 * _S, dash)
        _marker(draw, marker, (left + 12) * _S, ly - 4 * _S, tone)
        _text(draw, ((left + 30) * _S, ly), series.label)
    return _png(image)


def bar_png(chart: BarChart, width: int = 640, row: int = 22) -> bytes:
    """The PNG twin of :func:`caicach.metrics.charts.bar_svg`."""
    f = bar_frame(chart, width, row)
    label_w, top, height, plot_w, x_max = f.label_w, f.top, f.height, f.plot_w, f.x_max

    def x_at(v: float) -> float:
        return f.x(v) * _S

    image = Image.new("RGB", (width * _S, height * _S), "white")
    draw = ImageDraw.Draw(image)
    regular, bold = _font(11), _font(11, bold=True)
    for i, bar in enumerate(chart.bars):
        y = top + i * row
        name = bar.label if len(bar.label) <= 34 else bar.label[:33] + "…"
        base = (y + row * 0.65) * _S
        _text(draw, ((label_w - 6) * _S, base), name, "rs", bold if bar.emphasis else regular)
        if bar.value is None:
            _text(draw, ((label_w + 4) * _S, base), "—", fill="#555555")
            continue
        tone = TONES[1] if bar.emphasis else TONES[0]
        end = x_at(bar.value)
        if end > label_w * _S:
            draw.rectangle([label_w * _S, (y + 4) * _S, end, (y + row - 4) * _S], fill=tone)
        if bar.low is not None and bar.high is not None:
            lo, hi, mid = x_at(bar.low), x_at(bar.high), (y + row / 2) * _S
            draw.line([(lo, mid), (hi, mid)], fill="#000000", width=_S)
            draw.line([(lo, mid - 4 * _S), (lo, mid + 4 * _S)], fill="#000000", width=_S)
            draw.line([(hi, mid - 4 * _S), (hi, mid + 4 * _S)], fill="#000000", width=_S)
        text_x = max(end, x_at(bar.high) if bar.high is not None else end) + 4 * _S
        suffix = "%" if chart.unit == "%" else ""
        _text(draw, (text_x, base), f"{_fmt(bar.value)}{suffix}")
    axis_y = (top + row * len(chart.bars)) * _S
    draw.line([(label_w * _S, top * _S), (label_w * _S, axis_y)], fill="#000000", width=_S)
    _text(draw, (label_w * _S, axis_y + 14 * _S), "0", "ms")
    _text(draw, ((label_w + plot_w) * _S, axis_y + 14 * _S), _fmt(x_max), "ms")
    if chart.target is not None:
        x = x_at(chart.target)
        _line(draw, (x, top * _S), (x, axis_y), "#000000", _S, "1 2")
        label = f"{chart.target_label} {_fmt(chart.target)}".strip()
        if chart.target != x_max:
            _text(draw, (x, axis_y + 14 * _S), label, "ms")
    return _png(image)


def chart_png(chart: LineChart | BarChart) -> bytes:
    return line_png(chart) if isinstance(chart, LineChart) else bar_png(chart)
