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


LAGGING = (
    "invalid: generator lagging: worker vm_dd593334f5cc4a839ae5b4709ac64edb event loop 212 ms late for 3 s;"
    " generator lagging: worker vm_dd593334f5cc4a839ae5b4709ac64edb event loop 215 ms late for 3 s;"
    " dropped 2.0% of iterations (limit 1%)"
)


def test_an_invalid_stamp_leaves_the_status_figures_on_screen_at_80_columns() -> None:
    import asyncio

    from textual.app import App, ComposeResult

    from perfconsole.tui.views.validity import invalid_field
    from perfconsole.tui.widgets.status_bar import StatusBar

    assert invalid_field(LAGGING, 78) == "INVALID: generator lagging, dropped 2.0% of iterations (limit 1%)"
    assert invalid_field(LAGGING, 30) == "INVALID: generator lagging, d…"

    class Bar(App[None]):
        def compose(self) -> ComposeResult:
            yield StatusBar()

    async def drive() -> tuple[str, int]:
        app = Bar()
        async with app.run_test(size=(80, 24)) as pilot:
            bar = app.query_one(StatusBar)
            bar.snapshot, bar.validity = snapshot(), LAGGING
            await pilot.pause(0.1)
            return str(bar.render()), bar.size.height

    text, height = asyncio.run(drive())
    lines = text.splitlines()
    assert all(len(line) <= 78 for line in lines) and height == len(lines), (lines, height)
    assert text.count("generator lagging") == 1 and "users" in text, text


def test_the_status_bar_lays_the_screen_out_again_only_when_its_height_moves() -> None:
    import asyncio

    from textual.app import App, ComposeResult

    from perfconsole.tui.widgets.status_bar import StatusBar

    class Bar(App[None]):
        def compose(self) -> ComposeResult:
            yield StatusBar()

    async def drive() -> tuple[list[int], list[list[bool]]]:
        app = Bar()
        layouts: list[bool] = []
        async with app.run_test(size=(80, 24)) as pilot:
            bar = app.query_one(StatusBar)
            await pilot.pause(0.1)
            refresh = bar.refresh

            def counted(*args: object, layout: bool = False, **kwargs: object) -> object:
                layouts.append(layout)
                return refresh(*args, layout=layout, **kwargs)  # type: ignore[arg-type]

            bar.refresh = counted  # type: ignore[method-assign]
            heights, phases = [], []
            first = snapshot()
            for polled in range(3):  # polls with figures moving, the same number of lines
                bar.snapshot = replace(first, elapsed_s=first.elapsed_s + polled)
                await pilot.pause(0.05)
                heights.append(bar.size.height)
                phases.append(layouts[:])
                layouts.clear()
            for validity in (LAGGING, "valid"):  # one more field (more lines), then none
                bar.validity = validity
                await pilot.pause(0.1)
                heights.append(bar.size.height)
                phases.append(layouts[:])
                layouts.clear()
            return heights, phases

    heights, phases = asyncio.run(drive())
    assert heights[0] == heights[1] == heights[2] == heights[4] < heights[3], heights
    assert not any(phases[1]) and not any(phases[2]), phases  # repainted, not laid out
    assert any(phases[3]) and any(phases[4]), phases
