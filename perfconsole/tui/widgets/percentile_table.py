"""The percentile table: the total pinned on top, then one row per endpoint; threshold breaches and
regressions marked; a row cursor that stays on its endpoint when the rows move.

At hundreds of endpoints most rows are off screen: a poll that keeps the rows' order formats and updates
only the rows in view (and a margin); the others are brought up to date when they scroll into view."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual import events

from perfconsole.tui.views.table import TABLE_COLUMNS, Cell, TableRow, TableRows
from perfconsole.tui.widgets.changed_cells import ChangedCellsTable

MARGIN_ROWS = 5
"""Rows above and below the view kept up to date too (a short scroll shows no stale figure)."""
CELL_RENDERS_KEPT = 2_000
"""Rendered cells the table keeps (Textual's 10,000 mostly held stale renders of earlier updates: about 7 MB
at 120x40); 2,000 still hold every cell of a 200-row view."""


class PercentileTable(ChangedCellsTable[Text]):
    """Colours from its component classes in app.tcss: a regression, a breached threshold, the total."""

    DEFAULT_CSS = """
    PercentileTable { height: auto; max-height: 50%; }
    """
    COMPONENT_CLASSES = {f"percentile-table--{role}" for role in ("regressed", "breached", "total")}

    def __init__(self, *, id: str | None = None, cursor: bool = False) -> None:
        super().__init__(
            id=id, cursor_type="row" if cursor else "none", zebra_stripes=False, show_cursor=cursor
        )
        self._shown: Sequence[TableRow] = []
        self._keys: list[str] = []
        """The key of each row of ``_shown``."""
        self._drawn: dict[str, TableRow] = {}
        """What each row's cells hold now (rows out of view may lag behind ``_shown``)."""
        self._columns: tuple[tuple[str, str], ...] = ()
        self._cell_render_cache.maxsize = CELL_RENDERS_KEPT  # DataTable's own (private) cell cache

    def on_mount(self) -> None:
        self._set_columns(TABLE_COLUMNS)

    @property
    def cursor_key(self) -> str | None:
        """The key of the row under the cursor (None: no rows, or no cursor)."""
        if not self.show_cursor or not self._shown:
            return None
        return self._keys[min(max(0, self.cursor_row), len(self._keys) - 1)]

    def _set_columns(self, columns: tuple[tuple[str, str], ...]) -> None:
        if self._columns:
            self.fixed_rows = 0  # Textual cannot draw a fixed row that is not there
            self._shown, self._keys, self._drawn = [], [], {}  # before clear(), which scrolls and syncs
            self.clear(columns=True)
        self._columns = columns
        for column, header in columns:
            self.add_column(Text(header, justify="left" if column == "name" else "right"), key=column)

    def show_rows(
        self, rows: Sequence[TableRow], columns: tuple[tuple[str, str], ...] = TABLE_COLUMNS
    ) -> None:
        """Show ``rows`` under ``columns`` (id, header): while the rows' order stays, the changed cells of
        the rows in view are updated in place (a repaint of only what changed, for slow links; rows a
        :class:`TableRows` formats as they are read are read only there); the rows are rebuilt when their
        order or the columns change, and the cursor follows its row's key."""
        cursor = self.cursor_key
        if columns != self._columns:
            self._set_columns(columns)
        keys = rows.keys if isinstance(rows, TableRows) else [row.key for row in rows]
        if keys == self._keys:
            self._shown = rows
            self._bring_up_to_date()
            return
        self._shown, self._keys = rows, keys
        self.fixed_rows = 0
        self._drawn = {}  # before clear(): it scrolls to the top, which syncs the rows in view
        self.clear()
        self._drawn = {row.key: row for row in rows}
        for row in rows:
            names = (column for column, _header in columns)
            cells = [self._cell(c, cell, row.is_total) for c, cell in zip(names, row.cells, strict=True)]
            self.add_row(*cells, key=row.key)
        self.fixed_rows = 1 if rows else 0  # the total, first, stays on screen when the endpoints scroll
        if self.show_cursor and cursor in keys:
            self.move_cursor(row=keys.index(cursor), animate=False)

    def _bring_up_to_date(self) -> None:
        """Update the changed cells of the total and of the rows in view (with a margin)."""
        rows = self._shown
        top = int(self.scroll_y)
        in_view = range(max(1, top - MARGIN_ROWS), min(len(rows), top + self.size.height + MARGIN_ROWS))
        for index in (0, *in_view) if rows else ():
            row = rows[index]
            drawn = self._drawn.get(row.key)
            if drawn is None or drawn == row:
                continue
            for (column, _header), old_cell, cell in zip(self._columns, drawn.cells, row.cells, strict=True):
                if old_cell != cell:
                    self.update_cell(row.key, column, self._cell(column, cell, row.is_total))
            self._drawn[row.key] = row

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if round(old_value) != round(new_value):
            self._bring_up_to_date()

    def on_resize(self, event: events.Resize) -> None:
        self._bring_up_to_date()

    def _cell(self, column: str, cell: Cell, is_total: bool) -> Text:
        if cell.regressed:
            role = "regressed"
        elif cell.breached:
            role = "breached"
        else:
            role = "total" if is_total else ""
        style = self.get_component_rich_style(f"percentile-table--{role}", partial=True) if role else ""
        return Text(cell.text, style=style, justify="left" if column == "name" else "right")
