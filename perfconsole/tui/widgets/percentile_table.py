"""The percentile table: the total pinned on top, then one row per endpoint; threshold breaches and
regressions marked; a row cursor that stays on its endpoint when the rows move."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import DataTable

from perfconsole.tui.views.table import TABLE_COLUMNS, Cell, TableRow


class PercentileTable(DataTable[Text]):
    DEFAULT_CSS = """
    PercentileTable { height: auto; max-height: 50%; }
    """

    def __init__(self, *, id: str | None = None, cursor: bool = False) -> None:
        super().__init__(
            id=id, cursor_type="row" if cursor else "none", zebra_stripes=False, show_cursor=cursor
        )
        self._shown: list[TableRow] = []
        self._columns: tuple[tuple[str, str], ...] = ()

    def on_mount(self) -> None:
        self._set_columns(TABLE_COLUMNS)

    @property
    def cursor_key(self) -> str | None:
        """The key of the row under the cursor (None: no rows, or no cursor)."""
        if not self.show_cursor or not self._shown:
            return None
        return self._shown[min(max(0, self.cursor_row), len(self._shown) - 1)].key

    def _set_columns(self, columns: tuple[tuple[str, str], ...]) -> None:
        if self._columns:
            self.fixed_rows = 0  # Textual cannot draw a fixed row that is not there
            self.clear(columns=True)
            self._shown = []
        self._columns = columns
        for column, header in columns:
            self.add_column(Text(header, justify="left" if column == "name" else "right"), key=column)

    def show_rows(self, rows: list[TableRow], columns: tuple[tuple[str, str], ...] = TABLE_COLUMNS) -> None:
        """Show ``rows`` under ``columns`` (id, header): changed cells are updated in place (a repaint of
        only what changed, for slow links); the rows are rebuilt when their order or the columns change,
        and the cursor follows its row's key."""
        cursor = self.cursor_key
        if columns != self._columns:
            self._set_columns(columns)
        if rows == self._shown:
            return
        previous, self._shown = self._shown, rows
        if [r.key for r in previous] == [r.key for r in rows]:
            for old, new in zip(previous, rows, strict=True):
                for (column, _header), old_cell, cell in zip(columns, old.cells, new.cells, strict=True):
                    if old_cell != cell:
                        self.update_cell(new.key, column, self._cell(column, cell, new.is_total))
            return
        self.fixed_rows = 0
        self.clear()
        for row in rows:
            names = (column for column, _header in columns)
            cells = [self._cell(c, cell, row.is_total) for c, cell in zip(names, row.cells, strict=True)]
            self.add_row(*cells, key=row.key)
        self.fixed_rows = 1 if rows else 0  # the total, first, stays on screen when the endpoints scroll
        keys = [row.key for row in rows]
        if self.show_cursor and cursor in keys:
            self.move_cursor(row=keys.index(cursor), animate=False)

    @staticmethod
    def _cell(column: str, cell: Cell, is_total: bool) -> Text:
        if cell.regressed:
            style = "bold magenta"
        elif cell.breached:
            style = "bold red"
        else:
            style = "bold" if is_total else ""
        return Text(cell.text, style=style, justify="left" if column == "name" else "right")
