"""Attachments beside an exercise: checked at load so no face ever shows a hostile file.

A file's type is read from its first bytes, never trusted from its name: a
renamed executable called `map.png` is refused. An SVG is refused outright
when it carries anything that could run or reach out (script, event handlers,
`foreignObject`, a DOCTYPE or entities, links to anything but its own `#ids`,
`url(...)` or `@import` to the outside), so the file that is kept and shown is
the file the planner reviewed. Errors read `FILE:LINE:COL` at the attachment's
`file:` line, like every other error of the exercise.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import yaml

from tabletop import model as m

MAX_BYTES = 8 * 1024 * 1024
"""Size cap of one attachment: a map or a scanned page, not a video."""

EXTENSIONS = {".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg", ".svg": "svg", ".pdf": "pdf"}
"""What each file ending claims."""

_FORBIDDEN_ELEMENTS = {"script", "foreignobject", "iframe", "embed", "object", "audio", "video", "handler", "listener"}
_LINK_ATTRIBUTES = {"href", "src"}
_OUTSIDE_URL = re.compile(r"url\(\s*['\"]?(?!#)", re.IGNORECASE)


def sniff(data: bytes) -> str | None:
    """The type the bytes are ('png', 'jpeg', 'svg', 'pdf'), or None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"%PDF-"):
        return "pdf"
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<") and re.search(rb"<svg[\s>]", head):
        return "svg"
    return None


def svg_problem(data: bytes) -> str | None:
    """Why an SVG may not be shown, or None when it holds only drawing."""
    if re.search(rb"<!DOCTYPE|<!ENTITY", data, re.IGNORECASE):
        return "an SVG may not carry a DOCTYPE or entities (they can expand without bound or read other files)"
    if re.search(rb"@import", data, re.IGNORECASE):
        return "an SVG may not @import a stylesheet"
    try:
        root = ET.fromstring(data)
    except ET.ParseError as error:
        return f"not a well-formed SVG ({error})"
    for element in root.iter():
        name = element.tag.rsplit("}", 1)[-1].lower()
        if name in _FORBIDDEN_ELEMENTS:
            return f"an SVG may not contain <{element.tag.rsplit('}', 1)[-1]}>"
        for key, value in element.attrib.items():
            attribute = key.rsplit("}", 1)[-1].lower()
            if attribute.startswith("on"):
                return f"an SVG may not carry event handlers ({attribute}=...)"
            if attribute in _LINK_ATTRIBUTES and not value.strip().startswith("#"):
                return f"an SVG may only link inside itself; {attribute}={value[:60]!r} points outside"
            if _OUTSIDE_URL.search(value):
                return f"an SVG may not load anything from outside ({attribute}={value[:60]!r})"
        if name == "style" and element.text and _OUTSIDE_URL.search(element.text):
            return "an SVG's <style> may not load anything from outside"
    return None


def file_problem(folder: Path, relative: str) -> str | None:
    """Why the attachment at `relative` (beside the exercise in `folder`) cannot be used, or None."""
    path = folder / relative
    try:
        if not path.resolve().is_relative_to(folder.resolve()):
            return f"{relative}: an attachment must be inside the exercise's folder"
        if not path.is_file():
            return f"{relative}: no such file beside the exercise ({path})"
        size = path.stat().st_size
        if size > MAX_BYTES:
            return f"{relative}: {size // 1024} KiB is over the {MAX_BYTES // (1024 * 1024)} MiB cap for an attachment"
        data = path.read_bytes()
    except OSError as error:
        return f"{relative}: cannot read ({error.strerror or error})"
    claimed = EXTENSIONS.get(path.suffix.lower())
    found = sniff(data)
    if found != claimed:
        what = f"a {found.upper()} file" if found else "not a PNG, JPEG, SVG or PDF file"
        return f"{relative}: named as {str(claimed).upper()} but its bytes say it is {what}"
    if found == "svg":
        problem = svg_problem(data)
        if problem:
            return f"{relative}: {problem}"
    return None


def attachment_places(exercise: m.Exercise) -> list[tuple[tuple[object, ...], m.Attachment]]:
    """Every attachment of the exercise with its path in the document (for positions)."""
    places: list[tuple[tuple[object, ...], m.Attachment]] = []
    for t, team in enumerate(exercise.teams):
        places += [(("teams", t, "brief_attachments", a), att) for a, att in enumerate(team.brief_attachments)]
    for mv, move in enumerate(exercise.moves):
        places += [(("moves", mv, "attachments", a), att) for a, att in enumerate(move.attachments)]
        for i, inject in enumerate(move.injects):
            places += [(("moves", mv, "injects", i, "attachments", a), att) for a, att in enumerate(inject.attachments)]
    for c, inject in enumerate(exercise.contingencies):
        places += [(("contingencies", c, "attachments", a), att) for a, att in enumerate(inject.attachments)]
    return places


def check_attachments(root: yaml.Node, exercise: m.Exercise, filename: str) -> list[object]:
    """Diagnostics for attachments that are missing, mistyped, too large or hostile."""
    from tabletop.loader import Diagnostic, node_at

    folder = Path(filename).parent if not filename.startswith("<") else Path.cwd()
    problems: list[object] = []
    for path, attachment in attachment_places(exercise):
        problem = file_problem(folder, attachment.file)
        if problem:
            node = node_at(root, path + ("file",))
            problems.append(Diagnostic(node.start_mark.line + 1, node.start_mark.column + 1, problem, filename))
    return problems


def attachment_files(exercise: m.Exercise, filename: str) -> dict[str, bytes]:
    """The bytes of every file the exercise attaches, read from beside `filename`, for a session
    file to keep (the loader has already checked each one)."""
    if filename.startswith("<"):
        return {}
    folder = Path(filename).parent
    return {att.file: (folder / att.file).read_bytes() for _, att in attachment_places(exercise)}


MEDIA_TYPES = {"png": "image/png", "jpeg": "image/jpeg", "svg": "image/svg+xml", "pdf": "application/pdf"}
"""The media type of each kind of attachment, for data: URIs and HTTP answers."""


def media_type(file: str) -> str:
    """The media type of an attachment by its (checked) name."""
    return MEDIA_TYPES[EXTENSIONS[Path(file).suffix.lower()]]


def data_uri(file: str, data: bytes) -> str:
    """An attachment as a data: URI, for pages and printed documents that must need nothing else."""
    import base64

    return f"data:{media_type(file)};base64,{base64.b64encode(data).decode('ascii')}"
