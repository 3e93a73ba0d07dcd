"""Pure console logic: formatting, table rows and marks, status bar, grouped views, charts, parsing."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from test_tui_data import ANNOTATIONS, SCENARIOS, TOTAL, history, settings, snapshot

from perfconsole.config import Arrival, RateStage, load_settings
from perfconsole.errors import UserError
from perfconsole.model.run import EndpointStats, ErrorStats, RunState, WorkerInfo
from perfconsole.tui import chart
from perfconsole.tui.controls import double_users, halve_users, parse_spawn_rate, parse_users, step_users
from perfconsole.tui.formatting import fmt_duration, fmt_ms, fmt_rate
from perfconsole.tui.launch import parse_host, parse_tags, parse_workers
from perfconsole.tui.marks import BREACH_MARK
from perfconsole.tui.text_layout import fit_text, pack_fields
from perfconsole.tui.views.annotations import annotation_lines
from perfconsole.tui.views.charts import dashboard_charts
from perfconsole.tui.views.failures import exception_rows, failure_rows
from perfconsole.tui.views.start import profile_line, profile_preview, rate_preview, scenario_lines
from perfconsole.tui.views.status import failure_percent, status_fields, worker_summary
from perfconsole.tui.views.table import TABLE_COLUMNS, TableRow, table_rows
from perfconsole.tui.views.workers import worker_rows
from perfconsole.verdicts.thresholds import cell_breaches


def test_formatting() -> None:
    assert [fmt_ms(None), fmt_ms(3.44), fmt_ms(123.4), fmt_ms(250_000)] == ["-", "3.4", "123", "250s"]
    assert [fmt_rate(0), fmt_rate(12.34), fmt_rate(12345)] == ["0.0", "12.3", "12,345"]
    assert [fmt_duration(None), fmt_duration(5), fmt_duration(754), fmt_duration(3723)] == [
        "-",
        "0:05",
        "12:34",
        "1:02:03",
    ]


def cells_by_column(row: TableRow) -> dict[str, str]:
    return {column: cell.text for (column, _), cell in zip(TABLE_COLUMNS, row.cells, strict=True)}


def test_table_rows_current_and_whole_run() -> None:
    snap = snapshot()
    current = table_rows(snap, use_current=True)
    whole = table_rows(snap, use_current=False)
    assert [r.key for r in current] == [
        "Aggregated",  # pinned on top
        "GET /api/notifications/",
        "POST /api/notifications/",
        "GET /api/notifications/[id]/",
    ]
    assert current[0].is_total and current[0].cells[0].text == "Total"
    detail_current = {c: cell.text for (c, _), cell in zip(TABLE_COLUMNS, current[3].cells, strict=True)}
    detail_whole = {c: cell.text for (c, _), cell in zip(TABLE_COLUMNS, whole[3].cells, strict=True)}
    assert detail_whole["p95"] == "620" and detail_current["p95"] == "558"  # 0.9 x 620 in the window
    assert detail_whole["rps"] == "13.3" and detail_current["rps"] == "14.6"
    assert detail_whole["max"] == "1860"
    assert not any(cell.breached for row in current for cell in row.cells)


def test_breached_cells_carry_a_symbol() -> None:
    limits = settings().thresholds

    def breaches(ep: EndpointStats, use_current: bool) -> set[str]:
        return cell_breaches(ep, limits, use_current)

    rows = {r.key: r for r in table_rows(snapshot(), use_current=False, breaches=breaches)}
    detail = dict(zip((c for c, _ in TABLE_COLUMNS), rows["GET /api/notifications/[id]/"].cells, strict=True))
    assert detail["p95"].breached and detail["p95"].text == f"{BREACH_MARK}620"
    assert not detail["p50"].breached
    healthy = rows["GET /api/notifications/"]
    assert not any(cell.breached or BREACH_MARK in cell.text for cell in healthy.cells)


def test_status_fields_and_packing() -> None:
    fields = status_fields(snapshot(), use_current=True)
    assert fields[0] == "RUNNING"
    assert "users 40/40 @5/s" in fields
    assert "workers 2/2 ready" in fields
    assert "left 3:25" in fields and "elapsed 1:35" in fields
    assert "profile medium" in fields
    lines = pack_fields(fields, 80)
    assert all(len(line) <= 80 for line in lines) and len(lines) == 2
    assert pack_fields(["a" * 90, "b"], 80) == ["a" * 90, "b"]


def test_worker_summary_counts_missing() -> None:
    snap = snapshot(workers=2)
    lost = WorkerInfo("worker-9", "missing", 0, 0.0, 0, False)
    snap = replace(snap, workers=(*snap.workers, lost))
    assert worker_summary(snap) == "workers 2/2 ready 1 missing"
    assert worker_summary(snapshot(workers=0)) == "workers local"


def test_failures_grouped_and_sorted() -> None:
    errors = [
        ErrorStats("GET", "/a", "500", 2),
        ErrorStats("GET", "/b", "timeout", 7),
        ErrorStats("GET", "/a", "500", 3),
    ]
    rows = failure_rows(errors)
    assert [(r.count, r.name, r.error) for r in rows] == [(7, "/b", "timeout"), (5, "/a", "500")]
    exc = exception_rows(snapshot().exceptions)
    assert exc[0].where.startswith('File "scenarios/x.py", line 12')


def test_worker_rows_and_annotations() -> None:
    rows = worker_rows(snapshot().workers)
    assert [(r.id, r.cpu, r.memory, r.health) for r in rows][0] == ("worker-0 (pid 1000)", "35%", "80M", "ok")
    lines = annotation_lines(reversed(ANNOTATIONS))
    assert lines[0].split() == ["0:00", "U", "users", "started:", "40", "users", "at", "5/s"]
    assert lines[-1].split()[:3] == ["1:15", "N", "note"]


def test_resample_keeps_peaks_and_fills_between_samples() -> None:
    times = [0.0, 1.0, 2.0, 3.0]
    assert chart.resample(times, [1.0, 5.0, 2.0, 3.0], 4.0, 2) == [5.0, 3.0]
    # more slots than samples: held between samples, empty after the last one
    assert chart.resample([0.0, 2.0], [1.0, 3.0], 4.0, 4) == [1.0, 1.0, 3.0, None]
    # a sample without data (idle window) stays a gap
    assert chart.resample([0.0, 1.0, 2.0], [1.0, None, 3.0], 3.0, 3) == [1.0, None, 3.0]


def test_plot_draws_levels_and_owners() -> None:
    series = (chart.Series("low", [0.0, 1.0], [0.0, 0.0]), chart.Series("high", [0.0, 1.0], [10.0, 10.0]))
    grid = chart.plot(series, width=2, height=2, t_end=4.0, y_max=10.0)
    top, bottom = grid
    assert top[0][1] == 1 and bottom[0][1] == 0  # the high series owns the top row, the low one the bottom
    assert top[0][0] != " " and bottom[0][0] != " "
    assert top[1] == (" ", chart.NO_SERIES)  # nothing after the last sample
    filled = chart.plot((series[1],), width=1, height=2, t_end=2.0, y_max=10.0, fill=True)
    assert filled[1][0][0] == "⣿"  # area under the line is shaded


def test_axis_marks_and_labels() -> None:
    assert chart.mark_row([(0.0, "U"), (50.0, "D"), (51.0, "N")], 10, 100.0) == "U────+────"
    assert chart.time_labels(12, 95.0) == "0:00    1:35"
    assert [chart.chart_t_end([]), chart.chart_t_end([31.0]), chart.chart_t_end([95.0])] == [30, 60, 120]
    assert chart.nice_ceiling(0.3) == 1 and chart.nice_ceiling(130) == 200 and chart.nice_ceiling(500) == 500


def test_dashboard_charts_mark_annotations() -> None:
    rps, latency, users, errors = dashboard_charts(history(), ANNOTATIONS)
    assert rps.t_end == 120.0 and rps.marks == ((0.0, "U"), (60.0, "D"), (75.0, "N"))
    assert [s.label for s in latency.series] == ["p50", "p95", "p99"]
    assert latency.y_max == 500 and users.y_max == 100 and errors.y_max == 2
    assert "p95 60" in latency.latest


def test_profile_preview_and_lines() -> None:
    ramp = settings().profiles["ramp"]
    from perfconsole.profiles import rate_over_time, users_over_time

    data = profile_preview(users_over_time(ramp, 30), 20)
    assert data.y_max == 20 and data.latest == "peak 20"
    assert profile_line(ramp) == "Ramp up and down: 3 stages up to 20 users until stopped"
    assert profile_line(settings().profiles["light"]) == "Smoke load: 4 users @4/s for 1:00"
    shipped = load_settings(Path(__file__).resolve().parent.parent / "config.toml")
    spike = shipped.profiles["open-spike"]  # 50/s, 400/s from 1:00 to 1:30, 50/s to 2:30
    points = rate_over_time(spike, 31)
    rate = rate_preview(points, 400.0)
    assert rate.title.startswith("planned arrival rate") and rate.latest == "peak 400/s"
    assert rate.y_max >= 400 and rate.t_end == 150.0
    assert [r for t, r in points if t in (0.0, 55.0, 60.0, 85.0, 90.0, 150.0)] == [50, 50, 400, 400, 50, 50]
    before_step = [r for t, r in points if 59.0 < t < 60.0]
    assert before_step == [50.0]  # the step is drawn as one: its last point before is still 50/s
    assert profile_line(spike) == (
        "Open model: 50 iterations/s, a 400/s spike for 30 s, back to 50/s: 3 rate stages up to 400 "
        "iterations/s on a pool of 20 users, max 200 for 2:30"
    )
    linear = replace(spike, arrival=Arrival(stages=(RateStage(10, 100, linear=True),)), duration_s=10.0)
    assert [round(r) for _, r in rate_over_time(linear, 3)] == [0, 50, 100]
    steady = replace(spike, arrival=Arrival(rate=200), duration_s=60.0, description="")
    assert profile_line(steady) == "200 iterations/s on a pool of 20 users for 1:00"
    assert {r for _, r in rate_over_time(steady)} == {200}
    lines = scenario_lines(SCENARIOS[0])
    assert lines[1] == "• NotificationsUser (weight 3)  tags read, write" and lines[-1] == "tags: read, write"


def test_controls_and_parsing() -> None:
    assert [step_users(10, 10, 1), step_users(5, 10, -1), double_users(0), halve_users(1)] == [20, 1, 1, 1]
    assert parse_users(" 25 ") == 25 and parse_spawn_rate("") is None and parse_spawn_rate("2.5") == 2.5
    for bad in ("0", "-3", "abc", "1.5", "100001"):
        with pytest.raises(UserError, match="users"):
            parse_users(bad)
    with pytest.raises(UserError, match="spawn rate"):
        parse_spawn_rate("0")
    assert parse_tags("read, write read") == ("read", "write") and parse_tags("  ") == ()
    assert parse_workers("") is None and parse_workers("2") == 2
    with pytest.raises(UserError, match="workers"):
        parse_workers("two")
    assert parse_host("") is None and parse_host("http://localhost:8080/") == "http://localhost:8080"
    assert parse_host("http://10.1.2.3:80") == "http://10.1.2.3:80"
    with pytest.raises(UserError, match=r"^host: expected an http\(s\) URL"):
        parse_host("10.1.2.3:80")


def test_failure_percent_views() -> None:
    snap = snapshot(state=RunState.RUNNING)
    assert failure_percent(snap, use_current=False) == pytest.approx(100 * 12 / 4800)
    assert failure_percent(snap, use_current=True) == pytest.approx(100 * (12 / 100) / (TOTAL.current_rps))


def test_fit_text_keeps_the_ending_by_cutting_the_longest_word_in_the_middle() -> None:
    text = "baseline real saved from 20260512T101500Z-notifications-tiny (b compares)"
    assert fit_text(text, 200) == text
    fitted = fit_text(text, 60)
    assert len(fitted) == 60 and fitted.endswith("-tiny (b compares)") and fitted.startswith("baseline real")
    assert "…" in fitted.split(" ")[4]
    short = fit_text("a b c d e f g h i j k l m n", 10)
    assert len(short) == 10 and short.endswith("…")


def test_a_spike_verdict_fits_the_message_line_at_80_columns() -> None:
    from perfconsole.tui.widgets.message_line import two_lines

    verdict = (
        "◆ spike verdict: recovered 12s after the spike: p95 45 ms (before 20 ms, peak 300 ms), "
        "errors 0.0% (before 0.0%, peak 1.2%)"
    )
    lines = two_lines(verdict, 78)
    assert len(lines) == 2 and all(len(line) <= 78 for line in lines)
    assert " ".join(lines) == verdict  # nothing lost
    assert two_lines("run started", 78) == ["run started"]
    assert len(two_lines("x " * 200, 78)) == 2 and two_lines("x " * 200, 78)[1].endswith("…")
