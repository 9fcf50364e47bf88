"""After-action reports, participant handouts and MSEL export, from sessions and exercises.

The report reads a session only through the engine's state; it never writes.
"""

from __future__ import annotations
