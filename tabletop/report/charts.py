"""The report's activity chart, drawn as inline SVG text with no plotting library.

One horizontal lane per player team over scenario time: grey bars below the
lane's axis count the injects delivered to the team, coloured bars above it
count its decisions, stacked by posture. Events are counted into at most
`MAX_BINS` time bins, so a session of thousands of events draws a few hundred
rectangles and prints (and renders to PDF) as fast as a small one. Every piece
of text that came from a user is XML-escaped here, because the templates mark
the SVG safe.

Word cannot be relied on to show SVG, so `chart_png` redraws the same SVG as a
PNG with Pillow (which WeasyPrint already needs): the chart uses only
rectangles, lines and text, and those are drawn as report.css styles them.
"""

from __future__ import annotations

import functools
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from xml.etree import ElementTree
from xml.sax.saxutils import escape

from tabletop.model import format_offset

MAX_BINS = 60
"""Upper bound on time bins, whatever the length of play."""

MIN_SPAN = 30.0
"""Scenario minutes the time axis covers at least: a session stopped after a few minutes
(or played with the clock never moving) draws narrow bars on a readable axis, not one
block across the whole width."""

POSTURE_COLOURS = {
    "joint": "#0072b2",
    "national": "#009e73",
    "public": "#cc79a7",
    "deferring": "#6b6b6b",
    "free text": "#757575",
}
"""Colour of each posture in the chart and the report's chips: Okabe-Ito hues, none meaning good or bad."""

DELIVERY_COLOUR = "#9e9e9e"
"""Colour of the delivered-inject bars."""

_NICE_STEPS = (5, 10, 15, 20, 30, 60, 120, 180, 240, 360, 720, 1440, 2880, 10080)


@dataclass
class Lane:
    """One team's activity: when injects reached it and when it decided, with the posture."""

    label: str
    """Short team name printed at the left of the lane."""
    deliveries: list[float] = field(default_factory=list)
    """Scenario minutes of each inject delivered to the team."""
    decisions: list[tuple[float, str]] = field(default_factory=list)
    """(scenario minute, posture) of each decision the team recorded."""


def _step(span: float, target: int) -> int:
    """A round number of minutes so that `span` divides into about `target` parts."""
    raw = span / max(target, 1)
    return next((s for s in _NICE_STEPS if s >= raw), _NICE_STEPS[-1])


