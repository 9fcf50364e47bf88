"""The branch map: the injects on a timeline by move, each conditional one linked to what makes it live.

A planner reads it to see which paths exist and which hang on a single option;
a facilitator reads it before the workshop. Plain SVG text, no library, sized
to fit the width of an A4 or Letter page in landscape. Boxes with a dashed
border are conditional; an arrow runs from the inject whose decision or
delivery a condition names to the conditional inject or situation variant,
labelled with the option (or 'delivered', 'decided'; 'not' when negated).
What no play can reach (the lint's dead branches) is drawn grey and says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape

from tabletop import model as m
from tabletop.lint import dead_branches
from tabletop.model import format_offset

BOX_W = 210
COLUMN = BOX_W + 50
"""Room between columns for the arrows only: what makes a box live is written inside it."""
BOX_H = 32
COND_H = 45
"""A conditional box has a third line: the condition, so no label crowds the arrows."""
GAP = 7
TOP = 74
ROW_GAP = 34
"""Space above the contingency row for its heading."""


@dataclass(frozen=True)
class _Box:
    key: str
    x: int
    y: int
    label: str
    detail: str
    conditional: bool
    variant: bool = False
    dead: bool = False
    condition: str = ""

    @property
    def height(self) -> int:
        return COND_H if self.conditional else BOX_H


def _links(condition: object, negated: bool = False) -> list[tuple[str, str]]:
    """(source inject, label) of each leaf of a condition."""
    prefix = "not " if negated else ""
    match condition:
        case m.AllCondition(all=items) | m.AnyCondition(any=items):
            return [link for item in items for link in _links(item, negated)]
        case m.NotCondition(not_=inner):
            return _links(inner, not negated)
        case m.ChoseCondition(chose=ref):
            return [(ref.inject, f"{prefix}{ref.team + ': ' if ref.team else ''}{ref.option}")]
        case m.DecidedCondition(decided=ref):
            return [(ref.inject, f"{prefix}decided")]
        case m.DeliveredCondition(delivered=ident):
            return [(ident, f"{prefix}delivered")]
    return []


def _short(text: str, size: int) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


def _when(links: list[tuple[str, str]]) -> str:
    """The condition in one short line: each source inject once, with what it must have had."""
    grouped: dict[str, list[str]] = {}
    for source, label in links:
        grouped.setdefault(source, []).append(label)
    return "if " + "; ".join(f"{source} {' / '.join(labels)}" for source, labels in grouped.items())


def branch_map(exercise: m.Exercise) -> str:
    """The SVG text of the exercise's branch map.

    One column per move, most specific first: its situation variants, then its
    injects in time order. Contingencies, which the facilitator pulls at any
    time, run in a row under the moves so that the columns keep their width
    when the map is printed across an A4 or Letter page.
    """
    dead = dead_branches(exercise)
    columns: list[tuple[str, list[_Box]]] = []
    targets: list[tuple[str, object]] = []

    def box(key: str, x: int, y: int, label: str, detail: str, condition: object, variant: bool,
            never: bool, never_word: str) -> _Box:
        links = _links(condition) if condition is not None else []
        if condition is not None:
            targets.append((key, condition))
        return _Box(key, x, y, label + (f"  ({never_word})" if never else ""), _short(detail, 34),
                    condition is not None, variant, never, _short(_when(links), 38) if links else "")

    for ci, move in enumerate(exercise.moves):
        boxes: list[_Box] = []
        x, y = 10 + ci * COLUMN, TOP
        for vi, variant in enumerate(move.situation_variants):
            b = box(f"{move.id}#v{vi + 1}", x, y, f"{move.id} variant {vi + 1}", variant.text, variant.when,
                    True, (move.id, vi) in dead.variants, "never read")
            boxes.append(b)
            y += b.height + GAP
        for inject in move.injects:
            when = format_offset(inject.at) if inject.at is not None else "reserve"
            b = box(inject.id, x, y, f"{inject.id}  {when}", inject.title, inject.condition, False,
                    inject.id in dead.injects, "never fires")
            boxes.append(b)
            y += b.height + GAP
        columns.append((f"{move.id} · {move.title}", boxes))
    per_row = max(1, len(columns))
    bottom = max((b.y + b.height for _, boxes in columns for b in boxes), default=TOP)
    reserve: list[_Box] = []
    if exercise.contingencies:
        row_y = bottom + ROW_GAP
        for n, inject in enumerate(exercise.contingencies):
            x = 10 + (n % per_row) * COLUMN
            y = row_y + (n // per_row) * (COND_H + GAP)
            reserve.append(box(inject.id, x, y, f"{inject.id}  reserve", inject.title, inject.condition, False,
                               inject.id in dead.injects, "never fires"))
        bottom = max(b.y + b.height for b in reserve)
    where = {b.key: b for _, boxes in columns for b in boxes} | {b.key: b for b in reserve}
    width = max(20 + per_row * COLUMN - (COLUMN - BOX_W) + 30, 560)
    height = bottom + 20
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" class="branch-map" '
        f'font-family="DejaVu Sans, sans-serif" font-size="11" role="img" aria-label="Branch map of {escape(exercise.title)}">',
        "<defs>" + "".join(f'<marker id="{name}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" '
                           f'markerHeight="6" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="{colour}"/></marker>'
                           for colour, name in COLOURS.items()) + "</defs>",
        f'<text x="10" y="18" font-size="14" font-weight="bold" fill="#17365d">{escape(exercise.title)}: branch map</text>',
        '<text x="10" y="33" font-size="10" fill="#5a6270">Dashed: conditional; its last line says what makes it '
        'live, and arrows come from the injects it depends on.</text>',
        '<text x="10" y="46" font-size="10" fill="#5a6270">Red: reached by one option only. '
        'Grey: no play reaches it.</text>',
    ]
    for title, boxes in columns:
        if boxes:
            out.append(f'<text x="{boxes[0].x}" y="{TOP - 8}" font-weight="bold" fill="#17365d">'
                       f'{escape(_short(title, 34))}</text>')
    if reserve:
        out.append(f'<text x="10" y="{reserve[0].y - 8}" font-weight="bold" fill="#17365d">'
                   'Contingencies: pulled by the facilitator when play needs them</text>')
    edges = []
    for key, condition in targets:
        target = where[key]
        links = _links(condition)
        options = {label for _, label in links if not label.startswith("not ")
                   and label not in ("delivered", "decided")}
        only_one = len(links) == 1 and len(options) == 1 and not target.dead
        colour = "#9aa0a8" if target.dead else "#8b0000" if only_one else "#17365d"
        for source_id in dict.fromkeys(source for source, _ in links):
            source = where.get(source_id)
            if source is None:
                continue
            edges.append(_edge(source, target, colour))
        if only_one:
            where[key] = _Box(target.key, target.x, target.y, target.label + "  (one option)", target.detail, True,
                              target.variant, target.dead, target.condition)
    out.extend(edges)  # under the boxes: an arrow that skips a column passes behind it, not over its text
    for b in [b for _, boxes in columns for b in boxes] + reserve:
        b = where[b.key]
        dash = ' stroke-dasharray="4 3"' if b.conditional else ""
        fill = "#f2f2f2" if b.dead else "#eef1f5" if b.variant else "#ffffff"
        stroke = "#9aa0a8" if b.dead else "#8b0000" if "(one option)" in b.label else "#17365d"
        ink = ' fill="#80868f"' if b.dead else ""
        out.append(f'<rect x="{b.x}" y="{b.y}" width="{BOX_W}" height="{b.height}" rx="3" fill="{fill}" '
                   f'stroke="{stroke}"{dash}/>')
        out.append(f'<text x="{b.x + 5}" y="{b.y + 13}" font-weight="bold"{ink}>{escape(b.label)}</text>')
        out.append(f'<text x="{b.x + 5}" y="{b.y + 26}" font-size="10" fill="#5a6270">{escape(b.detail)}</text>')
        if b.condition:
            out.append(f'<text x="{b.x + 5}" y="{b.y + 39}" font-size="10" font-style="italic" fill="{stroke}">'
                       f'{escape(b.condition)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


COLOURS = {"#17365d": "arrow", "#8b0000": "arrow-one", "#9aa0a8": "arrow-dead"}
"""Arrow heads, one per line colour (an SVG 1.1 marker cannot take its line's colour)."""


def _edge(source: _Box, target: _Box, colour: str) -> str:
    """An arrow from the source box to the target: across to a column on the right, round the right
    side within a column, back from the source's left side to a box on the left."""
    y1 = source.y + source.height / 2
    y2 = target.y + target.height / 2
    if source.x == target.x:
        x1 = x2 = source.x + BOX_W
        bend = x1 + 22
        path = f"M{x1},{y1} C{bend},{y1} {bend},{y2} {x2},{y2}"
    else:
        x1, x2 = (source.x + BOX_W, target.x) if target.x > source.x else (source.x, target.x + BOX_W)
        mid = (x1 + x2) / 2
        path = f"M{x1},{y1} C{mid},{y1} {mid},{y2} {x2},{y2}"
    return (f'<path d="{path}" fill="none" stroke="{colour}" stroke-width="1" '
            f'marker-end="url(#{COLOURS[colour]})"/>')
