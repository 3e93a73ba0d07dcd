"""When the endpoint table is worth redrawing on a poll (pure): when new figures came in, else seldom.

On a master the figures change when a worker reports (every 3 s): a redraw between two reports repaints
the same rows with the window slid by a second, which costs the console a render of every row in view and
the terminal a rewrite of each (a couple of hundred bytes a row). So a poll redraws the table when requests
or failures were counted since the last redraw, the run's state or its endpoints changed, or after
:data:`MAX_QUIET_POLLS` polls without (a window that slides on while nothing arrives still shows it).
"""

from __future__ import annotations

from perfconsole.model.run import RunSnapshot

MAX_QUIET_POLLS = 5
"""Polls without new figures after which the table is redrawn anyway."""


class TableRedraw:
    """Decides, poll by poll, whether the table's figures moved since it was last drawn."""

    def __init__(self, max_quiet_polls: int = MAX_QUIET_POLLS) -> None:
        self.max_quiet_polls = max_quiet_polls
        self._drawn: tuple[object, ...] | None = None
        self._quiet_polls = 0

    @staticmethod
    def _figures(snapshot: RunSnapshot) -> tuple[object, ...]:
        total = snapshot.total
        return (snapshot.state, total.num_requests, total.num_failures, len(snapshot.endpoints))

    def due(self, snapshot: RunSnapshot, forced: bool = False) -> bool:
        """True when this poll should redraw the table (and it is then taken as drawn); ``forced``: a
        redraw that does not wait for figures (after a key)."""
        figures = self._figures(snapshot)
        self._quiet_polls += 1
        if forced or figures != self._drawn or self._quiet_polls >= self.max_quiet_polls:
            self._drawn, self._quiet_polls = figures, 0
            return True
        return False
