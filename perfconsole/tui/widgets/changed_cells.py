"""A DataTable that renders again only the cells that changed.

DataTable keys each rendered cell by a count that every change bumps, a cell update included, so one
changed figure renders every cell in view anew (through Rich, about 100 µs a cell: some 17 ms for a
120x40 percentile table every time a worker reports). Here a cell's render is keyed instead by the count of
the table's other changes (rows added, cleared, moved, a resize: every cell again, as before) and by the
update that last changed that cell. This reaches into DataTable's private ``_render_cell`` and
``_update_count`` (Textual 8); the Pilot and snapshot tests of the percentile table cover it.
"""

from __future__ import annotations

from typing import TypeVar

from rich.segment import Segment
from rich.style import Style
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey, RowKey

CellType = TypeVar("CellType")


class ChangedCellsTable(DataTable[CellType]):
    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._cell_bumps = 0
        """How much of ``_update_count`` cell updates made."""
        self._cell_versions: dict[tuple[str | None, str | None], int] = {}
        """The ``_update_count`` each updated cell got from its last update (by row and column key)."""

    def update_cell(
        self,
        row_key: RowKey | str,
        column_key: ColumnKey | str,
        value: CellType,
        *,
        update_width: bool = False,
    ) -> None:
        before = self._update_count
        super().update_cell(row_key, column_key, value, update_width=update_width)
        self._cell_bumps += self._update_count - before
        row = row_key.value if isinstance(row_key, RowKey) else row_key
        column = column_key.value if isinstance(column_key, ColumnKey) else column_key
        self._cell_versions[(row, column)] = self._update_count

    def clear(self, columns: bool = False) -> ChangedCellsTable[CellType]:
        self._cell_versions.clear()
        super().clear(columns)
        return self

    def _render_cell(
        self,
        row_index: int,
        column_index: int,
        base_style: Style,
        width: int,
        cursor: bool = False,
        hover: bool = False,
    ) -> list[list[Segment]]:
        row_key = self._row_locations.get_key(row_index) if row_index >= 0 else self._header_row_key
        column_key = self._column_locations.get_key(column_index)
        if row_key is None or column_key is None:  # row labels: as DataTable does
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        row, column = row_key.value, column_key.value
        count = self._update_count
        # DataTable's cache key takes the count as it is: the other changes, and this cell's own version
        self._update_count = (count - self._cell_bumps, self._cell_versions.get((row, column), 0))  # type: ignore[assignment]
        try:
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        finally:
            self._update_count = count
