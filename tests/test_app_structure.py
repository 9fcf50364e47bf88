"""The console package's shape: screens, widgets and commands never import the app module,
the engine queue has a module of its own, and no module grows past a size one can read.

Imports are read from the source with `ast`, so one inside a function or under
`TYPE_CHECKING` counts as much as one at the top of a file.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import tabletop.app

PACKAGE = Path(tabletop.app.__file__).resolve().parent
"""The console package's folder."""

LEAVES = ("screens", "widgets", "commands")
"""Sub-packages that reach the app through `tabletop.app.console` and messages only."""

APP_MODULE = "tabletop.app.app"
"""The module they must not import."""

MAX_LINES = 450
"""The most lines a module of the console may have."""


def imported_modules(source: str, package: str) -> set[str]:
    """Every module (and `module.name`) that `source`, a module of `package`, imports anywhere."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = parts[: len(parts) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def package_of(path: Path) -> str:
    """The dotted package a file of the console package belongs to."""
    return ".".join(("tabletop", "app", *path.relative_to(PACKAGE).parent.parts))


def imports_app_module(modules: set[str]) -> set[str]:
    """Those of `modules` that are the app module or a name in it."""
    return {m for m in modules if m == APP_MODULE or m.startswith(APP_MODULE + ".")}


def leaf_files() -> list[Path]:
    """The Python files of the screens, widgets and commands sub-packages."""
    return sorted(p for leaf in LEAVES for p in (PACKAGE / leaf).rglob("*.py"))


def console_files() -> list[Path]:
    """Every Python file of the console package."""
    return sorted(PACKAGE.rglob("*.py"))


def test_the_checked_files_are_the_real_ones() -> None:
    """The checks below read the package's files (an empty list would pass them all)."""
    names = {p.relative_to(PACKAGE).as_posix() for p in leaf_files()}
    assert {"screens/main.py", "screens/help.py", "commands/provider.py", "widgets/msel.py"} <= names
    assert PACKAGE / "app.py" in console_files()


@pytest.mark.parametrize("path", leaf_files(), ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_no_screen_widget_or_command_imports_the_app_module(path: Path) -> None:
    """A screen, widget or palette provider reaches the app through `Console` and messages."""
    wrong = imports_app_module(imported_modules(path.read_text(encoding="utf-8"), package_of(path)))
    assert not wrong, f"{path.relative_to(PACKAGE)} imports {sorted(wrong)}"


@pytest.mark.parametrize(
    "source",
    [
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from tabletop.app.app import ConsoleApp\n",
        "def f():\n    from ..app import ConsoleApp\n",
        "def f():\n    import tabletop.app.app\n",
        "class S:\n    def m(self):\n        from tabletop.app import app\n",
    ],
    ids=["type-checking", "relative-in-function", "plain-in-function", "from-package"],
)
def test_the_import_check_can_fail(source: str) -> None:
    """Each way a screen could reach the app module is seen by the check above."""
    assert imports_app_module(imported_modules(source, "tabletop.app.screens"))


def test_the_import_check_lets_the_narrow_interface_through() -> None:
    """Importing the package's `Console`, messages or formatting is what screens are meant to do."""
    source = (
        "from tabletop.app.console import console\nfrom ..messages import EngineCall\n"
        "from tabletop.app.formatting import one_line\nimport tabletop.application_notes\n"
    )
    assert not imports_app_module(imported_modules(source, "tabletop.app.screens"))


def test_the_engine_queue_is_a_module_of_its_own() -> None:
    """The queue that turns keys into engine calls lives in `tabletop.app.queue`, with its docstring."""
    from tabletop.app.queue import EngineQueue

    queue = PACKAGE / "queue.py"
    tree = ast.parse(queue.read_text(encoding="utf-8"))
    assert ast.get_docstring(tree) and "worker" in ast.get_docstring(tree)
    app_source = (PACKAGE / "app.py").read_text(encoding="utf-8")
    assert "deque" not in app_source and "_delivering" not in app_source
    assert EngineQueue.__module__ == "tabletop.app.queue"


@pytest.mark.parametrize("path", console_files(), ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_no_console_module_is_over_the_size_limit(path: Path) -> None:
    """Small modules named for what they hold: none of the console's over MAX_LINES lines."""
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(PACKAGE)} has {lines} lines (at most {MAX_LINES})"
