"""The arrival-rate reading in the console, pure: the verdict of what limits the run, the rate panel and
status bar fields, the dial's step and the typed rate."""

from __future__ import annotations

from dataclasses import replace

import pytest
from test_tui_data import snapshot

from perfconsole.errors import UserError
from perfconsole.model.arrival import ArrivalStatus
from perfconsole.model.run import HistoryPoint
from perfconsole.tui.controls import parse_arrival_rate, step_rate
from perfconsole.tui.views.rate import latency_rising, pool_growing, rate_panel_lines, rate_status_fields
from perfconsole.tui.views.rate import verdict as rate_reading
from perfconsole.verdicts.arrival import (
    GENERATOR_BOUND,
    KEEPING_UP,
    POOL_CEILING,
    TARGET_BOUND,
    rate_verdict,
)

STEADY = ArrivalStatus(
    target_rate=200.0,
    achieved_rate=199.6,
    dropped_rate=0.0,
    start_lag_p95_ms=2.0,
    busy=3,
    pool=10,
    max_users=100,
    backlog=0,
    workers=2,
)


def test_verdicts() -> None:
    assert rate_verdict(STEADY, 40.0, False, False)[0] == KEEPING_UP
    ceiling = replace(STEADY, dropped_rate=95.0, pool=100, busy=100, start_lag_p95_ms=900.0)
    assert rate_verdict(ceiling, 40.0, True, False) == (
        POOL_CEILING,
        "95/s dropped with all 100 users in use",
    )
    assert rate_verdict(STEADY, 95.0, False, False)[0] == GENERATOR_BOUND
    idle_but_late = replace(STEADY, start_lag_p95_ms=120.0, busy=2)
    assert rate_verdict(idle_but_late, 50.0, False, False) == (
        GENERATOR_BOUND,
        "start lag p95 120 ms with idle users",
    )
    growing = replace(STEADY, pool=40, busy=39, start_lag_p95_ms=300.0)
    assert rate_verdict(growing, 50.0, True, True) == (TARGET_BOUND, "latency rising, pool growing")
    assert rate_verdict(replace(growing, busy=40), 50.0, False, False)[0] == TARGET_BOUND


def history(p95s: list[float], users: list[int]) -> list[HistoryPoint]:
    return [
        HistoryPoint(float(i), 0.0, u, 100.0, 0.0, 1.0, p, p)
        for i, (p, u) in enumerate(zip(p95s, users, strict=True))
    ]


def test_trends_need_ten_seconds() -> None:
    flat = history([10.0] * 12, [10] * 12)
    assert not latency_rising(flat) and not pool_growing(flat)
    rising = history([10.0] * 6 + [40.0] * 6, [10] * 6 + [30] * 6)
    assert latency_rising(rising) and pool_growing(rising)
    assert not latency_rising(rising[:10])


def test_panel_and_status_fields_fit_80_columns() -> None:
    snap = replace(snapshot(), arrival=STEADY, workers=())
    reading = rate_reading(snap, [])
    assert reading == (KEEPING_UP, "200 of 200/s started on time")
    lines = rate_panel_lines(snap, reading, 78)
    assert all(len(line) <= 78 for line in lines)
    text = "\n".join(lines)
    for part in ("target 200/s", "achieved 199.6/s", "dropped 0.0/s", "start lag p95 2.0 ms", "3/10/100"):
        assert part in text
    assert lines[-1].startswith("keeping up: 200 of 200/s started on time")
    assert len(lines) == 3  # the figures take two lines at 80 columns, the verdict one
    assert rate_status_fields(snap, reading) == ["rate 200/s got 199.6", "keeping up"]
    closed = snapshot()
    assert rate_reading(closed, []) is None
    assert rate_panel_lines(closed, None, 78) == [] and rate_status_fields(closed, None) == []


def test_dial_steps_and_typed_rates() -> None:
    assert (step_rate(200, 1), step_rate(200, -1), step_rate(300, 1), step_rate(330, -1)) == (
        220,
        180,
        330,
        297,
    )
    assert step_rate(5, -1) == 4.5 and step_rate(0.1, -1) == 0.1
    assert (
        parse_arrival_rate(" 250 ") == 250 and parse_arrival_rate("off") == 0 and parse_arrival_rate("0") == 0
    )
    for bad in ("fast", "-5", "1e9", ""):
        with pytest.raises(UserError):
            parse_arrival_rate(bad)
