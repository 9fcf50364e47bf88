"""The PDF as a reader's tools see it: tagged (PDF/UA-1, a structure tree screen readers follow),
opening with its bookmarks shown, and carrying author, subject, keywords and a creation date."""

from __future__ import annotations

import io
from pathlib import Path

from pypdf import PdfReader

from tabletop.report.render import render_report
from tabletop.resources import exercises_dir
from tests.test_report_bundled import play_through


def test_pdf_is_tagged_opens_on_its_outline_and_has_metadata(tmp_path: Path) -> None:
    session = play_through(exercises_dir() / "disaster-relief.yaml", tmp_path / "dr.tabletop")
    try:
        pdf = render_report(session=session, fmt="pdf")
        exercise = session.exercise
    finally:
        session.close()
    assert isinstance(pdf, bytes)
    reader = PdfReader(io.BytesIO(pdf))
    root = reader.trailer["/Root"]
    assert root["/PageMode"] == "/UseOutlines"
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    assert "/Lang" in root
    titles = [item.title for item in reader.outline if not isinstance(item, list)]
    assert any("Improvement plan" in t for t in titles) and any("Executive summary" in t for t in titles)
    meta = reader.metadata
    assert meta is not None
    assert meta.author == ", ".join(exercise.authors)
    assert meta.subject == f"After-Action Report / Improvement Plan: {exercise.title}"
    assert meta.get("/Keywords") and exercise.id in str(meta["/Keywords"])
    created = meta.creation_date
    assert created is not None and created.tzinfo is not None  # the report's generation time, with its offset
