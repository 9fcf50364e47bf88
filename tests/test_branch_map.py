"""The branch map: every inject on its move's column, each condition drawn as a labelled link."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tabletop.loader import load_exercise
from tabletop.report.branch_map import branch_map
from tabletop.resources import exercises_dir

FIXTURE = Path(__file__).parent / "fixtures" / "harbour-workshop.yaml"
SVG = "{http://www.w3.org/2000/svg}"


def _texts(svg: str) -> list[str]:
    return [t.text or "" for t in ET.fromstring(svg).iter(f"{SVG}text")]


def test_the_map_links_each_branch_to_its_option() -> None:
    svg = branch_map(load_exercise(FIXTURE))
    texts = _texts(svg)
    for label in ("M1-01  +00:05", "M2-01  +01:10", "C-1  reserve", "M2 variant 2"):
        assert label in texts, label
    assert "M1-02  +00:30  (one option)" in texts
    assert "M2 variant 1  (one option)" in texts
    assert "if M1-01 each-own" in texts and "if M1-01 north-leads" in texts
    assert "if M1-01 each-own; M1-02 delivered" in texts
    root = ET.fromstring(svg)
    assert len([p for p in root.iter(f"{SVG}path") if p.get("marker-end")]) == 4
    dashed = [r for r in root.iter(f"{SVG}rect") if r.get("stroke-dasharray")]
    assert len(dashed) == 3


def test_the_map_escapes_what_it_draws(tmp_path: Path) -> None:
    text = FIXTURE.read_text(encoding="utf-8").replace("title: Smoke on the water", "title: Smoke <script> & fire")
    path = tmp_path / "x.yaml"
    path.write_text(text, encoding="utf-8")
    svg = branch_map(load_exercise(path))
    assert "<script>" not in svg and "M1 · Smoke &lt;script&gt; &amp; fire" in svg
    ET.fromstring(svg)


@pytest.mark.parametrize("path", sorted(exercises_dir().glob("*.yaml")), ids=lambda p: p.stem)
def test_every_bundled_exercise_draws(path: Path) -> None:
    exercise = load_exercise(path)
    texts = _texts(branch_map(exercise))
    assert all(any(t.startswith(f"{i.id}  ") for t in texts) for i in exercise.all_injects())


def test_the_map_verb_and_the_facilitator_guide(tmp_path: Path) -> None:
    out = tmp_path / "map.svg"
    done = subprocess.run([sys.executable, "-m", "tabletop", "map", str(FIXTURE), "-o", str(out)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    ET.fromstring(out.read_text(encoding="utf-8"))
    from tabletop.report.documents import render_document

    html = render_document(exercise=load_exercise(FIXTURE), kind="facilitator", fmt="html")
    assert isinstance(html, str) and "<svg" in html and "Branch map" in html


def test_what_no_play_reaches_is_drawn_grey_and_named(tmp_path: Path) -> None:
    text = FIXTURE.read_text(encoding="utf-8")
    both = ("all: [{chose: {inject: M1-01, team: north, option: north-leads}}, "
            "{chose: {inject: M1-01, team: north, option: each-own}}]")
    text = text.replace("chose: {inject: M1-01, option: each-own}", both, 1)  # M1-02: one team, two answers
    text = text.replace("          chose: {inject: M1-01, option: north-leads}", "          " + both)
    path = tmp_path / "dead.yaml"
    path.write_text(text, encoding="utf-8")
    svg = branch_map(load_exercise(path))
    texts = _texts(svg)
    assert "M1-02  +00:30  (never fires)" in texts
    assert "M2 variant 1  (never read)" in texts
    # variant 2 can still be read (each-own on M1-01); the live boxes keep their plain labels
    assert "M2 variant 2" in texts and "M2-01  +01:10" in texts
    greyed = [r for r in ET.fromstring(svg).iter(f"{SVG}rect") if r.get("stroke") == "#9aa0a8"]
    assert len(greyed) == 2
