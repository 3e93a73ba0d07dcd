"""The percentile table: one row per endpoint plus the total; threshold breaches and regressions marked."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import DataTable

from perfconsole.tui.views.table import TABLE_COLUMNS, Cell, TableRow


class PercentileTable(DataTable[Text]):
    DEFAULT_CSS = """
    PercentileTable { height: auto; max-height: 50%; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="none", zebra_stripes=False, show_cursor=False)
        self._shown: list[TableRow] = []
        self._columns: tuple[tuple[str, str], ...] = ()

    def on_mount(self) -> None:
        self._set_columns(TABLE_COLUMNS)

    def _set_columns(self, columns: tuple[tuple[str, str], ...]) -> None:
        if self._columns:
            self.clear(columns=True)
            self._shown = []
        self._columns = columns
        for column, header in columns:
            self.add_column(Text(header, justify="left" if column == "name" else "right"), key=column)

    def show_rows(self, rows: list[TableRow], columns: tuple[tuple[str, str], ...] = TABLE_COLUMNS) -> None:
        """Show ``rows`` under ``columns``: changed cells are updated in place (a repaint of only what
        changed, for slow links); the rows are rebuilt when the endpoints or the columns change."""
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
        self.clear()
        for row in rows:
            names = (column for column, _header in columns)
            cells = [self._cell(c, cell, row.is_total) for c, cell in zip(names, row.cells, strict=True)]
            self.add_row(*cells, key=row.key)

    @staticmethod
    def _cell(column: str, cell: Cell, is_total: bool) -> Text:
        if cell.regressed:
            style = "bold magenta"
        elif cell.breached:
            style = "bold red"
        else:
            style = "bold" if is_total else ""
        return Text(cell.text, style=style, justify="left" if column == "name" else "right")
