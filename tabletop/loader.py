"""YAML text to an :class:`~tabletop.model.Exercise`, with errors a planner can act on.

Every mistake, whether YAML syntax, a wrong field, a wrong type or a broken
cross-reference, becomes a :class:`Diagnostic` pointing at the offending node
as ``FILE:LINE:COL: message``. They are gathered and raised together in one
:class:`ExerciseError`, sorted by position, so a planner fixes the whole file
in one pass instead of one error per run.
"""

from __future__ import annotations

import bisect
import difflib
import hashlib
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from tabletop import model as m

MAX_BYTES = 64 * 1024 * 1024
"""Larger files are refused before parsing: no real exercise comes near this."""

MAX_DEPTH = 64
"""Deeper nesting than this is a mistake or an attack, never a scenario."""

MAX_EXPANDED_NODES = 2_000_000
"""Aliases may not expand the document beyond this many nodes (billion laughs)."""

MAX_SCHEMA_ERRORS = 100
"""Schema errors listed one by one; a file with more is not an exercise yet (and each costs a search)."""

MAX_NODES = 1_000_000
"""Nodes as written (about 26,000 injects); each costs some 500 bytes once composed."""

Path_ = tuple[str | int, ...]


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem in a scenario file, at a 1-based line and column."""

    line: int
    column: int
    message: str
    file: str = ""
    severity: str = "error"

    def format(self) -> str:
        """The `FILE:LINE:COL: message` line printed to the planner."""
        prefix = "" if self.severity == "error" else f"{self.severity}: "
        return f"{self.file}:{self.line}:{self.column}: {prefix}{self.message}"

    def __str__(self) -> str:
        return self.format()


class ExerciseError(Exception):
    """A scenario file that cannot be loaded; carries every diagnostic found."""

    def __init__(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.diagnostics = sorted(set(diagnostics), key=lambda d: (d.file, d.line, d.column, d.message))
        super().__init__("\n".join(d.format() for d in self.diagnostics))


@dataclass(frozen=True)
class LoadedExercise:
    """An exercise with the text it came from, kept so positions can be found again."""

    exercise: m.Exercise
    text: str
    filename: str
    root: yaml.Node

    @property
    def sha256(self) -> str:
        """Hash of the exact text, stored with every session started from it."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    def position(self, path: Path_) -> tuple[int, int]:
        """1-based line and column of the node at `path` (or its nearest parent)."""
        node = node_at(self.root, path)
        return node.start_mark.line + 1, node.start_mark.column + 1

    def diagnostic(self, path: Path_, message: str, severity: str = "error") -> Diagnostic:
        """A diagnostic pointing at the node at `path`."""
        line, column = self.position(path)
        return Diagnostic(line, column, message, self.filename, severity)


