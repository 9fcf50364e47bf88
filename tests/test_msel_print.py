"""The exported MSEL as LibreOffice prints it: every page readable, the header on each, no machine column."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tabletop.loader import load_exercise
from tabletop.report.msel import write_msel

ROOT = Path(__file__).resolve().parents[1]


def _pdf_pages(xlsx: Path, tmp_path: Path) -> list[str]:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice (libreoffice-calc) is needed: .ci/run installs it"
    subprocess.run(
        [soffice, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(xlsx)],
        check=True, capture_output=True, timeout=180,
    )
    pdf = tmp_path / (xlsx.stem + ".pdf")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True,
                          text=True, timeout=60).stdout
    return [page for page in text.split("\f") if page.strip()]


def test_libreoffice_prints_every_msel_page_with_its_header(tmp_path: Path) -> None:
    exercise = load_exercise(ROOT / "exercises" / "yellow-sea-refugees.yaml")
    xlsx = tmp_path / "msel.xlsx"
    write_msel(xlsx, exercise)
    pages = _pdf_pages(xlsx, tmp_path)
    msel_pages = [p for p in pages if "MSEL — page" in p]
    assert len(msel_pages) >= 2
    for page in msel_pages:
        first = page.strip().splitlines()[0].split()
        assert first[:2] == ["No.", "Scenario"] and "Body" in first and "Objectives" in first
        assert '{"decision"' not in page and '{"condition"' not in page
    printed = "\n".join(msel_pages)
    for inject in exercise.all_injects():
        assert inject.id in printed
        assert inject.title.split()[0] in printed
    for sheet in ("Exercise", "Teams", "Objectives", "Moves"):
        assert any(f"{sheet} — page " in p for p in pages)
    teams = "\n".join(p for p in pages if "Teams — page " in p)
    assert all(team.name.split()[0] in teams for team in exercise.teams)
