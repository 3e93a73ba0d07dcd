"""The percentile table: one row per endpoint plus the total; threshold breaches marked."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import DataTable

from perfconsole.tui.render import TABLE_COLUMNS, TableRow


class PercentileTable(DataTable[Text]):
    DEFAULT_CSS = """
    PercentileTable { height: auto; max-height: 50%; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="none", zebra_stripes=False, show_cursor=False)
        self._shown: list[TableRow] = []

    def on_mount(self) -> None:
        for column, header in TABLE_COLUMNS:
            self.add_column(Text(header, justify="left" if column == "name" else "right"), key=column)

    def show_rows(self, rows: list[TableRow]) -> None:
        """Replace the rows (skipped when nothing changed, to spare a slow link)."""
        if rows == self._shown:
            return
        self._shown = rows
        self.clear()
        for row in rows:
            cells = []
            for (column, _header), cell in zip(TABLE_COLUMNS, row.cells, strict=True):
                style = "bold red" if cell.breached else ("bold" if row.is_total else "")
                cells.append(Text(cell.text, style=style, justify="left" if column == "name" else "right"))
            self.add_row(*cells, key=row.key)
