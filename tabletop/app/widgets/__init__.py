"""The console's widgets: they show what the app hands down and never call the engine."""

from __future__ import annotations
