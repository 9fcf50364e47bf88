"""tabletop: run tabletop crisis exercises from a YAML script."""

from __future__ import annotations

__version__ = "0.1.0"
