"""Charts drawn once on the server as SVG, so the page and the PDF show the same picture.

Line charts over dates (S-curves, burndown and burnup, SPI and CPI trends): series of
(date, value) points, optional vertical markers (today, the status date) and a horizontal
reference line (1.0 for an index). The SVG carries a <title> and <desc> for screen readers
and a table fallback is the caller's to offer. Colours follow Tabler's palette."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from html import escape

PALETTE = ("#206bc4", "#2fb344", "#d63939", "#f59f00", "#ae3ec9", "#0ca678", "#667382")


@dataclass(frozen=True)
class Series:
    name: str
    points: Sequence[tuple[date, float]]
    color: str = ""
    dashed: bool = False


@dataclass(frozen=True)
class Marker:
    day: date
    label: str
    color: str = "#667382"


@dataclass(frozen=True)
class LineChart:
    title: str
    series: Sequence[Series]
    markers: Sequence[Marker] = field(default_factory=tuple)
    reference: float | None = None  # a horizontal line, e.g. 1.0 for SPI and CPI
    y_label: str = ""
    width: int = 720
    height: int = 300


def _nice_step(span: float, ticks: int = 5) -> float:
    if span <= 0:
        return 1.0
    raw = span / ticks
    power = float(10 ** math.floor(math.log10(raw)))
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * power:
            return m * power
    return 10 * power


def _fmt(v: float) -> str:
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    if v == int(v):
        return str(int(v))
    return f"{v:.2f}".rstrip("0").rstrip(".")


def line_chart_svg(chart: LineChart) -> str:
    """The chart as an <svg> element (no XML declaration), sized by its viewBox so it scales
    to its container on the page and prints at its width in a PDF."""
    w, h = chart.width, chart.height
    left, right, top, bottom = 56, 16, 28, 44
    points = [p for s in chart.series for p in s.points]
    days = [p[0] for p in points] + [m.day for m in chart.markers]
    values = [p[1] for p in points if math.isfinite(p[1])]
    if chart.reference is not None:
        values.append(chart.reference)
    title = escape(chart.title)
    if not points or not days:
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" role="img" '
            f'class="keel-chart"><title>{title}</title></svg>'
        )
    d0, d1 = min(days), max(days)
    span_days = max((d1 - d0).days, 1)
    lo, hi = min(0.0, min(values)), max(values)
    if hi == lo:
        hi = lo + 1
    step = _nice_step(hi - lo)
    lo = math.floor(lo / step) * step
    hi = math.ceil(hi / step) * step
    plot_w, plot_h = w - left - right, h - top - bottom

    def x(d: date) -> float:
        return left + plot_w * (d - d0).days / span_days

    def y(v: float) -> float:
        return top + plot_h * (1 - (v - lo) / (hi - lo))

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" role="img" '
        f'class="keel-chart" font-family="sans-serif" font-size="11">',
        f"<title>{title}</title>",
        "<desc>"
        + escape(
            "; ".join(
                f"{s.name}: "
                + ", ".join(f"{d.isoformat()} {_fmt(v)}" for d, v in list(s.points)[-3:])
                for s in chart.series
            )
        )
        + "</desc>",
    ]
    # Grid and y axis labels.
    n = round((hi - lo) / step)
    for i in range(n + 1):
        v = lo + i * step
        yy = y(v)
        out.append(
            f'<line x1="{left}" x2="{w - right}" y1="{yy:.1f}" y2="{yy:.1f}" '
            f'stroke="#e6e7e9" stroke-width="1"/>'
        )
        out.append(
            f'<text x="{left - 6}" y="{yy + 4:.1f}" text-anchor="end" fill="#667382">'
            f"{_fmt(v)}</text>"
        )
    if chart.y_label:
        out.append(
            f'<text x="12" y="{top + plot_h / 2:.1f}" fill="#667382" text-anchor="middle" '
            f'transform="rotate(-90 12 {top + plot_h / 2:.1f})">{escape(chart.y_label)}</text>'
        )
    # X axis: about six dates.
    ticks = 6
    for i in range(ticks + 1):
        d = date.fromordinal(d0.toordinal() + round(span_days * i / ticks))
        xx = x(d)
        out.append(
            f'<text x="{xx:.1f}" y="{h - bottom + 16}" text-anchor="middle" fill="#667382">'
            f"{d.isoformat()[5:] if span_days < 300 else d.isoformat()[:7]}</text>"
        )
    out.append(
        f'<line x1="{left}" x2="{w - right}" y1="{y(lo):.1f}" y2="{y(lo):.1f}" '
        f'stroke="#9aa0ac" stroke-width="1"/>'
    )
    if chart.reference is not None:
        yy = y(chart.reference)
        out.append(
            f'<line x1="{left}" x2="{w - right}" y1="{yy:.1f}" y2="{yy:.1f}" '
            f'stroke="#667382" stroke-width="1" stroke-dasharray="2 3"/>'
        )
    for m in chart.markers:
        xx = x(m.day)
        out.append(
            f'<line x1="{xx:.1f}" x2="{xx:.1f}" y1="{top}" y2="{top + plot_h}" '
            f'stroke="{m.color}" stroke-width="1" stroke-dasharray="4 3"/>'
        )
        # A label near the right edge is written leftwards from its line, so it stays in.
        anchor = "end" if xx > w - right - 80 else "start"
        tx = xx - 3 if anchor == "end" else xx + 3
        out.append(
            f'<text x="{tx:.1f}" y="{top - 6}" fill="{m.color}" text-anchor="{anchor}">'
            f"{escape(m.label)}</text>"
        )
    # Series, then the legend.
    for i, s in enumerate(chart.series):
        color = s.color or PALETTE[i % len(PALETTE)]
        pts = [(d, v) for d, v in s.points if math.isfinite(v)]
        if not pts:
            continue
        path = " ".join(f"{x(d):.1f},{y(v):.1f}" for d, v in pts)
        dash = ' stroke-dasharray="6 4"' if s.dashed else ""
        out.append(
            f'<polyline fill="none" stroke="{color}" stroke-width="2"{dash} points="{path}"/>'
        )
        if len(pts) == 1:
            out.append(
                f'<circle cx="{x(pts[0][0]):.1f}" cy="{y(pts[0][1]):.1f}" r="3" fill="{color}"/>'
            )
    lx = left
    for i, s in enumerate(chart.series):
        color = s.color or PALETTE[i % len(PALETTE)]
        dash = ' stroke-dasharray="6 4"' if s.dashed else ""
        out.append(
            f'<line x1="{lx}" x2="{lx + 18}" y1="{h - 10}" y2="{h - 10}" stroke="{color}" '
            f'stroke-width="2"{dash}/>'
        )
        out.append(f'<text x="{lx + 22}" y="{h - 6}" fill="#1d273b">{escape(s.name)}</text>')
        lx += 30 + sum(12 if ord(c) > 0x2E80 else 7 for c in s.name)
    out.append("</svg>")
    return "".join(out)
