"""Arrival-rate mode, pure parts: rate curves, arrival times, per-second counts, the twin histogram's
wire form, the profile keys and options, the thresholds."""

from __future__ import annotations

import argparse
import random
import textwrap

import pytest

from perfconsole.config import Limits, RateStage, parse_settings
from perfconsole.engine.arrival.figures import SecondCounts
from perfconsole.engine.arrival.schedule import Arrivals, RateCurve
from perfconsole.engine.hdr.codec import encode_counts, parse_payload, wire_payload
from perfconsole.engine.hdr.layout import index_of
from perfconsole.engine.hdr.merge import TOTAL, HdrAggregator
from perfconsole.engine.hdr.recorder import IntervalRecorder
from perfconsole.engine.plan_builder import arrival_plan
from perfconsole.errors import ConfigError, UserError
from perfconsole.model.arrival import ArrivalFigures, ArrivalRun
from perfconsole.verdicts.arrival import arrival_verdicts


def arrivals_until(arrivals: Arrivals, end_s: float) -> list[float]:
    found = []
    while True:
        t = arrivals.next()
        if t is None or t >= end_s:
            return found
        found.append(t)


def test_constant_spacing_is_exact() -> None:
    times = arrivals_until(Arrivals(RateCurve.constant(200.0), 0.0, rng=random.Random(1)), 10.0)
    assert len(times) in (1999, 2000)
    gaps = {round(b - a, 9) for a, b in zip(times, times[1:], strict=False)}
    assert gaps == {0.005}


def test_poisson_count_and_spread() -> None:
    times = arrivals_until(Arrivals(RateCurve.constant(200.0), 0.0, poisson=True, rng=random.Random(7)), 50.0)
    assert 9_700 < len(times) < 10_300  # 10,000 expected; sd 100
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    mean = sum(gaps) / len(gaps)
    variance = sum((g - mean) ** 2 for g in gaps) / len(gaps)
    assert 0.9 < (variance**0.5) / mean < 1.1  # exponential gaps: sd == mean


def test_step_stages_hold_each_rate() -> None:
    curve = RateCurve.from_stages([RateStage(10, 100), RateStage(20, 300)])
    assert curve.rate_at(5) == 100 and curve.rate_at(15) == 300 and curve.rate_at(99) == 300
    assert curve.integral(0, 20) == pytest.approx(4000)
    times = arrivals_until(Arrivals(curve, 0.0, rng=random.Random(2)), 20.0)
    assert sum(1 for t in times if t < 10) in (999, 1000)
    assert sum(1 for t in times if 10 <= t < 20) in (2999, 3000, 3001)


def test_linear_stage_ramps_from_the_rate_before() -> None:
    curve = RateCurve.from_stages([RateStage(10, 100), RateStage(20, 300, linear=True)])
    assert curve.rate_at(15) == pytest.approx(200)
    assert curve.integral(10, 20) == pytest.approx(2000)
    times = arrivals_until(Arrivals(curve, 0.0, rng=random.Random(3)), 20.0)
    assert abs(sum(1 for t in times if 10 <= t < 15) - 750) <= 1
    assert abs(sum(1 for t in times if 15 <= t < 20) - 1250) <= 1


def test_zero_rate_never_arrives_and_curves_scale_and_travel() -> None:
    assert RateCurve.constant(0.0).advance(0.0, 1.0) is None
    curve = RateCurve.from_stages([RateStage(5, 50), RateStage(8, 0)]).scaled(0.5)
    again = RateCurve.from_wire(curve.to_wire())
    assert again.rate_at(1) == 25 and again.rate_at(6) == 0
    assert again.advance(4.99, 10.0) is None  # 0.25 left before the rate drops to 0 for good


def test_second_counts_merge_reports() -> None:
    counts = SecondCounts()
    counts.add(100, 90, 1, encode_counts({index_of(1000): 89, index_of(50_000): 1}), 50_000)
    counts.add(100, 110, 0, encode_counts({index_of(2000): 110}), 2000)
    counts.add(101, 200, 5, encode_counts({index_of(3000): 200}), 3000)
    started, dropped, p95 = counts.between(100, 102)
    assert (started, dropped) == (400, 6)
    assert p95 == pytest.approx(3.0, rel=0.01)
    assert counts.between(102, 110) == (0, 0, None)


def test_twin_counts_scheduled_requests_from_their_scheduled_start() -> None:
    lags = iter([None, 40_000, 40_000])  # an on_start request, then two from an iteration started 40 ms late
    recorder = IntervalRecorder(clock=lambda: 1000.0)
    recorder.start_lag = lambda: next(lags)
    for _ in range(3):
        recorder.record("GET", "/x", 10.0)
    aggregator = HdrAggregator()
    aggregator.merge_wire(parse_payload(wire_payload(recorder.drain())))
    measured = aggregator.cumulative(("GET", "/x"))
    twin = aggregator.corrected_values(("GET", "/x"))
    assert measured is not None and twin is not None
    assert aggregator.run[TOTAL].total == aggregator.corrected[TOTAL].total == 3
    assert measured[0] == pytest.approx(10.0, rel=0.01)
    assert twin[0] == pytest.approx(50.0, rel=0.01)  # p50: 10 ms service + 40 ms start lag
    assert twin[-1] == pytest.approx(50.0, rel=0.01)


