"""Verbs on exercise files: validate, lint, list, schema, new."""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
from pathlib import Path
from typing import Any

from tabletop import model as m
from tabletop.cli import UserError
from tabletop.loader import ExerciseError, LoadedExercise, find_exercise_files, load
from tabletop.resources import exercises_dir, templates_dir

SCHEMA_ID = "https://tabletop.invalid/schema/exercise.schema.json"
"""Stable identifier of the exercise schema (not fetched: editors use the modeline path)."""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the exercise verbs."""
    p = subparsers.add_parser("validate", help="check exercise files; exit 1 if any is invalid")
    p.add_argument("paths", nargs="+", metavar="PATH", help="exercise files or folders")
    p.set_defaults(func=cmd_validate)

    p = subparsers.add_parser("lint", help="quality warnings a planner wants before the workshop")
    p.add_argument("paths", nargs="+", metavar="PATH", help="exercise files or folders")
    p.add_argument("--strict", action="store_true", help="exit 1 when there is any warning")
    p.add_argument("--no-consequences", dest="consequences", action="store_false",
                   help="leave out the rule that names decision options whose consequence no later inject, "
                   "situation variant or note shows (for a file written before situation variants)")
    p.set_defaults(func=cmd_lint)

    p = subparsers.add_parser("list", help="the exercises in a folder (default: the bundled ones)")
    p.add_argument("directory", nargs="?", metavar="DIR", help="folder to look in")
    p.add_argument("--json", action="store_true", help="print a JSON list instead of a table")
    p.set_defaults(func=cmd_list)

    p = subparsers.add_parser("schema", help="print the JSON Schema of the exercise format")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")
    p.set_defaults(func=cmd_schema)

    p = subparsers.add_parser("new", help="write a commented starter exercise")
    p.add_argument("id", metavar="ID", help="id of the new exercise, e.g. harbour-blackout "
                   "(or a file name, e.g. exercises/harbour-blackout.yaml: that file, with its name as the id)")
    p.add_argument("-o", "--output", metavar="FILE", help="file to write (default: ID.yaml)")
    p.add_argument("--force", action="store_true", help="overwrite an existing file")
    p.add_argument("--schema", choices=("relative", "package"), default="relative",
                   help="how the editor modeline names the schema: 'relative' (default) a path relative to "
                   "the new file, to a schema found in the project or to a copy written beside the file, "
                   "so it resolves on any machine; 'package' the schema of this installed tabletop, "
                   "a file:// path valid on this machine only")
    p.set_defaults(func=cmd_new)


def _files(paths: list[str]) -> list[Path]:
    files = find_exercise_files(paths)
    if not files:
        raise UserError("no exercise files (*.yaml, *.yml) found in " + ", ".join(paths), code=2)
    return files


def _load_all(files: list[Path]) -> tuple[list[LoadedExercise], int]:
    """Load every file, printing each file's errors; returns the good ones and the bad count."""
    good: list[LoadedExercise] = []
    bad = 0
    for path in files:
        try:
            good.append(load(path))
        except ExerciseError as error:
            bad += 1
            print(str(error), file=sys.stderr)
    return good, bad


def cmd_validate(args: argparse.Namespace) -> int:
    """Exit 0 when every file is a valid exercise, 1 otherwise."""
    files = _files(args.paths)
    good, bad = _load_all(files)
    for loaded in good:
        print(f"ok  {loaded.filename}")
    total = len(files)
    if bad:
        print(f"{bad} of {total} exercise file{'s' if total != 1 else ''} invalid", file=sys.stderr)
        return 1
    print(f"{total} exercise file{'s' if total != 1 else ''} valid")
    return 0


def cmd_lint(args: argparse.Namespace) -> int:
    """Print warnings; exit 1 on invalid files, or on any warning with --strict."""
    from tabletop.lint import lint

    files = _files(args.paths)
    good, bad = _load_all(files)
    warned = 0
    for loaded in good:
        for warning in lint(loaded, consequences=args.consequences):
            warned += 1
            print(warning.format(), file=sys.stderr)
    print(f"{len(files)} file{'s' if len(files) != 1 else ''} checked: {bad} invalid, "
          f"{warned} warning{'s' if warned != 1 else ''}")
    if bad or (args.strict and warned):
        return 1
    return 0


def summary(loaded: LoadedExercise) -> dict[str, Any]:
    """The facts `tabletop list` shows about one exercise."""
    ex = loaded.exercise
    return {
        "id": ex.id,
        "title": ex.title,
        "version": ex.version,
        "path": loaded.filename,
        "teams": [t.id for t in ex.teams],
        "moves": len(ex.moves),
        "injects": sum(len(mv.injects) for mv in ex.moves),
        "contingencies": len(ex.contingencies),
        "objectives": len(ex.objectives),
        "duration_minutes": ex.duration,
    }


