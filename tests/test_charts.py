"""The report's activity chart: bounded size, counts in the right bins, escaped text, a readable axis."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from tabletop.report.charts import MAX_BINS, MIN_SPAN, Lane, activity_chart

POSTURES = ("joint", "deferring", "national", "public")
SVG = "{http://www.w3.org/2000/svg}"


def rects(svg: str) -> list[ET.Element]:
    """Bars of the chart (the legend's 10x10 squares left out)."""
    root = ET.fromstring(svg)
    return [r for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]


def titles(svg: str) -> list[str]:
    """Tooltip of every bar."""
    return [r.find(f"{SVG}title").text or "" for r in rects(svg)]  # type: ignore[union-attr]


def test_counts_land_in_their_bins() -> None:
    lane = Lane("ROK", deliveries=[0, 1, 2, 61], decisions=[(3, "joint"), (4, "joint"), (62, "public")])
    svg = activity_chart([lane], end_minute=120, postures=POSTURES)
    said = titles(svg)
    assert "ROK: 3 delivered at +00:00" in said
    assert "ROK: 1 delivered at +01:00" in said
    assert "ROK: 2 joint at +00:00" in said
    assert "ROK: 1 public at +01:00" in said


def test_a_long_session_draws_a_bounded_number_of_bars() -> None:
    lanes = [Lane(t, deliveries=[float(m) for m in range(0, 20_000, 3)],
                  decisions=[(float(m), POSTURES[m % 4]) for m in range(0, 20_000, 5)]) for t in ("US", "JPN", "ROK", "PRC")]
    svg = activity_chart(lanes, end_minute=20_000, postures=POSTURES)
    per_lane = len(rects(svg)) / len(lanes)
    assert per_lane <= MAX_BINS * (1 + len(POSTURES))


def test_a_session_with_no_scenario_time_draws_narrow_bars() -> None:
    """Everything at minute 0 (a clock never started or never moved): bars stay narrow."""
    lane = Lane("US", deliveries=[0, 0, 0], decisions=[(0, "deferring")])
    svg = activity_chart([lane], end_minute=0, postures=POSTURES)
    width = float(ET.fromstring(svg).get("viewBox").split()[2])  # type: ignore[union-attr]
    bars = rects(svg)
    assert bars and all(float(b.get("width")) < width / 4 for b in bars)  # type: ignore[arg-type]
    ticks = re.findall(r'class="tick">([^<]+)<', svg)
    assert len(ticks) >= 3 and ticks[0] == "+00:00"
    assert MIN_SPAN >= 30


def test_user_text_is_escaped() -> None:
    lane = Lane('<script>alert("x")</script> & Co', deliveries=[5], decisions=[(6, "<b>posture</b>")])
    svg = activity_chart([lane], end_minute=10, postures=("<b>posture</b>",))
    assert "<script>" not in svg and "<b>" not in svg
    ET.fromstring(svg)
