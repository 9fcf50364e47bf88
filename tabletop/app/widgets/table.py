"""A DataTable that re-renders only the rows that changed.

Textual's DataTable keys its row and cell render caches on a table-wide
update counter, so changing one cell re-renders every visible row of the
table: on a console that changes one row per key press, most of the time of
a key press went there. This subclass keeps its own cache of each row's
rendered line, keyed on a per-row version bumped when a cell of that row is
updated, so an update re-renders one row and the rest comes from the cache.
It also remembers its component styles (header, cursor...) between style
updates: Textual rebuilds them on every call, once per painted line.
"""

from __future__ import annotations

from typing import Generic, TypeVar

from rich.style import Style
from rich.text import Text
from textual.cache import LRUCache
from textual.css.styles import RenderStyles
from textual.widgets import DataTable
from textual.coordinate import Coordinate
from textual.widgets.data_table import CellType, ColumnKey, RowKey

T = TypeVar("T")


class KeyedTable(DataTable[T], Generic[T]):
    """A row-keyed DataTable whose unchanged rows are never re-rendered.

    Subclasses name their columns in COLUMNS as (key, heading, width); the one
    column of width 0 takes whatever the others leave, at least FLEX_MIN cells.
    """

    COLUMNS: tuple[tuple[str, str, int], ...] = ()
    FLEX_MIN: int = 12

    def __init__(self, **kwargs: object) -> None:
        """Same arguments as DataTable."""
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._row_versions: dict[RowKey, int] = {}
        self._stable_rows: LRUCache[tuple[object, ...], tuple[list, list]] = LRUCache(4096)  # type: ignore[type-arg]
        self._component_cache: dict[tuple[str, ...], RenderStyles] = {}

    def on_mount(self) -> None:
        """Create the columns, sizing the flexible one to the pane.

        Headings are plain text: a string would be parsed as markup, which loads
        Rich's table of emoji codes on the first screen for nothing.
        """
        for key, label, width in self.COLUMNS:
            self.add_column(Text(label), key=key, width=width or self.FLEX_MIN)
        self._fit_flexible_column()

    def on_resize(self) -> None:
        """Give the flexible column what the fixed ones leave."""
        self._fit_flexible_column()

    def _fit_flexible_column(self) -> None:
        flexible = next((key for key, _label, width in self.COLUMNS if not width), None)
        if flexible is None:
            return
        fixed = sum(width + 2 * self.cell_padding for _key, _label, width in self.COLUMNS if width)
        available = self.scrollable_content_region.width
        if not available:
            return
        if not self.show_vertical_scrollbar:
            # Leave room for the scrollbar more rows will bring: the width then stays put.
            available -= self.styles.scrollbar_size_vertical
        width = max(self.FLEX_MIN, available - fixed - 2 * self.cell_padding)
        column = self.columns.get(flexible)  # type: ignore[call-overload]
        if column is not None and column.width != width:
            column.width = width
            self._require_update_dimensions = True
            self.refresh()

    def update_cell(
        self,
        row_key: RowKey | str,
        column_key: ColumnKey | str,
        value: CellType,
        *,
        update_width: bool = False,
    ) -> None:
        """Update a cell and mark its row for re-rendering."""
        super().update_cell(row_key, column_key, value, update_width=update_width)
        key = RowKey(row_key) if isinstance(row_key, str) else row_key
        self._row_versions[key] = self._row_versions.get(key, 0) + 1

    def remove_row(self, row_key: RowKey | str) -> None:
        """Remove a row and forget its version."""
        super().remove_row(row_key)
        self._row_versions.pop(RowKey(row_key) if isinstance(row_key, str) else row_key, None)

    def clear(self, columns: bool = False) -> DataTable[T]:  # type: ignore[override]
        """Empty the table and the row cache."""
        self._stable_rows.clear()
        self._row_versions.clear()
        return super().clear(columns)

    def notify_style_update(self) -> None:
        """A theme, CSS or focus change: every cached row and component style is stale."""
        self._stable_rows.clear()
        self._component_cache.clear()
        super().notify_style_update()

    def get_component_styles(self, *names: str) -> RenderStyles:
        """The component styles, built once per style update instead of once per line."""
        cached = self._component_cache.get(names)
        if cached is None:
            cached = self._component_cache[names] = super().get_component_styles(*names)
        return cached

    def _render_line_in_row(  # type: ignore[override]
        self,
        row_key: RowKey,
        line_no: int,
        base_style: Style,
        cursor_location: Coordinate,
        hover_location: Coordinate,
    ) -> tuple[list, list]:  # type: ignore[type-arg]
        """A row's line, kept until that row, its place, the cursor on it or the columns change.

        DataTable keys this on the table-wide update counter too, so one changed
        cell re-assembled every visible row. With a row cursor, a row's line
        depends only on whether the cursor (or the mouse) is on that row.
        """
        row_index = self._row_locations.get(row_key)
        if row_index is None or self.cursor_type != "row" or self.fixed_columns or self._labelled_row_exists:
            return super()._render_line_in_row(row_key, line_no, base_style, cursor_location, hover_location)
        key = (
            row_key,
            self._row_versions.get(row_key, 0),
            row_index,
            line_no,
            base_style,
            cursor_location.row == row_index,
            hover_location.row == row_index,
            self.show_cursor,
            self._show_hover_cursor,
            self._pseudo_class_state,
            self.size.width,
            tuple(column.get_render_width(self) for column in self.ordered_columns),
        )
        cached = self._stable_rows.get(key)
        if cached is None:
            cached = super()._render_line_in_row(row_key, line_no, base_style, cursor_location, hover_location)
            self._stable_rows[key] = cached
        return cached