class _Loader(yaml.CSafeLoader):
    """libyaml's safe loader that reports duplicate keys instead of keeping the last."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicates: list[yaml.Node] = []

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            if isinstance(key_node, yaml.ScalarNode):
                if key_node.value in seen:
                    self.duplicates.append(key_node)
                seen.add(key_node.value)
        return super().construct_mapping(node, deep=deep)


def node_at(root: yaml.Node, path: Path_) -> yaml.Node:
    """The deepest node reachable along `path`; parts that are not keys are skipped.

    Discriminated unions put their tag in a pydantic `loc`, and a missing field
    names a key that is not there: both fall back to the parent, which is where
    a planner must look.
    """
    node = root
    for part in path:
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if isinstance(key_node, yaml.ScalarNode) and key_node.value == str(part):
                    node = value_node
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if 0 <= part < len(node.value):
                node = node.value[part]
    return node


def key_node_at(root: yaml.Node, path: Path_) -> yaml.Node | None:
    """The key node of the last part of `path`, for errors about the key itself."""
    if not path:
        return None
    parent = node_at(root, path[:-1])
    if isinstance(parent, yaml.MappingNode):
        for key_node, _ in parent.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == str(path[-1]):
                return key_node
    return None


def _walk(root: yaml.Node) -> Iterator[tuple[yaml.Node, int]]:
    """Every node with its depth, iteratively (deep files must not blow the stack)."""
    stack: list[tuple[yaml.Node, int]] = [(root, 1)]
    seen: set[int] = set()
    while stack:
        node, depth = stack.pop()
        yield node, depth
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                stack.append((k, depth + 1))
                stack.append((v, depth + 1))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((v, depth + 1) for v in node.value)


def _scan(text: str, filename: str) -> None:
    """Refuse too deep, too large or alias-bombed documents from libyaml's flat event stream.

    libyaml's composer recurses in C: a few hundred kilobytes of `[` or `- `
    overflow the C stack and kill the process, so depth is checked here before
    any node is built. Counting nodes as written, and as expanded through
    aliases (billion laughs), refuses documents far larger than any exercise
    before they take memory. Syntax errors propagate as YAMLError.
    """
    scanner = yaml.CSafeLoader(text)
    open_: list[list[Any]] = []  # per open collection: [expanded count at its start, tallest child, anchor]
    anchored: dict[str, tuple[int, int]] = {}  # anchor: (expanded size, height)
    written = expanded = 0
    try:
        while True:
            event = scanner.get_event()
            kind = type(event)
            if kind is yaml.ScalarEvent or kind is yaml.AliasEvent:
                if kind is yaml.AliasEvent:
                    size, height = anchored.get(event.anchor, (1, 1))
                else:
                    size = height = 1
                    if event.anchor is not None:
                        anchored[event.anchor] = (1, 1)
                if open_ and open_[-1][1] < height:
                    open_[-1][1] = height
                depth = len(open_) + height
            elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                size = 1
                open_.append([expanded, 0, event.anchor])
                depth = len(open_)
            elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                start, tallest, anchor = open_.pop()
                if anchor is not None:
                    anchored[anchor] = (expanded - start, tallest + 1)
                if open_ and open_[-1][1] < tallest + 1:
                    open_[-1][1] = tallest + 1
                continue
            elif event is None or kind is yaml.StreamEndEvent:
                return
            else:
                continue
            written += 1
            expanded += size
            mark = event.start_mark
            if depth > MAX_DEPTH:
                message = f"nested more than {MAX_DEPTH} levels deep"
            elif written > MAX_NODES:
                message = f"more than {MAX_NODES:,} values; no exercise is this large, refusing to load it"
            elif expanded > MAX_EXPANDED_NODES:
                message = (f"aliases expand this document to more than {MAX_EXPANDED_NODES:,} nodes; "
                           "refusing to load it")
            else:
                continue
            raise ExerciseError([Diagnostic(mark.line + 1, mark.column + 1, message, filename)])
    finally:
        scanner.dispose()


def _unconstructible_scalars(root: yaml.Node) -> list[yaml.Node]:
    """Scalars whose explicit tag (`!!int`, `!!timestamp`...) does not fit their text.

    PyYAML's constructors raise bare ValueErrors for these, without a position.
    """
    found = []
    for node, _ in _walk(root):
        if isinstance(node, yaml.ScalarNode):
            try:
                yaml.constructor.SafeConstructor().construct_object(node)
            except (ValueError, TypeError, AttributeError, OverflowError, IndexError, KeyError, yaml.YAMLError):
                found.append(node)
    return found


def _syntax_message(error: yaml.MarkedYAMLError) -> str:
    problem = error.problem or "invalid YAML"
    if "tab" in problem or "\\t" in problem:
        return "tab character here: YAML indents with spaces, never tabs"
    text = problem
    if error.context:
        text = f"{problem} ({error.context}"
        if error.context_mark is not None:
            text += f" at line {error.context_mark.line + 1}, column {error.context_mark.column + 1}"
        text += ")"
    return text


_INDENT_TAB = re.compile(r"^([ ]*)\t[ \t]*(?=[^\s#])", re.MULTILINE)
"""A line whose indentation holds a tab before its content."""

TAB_MESSAGE = "tab character here, in the indentation: YAML indents with spaces, never tabs"
"""What every tab in the indentation is reported as."""


def _indentation_tabs(text: str, filename: str) -> list[Diagnostic]:
    """Every line indented with a tab, at the tab. PyYAML stops at the first and often names it
    badly ("found character that cannot start any token"); a planner who pasted from a word
    processor has many, and fixes them all at once."""
    found = []
    line, counted = 1, 0
    for match in _INDENT_TAB.finditer(text):
        line += text.count("\n", counted, match.start())
        counted = match.start()
        found.append(Diagnostic(line, len(match[1]) + 1, TAB_MESSAGE, filename))
    return found


def decode(data: bytes, filename: str) -> str:
    """Bytes of a scenario file to text, or an ExerciseError saying what the bytes are."""
    if len(data) > MAX_BYTES:
        raise ExerciseError(
            [Diagnostic(1, 1, f"file is {len(data) // (1024 * 1024)} MiB; an exercise may be at most "
                        f"{MAX_BYTES // (1024 * 1024)} MiB", filename)]
        )
    if b"\x00" in data[:8192]:
        raise ExerciseError([Diagnostic(1, 1, "binary file, not a YAML exercise", filename)])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        before = data[: error.start]
        line = before.count(b"\n") + 1
        column = len(before) - (before.rfind(b"\n") + 1) + 1
        raise ExerciseError(
            [Diagnostic(line, column, f"not valid UTF-8 (byte 0x{data[error.start]:02x}); "
                        "save the file as UTF-8", filename)]
        ) from None
    return text


_CONTENT_LINE = re.compile(r"^[^\S\n]*[^\s#]", re.MULTILINE)
"""A line with something other than blanks and a comment (no list of lines: files may be huge)."""


def parse(text: str, filename: str) -> tuple[yaml.Node, Any]:
    """YAML text to (node tree, plain data); syntax, tag and size problems as diagnostics."""
    if _CONTENT_LINE.search(text) is None:
        raise ExerciseError([Diagnostic(1, 1, "file is empty: an exercise needs at least "
                                        "id, title, teams and moves", filename)])
    loader = _Loader(text)
    try:
        try:
            _scan(text, filename)
            root = loader.get_single_node()
        except yaml.MarkedYAMLError as error:
            tabs = _indentation_tabs(text, filename)
            if tabs:
                raise ExerciseError(tabs) from None
            mark = error.problem_mark or error.context_mark
            line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
            raise ExerciseError([Diagnostic(line, column, _syntax_message(error), filename)]) from None
        except yaml.reader.ReaderError as error:
            before = text[: max(0, error.position)]
            line, column = before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1
            char = error.character if isinstance(error.character, int) else ord(str(error.character)[:1] or " ")
            raise ExerciseError([Diagnostic(line, column, f"character U+{char:04X} is not allowed in YAML "
                                            "(control characters other than tab and newline)", filename)]) from None
        except yaml.YAMLError as error:
            message = " ".join(str(error).split())
            raise ExerciseError([Diagnostic(1, 1, f"invalid YAML: {message}", filename)]) from None
        if root is None:
            raise ExerciseError([Diagnostic(1, 1, "file is empty", filename)])
        problems: list[Diagnostic] = []
        try:
            data = loader.construct_document(root)
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
            message = error.problem or "cannot construct this value"
            if "could not determine a constructor" in message:
                tag = message.split("tag", 1)[-1].strip().strip("'")
                message = f"tag {tag} is not allowed: exercises hold plain data only"
            raise ExerciseError([Diagnostic(line, column, message, filename)]) from None
        except (ValueError, TypeError, AttributeError, OverflowError, IndexError, KeyError):
            nodes = _unconstructible_scalars(root) or [root]
            raise ExerciseError([Diagnostic(node.start_mark.line + 1, node.start_mark.column + 1,
                                            f"{node.tag.rsplit(':', 1)[-1]} value {str(node.value)[:40]!r} "
                                            "cannot be read as its tag says", filename)
                                 for node in nodes]) from None
        for key_node in loader.duplicates:
            mark = key_node.start_mark
            problems.append(Diagnostic(mark.line + 1, mark.column + 1,
                                       f"duplicate key {key_node.value!r}: each key may appear once "
                                       "in a mapping", filename))
        if problems:
            raise ExerciseError(problems)
        return root, data
    finally:
        loader.dispose()


def _all_field_names() -> set[str]:
    names: set[str] = set()
    for obj in vars(m).values():
        if isinstance(obj, type) and issubclass(obj, BaseModel) and obj is not BaseModel:
            for name, info in obj.model_fields.items():
                names.add(info.alias or name)
    return names


_FIELD_NAMES = _all_field_names()


def _schema_message(error: dict[str, Any]) -> str:
    kind = error["type"]
    loc = error["loc"]
    field = next((str(p) for p in reversed(loc) if isinstance(p, str) and not p.startswith(("list[", "literal["))), "")
    if kind == "missing":
        return f"missing required field {field!r}"
    if kind == "extra_forbidden":
        guess = difflib.get_close_matches(field, _FIELD_NAMES, n=1, cutoff=0.7)
        hint = f"; did you mean {guess[0]!r}?" if guess else ""
        return f"unknown field {field!r}{hint}"
    if kind == "condition":
        return error["msg"]
    if kind in ("list_type", "literal_error") and field == "to":
        return "to: expected a list of team ids, or 'all'"
    if kind == "string_pattern_mismatch" and error.get("ctx", {}).get("pattern") == m.ID_PATTERN:
        return (f"{error['input']!r} is not a valid id: start with a letter or digit, "
                "then letters, digits, '-', '_' or '.'")
    message = error["msg"]
    if message.startswith("Value error, "):
        message = message[len("Value error, "):]
    return f"{field}: {message}" if field else message


def schema_diagnostics(error: ValidationError, root: yaml.Node, filename: str) -> list[Diagnostic]:
    """Pydantic errors pointed at their YAML nodes; alternatives of one union merged."""
    grouped: dict[tuple[int, int], list[str]] = {}
    items = error.errors(include_url=False)
    unlisted = items[MAX_SCHEMA_ERRORS:]
    items = items[:MAX_SCHEMA_ERRORS]
    # A misspelt key also makes its field "missing"; the typo line alone says it all.
    misspelt = {
        (tuple(item["loc"][:-1]), guess)
        for item in items if item["type"] == "extra_forbidden"
        for guess in difflib.get_close_matches(str(item["loc"][-1]), _FIELD_NAMES, n=1, cutoff=0.7)
    }
    def plain(loc: tuple[Any, ...]) -> tuple[Any, ...]:
        return tuple(p for p in loc if not (isinstance(p, str) and "[" in p))

    # When one alternative of a union failed deeper inside the value (a bad id in
    # a list), the others' "wrong kind of value" at the union itself is noise.
    deep = [plain(item["loc"]) for item in items]
    for item in items:
        if item["type"] == "missing" and (tuple(item["loc"][:-1]), str(item["loc"][-1])) in misspelt:
            continue
        loc = plain(item["loc"])
        if item["type"] in ("literal_error", "list_type", "string_type") and any(
            len(other) > len(loc) and other[: len(loc)] == loc for other in deep
        ):
            continue
        node: yaml.Node | None = None
        if item["type"] == "extra_forbidden":
            node = key_node_at(root, loc)
        if node is None:
            node = node_at(root, loc)
        position = (node.start_mark.line + 1, node.start_mark.column + 1)
        message = _schema_message(item)
        bucket = grouped.setdefault(position, [])
        if message not in bucket:
            bucket.append(message)
    out = []
    for (line, column), messages in grouped.items():
        field = messages[0].split(": ", 1)[0] + ": " if ": " in messages[0] else ""
        if field and all(msg.startswith(field) for msg in messages):
            text = field + ", or ".join(msg[len(field):] for msg in messages)
        else:
            text = "; ".join(messages)
        out.append(Diagnostic(line, column, text, filename))
    if unlisted:
        loc = tuple(p for p in unlisted[0]["loc"] if not (isinstance(p, str) and "[" in p))
        node = key_node_at(root, loc) or node_at(root, loc)
        out.append(Diagnostic(node.start_mark.line + 1, node.start_mark.column + 1,
                              f"{len(unlisted):,} more problems from here on, not listed; fix those above first",
                              filename))
    return out


_NEUTRAL: dict[str, Any] = {
    "channel": "news",
    "posture": "joint",
    "kind": "player",
    "to": [],
    "duration": 0,
    "start": "2000-01-01T00:00:00+00:00",
    "timezone": "UTC",
    "setting": {"start": "2000-01-01T00:00:00+00:00", "timezone": "UTC"},
}
"""Stand-ins for required values that failed validation, so references can still be checked."""


_PLACEHOLDER = "invalid-value"
"""Stands in for an id that failed validation; reference errors naming it are not reported."""


def _repair(data: dict[str, Any], error: ValidationError,
            rounds: int = 6) -> tuple[m.Exercise, frozenset[Path_]] | None:
    """A copy of the data with each invalid value removed or neutralised, validated.

    Schema errors and reference errors are reported together: a planner with a
    typo in a field name and a wrong team id sees both lines in one run. When
    the file is too broken to repair, only the schema errors are reported.
    Returns the repaired exercise and the paths of the values it replaced.
    """
    import copy

    repaired = copy.deepcopy(data)
    touched: set[Path_] = set()
    for _ in range(rounds):
        for item in error.errors(include_url=False):
            loc = [p for p in item["loc"] if not (isinstance(p, str) and "[" in p)]
            if "condition" in loc:
                loc = loc[: loc.index("condition") + 1]
                item = {**item, "type": "condition"}
            if not loc:
                return None
            parent: Any = repaired
            for part in loc[:-1]:
                if isinstance(parent, list) and isinstance(part, str):
                    continue
                try:
                    parent = parent[part]
                except (KeyError, IndexError, TypeError):
                    parent = None
                    break
            last = loc[-1]
            touched.add(tuple(loc))
            if isinstance(parent, dict):
                if item["type"] == "missing" or (last in parent and isinstance(last, str)
                                                 and last in _NEUTRAL):
                    parent[last] = copy.deepcopy(_NEUTRAL.get(str(last), f"{_PLACEHOLDER}-{len(str(last))}"))
                else:
                    parent.pop(last, None)
            elif isinstance(parent, list) and isinstance(last, int) and last < len(parent):
                parent[last] = f"{_PLACEHOLDER}-{last}"
        try:
            return m.Exercise.model_validate(repaired), frozenset(touched)
        except ValidationError as again:
            error = again
    return None


def check_references(loaded_root: yaml.Node, exercise: m.Exercise, filename: str,
                     repaired: frozenset[Path_] = frozenset()) -> list[Diagnostic]:
    """Cross-reference errors: ids that name nothing, duplicates, impossible conditions, order."""
    problems: list[Diagnostic] = []

    def at(path: Path_, message: str, key: bool = False) -> None:
        node = (key_node_at(loaded_root, path) if key else None) or node_at(loaded_root, path)
        problems.append(Diagnostic(node.start_mark.line + 1, node.start_mark.column + 1, message, filename))

    def duplicates(items: list[tuple[Path_, str]], what: str) -> None:
        counts = Counter(ident for _, ident in items)
        first: dict[str, Path_] = {}
        for path, ident in items:
            if counts[ident] > 1:
                if ident in first:
                    line, col = (node_at(loaded_root, first[ident]).start_mark.line + 1,
                                 node_at(loaded_root, first[ident]).start_mark.column + 1)
                    at(path, f"duplicate {what} id {ident!r} (first defined at line {line}, column {col})")
                else:
                    first[ident] = path

    team_ids = {t.id for t in exercise.teams}
    objective_ids = {o.id for o in exercise.objectives}

    duplicates([(("teams", i, "id"), t.id) for i, t in enumerate(exercise.teams)], "team")
    duplicates([(("objectives", i, "id"), o.id) for i, o in enumerate(exercise.objectives)], "objective")
    duplicates([(("moves", i, "id"), mv.id) for i, mv in enumerate(exercise.moves)], "move")

    located: list[tuple[Path_, m.Inject]] = []
    for mi, move in enumerate(exercise.moves):
        for ii, inject in enumerate(move.injects):
            located.append((("moves", mi, "injects", ii), inject))
    for ci, inject in enumerate(exercise.contingencies):
        located.append((("contingencies", ci), inject))
    duplicates([(path + ("id",), inj.id) for path, inj in located], "inject")
    injects = {inj.id: inj for _, inj in located}

    def known_team(path: Path_, team: str, key: bool = False) -> None:
        if team not in team_ids:
            guess = difflib.get_close_matches(team, sorted(team_ids), n=1)
            hint = f"; did you mean {guess[0]!r}?" if guess else f"; teams are: {', '.join(sorted(team_ids))}"
            at(path, f"unknown team {team!r}{hint}", key=key)

    previous_start = -1
    for mi, move in enumerate(exercise.moves):
        for key in move.questions:
            if key != m.ALL:
                known_team(("moves", mi, "questions", key), key, key=True)
        if move.starts_at is not None:
            if move.starts_at < previous_start:
                at(("moves", mi, "starts_at"), f"move {move.id!r} starts before the move ahead of it")
            previous_start = move.starts_at
        timed: list[tuple[int, m.Inject]] = []
        for ii, inject in enumerate(move.injects):
            path = ("moves", mi, "injects", ii)
            if inject.at is None:
                if path + ("at",) in repaired:
                    continue
                at(path, f"inject {inject.id!r} has no scenario time: scheduled injects need 'at'")
                continue
            if move.starts_at is not None and inject.at < move.starts_at:
                at(path + ("at",), f"inject {inject.id!r} at {m.format_offset(inject.at)} is out of order: "
                   f"it comes before the move's start ({m.format_offset(move.starts_at)})")
                continue
            timed.append((ii, inject))
        in_order = _longest_in_order([inject.at or 0 for _, inject in timed])
        for position, (ii, inject) in enumerate(timed):
            if position in in_order:
                continue
            before = [timed[k][1] for k in in_order if k < position]
            after = [timed[k][1] for k in in_order if k > position]
            if before and (inject.at or 0) < (before[-1].at or 0):
                other, relation = before[-1], "before"
            else:
                other, relation = after[0], "after"
            at(("moves", mi, "injects", ii, "at"),
               f"inject {inject.id!r} at {m.format_offset(inject.at or 0)} is out of order: "
               f"it comes {relation} inject {other.id!r} ({m.format_offset(other.at or 0)})")

    for path, inject in located:
        if inject.to != m.ALL:
            for ti, team in enumerate(inject.to):
                known_team(path + ("to", ti), team)
        for team in inject.expected:
            known_team(path + ("expected", team), team, key=True)
        for oi, objective in enumerate(inject.objectives):
            if objective not in objective_ids:
                guess = difflib.get_close_matches(objective, sorted(objective_ids), n=1)
                hint = f"; did you mean {guess[0]!r}?" if guess else ""
                at(path + ("objectives", oi), f"unknown objective {objective!r}{hint}")
        if inject.decision is not None:
            duplicates([(path + ("decision", "options", oi, "id"), o.id)
                        for oi, o in enumerate(inject.decision.options)], "option")
            for ti, team in enumerate(inject.decision.teams or []):
                known_team(path + ("decision", "teams", ti), team)
        if inject.condition is not None:
            _check_condition(inject.condition, path + ("condition",), inject, injects, exercise, at, known_team)
    _check_documents(exercise, injects, at, known_team)
    return problems


def _check_documents(exercise: m.Exercise, injects: dict[str, m.Inject], at: Any,
                     known_team: Any) -> None:
    """The workshop fields: agenda slots name real moves, variants ask only about the past.

    A situation variant is chosen when its move opens, so its condition may only
    look at injects of earlier moves or contingencies; anything later can never
    have happened yet, and the variant would silently never be read.
    """
    move_ids = [mv.id for mv in exercise.moves]
    if exercise.agenda is not None:
        for ai, item in enumerate(exercise.agenda.items):
            path = ("agenda", "items", ai)
            if item.kind == m.AgendaKind.move:
                if item.move is None:
                    at(path, f"agenda item {item.title!r} is a move slot: name its move with 'move'")
                elif item.move not in move_ids:
                    guess = difflib.get_close_matches(item.move, move_ids, n=1)
                    hint = f"; did you mean {guess[0]!r}?" if guess else f"; moves are: {', '.join(move_ids)}"
                    at(path + ("move",), f"unknown move {item.move!r}{hint}")
            elif item.move is not None:
                at(path + ("move",), f"agenda item {item.title!r} is a {item.kind.value} slot, "
                   "so it cannot name a move (use kind: move)")
    for mi, move in enumerate(exercise.moves):
        earlier = {i.id for mv in exercise.moves[:mi] for i in mv.injects} | {c.id for c in exercise.contingencies}
        for vi, variant in enumerate(move.situation_variants):
            path = ("moves", mi, "situation_variants", vi, "when")
            owner = _VariantOwner(f"{move.id} situation variant {vi + 1}")
            _check_condition(variant.when, path, owner, injects, exercise, at, known_team)
            for cpath, ident in _condition_injects(variant.when, path):
                if ident in injects and ident not in earlier:
                    at(cpath, f"situation variant of move {move.id!r} asks about inject {ident!r}, "
                       "which is not played before the move opens, so it can never apply")


@dataclass(frozen=True)
class _VariantOwner:
    """Stands in for the inject owning a condition when a situation variant owns it."""

    id: str


def _condition_injects(condition: Any, path: Path_) -> Iterator[tuple[Path_, str]]:
    """Every inject id a condition names, with the path of the id."""
    match condition:
        case m.AllCondition(all=items) | m.AnyCondition(any=items):
            key = "all" if isinstance(condition, m.AllCondition) else "any"
            for i, item in enumerate(items):
                yield from _condition_injects(item, path + (key, i))
        case m.NotCondition(not_=inner):
            yield from _condition_injects(inner, path + ("not",))
        case m.DeliveredCondition(delivered=ident):
            yield path + ("delivered",), ident
        case m.ChoseCondition(chose=ref):
            yield path + ("chose", "inject"), ref.inject
        case m.DecidedCondition(decided=ref):
            yield path + ("decided", "inject"), ref.inject


def _run_lengths(times: list[int]) -> list[int]:
    """For each position, the length of the longest run of times that never goes back and ends
    there (patience sorting: n log n, for moves of thousands of injects)."""
    tails: list[int] = []  # per run length, the smallest last time seen
    lengths = []
    for time in times:
        k = bisect.bisect_right(tails, time)
        if k == len(tails):
            tails.append(time)
        else:
            tails[k] = time
        lengths.append(k + 1)
    return lengths


def _longest_in_order(times: list[int]) -> set[int]:
    """Positions of the longest run of injects (not necessarily adjacent) whose times never go
    back. The injects outside it are the ones that moved: one inject moved later is reported
    itself, not the correct injects that follow it. Where several runs are as long (two injects
    swapped), the one that keeps the injects nearest the top of the file wins, so the later one
    is reported."""
    from_here = _run_lengths([-t for t in reversed(times)])[::-1]  # longest run starting at each
    total = max(from_here, default=0)
    kept: set[int] = set()
    last: int | None = None
    for position, time in enumerate(times):
        if from_here[position] == total - len(kept) and (last is None or time >= last):
            kept.add(position)
            last = time
    return kept


def _check_condition(condition: Any, path: Path_, owner: m.Inject | _VariantOwner, injects: dict[str, m.Inject],
                     exercise: m.Exercise, at: Any, known_team: Any) -> None:
    """Every id a condition names must exist, and each atom must be satisfiable."""
    match condition:
        case m.AllCondition(all=items) | m.AnyCondition(any=items):
            key = "all" if isinstance(condition, m.AllCondition) else "any"
            for i, item in enumerate(items):
                _check_condition(item, path + (key, i), owner, injects, exercise, at, known_team)
        case m.NotCondition(not_=inner):
            _check_condition(inner, path + ("not",), owner, injects, exercise, at, known_team)
        case m.DeliveredCondition(delivered=ident):
            if ident not in injects:
                at(path + ("delivered",), f"unknown inject {ident!r}")
            elif ident == owner.id:
                at(path + ("delivered",), f"inject {ident!r} cannot depend on its own delivery")
        case m.ChoseCondition(chose=ref) | m.DecidedCondition(decided=ref):
            key = "chose" if isinstance(condition, m.ChoseCondition) else "decided"
            target = injects.get(ref.inject)
            if target is None:
                at(path + (key, "inject"), f"unknown inject {ref.inject!r}")
                return
            if target.decision is None:
                at(path + (key, "inject"), f"inject {ref.inject!r} asks for no decision, so this can never be satisfied")
                return
            if ref.team is not None:
                if exercise.team(ref.team) is None:
                    known_team(path + (key, "team"), ref.team)
                elif ref.team not in exercise.deciders(target):
                    at(path + (key, "team"), f"team {ref.team!r} is not asked to decide on {ref.inject!r}, "
                       "so this can never be satisfied")
            option = getattr(ref, "option", None)
            if option is not None and target.decision.option(option) is None:
                offered = ", ".join(o.id for o in target.decision.options)
                at(path + (key, "option"), f"the decision on {ref.inject!r} offers no option {option!r} "
                   f"(it offers: {offered}), so this can never be satisfied")


def load_exercise_text(text: str, filename: str = "<exercise>", *, files: bool = True) -> m.Exercise:
    """Load and fully check an exercise from YAML text; raises ExerciseError. `files` False skips
    the attachment files beside it (a session's copy keeps their bytes, checked when it was made)."""
    return load_text(text, filename, files=files).exercise


TAB_STOPS = (2, 4, 8)
"""Tab widths tried when reading past tabs: the widths editors use."""

_KEY_COLUMN = re.compile(r"^((?:[ ]*-[ ]+)*[ ]*)\S")
"""The indentation of a line's first key, list dashes counted as indentation."""


def _like_the_line_above(rows: list[str], number: int, indent: str) -> str:
    """The indentation a tabbed line most likely meant: its key under the key of the line above,
    or one step in when that line opens a block (ends with a colon)."""
    for above in reversed(rows[: number - 1]):
        content = above.split(" #", 1)[0].rstrip()
        if not content.strip() or content.lstrip().startswith("#"):
            continue
        match = _KEY_COLUMN.match(content)
        column = len(match.group(1)) if match else 0
        return " " * (column + 2 if content.endswith(":") else column)
    return ""


def _untabbed(text: str, width: int | None) -> tuple[str, dict[int, int]]:
    """The text with each indentation tab expanded to the next tab stop of `width` (or, with no
    width, the indentation lined up with the line above), and for each changed line (1-based)
    how many columns its indentation grew."""
    grown: dict[int, int] = {}
    rows = text.split("\n")
    for number, row in enumerate(rows, 1):
        match = _INDENT_TAB.match(row)
        if match is None:
            continue
        indent = match.group(0)
        expanded = indent.expandtabs(width) if width else _like_the_line_above(rows, number, indent)
        rows[number - 1] = expanded + row[len(indent):]
        grown[number] = len(expanded) - len(indent)
    return "\n".join(rows), grown


def _past_tabs(text: str, filename: str, tabs: list[Diagnostic]) -> list[Diagnostic]:
    """The tabs, and every other problem of the file read with its tabs as spaces: a planner who
    pasted from a word processor fixes everything in one pass. Of the readings of the tabs (lined
    up with the line above, or at tab stops of 2, 4 or 8) with which the file parses, the one
    that leaves the fewest problems is taken; if none parses, only the tabs can be reported."""
    best: list[Diagnostic] | None = None
    for width in (None, *TAB_STOPS):
        repaired, grown = _untabbed(text, width)
        try:
            parse(repaired, filename)
        except ExerciseError:
            continue  # not YAML at this width either
        try:
            load_text(repaired, filename)
            found: list[Diagnostic] = []
        except ExerciseError as error:
            found = list(error.diagnostics)
        found = [Diagnostic(d.line, max(1, d.column - grown.get(d.line, 0)), d.message, d.file, d.severity)
                 for d in found]
        if best is None or len(found) < len(best):
            best = found
    return tabs + (best or [])


def load_text(text: str, filename: str = "<exercise>", *, files: bool = True) -> LoadedExercise:
    """Like load_exercise_text, keeping the text and node tree for positions."""
    try:
        root, data = parse(text, filename)
    except ExerciseError as error:
        tabs = [d for d in error.diagnostics if d.message == TAB_MESSAGE]
        if tabs and len(tabs) == len(error.diagnostics):
            raise ExerciseError(_past_tabs(text, filename, tabs)) from None
        raise
    if not isinstance(data, dict):
        kind = type(data).__name__ if data is not None else "nothing"
        raise ExerciseError([Diagnostic(root.start_mark.line + 1, root.start_mark.column + 1,
                                        f"an exercise is a mapping of fields (id, title, teams, moves...), "
                                        f"not a {kind}", filename)])
    try:
        exercise = m.Exercise.model_validate(data)
    except ValidationError as error:
        problems = schema_diagnostics(error, root, filename)
        repair = _repair(data, error) if error.error_count() <= MAX_SCHEMA_ERRORS else None
        if repair is not None:
            reported = {(d.line, d.column) for d in problems}
            problems += [d for d in check_references(root, *repair[:1], filename, repair[1])
                         if (d.line, d.column) not in reported and _PLACEHOLDER not in d.message]
        raise ExerciseError(problems) from None
    problems = check_references(root, exercise, filename)
    if not problems and files:
        from tabletop.attachments import check_attachments

        problems = check_attachments(root, exercise, filename)  # type: ignore[assignment]
    if problems:
        raise ExerciseError(problems)
    return LoadedExercise(exercise, text, filename, root)


def read_text(path: Path | str) -> str:
    """A scenario file's text, with unreadable files reported like any other error."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ExerciseError([Diagnostic(1, 1, "no such file", str(path))]) from None
    except IsADirectoryError:
        raise ExerciseError([Diagnostic(1, 1, "is a folder, not an exercise file", str(path))]) from None
    except OSError as error:
        raise ExerciseError([Diagnostic(1, 1, f"cannot read: {error.strerror}", str(path))]) from None
    return decode(data, str(path))


def load(path: Path | str) -> LoadedExercise:
    """Load and check the exercise file at `path`, keeping text and positions."""
    return load_text(read_text(path), str(path))


def load_exercise(path: Path | str) -> m.Exercise:
    """Load and fully check the exercise file at `path`; raises ExerciseError."""
    return load(path).exercise


def find_exercise_files(paths: Iterable[Path | str]) -> list[Path]:
    """Files named on the command line, with folders expanded to their *.yaml/*.yml files."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file()))
        else:
            found.append(path)
    return found