def activity_chart(
    lanes: Sequence[Lane],
    *,
    end_minute: float,
    postures: Sequence[str],
    width: int = 960,
) -> str:
    """The SVG element (a string) of injects delivered and decisions recorded per team over time."""
    lane_height = 56
    left, right, top, bottom = 70, 12, 34, 30
    height = top + lane_height * max(len(lanes), 1) + bottom
    plot_width = width - left - right
    all_minutes = [m for lane in lanes for m in lane.deliveries] + [m for lane in lanes for m, _ in lane.decisions]
    span = max([end_minute, *all_minutes, MIN_SPAN])
    bin_minutes = max(_step(span, MAX_BINS), 1)
    bins = max(1, math.ceil(span / bin_minutes + 1e-9))
    if bins * bin_minutes <= span:
        bins += 1
    bin_width = plot_width / bins

    def x_of(minute: float) -> float:
        return left + plot_width * minute / (bins * bin_minutes)

    peak_delivered = 1
    peak_decided = 1
    counted: list[tuple[list[int], list[dict[str, int]]]] = []
    for lane in lanes:
        delivered = [0] * bins
        decided: list[dict[str, int]] = [{} for _ in range(bins)]
        for minute in lane.deliveries:
            delivered[min(int(minute // bin_minutes), bins - 1)] += 1
        for minute, posture in lane.decisions:
            cell = decided[min(int(minute // bin_minutes), bins - 1)]
            cell[posture] = cell.get(posture, 0) + 1
        peak_delivered = max(peak_delivered, *delivered)
        peak_decided = max(peak_decided, *(sum(c.values()) for c in decided))
        counted.append((delivered, decided))

    parts: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="Injects delivered and decisions recorded per team over scenario time">',
        f'<title>Injects delivered (grey, below each line) and decisions recorded (coloured by posture, above) '
        f'per team, in bins of {bin_minutes} scenario minutes</title>',
    ]
    legend_x = left
    for posture in postures:
        colour = POSTURE_COLOURS.get(posture, "#555")
        parts.append(f'<rect x="{legend_x}" y="8" width="10" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{legend_x + 14}" y="17" class="legend">{escape(posture)}</text>')
        legend_x += 14 + 8 * len(posture) + 18
    parts.append(f'<rect x="{legend_x}" y="8" width="10" height="10" fill="{DELIVERY_COLOUR}"/>')
    parts.append(f'<text x="{legend_x + 14}" y="17" class="legend">injects delivered</text>')

    tick = _step(bins * bin_minutes, 8)
    minute = 0
    while minute <= bins * bin_minutes + 1e-9:
        x = x_of(minute)
        parts.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{height - bottom}" class="grid"/>')
        parts.append(f'<text x="{x:.1f}" y="{height - bottom + 14}" text-anchor="middle" class="tick">'
                     f'{escape(format_offset(minute))}</text>')
        minute += tick
    end_x = x_of(end_minute)
    parts.append(f'<line x1="{end_x:.1f}" y1="{top - 4}" x2="{end_x:.1f}" y2="{height - bottom}" class="end"/>')

    half = (lane_height - 12) / 2
    for index, (lane, (delivered, decided)) in enumerate(zip(lanes, counted)):
        axis = top + index * lane_height + 6 + half
        parts.append(f'<text x="{left - 8}" y="{axis + 4:.1f}" text-anchor="end" class="lane">{escape(lane.label)}</text>')
        parts.append(f'<line x1="{left}" y1="{axis:.1f}" x2="{width - right}" y2="{axis:.1f}" class="axis"/>')
        for b in range(bins):
            x = left + b * bin_width + 1
            w = max(bin_width - 2, 1)
            if delivered[b]:
                h = half * delivered[b] / peak_delivered
                parts.append(f'<rect x="{x:.1f}" y="{axis:.1f}" width="{w:.1f}" height="{h:.1f}" '
                             f'fill="{DELIVERY_COLOUR}"><title>{escape(lane.label)}: {delivered[b]} '
                             f'delivered at {escape(format_offset(b * bin_minutes))}</title></rect>')
            y = axis
            for posture in postures:
                count = decided[b].get(posture, 0)
                if not count:
                    continue
                h = half * count / peak_decided
                y -= h
                parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" '
                             f'fill="{POSTURE_COLOURS.get(posture, "#555")}"><title>{escape(lane.label)}: {count} '
                             f'{escape(posture)} at {escape(format_offset(b * bin_minutes))}</title></rect>')
    parts.append("</svg>")
    return "".join(parts)


# PNG: the same chart for documents that cannot show SVG (Word)

CHART_STYLES = {
    "legend": {"size": 10, "fill": "#333333"},
    "tick": {"size": 9, "fill": "#666666"},
    "lane": {"size": 11, "fill": "#333333", "bold": True},
    "grid": {"stroke": "#e3e6ea"},
    "axis": {"stroke": "#9aa3ad"},
    "end": {"stroke": "#8b0000", "dash": (3, 2)},
}
"""What report.css gives each class of the chart's text and lines, for the PNG drawn without CSS."""

_SVG = "{http://www.w3.org/2000/svg}"
_ANCHORS = {"start": "ls", "middle": "ms", "end": "rs"}


@functools.cache
def _font(size: int, bold: bool) -> Any:
    """DejaVu Sans (the report's font) at `size` pixels, or Pillow's own scalable font if it is not installed."""
    from PIL import ImageFont

    try:
        return ImageFont.truetype("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf", size)
    except OSError:
        return ImageFont.load_default(size)


def chart_png(svg: str, *, scale: float = 2.0) -> bytes:
    """PNG bytes of a chart that `activity_chart` drew, at `scale` pixels per SVG unit.

    Word cannot be relied on to show SVG, so the chart is redrawn with Pillow from the
    SVG's own shapes: the rectangles, lines and text `activity_chart` writes, styled as
    report.css styles them. Elements of any other kind are not part of that chart and are ignored.
    """
    from PIL import Image, ImageDraw

    root = ElementTree.fromstring(svg)
    _, _, width, height = (float(v) for v in root.get("viewBox", "0 0 960 200").split())
    image = Image.new("RGB", (round(width * scale), round(height * scale)), "white")
    draw = ImageDraw.Draw(image)
    for element in root:
        kind = element.tag.removeprefix(_SVG)
        if kind == "rect":
            x, y = float(element.get("x", 0)) * scale, float(element.get("y", 0)) * scale
            w, h = float(element.get("width", 0)) * scale, float(element.get("height", 0)) * scale
            if w > 0 and h > 0:
                draw.rectangle((x, y, x + w - 1, y + h - 1), fill=element.get("fill", "#555555"))
        elif kind == "line":
            style = CHART_STYLES.get(element.get("class", ""), {"stroke": "#9aa3ad"})
            x1, y1, x2, y2 = (float(element.get(a, 0)) * scale for a in ("x1", "y1", "x2", "y2"))
            _line(draw, (x1, y1, x2, y2), colour=str(style["stroke"]), width=max(1, round(scale)),
                  dash=tuple(d * scale for d in style.get("dash", ())))  # type: ignore[union-attr]
        elif kind == "text":
            style = CHART_STYLES.get(element.get("class", ""), {"size": 10, "fill": "#333333"})
            font = _font(round(int(style["size"]) * scale), bool(style.get("bold")))  # type: ignore[call-overload]
            x, y = float(element.get("x", 0)) * scale, float(element.get("y", 0)) * scale
            draw.text((x, y), element.text or "", fill=str(style["fill"]), font=font,
                      anchor=_ANCHORS.get(element.get("text-anchor", "start"), "ls"))
    out = io.BytesIO()
    image.save(out, format="PNG", dpi=(96 * scale, 96 * scale), optimize=True)
    return out.getvalue()


def _line(draw: Any, points: tuple[float, float, float, float], *, colour: str, width: int,
          dash: tuple[float, ...]) -> None:
    """A straight line, solid or dashed (`dash` = on and off lengths, as SVG's stroke-dasharray)."""
    x1, y1, x2, y2 = points
    if not dash:
        draw.line(points, fill=colour, width=width)
        return
    length = math.hypot(x2 - x1, y2 - y1)
    if length == 0:
        return
    dx, dy = (x2 - x1) / length, (y2 - y1) / length
    at, index = 0.0, 0
    while at < length:
        step = dash[index % len(dash)]
        if index % 2 == 0:
            end = min(at + step, length)
            draw.line((x1 + dx * at, y1 + dy * at, x1 + dx * end, y1 + dy * end), fill=colour, width=width)
        at += step
        index += 1
