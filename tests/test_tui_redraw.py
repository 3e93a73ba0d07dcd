"""The table's redraw on a poll: when new figures came in, after a key, or after a few quiet polls."""

from __future__ import annotations

from dataclasses import replace

from test_tui_data import snapshot

from perfconsole.model.run import RunState
from perfconsole.tui.redraw import MAX_QUIET_POLLS, TableRedraw


def test_the_table_waits_for_new_figures_but_not_for_long() -> None:
    redraw, first = TableRedraw(), snapshot()
    assert redraw.due(first)
    assert not redraw.due(replace(first, elapsed_s=first.elapsed_s + 1))  # the clock alone moved
    more = replace(first, total=replace(first.total, num_requests=first.total.num_requests + 5))
    assert redraw.due(more) and not redraw.due(more)
    assert redraw.due(more, forced=True)  # a key: drawn at once
    stopped = replace(more, state=RunState.STOPPED)
    assert redraw.due(stopped)
    quiet = [redraw.due(stopped) for _ in range(MAX_QUIET_POLLS)]
    assert quiet == [False] * (MAX_QUIET_POLLS - 1) + [True]
