"""The read-only team view: what one team sees of a live session.

Three faces over one rule (`tabletop.need_to_know.team_view`): a Textual app
that follows the session file (`tabletop view SESSION --team T`), plain text
for printing, screen readers and scripts (`--plain`), and a small web server
that serves the same view to browsers (`tabletop serve SESSION`). Kept apart
from the facilitator console in `tabletop.app`: nothing here can write to a
session, and importing this package does not import Textual.
"""

from __future__ import annotations