def test_rate_profiles_are_read_and_checked(tmp_path) -> None:
    settings = parse_settings(
        textwrap.dedent(
            """
            [profiles.flat-rate]
            arrival_rate = 150
            users = 5
            max_users = 40
            duration = "30s"
            arrivals = "poisson"
            [profiles.open-spike]
            stages = [{ until = "30s", rate = 50 }, { until = "60s", rate = 400, ramp = "linear" }]
            """
        ),
        tmp_path / "config.toml",
    )
    flat = settings.profile("flat-rate")
    assert flat.arrival is not None and flat.arrival.rate == 150 and flat.arrival.poisson
    assert (flat.users, flat.arrival.max_users, flat.duration_s) == (5, 40, 30.0)
    spike = settings.profile("open-spike")
    assert spike.arrival is not None and spike.duration_s == 60 and not spike.staged
    assert spike.arrival.stages == (RateStage(30, 50), RateStage(60, 400, linear=True))
    bad = {
        "arrival_rate = 0": "arrival_rate",
        'arrival_rate = 10\nramp = "x"': "ramp",
        "arrival_rate = 10\nusers = 20\nmax_users = 5": "below the initial pool",
        "users = 1\nspawn_rate = 1\nmax_users = 5": "belongs to an arrival-rate profile",
        'stages = [{ until = "1m", rate = 5, ramp = "up" }]': "ramp",
        'stages = [{ until = "1m", rate = 5, users = 3 }]': "users",
    }
    for body, message in bad.items():
        with pytest.raises(ConfigError, match=message):
            parse_settings(f"[profiles.x]\n{body}\n", tmp_path / "config.toml")
    with pytest.raises(ConfigError, match="aggregated total only"):
        parse_settings('[thresholds.endpoints."/x"]\ndropped_pct = 1\n', tmp_path / "config.toml")


def test_arrival_options() -> None:
    def options(**values: object) -> argparse.Namespace:
        return argparse.Namespace(**values)

    assert arrival_plan(options(), None, None) is None
    plan = arrival_plan(options(arrival_rate="250", max_users="30"), None, 10)
    assert plan is not None and (plan.rate, plan.max_users, plan.poisson) == (250, 30, False)
    with pytest.raises(UserError, match="--max-users belongs to arrival-rate mode"):
        arrival_plan(options(max_users="30"), None, 10)
    with pytest.raises(UserError, match="--arrival-rate"):
        arrival_plan(options(arrival_rate="fast"), None, 10)
    with pytest.raises(UserError, match="below the initial pool"):
        arrival_plan(options(arrival_rate="5", max_users="3"), None, 10)


def test_arrival_thresholds() -> None:
    run = ArrivalRun(ArrivalFigures(10.0, 2000.0, 1900, 100, 80.0), max_users=50, peak_pool=50)
    checked = arrival_verdicts(run, Limits(dropped_pct=1.0, start_lag_p95_ms=100.0))
    assert [(t.metric, t.passed) for t in checked] == [("dropped_pct", False), ("start_lag_p95_ms", True)]
    assert checked[0].actual == pytest.approx(5.0)
    assert arrival_verdicts(None, Limits(dropped_pct=1.0)) == ()
    assert arrival_verdicts(run, Limits()) == ()


def test_stages_csv_carries_the_rate_figures_of_rate_stages() -> None:
    import csv
    import io

    from perfconsole.model.percentiles import Percentiles
    from perfconsole.model.stages import StageStats
    from perfconsole.store.stages_codec import stage_to_dict, stages_csv, stages_from_list

    empty = Percentiles(None, None, None, None, None, None)
    plain = StageStats(1, "20 users", "plateau", 0.0, 1.0, 30, 0, empty)
    rated = StageStats(
        2, "200/s", "rate", 1.0, 11.0, 2000, 0, empty, ArrivalFigures(10.0, 2000.0, 1990, 10, 4.5)
    )
    rows = list(csv.DictReader(io.StringIO(stages_csv([plain, rated]))))
    assert rows[0]["Target Iterations/s"] == "" and rows[1]["Target Iterations/s"] == "200.00"
    assert (rows[1]["Iterations/s"], rows[1]["Dropped Iterations"], rows[1]["Start Lag 95% (ms)"]) == (
        "199.00",
        "10",
        "4.500",
    )
    assert "Iterations/s" not in stages_csv([plain])
    assert stages_from_list([stage_to_dict(rated)]) == (rated,)
