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

COLUMN = 300
BOX_W = 190
BOX_H = 34
GAP = 14
TOP = 56


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


def branch_map(exercise: m.Exercise) -> str:
    """The SVG text of the exercise's branch map."""
    columns: list[tuple[str, list[_Box]]] = []
    targets: list[tuple[str, object]] = []
    dead = dead_branches(exercise)
    for ci, move in enumerate([*exercise.moves, None]):
        boxes: list[_Box] = []
        x = 10 + ci * COLUMN
        y = TOP
        if move is None:
            if not exercise.contingencies:
                continue
            title, injects = "Contingencies", list(exercise.contingencies)
        else:
            title, injects = f"{move.id} · {move.title}", list(move.injects)
            for vi, variant in enumerate(move.situation_variants):
                key = f"{move.id}#v{vi + 1}"
                never = (move.id, vi) in dead.variants
                boxes.append(_Box(key, x, y, f"{move.id} variant {vi + 1}" + ("  (never read)" if never else ""),
                                  _short(variant.text, 30), True, True, never))
                targets.append((key, variant.when))
                y += BOX_H + GAP
        for inject in injects:
            when = format_offset(inject.at) if inject.at is not None else "reserve"
            never = inject.id in dead.injects
            boxes.append(_Box(inject.id, x, y, f"{inject.id}  {when}" + ("  (never fires)" if never else ""),
                              _short(inject.title, 30), inject.condition is not None, dead=never))
            if inject.condition is not None:
                targets.append((inject.id, inject.condition))
            y += BOX_H + GAP
        columns.append((title, boxes))
    where = {b.key: b for _, boxes in columns for b in boxes}
    width = 20 + len(columns) * COLUMN
    height = TOP + max((len(boxes) for _, boxes in columns), default=0) * (BOX_H + GAP) + 40
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'font-family="DejaVu Sans, sans-serif" font-size="10" role="img" aria-label="Branch map of {escape(exercise.title)}">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" '
        'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#17365d"/></marker></defs>',
        f'<text x="10" y="18" font-size="13" font-weight="bold" fill="#17365d">{escape(exercise.title)}: branch map</text>',
        '<text x="10" y="34" fill="#5a6270">Dashed: conditional. Arrows: what makes it live. '
        'Red: reached by one option only. Grey: no play reaches it.</text>',
    ]
    for title, boxes in columns:
        if boxes:
            out.append(f'<text x="{boxes[0].x}" y="{TOP - 6}" font-weight="bold" fill="#17365d">'
                       f'{escape(_short(title, 36))}</text>')
    edges = []
    for key, condition in targets:
        target = where[key]
        links = _links(condition)
        options = {label for _, label in links if not label.startswith("not ")
                   and label not in ("delivered", "decided")}
        only_one = len(links) == 1 and len(options) == 1 and not target.dead
        for source_id, label in links:
            source = where.get(source_id)
            if source is None:
                continue
            x1, y1 = source.x + BOX_W, source.y + BOX_H / 2
            x2, y2 = target.x, target.y + BOX_H / 2
            if source.x == target.x:
                x1, x2 = source.x + BOX_W, target.x + BOX_W
                bend = x1 + 30
                path = f"M{x1},{y1} C{bend},{y1} {bend},{y2} {x2},{y2}"
                lx, ly, anchor = x2 + 4, y2 + 11, "start"
            else:
                mid = (x1 + x2) / 2
                path = f"M{x1},{y1} C{mid},{y1} {mid},{y2} {x2},{y2}"
                lx, ly, anchor = x2 - 4, y2 - 4, "end"
            colour = "#9aa0a8" if target.dead else "#8b0000" if only_one else "#17365d"
            edges.append(f'<path d="{path}" fill="none" stroke="{colour}" stroke-width="1" marker-end="url(#arrow)"/>')
            edges.append(f'<text x="{lx:.0f}" y="{ly:.0f}" font-size="8" fill="{colour}" text-anchor="{anchor}">'
                         f'{escape(_short(label, 28))}</text>')
        if only_one:
            where[key] = _Box(target.key, target.x, target.y, target.label + "  (one option)", target.detail, True,
                              target.variant, target.dead)
    for _, boxes in columns:
        for b in boxes:
            box = where[b.key]
            dash = ' stroke-dasharray="4 3"' if box.conditional else ""
            fill = "#f2f2f2" if box.dead else "#eef1f5" if box.variant else "#ffffff"
            stroke = "#9aa0a8" if box.dead else "#8b0000" if "(one option)" in box.label else "#17365d"
            ink = ' fill="#80868f"' if box.dead else ""
            out.append(f'<rect x="{box.x}" y="{box.y}" width="{BOX_W}" height="{BOX_H}" rx="3" fill="{fill}" '
                       f'stroke="{stroke}"{dash}/>')
            out.append(f'<text x="{box.x + 5}" y="{box.y + 13}" font-weight="bold"{ink}>{escape(box.label)}</text>')
            out.append(f'<text x="{box.x + 5}" y="{box.y + 27}" fill="#5a6270">{escape(box.detail)}</text>')
    out.extend(edges)
    out.append("</svg>")
    return "\n".join(out) + "\n"
