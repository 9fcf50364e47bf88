"""Attached maps and documents on every face, and only where their inject, brief or move is seen."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from tabletop.clock import FakeClock
from tabletop.engine import Session
from tabletop.viewer.server import ServeOptions, TeamServer, new_links
from tests.need_to_know_fixtures import SECRETS_YAML

SVG = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><text x="1" y="5">%s</text></svg>'
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
FILES = {
    "maps/sea.svg": SVG % b"OK-map-sea",
    "maps/usrok.svg": SVG % b"USROK-map",
    "maps/china.svg": SVG % b"CHINA-map",
    "maps/later.svg": SVG % b"S3-map-later",
    "docs/us-brief.pdf": PDF,
}
ROOM_TOKEN = "R" * 40


def attached_exercise(folder: Path) -> Path:
    """The secrets exercise with a map on move 1, on a US/ROK inject, on a China inject, on move 2
    (not yet opened) and a PDF with the US brief."""
    for name, data in FILES.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    text = SECRETS_YAML
    text = text.replace('brief: "US-brief-Q Your private brief.",',
                        'brief: "US-brief-Q Your private brief.", brief_attachments: [{file: docs/us-brief.pdf, caption: US orders}],')
    text = text.replace("    situation: OK-M1-situation-Q A storm crosses the sea.\n",
                        "    situation: OK-M1-situation-Q A storm crosses the sea.\n"
                        "    attachments: [{file: maps/sea.svg, caption: OK-caption-sea}]\n")
    text = text.replace("        body: USROK-body-Q A boat capsized.\n",
                        "        body: USROK-body-Q A boat capsized.\n        attachments: [{file: maps/usrok.svg}]\n")
    text = text.replace("        body: CHINA-body-Q Your vessel is nearest.\n",
                        "        body: CHINA-body-Q Your vessel is nearest.\n        attachments: [{file: maps/china.svg}]\n")
    text = text.replace("    situation: S3-M2-situation-Q\n",
                        "    situation: S3-M2-situation-Q\n    attachments: [{file: maps/later.svg}]\n")
    assert text.count("attachments:") == 5  # four, and the brief_attachments
    path = folder / "attached.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[tuple[TestClient, TeamServer, dict[str, str]]]:
    with Session.create(attached_exercise(tmp_path), tmp_path / "a.session", clock=FakeClock()) as writer:
        writer.start()
        for inject in ("I-ALL", "I-USROK", "I-CHINA"):
            writer.deliver(inject)
    session = Session.open(tmp_path / "a.session", readonly=True)
    links = new_links(session)
    server = TeamServer(session, links, ServeOptions(), room_token=ROOM_TOKEN)
    async with TestClient(TestServer(server.app())) as client:
        yield client, server, {link.team: link.token for link in links}
    session.close()


async def test_a_team_page_shows_its_maps_and_serves_only_those(served) -> None:  # type: ignore[no-untyped-def]
    client, _, tokens = served
    page = await (await client.get(f"/t/{tokens['us']}/")).text()
    us = f"/t/{tokens['us']}/file/"
    assert f'<img src="{us}maps/sea.svg" alt="OK-caption-sea">' in page and "<figcaption>OK-caption-sea</figcaption>" in page
    assert f'src="{us}maps/usrok.svg"' in page and f'href="{us}docs/us-brief.pdf"' in page
    assert "china.svg" not in page and "later.svg" not in page
    for name in ("maps/sea.svg", "maps/usrok.svg", "docs/us-brief.pdf"):
        response = await client.get(us + name)
        assert response.status == 200 and await response.read() == FILES[name]
        assert "sandbox" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert (await client.get(us + "maps/sea.svg")).content_type == "image/svg+xml"
    assert (await client.get(us + "docs/us-brief.pdf")).content_type == "application/pdf"
    for name in ("maps/china.svg", "maps/later.svg", "attached.yaml", "../a.session", "maps/none.svg"):
        assert (await client.get(us + name)).status == 404, name
    china = f"/t/{tokens['china']}/file/"
    assert (await client.get(china + "maps/china.svg")).status == 200
    for name in ("maps/usrok.svg", "docs/us-brief.pdf"):
        assert (await client.get(china + name)).status == 404, name
    assert (await client.get("/t/" + "x" * 40 + "/file/maps/sea.svg")).status == 403


async def test_the_room_shows_the_moves_map_and_nothing_for_some_teams(served) -> None:  # type: ignore[no-untyped-def]
    client, _, _ = served
    room = f"/r/{ROOM_TOKEN}/"
    fragment = await (await client.get(room + "fragment")).text()
    assert f'src="{room}file/maps/sea.svg"' in fragment
    assert (await client.get(room + "file/maps/sea.svg")).status == 200
    for name in ("maps/usrok.svg", "maps/china.svg", "docs/us-brief.pdf", "maps/later.svg"):
        assert (await client.get(room + "file/" + name)).status == 404, name


def test_packets_cards_read_ahead_and_report_carry_the_maps(tmp_path: Path) -> None:
    import base64

    from tabletop.cli.report import files_beside
    from tabletop.loader import load_exercise
    from tabletop.report.documents import render_document
    from tabletop.report.handouts import render_handouts
    from tabletop.report.render import render_report

    path = attached_exercise(tmp_path)
    exercise = load_exercise(path)
    files = files_beside(path)
    uri = "data:image/svg+xml;base64," + base64.b64encode(FILES["maps/sea.svg"]).decode()
    packet = render_handouts(exercise=exercise, team="us", files=files)
    assert isinstance(packet, str)
    assert f'<img src="{uri}" alt="OK-caption-sea">' in packet
    assert "Attached document: US orders" in packet  # a PDF is named, not drawn
    assert "usrok.svg" not in packet and "china.svg" not in packet and "later.svg" not in packet
    deck = render_handouts(exercise=exercise, files=files)
    assert isinstance(deck, str) and "base64," + base64.b64encode(FILES["maps/china.svg"]).decode() in deck
    sitman = render_document(exercise=exercise, kind="sitman", team="rok", fmt="html", files=files)
    assert isinstance(sitman, str) and uri in sitman and "US orders" not in sitman
    markdown = render_document(exercise=exercise, kind="sitman", team="us", fmt="md", files=files)
    assert isinstance(markdown, str) and "- Attached: OK-caption-sea (`maps/sea.svg`)" in markdown
    named = render_handouts(exercise=exercise, team="us")  # no reader: the map is named
    assert isinstance(named, str) and "Attached map or image: OK-caption-sea" in named and "base64" not in named
    session_path = tmp_path / "a.session"
    with Session.create(path, session_path, clock=FakeClock()) as session:
        session.start()
    (tmp_path / "maps" / "sea.svg").unlink()  # the report draws the session file's own copy
    with Session.open(session_path, readonly=True) as session:
        report = render_report(session=session, fmt="html")
        markdown_report = render_report(session=session, fmt="md")
    assert isinstance(report, str) and "Appendix D: Maps and documents" in report and uri in report
    assert "situation of move M1" in report and "brief of US" in report and "inject I-CHINA" in report
    assert isinstance(markdown_report, str) and "| situation of move M1 | `maps/sea.svg` | OK-caption-sea |" in markdown_report


def test_the_terminal_faces_name_what_they_cannot_draw(tmp_path: Path) -> None:
    from tabletop.need_to_know import team_view
    from tabletop.viewer.plain import render_plain
    from tabletop.viewer.widgets.panes import render_inject

    path = attached_exercise(tmp_path)
    with Session.create(path, tmp_path / "a.session", clock=FakeClock()) as session:
        session.start()
        session.deliver("I-USROK")
        view = team_view(session, "us")
    text = render_plain(view, width=200)
    assert "Map or image: OK-caption-sea (maps/sea.svg; shown on your team link)" in text
    assert "Map or image: maps/usrok.svg (maps/usrok.svg; shown on your team link)" in text
    assert "Document: US orders (docs/us-brief.pdf; shown on your team link)" in text
    assert "china.svg" not in text and "later.svg" not in text
    import io

    from rich.console import Console

    console = Console(width=200, record=True, file=io.StringIO())
    console.print(render_inject(view, view.injects[0]))
    assert "Map or image: maps/usrok.svg" in console.export_text()


def test_the_word_report_draws_a_png_and_names_an_svg(tmp_path: Path) -> None:
    import io

    from docx import Document
    from PIL import Image

    from tabletop.report.render import render_report

    path = attached_exercise(tmp_path)
    picture = io.BytesIO()
    Image.new("RGB", (40, 20), "navy").save(picture, format="PNG")
    (tmp_path / "maps" / "photo.png").write_bytes(picture.getvalue())
    path.write_text(path.read_text(encoding="utf-8").replace(
        "attachments: [{file: maps/usrok.svg}]", "attachments: [{file: maps/usrok.svg}, {file: maps/photo.png, caption: Photo}]"),
        encoding="utf-8")
    with Session.create(path, tmp_path / "w.session", clock=FakeClock()) as session:
        session.start()
        data = render_report(session=session, fmt="docx")
    assert isinstance(data, bytes)
    document = Document(io.BytesIO(data))
    texts = [p.text for p in document.paragraphs]  # headings are paragraphs too
    assert "Appendix D: Maps and documents" in texts
    assert "OK-caption-sea (situation of move M1; maps/sea.svg)" in texts and "Photo (inject I-USROK; maps/photo.png)" in texts
    assert len(document.inline_shapes) >= 2  # the activity chart and the photo
