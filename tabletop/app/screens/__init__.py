"""The console's screens: the main console, an inject in full, the hot wash, help, and the forms."""

from __future__ import annotations
