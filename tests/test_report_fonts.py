"""Chinese, Japanese and Korean text prints as letters, not boxes: the report's font stack names
the CJK fonts, and where none is installed the planner is told so, with what to install, and the
PDF is still written."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from pathlib import Path

from pypdf import PdfReader

from tabletop.report.pdf import MissingGlyphsWarning, missing_glyphs_message
from tabletop.report.render import render_report
from tests.engine_fixtures import new_session

KOREAN = "대한민국 해양경찰청"
JAPANESE = "海上保安庁 かいじょう"
CHINESE = "中国海警局"

NO_CJK_FONTS = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <cachedir>{cache}</cachedir>
  <selectfont><rejectfont>
    <pattern><patelt name="lang"><string>ko</string></patelt></pattern>
    <pattern><patelt name="lang"><string>ja</string></patelt></pattern>
    <pattern><patelt name="lang"><string>zh-cn</string></patelt></pattern>
    <pattern><patelt name="lang"><string>zh-tw</string></patelt></pattern>
  </rejectfont></selectfont>
</fontconfig>
"""
"""A fontconfig setup with the machine's fonts minus every font that writes Korean, Japanese or
Chinese: a machine where no CJK font was installed."""


def cjk_session(folder: Path) -> Path:
    """A finished session whose records are written in the three teams' own scripts."""
    session = new_session(folder)
    session.deliver("M1-02")
    session.decide("rok", "M1-02", option="direct", rationale=KOREAN)
    session.note(JAPANESE, inject="M1-02")
    session.observe("OBJ-1", "S", CHINESE)
    session.end()
    session.close()
    return folder / "drill.session"


def fonts_of(pdf: Path) -> set[str]:
    """The base names of every font the PDF's pages use, descendants of Type 0 fonts included."""
    names = set()
    for page in PdfReader(pdf).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            names.add(str(font["/BaseFont"]).split("+", 1)[-1])
    return names


def test_cjk_text_is_drawn_with_a_cjk_font_and_nothing_is_missing(tmp_path: Path) -> None:
    path = cjk_session(tmp_path)
    from tabletop.engine import Session

    session = Session.open(path, readonly=True)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            data = render_report(session=session, fmt="pdf")
    finally:
        session.close()
    assert not [w for w in caught if issubclass(w.category, MissingGlyphsWarning)], [str(w.message) for w in caught]
    pdf = tmp_path / "cjk.pdf"
    pdf.write_bytes(data)
    assert any("CJK" in name for name in fonts_of(pdf)), fonts_of(pdf)
    text = "".join(page.extract_text() for page in PdfReader(pdf).pages).replace(" ", "")
    for words in (KOREAN, JAPANESE, CHINESE):
        assert words.replace(" ", "") in text


def test_without_a_cjk_font_the_planner_is_told_what_to_install(tmp_path: Path) -> None:
    path = cjk_session(tmp_path)
    config = tmp_path / "fonts.conf"
    config.write_text(NO_CJK_FONTS.format(cache=tmp_path / "fontcache"), encoding="utf-8")
    out = tmp_path / "aar.pdf"
    result = subprocess.run(
        [sys.executable, "-m", "tabletop", "report", str(path), "-f", "pdf", "-o", str(out)],
        capture_output=True, text=True, timeout=300, env={**os.environ, "FONTCONFIG_FILE": str(config)},
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    warning = [line for line in result.stderr.splitlines() if line.startswith("tabletop: warning:")]
    assert len(warning) == 1, result.stderr
    assert "Hangul" in warning[0] and "Chinese characters" in warning[0] and "Japanese kana" in warning[0]
    assert "fonts-noto-cjk" in warning[0] and "the PDF shows them as empty boxes" in warning[0]
    assert warning[0].split("(", 1)[1].split(":", 1)[1].split(")")[0].split()[0] in KOREAN + JAPANESE + CHINESE
    assert out.read_bytes().startswith(b"%PDF")
    assert not any("CJK" in name for name in fonts_of(out))


def test_the_message_names_the_scripts_and_caps_the_list() -> None:
    message = missing_glyphs_message(list("대한민국海上保安庁かいじょう"))
    assert message.startswith("no installed font has 14 character(s) of this document (Hangul, Chinese characters, Japanese kana:")
    assert " ..." in message and "ょ" not in message