def cmd_list(args: argparse.Namespace) -> int:
    """List the exercises found in a folder as a table or JSON."""
    directory = Path(args.directory) if args.directory else exercises_dir()
    if not directory.is_dir():
        raise UserError(f"{directory}: not a folder", code=2)
    files = find_exercise_files([directory])
    good, bad = _load_all(files)
    rows = [summary(loaded) for loaded in good]
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
    else:
        header = ("ID", "TITLE", "TEAMS", "MOVES", "INJECTS", "DURATION", "PATH")
        table = [header] + [
            (r["id"], r["title"], str(len(r["teams"])), str(r["moves"]), str(r["injects"]),
             m.format_offset(r["duration_minutes"]).lstrip("+"), r["path"])
            for r in rows
        ]
        widths = [max(len(row[i]) for row in table) for i in range(len(header))]
        for row in table:
            print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
    return 1 if bad else 0


def _for_editors(node: Any) -> Any:
    """The schema as editors should read it. `default: null` is dropped, because completion
    inserts every default and a planner would then delete `notes: null` and its kind by hand (an
    absent optional field already means none). Properties that are only a `$ref` get a title from
    their name, as pydantic gives every other property."""
    if isinstance(node, list):
        return [_for_editors(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _for_editors(value) for key, value in node.items()
           if not (key == "default" and value is None)}
    properties = out.get("properties")
    if isinstance(properties, dict):
        for name, prop in properties.items():
            if isinstance(prop, dict) and "title" not in prop:
                prop["title"] = name.replace("_", " ").title()
    return out


def exercise_schema() -> dict[str, Any]:
    """The JSON Schema of the exercise format, as committed in schema/."""
    schema = _for_editors(m.Exercise.model_json_schema(mode="validation"))
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        **schema,
    }


def schema_text() -> str:
    """The schema exactly as written to schema/exercise.schema.json."""
    return json.dumps(exercise_schema(), indent=2, ensure_ascii=False) + "\n"


def cmd_schema(args: argparse.Namespace) -> int:
    """Print or write the JSON Schema."""
    text = schema_text()
    if args.output:
        try:
            Path(args.output).write_text(text, encoding="utf-8")
        except OSError as error:
            raise UserError(f"{args.output}: {error.strerror}") from None
        print(f"wrote {args.output}")
    else:
        sys.stdout.write(text)
    return 0


def cmd_new(args: argparse.Namespace) -> int:
    """Write a starter exercise that validates, for the planner to fill in. A file name given
    as the id (`tabletop new exercises/harbour.yaml`) is read as what it plainly means: that
    file, with its name as the id."""
    named = Path(args.id)
    if named.suffix.lower() in (".yaml", ".yml") and not args.output:
        args.id, args.output = named.stem, str(named)
    if not re.match(m.ID_PATTERN, args.id):
        raise UserError(f"{args.id!r} is not a valid id: use letters, digits, '-', '_' or '.'", code=2)
    target = Path(args.output or f"{args.id}.yaml")
    if target.exists() and not args.force:
        raise UserError(f"{target} already exists (use --force to overwrite)")
    starter = (templates_dir() / "new-exercise.yaml").read_text(encoding="utf-8")
    title = args.id.replace("-", " ").replace("_", " ").title()
    from tabletop.resources import data_dir

    packaged = data_dir("schema") / "exercise.schema.json"
    copy_to: Path | None = None
    if args.schema == "package":
        schema_uri = packaged.resolve().as_uri()
    else:
        found = _schema_near(target.parent)
        if found is None:
            copy_to = target.parent / SCHEMA_NAME
            found = copy_to
        schema_uri = Path(os.path.relpath(found.resolve(), target.parent.resolve())).as_posix()
        if not schema_uri.startswith("."):
            schema_uri = f"./{schema_uri}"
    text = (starter.replace("__ID__", args.id).replace("__TITLE__", title)
            .replace(SCHEMA_ID, schema_uri))
    try:
        if copy_to is not None:
            shutil.copyfile(packaged, copy_to)
        target.write_text(text, encoding="utf-8")
    except OSError as error:
        raise UserError(f"{error.filename or target}: {error.strerror}") from None
    if copy_to is not None:
        print(f"wrote {copy_to}: the schema your editor checks {target.name} against; keep it beside the file")
    print(f"wrote {target}: edit it, then run `tabletop validate {target}`")
    return 0


SCHEMA_NAME = "exercise.schema.json"


def _schema_near(folder: Path) -> Path | None:
    """A schema already in the project: beside the new file, or in a `schema/` folder of it or
    of a folder above it (a repository laid out like this one). The modeline names it by a path
    relative to the file, so it still resolves when the project is cloned or moved elsewhere."""
    folder = folder.resolve()
    for place in (folder, *folder.parents):
        for candidate in (place / SCHEMA_NAME, place / "schema" / SCHEMA_NAME):
            if candidate.is_file():
                return candidate
    return None
