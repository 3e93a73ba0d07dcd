"""The endpoint table on a real API of 40 endpoints: sort, worst first, filter, cursor, one endpoint in
focus. Pure parts (sorting, filtering, the ladder, the per-endpoint series) are tested on hand-built data;
the Pilot test runs real users against the demo target with one path slowed through ``/_control``."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import locust  # noqa: F401, I001  - first: gevent monkey-patching before any asyncio loop exists
import pytest
from test_tui_data import snapshot

from perfconsole.config import Profile, SpikeDrill
from perfconsole.model.percentiles import Percentiles
from perfconsole.model.run import EndpointStats, ErrorStats
from perfconsole.model.stages import StageStats
from perfconsole.tui.views.endpoint_detail import endpoint_failures, ladder_rows, stage_rows
from perfconsole.tui.views.endpoint_history import EndpointHistory
from perfconsole.tui.views.endpoint_table import (
    TableChoice,
    arranged,
    flipped,
    name_matches,
    next_sort,
    worst_first,
)
from perfconsole.tui.views.table import TABLE_COLUMNS, lazy_table_rows, table_headers, table_rows


def endpoint(name: str, p95: float | None, fail: float = 0.0, method: str = "GET") -> EndpointStats:
    base = snapshot().endpoints[0]
    current = Percentiles(p95=p95)
    return replace(base, method=method, name=name, current=current, current_fail_per_sec=fail)


def detail_endpoint() -> EndpointStats:
    return next(e for e in snapshot().endpoints if e.name == "/api/notifications/[id]/")


ENDPOINTS = (
    endpoint("/b", 30.0, fail=2.0),
    endpoint("/a", 10.0),
    endpoint("/c", None),  # idle in the window
    endpoint("/d/x", 90.0, fail=0.5),
)


def names(rows: list[EndpointStats]) -> list[str]:
    return [e.name for e in rows]


def test_sort_by_any_column_worst_first_and_flip() -> None:
    assert names(arranged(ENDPOINTS, TableChoice(), True)) == ["/a", "/b", "/c", "/d/x"]
    worst = worst_first(TableChoice())
    assert (worst.sort, worst.descending) == ("p95", True)
    assert names(arranged(ENDPOINTS, worst, True)) == ["/d/x", "/b", "/a", "/c"]  # no data: last
    assert names(arranged(ENDPOINTS, flipped(worst), True)) == ["/a", "/b", "/d/x", "/c"]  # still last
    by_failures = worst_first(worst)
    assert by_failures.sort == "fail" and names(arranged(ENDPOINTS, by_failures, True))[:2] == ["/b", "/d/x"]
    assert worst_first(by_failures).sort == "p95"
    columns = [TableChoice().sort]
    choice = TableChoice()
    for _ in range(8):
        choice = next_sort(choice)
        columns.append(choice.sort)
    assert columns == ["name", "rps", "fail", "p50", "p95", "p99", "p99.9", "max", "name"]


def test_filter_by_substring_or_glob_case_insensitive() -> None:
    d = ENDPOINTS[3]
    assert name_matches(d, "D/X") and name_matches(d, "get /d") and name_matches(d, "")
    assert (
        name_matches(d, "/d/*") and name_matches(d, "GET /d*") and not name_matches(d, "/d?")
    )  # a glob: whole name
    assert not name_matches(d, "/b")
    assert names(arranged(ENDPOINTS, TableChoice(filter="/[ab]"), True)) == ["/a", "/b"]


def test_total_is_pinned_first_and_the_header_shows_sort_and_filter() -> None:
    snap = replace(snapshot(), endpoints=ENDPOINTS)
    choice = TableChoice(sort="p95", descending=True, filter="/d")
    rows = table_rows(snap, True, choice=choice)
    assert [r.key for r in rows] == ["Aggregated", "GET /d/x"] and rows[0].is_total
    headers = dict(table_headers(TABLE_COLUMNS, choice, len(rows) - 1, len(ENDPOINTS)))
    assert (
        headers["p95"] == "p95 ▼" and headers["name"] == 'Endpoint  "/d" 1 of 4' and headers["p50"] == "p50"
    )


def test_ladder_side_by_side_with_corrected_and_baseline() -> None:
    live = replace(
        detail_endpoint(),
        corrected=Percentiles(300.0, 600.0, 700.0, 1000.0, 1500.0, 1860.0),
    )
    rows = {row[0]: row for row in ladder_rows(live)}
    assert list(rows) == ["p50", "p90", "p95", "p99", "p99.9", "max"]
    assert rows["p95"] == ("p95", "558", "620", "700") and rows["max"][2] == "1860"
    before = replace(live, cumulative=replace(live.cumulative, p95=500.0))
    with_baseline = {row[0]: row for row in ladder_rows(live, before)}
    assert with_baseline["p95"][4:] == ("500", "+24.0%")


def test_failures_of_one_endpoint_and_stage_figures_from_its_series() -> None:
    detail = detail_endpoint()
    errors = (
        ErrorStats(detail.method, detail.name, "500", 3),
        ErrorStats("GET", "/other", "timeout", 9),
        ErrorStats(detail.method, detail.name, "reset", 5),
    )
    assert endpoint_failures(errors, detail) == [("5", "reset"), ("3", "500")]
    history = EndpointHistory()
    for second in range(1, 21):
        p95 = 100.0 if second <= 10 else 400.0
        current = replace(
            detail,
            current=Percentiles(p95=p95, p99=p95 * 2),
            current_rps=float(second),
            current_fail_per_sec=0.0,
        )
        history.record(replace(snapshot(), elapsed_s=float(second), endpoints=(current,)))
    series = history.series(detail.key)
    stages = (
        StageStats(1, "calm", "plateau", 0.0, 10.0, 0, 0, Percentiles()),
        StageStats(2, "spike", "spike", 10.5, 20.0, 0, 0, Percentiles()),
    )
    assert stage_rows(stages, series) == [
        ("calm", "5.5", "0.0", "100", "200"),
        ("spike", "15.5", "0.0", "400", "800"),
    ]


def test_endpoint_history_is_bounded_and_keeps_the_whole_run_coarser() -> None:
    history = EndpointHistory(capacity=10)
    detail = detail_endpoint()
    for second in range(1, 101):
        history.record(replace(snapshot(), elapsed_s=float(second), endpoints=(detail,)))
    times = history.series(detail.key).times
    assert len(times) < 10 and times[0] == 1.0 and times[-1] > 80  # first to (nearly) last, coarser
    history.record(replace(snapshot(), elapsed_s=1.0, endpoints=(detail,)))  # a new run starts over
    assert history.series(detail.key).times == [1.0]


LOCUSTFILE = '''"""Forty endpoints: one task picks one of forty notification ids, each its own name."""
import random

from locust import HttpUser, constant, task


class FortyUser(HttpUser):
    wait_time = constant(0.05)

    @task
    def one_of_forty(self):
        number = random.randint(1, 40)
        self.client.get(f"/api/notifications/{number}/", name=f"/api/notifications/{number:02d}/")
'''
SLOWED = "GET /api/notifications/17/"


@pytest.mark.slow
@pytest.mark.timeout(150)
def test_forty_endpoints_worst_first_filter_detail_and_freeze_at_80x24(
    demo_target: Any, demo_control: Any, tmp_path: Path
) -> None:
    """Sorting by p95 puts the slowed endpoint on the first row at 80x24 (and keeps it across ``v``);
    ``/`` plus text or a glob filters the rows (``u`` is text there); Enter opens the endpoint with its
    ladder and its chart; ``z`` freezes the table while the run goes on, and again catches up."""
    from test_tui_pilot import console_settings, start_run, wait_for

    from perfconsole.tui.app import make_app
    from perfconsole.tui.screens.dashboard import DashboardScreen
    from perfconsole.tui.screens.endpoint import EndpointScreen
    from perfconsole.tui.widgets.percentile_table import PercentileTable
    from perfconsole.tui.widgets.status_bar import StatusBar
    from perfconsole.tui.widgets.tables import RowsTable

    demo_control(path_latency_ms={"/api/notifications/17/": 300})
    locustfile = tmp_path / "forty.py"
    locustfile.write_text(LOCUSTFILE)
    settings = console_settings(demo_target.url, workers=0, spike=SpikeDrill(), runs_dir=tmp_path / "runs")
    settings.profiles["tiny"] = Profile("tiny", 8, 8.0, None)
    app = make_app(settings, locustfile=locustfile, refresh_s=0.5)

    def shown_keys() -> list[str]:
        table = app.screen.query_one(PercentileTable)
        return [str(table.get_row_at(index)[0].plain) for index in range(table.row_count)]

    async def drive() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            session = await start_run(pilot, app)
            dashboard = app.screen
            assert isinstance(dashboard, DashboardScreen)

            def slowed_stands_out() -> bool:  # a busy box can stall any request: wait for a clear margin
                snap = session.snapshot()
                for use_current in (True, False):
                    p95 = {
                        e.key: (e.current if use_current else e.cumulative).p95 or 0.0 for e in snap.endpoints
                    }
                    others = max((v for k, v in p95.items() if k != SLOWED), default=0.0)
                    if len(p95) < 40 or p95.get(SLOWED, 0.0) < 1.5 * others:
                        return False
                return True

            await wait_for(pilot, slowed_stands_out, "40 endpoints, the slowed one clearly slowest", 60)

            def first_rows(*keys: str) -> Callable[[], bool]:
                return lambda: shown_keys()[: len(keys)] == list(keys)

            await pilot.press("W")
            await wait_for(pilot, first_rows("Total", SLOWED), f"the worst first: {shown_keys()[:3]}", 10)
            table = dashboard.query_one(PercentileTable)
            assert table.region.height >= 3 and table.region.bottom <= 24  # header, total, first row shown
            assert "p95 ▼" in str(table.columns[list(table.columns)[4]].label)

            current = dashboard.use_current
            await pilot.press("v")  # whole run: the choice stays
            await wait_for(pilot, lambda: dashboard.use_current != current, "the whole-run view", 10)
            assert dashboard.table_choice.sort == "p95"
            await wait_for(pilot, first_rows("Total", SLOWED), "the worst first over the whole run", 10)

            def rows_are(numbers: range) -> Callable[[], bool]:
                wanted = [f"GET /api/notifications/{n}/" for n in numbers]
                return lambda: sorted(shown_keys()[1:]) == wanted

            await pilot.press("slash", *"ions/1", "enter")
            await wait_for(pilot, rows_are(range(10, 20)), "the rows matching ions/1", 10)
            await pilot.press("slash", "ctrl+u", *"*/3?/")  # a glob; the field starts with the filter
            await wait_for(pilot, rows_are(range(30, 40)), "the rows matching */3?/", 10)
            await pilot.press("u")  # text in the filter, not the users dialog
            assert isinstance(app.screen, DashboardScreen)
            await wait_for(pilot, lambda: shown_keys() == ["Total"], "no row matching */3?/u", 10)
            await pilot.press("escape")
            await wait_for(pilot, lambda: len(shown_keys()) == 41, "all rows back", 10)
            assert dashboard.table_choice.filter == ""

            await pilot.press("down", "enter")  # the cursor's first endpoint row: the slowed one
            await wait_for(pilot, lambda: isinstance(app.screen, EndpointScreen), "the endpoint detail")
            detail = app.screen
            assert isinstance(detail, EndpointScreen) and detail.key == SLOWED
            ladder = detail.query_one("#endpoint-ladder", RowsTable)
            await wait_for(pilot, lambda: ladder.row_count == 6, "the endpoint's ladder", 10)
            rungs = [str(ladder.get_row_at(i)[0]) for i in range(ladder.row_count)]
            assert rungs == ["p50", "p90", "p95", "p99", "p99.9", "max"]
            measured_p95 = float(str(ladder.get_row_at(2)[2]))
            assert measured_p95 >= 300
            series = dashboard.endpoint_history.series(SLOWED)
            assert len(series.times) >= 3 and max(v for v in series.p95 if v is not None) >= 300
            chart: Any = detail.query_one("#endpoint-latency")
            await wait_for(
                pilot, lambda: chart.data is not None and bool(chart.data.series[1].values), "its chart", 10
            )
            await pilot.press("escape")
            assert app.screen is dashboard

            # freeze: the table stays as it was while the run's request counter goes on; z catches up
            def table_text() -> list[list[str]]:
                table = dashboard.query_one(PercentileTable)
                return [[cell.plain for cell in table.get_row_at(i)] for i in range(table.row_count)]

            await pilot.press("z")
            frozen, requests = table_text(), session.snapshot().total.num_requests
            status = dashboard.query_one(StatusBar)
            assert status.frozen.startswith("FROZEN at ") and "FROZEN at" in str(status.render())
            await wait_for(
                pilot, lambda: session.snapshot().total.num_requests > requests + 100, "requests while frozen"
            )
            await pilot.pause(1.2)  # two more polls
            assert table_text() == frozen
            await pilot.press("z")
            await wait_for(pilot, lambda: table_text() != frozen, "the table catching up")
            assert status.frozen == ""

            await pilot.press("q", "y")
            await wait_for(pilot, lambda: app.session is None, "the session closed", timeout_s=20)

    asyncio.run(drive())


def test_rows_out_of_view_catch_up_when_scrolled_into_view() -> None:
    """A poll updates the rows in view; a row below them shows its latest figures once scrolled to; rows
    rebuilt while scrolled down (a new order) come out whole."""
    from textual.app import App, ComposeResult

    from perfconsole.tui.widgets.percentile_table import PercentileTable

    many = tuple(endpoint(f"/e/{n:03d}", float(n)) for n in range(100))

    class TableApp(App[None]):
        def compose(self) -> ComposeResult:
            yield PercentileTable(id="table", cursor=True)

    def show(p95_offset: float) -> None:
        shifted = tuple(replace(e, current=Percentiles(p95=(e.current.p95 or 0) + p95_offset)) for e in many)
        table.show_rows(table_rows(replace(snapshot(), endpoints=shifted), True))

    app = TableApp()

    async def drive() -> tuple[str, str, str]:
        nonlocal table
        async with app.run_test(size=(80, 20)) as pilot:
            table = app.query_one(PercentileTable)
            show(0.0)
            await pilot.pause(0.1)
            show(1000.0)
            await pilot.pause(0.1)
            first = table.get_row_at(1)[4].plain
            table.scroll_end(animate=False)
            await pilot.pause(0.2)
            last = table.get_row_at(100)[4].plain
            # scrolled down, the rows change order (a sort): rebuilt from the top, nothing stale
            reverse = TableChoice(sort="p95", descending=True)
            table.show_rows(table_rows(replace(snapshot(), endpoints=many), True, choice=reverse))
            await pilot.pause(0.2)
            assert table.get_row_at(1)[0].plain == "GET /e/099" and table.get_row_at(1)[4].plain == "99"
            return first, last, table.get_row_at(0)[0].plain

    table: Any = None
    first, last, total = asyncio.run(drive())
    assert (first, last, total) == ("1000", "1099", "Total")


def test_a_poll_that_keeps_the_order_formats_only_the_rows_in_view() -> None:
    """At 500 endpoints a poll in name order formats the rows in view (and a margin), not all 500; a row
    further down is formatted, with its latest figures, when scrolled to."""
    from textual.app import App, ComposeResult

    from perfconsole.tui.widgets.percentile_table import MARGIN_ROWS, PercentileTable

    many = tuple(endpoint(f"/e/{n:03d}", float(n)) for n in range(500))

    class TableApp(App[None]):
        def compose(self) -> ComposeResult:
            yield PercentileTable(id="table", cursor=True)

    def shifted(offset: float) -> Any:
        moved = tuple(replace(e, current=Percentiles(p95=(e.current.p95 or 0) + offset)) for e in many)
        return lazy_table_rows(replace(snapshot(), endpoints=moved), True)

    async def drive() -> tuple[int, int, str, str, str]:
        async with app.run_test(size=(80, 24)) as pilot:
            table = app.query_one(PercentileTable)
            first = shifted(0.0)
            table.show_rows(first)  # a new order: every row is added, so formatted
            await pilot.pause(0.1)
            polled = shifted(1000.0)
            table.show_rows(polled)
            await pilot.pause(0.1)
            formatted_in_view = polled.formatted
            table.scroll_end(animate=False)
            await pilot.pause(0.2)
            return first.formatted, formatted_in_view, *(table.get_row_at(i)[4].plain for i in (0, 1, 500))

    app = TableApp()
    all_rows, in_view, total, top, bottom = asyncio.run(drive())
    assert all_rows == 501
    assert 1 < in_view <= 1 + 24 + 2 * MARGIN_ROWS
    assert (top, bottom) == ("1000", "1499") and total != ""


def test_an_update_renders_only_the_changed_cells_and_draws_as_if_rendered_afresh() -> None:
    """Two cells change: two cells are rendered again (not every cell in view), and every line, cursor
    highlight included, is what rendering every cell anew draws."""
    from textual.app import App, ComposeResult

    from perfconsole.tui.widgets.percentile_table import PercentileTable

    many = tuple(endpoint(f"/e/{n:02d}", float(n)) for n in range(30))
    moved = ("/e/03", "/e/07")
    changed = tuple(replace(e, current=Percentiles(p95=500.0)) if e.name in moved else e for e in many)

    class TableApp(App[None]):
        def compose(self) -> ComposeResult:
            yield PercentileTable(id="table", cursor=True)

    def lines(table: Any) -> list[list[Any]]:
        return [list(table.render_line(y)) for y in range(table.size.height)]

    def afresh(table: Any) -> list[list[Any]]:
        table._update_count += 1  # what every change but a cell update does: all cells rendered anew
        return lines(table)

    async def drive() -> tuple[int, int, bool, bool]:
        app = TableApp()
        async with app.run_test(size=(80, 40)) as pilot:
            table = app.query_one(PercentileTable)
            table.show_rows(table_rows(replace(snapshot(), endpoints=many), True))
            await pilot.pause(0.1)
            renders = 0
            render_lines = app.console.render_lines

            def counted(*args: Any, **kwargs: Any) -> Any:
                nonlocal renders
                renders += 1
                return render_lines(*args, **kwargs)

            app.console.render_lines = counted  # type: ignore[method-assign]
            afresh(table)
            every_cell, renders = renders, 0
            table.show_rows(table_rows(replace(snapshot(), endpoints=changed), True))
            updated = lines(table)
            app.console.render_lines = render_lines  # type: ignore[method-assign]
            same = updated == afresh(table)
            table.move_cursor(row=7, animate=False)
            await pilot.pause(0.1)
            return every_cell, renders, same, lines(table) == afresh(table)

    every_cell, renders, same, same_with_cursor = asyncio.run(drive())
    assert every_cell == 20 * 8 * renders // 2, (every_cell, renders)  # 20 rows of 8 in view, 2 changed
    assert same and same_with_cursor
