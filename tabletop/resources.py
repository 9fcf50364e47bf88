"""Where the bundled exercises, templates and schema live, installed or not.

A wheel carries them inside the package (`tabletop/exercises`); an editable
install or a checkout finds them at the top of the repository.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """The folder `name` ('exercises', 'templates', 'schema') shipped with tabletop."""
    for candidate in (_PACKAGE / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"tabletop is installed without its {name!r} folder")


def exercises_dir() -> Path:
    """The bundled exercises."""
    return data_dir("exercises")


def templates_dir() -> Path:
    """The bundled Jinja templates."""
    return data_dir("templates")
