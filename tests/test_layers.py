"""The layers below the console never import Textual.

Each module is imported in a fresh interpreter, so nothing imported by the
test process itself can hide a stray dependency.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

CORE = (
    "tabletop.model",
    "tabletop.loader",
    "tabletop.events",
    "tabletop.store",
    "tabletop.clock",
    "tabletop.state",
    "tabletop.conditions",
    "tabletop.engine",
    "tabletop.need_to_know",
    "tabletop.confirmations",
    "tabletop.report",
)
"""Modules (and the report package) that must work without any UI installed."""


def _report_modules() -> list[str]:
    import pkgutil

    import tabletop.report

    return [f"tabletop.report.{m.name}" for m in pkgutil.iter_modules(tabletop.report.__path__)]


@pytest.mark.parametrize("module", [*CORE, *_report_modules()])
def test_module_does_not_import_textual(module: str) -> None:
    code = (
        "import importlib, sys\n"
        f"importlib.import_module({module!r})\n"
        "leaked = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(','.join(leaked))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "textual" not in result.stdout.split(","), f"{module} imports {result.stdout.strip()}"
    assert result.stdout.strip() == ""


def test_the_console_does_import_textual() -> None:
    """The check above can fail: the console module really does pull Textual in."""
    code = "import sys, tabletop.app; print('textual' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.stdout.strip() == "True"
