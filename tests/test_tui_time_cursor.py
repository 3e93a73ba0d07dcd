"""A saved run with a spike drill, scrubbed with the time cursor: at the spike its window p95, before it
the calm value (a run directory written by the store from hand-built figures; pure views tested alone)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

from test_store_factories import STARTED_AT, make_result
from test_tui_data import SCENARIOS, settings

from perfconsole.model.run import Annotation, HistoryPoint
from perfconsole.store.run_save import save_run
from perfconsole.tui.app import make_app
from perfconsole.tui.screens.run_browser import RunDetailScreen
from perfconsole.tui.views.time_cursor import next_annotation, point_at, stepped
from perfconsole.tui.widgets.message_line import MessageLine
from perfconsole.tui.widgets.percentile_table import PercentileTable

SPIKE_FROM, SPIKE_TO = 30, 40


def spike_history() -> tuple[HistoryPoint, ...]:
    """60 s: p95 20 ms, then 300 ms from the drill at 0:30 to 0:40, then calm again."""
    return tuple(
        HistoryPoint(
            elapsed_s=float(second),
            timestamp=STARTED_AT + second,
            user_count=40 if SPIKE_FROM <= second < SPIKE_TO else 10,
            rps=400.0 if SPIKE_FROM <= second < SPIKE_TO else 100.0,
            fail_per_sec=0.0,
            p50_ms=10.0,
            p95_ms=300.0 if SPIKE_FROM <= second < SPIKE_TO else 20.0,
            p99_ms=450.0 if SPIKE_FROM <= second < SPIKE_TO else 30.0,
            total_requests=100 * second,
        )
        for second in range(61)
    )


NOTES = (
    Annotation(5.0, "users 0 -> 10", "users", STARTED_AT + 5),
    Annotation(float(SPIKE_FROM), "spike drill: 10 -> 40 users", "drill", STARTED_AT + SPIKE_FROM),
)


def test_cursor_steps_within_the_run_and_jumps_between_annotations() -> None:
    history = spike_history()
    assert stepped(None, -1, history) == 60.0 and stepped(None, 1, history) == 0.0
    assert stepped(35.0, 10, history) == 45.0 and stepped(55.0, 10, history) == 60.0
    assert stepped(3.0, -10, history) == 0.0
    assert next_annotation(None, NOTES, True) == 5.0 and next_annotation(5.0, NOTES, True) == 30.0
    assert next_annotation(30.0, NOTES, True) is None and next_annotation(30.0, NOTES, False) == 5.0
    point = point_at(history, 35.4)
    assert point is not None and point.elapsed_s == 35.0 and point_at(history, -1.0) is None


def no_sessions(choice: object) -> object:
    raise AssertionError("a saved run starts no session")


def test_a_saved_spike_scrubbed_to_the_spike_and_before_it(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    result = replace(make_result(annotations=NOTES), history=spike_history())
    save_run(runs, result)
    app = make_app(replace(settings(), runs_dir=runs), scenarios=SCENARIOS, session_factory=no_sessions)

    async def drive() -> list[tuple[str, str]]:
        seen = []
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("r", "enter")
            await pilot.pause(0.3)
            assert isinstance(app.screen, RunDetailScreen)
            table = app.screen.query_one(PercentileTable)
            for keys in (("n", "n"), ("full_stop",) * 5, ("less_than_sign", "less_than_sign"), ("w",)):
                await pilot.press(*keys)
                await pilot.pause(0.2)
                total = [cell.plain for cell in table.get_row_at(0)]
                seen.append((total[4], app.screen.query_one(MessageLine).message))
        return seen

    at_drill, in_spike, before, whole = asyncio.run(drive())
    assert at_drill[0] == "300" and "spike drill" in at_drill[1] and "at 0:30/1:00" in at_drill[1]
    assert in_spike[0] == "300" and in_spike[1] == (
        "at 0:35/1:00: users 40, req/s 400.0, fail/s 0.0, p50/95/99 10/300/450 ms;"
        " no endpoint rows by time saved"
    )
    assert before[0] == "20" and before[1].startswith("at 0:15/1:00") and " 10/20/30 ms" in before[1]
    assert whole[1].startswith("read-only: figures over the whole run") and whole[0] != "300"


def test_charts_mark_the_cursor_and_drop_the_last_values() -> None:
    from perfconsole.tui.views.charts import dashboard_charts
    from perfconsole.tui.views.time_cursor import CURSOR_MARK, with_cursor

    rps = dashboard_charts(spike_history(), NOTES)[0]
    marked = with_cursor(rps, 35.0)
    assert (35.0, CURSOR_MARK) in marked.marks and marked.latest == "cursor 0:35" and "now" in rps.latest


HISTORY_HEADER = (
    "Timestamp,User Count,Type,Name,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%,"
    "Total Request Count,Total Failure Count,Total Median Response Time,Total Average Response Time,"
    "Total Min Response Time,Total Max Response Time,Total Average Content Size\n"
)


def history_line(second: int, method: str, name: str, p95: float) -> str:
    return (
        f"{int(STARTED_AT) + second},10,{method},{name},5.0,0.0,10,11,12,13,14,{p95:g},{p95:g},{p95:g},"
        f"{p95:g},{p95:g},{p95:g},100,0,10,12.0,1,{p95:g},20\n"
    )


def test_endpoint_rows_at_the_cursor_from_a_full_stats_history(tmp_path: Path) -> None:
    """Saved with --csv-full-history: at the spike the slowed endpoint's row has its p95 of then."""
    runs = tmp_path / "runs"
    run_dir = save_run(runs, replace(make_result(annotations=NOTES), history=spike_history()))
    lines = [HISTORY_HEADER]
    for second in range(61):
        slow = 300.0 if SPIKE_FROM <= second < SPIKE_TO else 20.0
        lines.append(history_line(second, "GET", "/api/notifications", slow))
        lines.append(history_line(second, "POST", "/api/users", 40.0))
        lines.append(history_line(second, "", "Aggregated", slow))
    (run_dir / "locust_stats_history.csv").write_text("".join(lines))
    app = make_app(replace(settings(), runs_dir=runs), scenarios=SCENARIOS, session_factory=no_sessions)

    async def drive() -> list[dict[str, str]]:
        seen = []
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("r", "enter")
            await pilot.pause(0.3)
            table = app.screen.query_one(PercentileTable)
            for keys in (("n", "n", "full_stop"), ("less_than_sign", "less_than_sign")):
                await pilot.press(*keys)
                await pilot.pause(0.2)
                rows = [[cell.plain for cell in table.get_row_at(i)] for i in range(table.row_count)]
                seen.append({row[0]: row[4] for row in rows})
        return seen

    in_spike, before = asyncio.run(drive())
    assert in_spike == {"Total": "300", "GET /api/notifications": "300", "POST /api/users": "40"}
    assert before == {"Total": "20", "GET /api/notifications": "20", "POST /api/users": "40"}


def test_a_missing_or_malformed_stats_history_gives_no_rows(tmp_path: Path) -> None:
    from perfconsole.store.stats_history import endpoint_seconds

    assert endpoint_seconds(tmp_path) == []
    (tmp_path / "locust_stats_history.csv").write_text(
        HISTORY_HEADER + "garbage,,\nnot-a-time,1,GET,/x,1,0,N/A\n" + history_line(3, "GET", "/x", 7.0)
    )
    (row,) = endpoint_seconds(tmp_path)
    assert (row.key, row.p95, row.p50, row.timestamp) == ("GET /x", 7.0, 10.0, int(STARTED_AT) + 3)


def test_the_cursor_line_fits_the_message_line_at_80_columns() -> None:
    from perfconsole.tui.views.time_cursor import cursor_line

    busy = replace(spike_history()[35], user_count=200, rps=456.7, fail_per_sec=12.3, p50_ms=45.0)
    line = cursor_line(replace(busy, p95_ms=230.0, p99_ms=780.0), 35.0 * 60, 59.0 * 60)
    assert len(line) <= 80 - 4, line  # the message line's padding and its mark
