"""The console's live verdicts, pure (no run): the running test's own noise (its histograms read in place,
the current window's or the whole run's, and its time blocks) in the live comparison, and the spike and
soak lines announced while a run runs."""

from __future__ import annotations

import math
import random
from dataclasses import replace

from fakes import FakeSession
from test_noise import latencies, run_of, steady_blocks
from test_tui_data import snapshot

from perfconsole.config import Regression, Soak
from perfconsole.engine.hdr.codec import parse_payload, wire_payload
from perfconsole.engine.hdr.merge import HdrAggregator
from perfconsole.engine.hdr.recorder import IntervalRecorder
from perfconsole.engine.live_noise import live_noise
from perfconsole.model.run import AGGREGATED, HistoryPoint, RunState
from perfconsole.tui.frame import Frame
from perfconsole.tui.store_view import live_comparison
from perfconsole.tui.verdict_lines import SOAK_EVERY_S, VerdictLines
from perfconsole.tui.views.resource_state import ResourceState
from perfconsole.verdicts.run_noise import RunNoise

KEY = "GET /api/notifications"


def fed(seconds: int, slow_every_other: float) -> HdrAggregator:
    """300 requests a second for ``seconds``; every other second the machine slows them all."""
    aggregator = HdrAggregator(window_s=10)
    rng = random.Random(4)
    for second in range(1000, 1000 + seconds):
        recorder = IntervalRecorder(clock=lambda s=second: s + 0.5)
        scale = slow_every_other if second % 2 else 1.0
        for value in latencies(rng, 300, scale):
            recorder.record("GET", "/api/notifications", value)
        aggregator.merge_wire(parse_payload(wire_payload(recorder.drain())))
    return aggregator


def test_live_noise_reads_the_window_or_the_whole_run_and_the_runs_blocks() -> None:
    aggregator = fed(30, 1.5)
    whole, window = live_noise(aggregator, False, 1030.0), live_noise(aggregator, True, 1030.0)
    for noise in (whole, window):
        assert noise.sample(AGGREGATED) is not None and noise.sample("GET /nowhere") is None
    whole_sample, window_sample = whole.sample(KEY), window.sample(KEY)
    assert whole_sample is not None and window_sample is not None
    assert whole_sample.total == 9000 and window_sample.total == 3000  # the last 10 s
    assert len(whole.blocks) == 30
    # the machine slowed every other second by half: its part is there, whichever requests are read
    assert whole.machine_variance("p50") > 0.02 and window.machine_variance("p50") > 0.02
    assert math.isclose(whole.machine_variance("p50"), window.machine_variance("p50"), rel_tol=0.3)
    # fewer requests in the window: a larger sampling part for its figures
    whole_parts, window_parts = whole.parts(KEY, "p95"), window.parts(KEY, "p95")
    assert whole_parts is not None and window_parts is not None
    assert window_parts[0] > 2 * whole_parts[0]


def test_the_live_comparison_takes_the_running_tests_own_noise() -> None:
    """A quiet baseline against a live run on a busy machine: borrowing the baseline's noise the live
    run's 20 % looks certain; with its own, it is within noise."""
    rng = random.Random(8)
    values = latencies(rng, 3000)
    baseline = run_of(values, steady_blocks(values))
    aggregator = fed(30, 1.6)
    live = live_noise(aggregator, False, 1030.0)
    whole = live.sample(KEY)
    assert whole is not None
    p50 = whole.quantile(0.5)
    assert p50 is not None
    base_p50 = baseline.final.total.cumulative.p50
    assert base_p50 is not None
    endpoint = replace(
        baseline.final.endpoints[0],
        num_requests=whole.total,
        cumulative=replace(baseline.final.endpoints[0].cumulative, p50=base_p50 * 1.2),
    )
    snap = replace(snapshot(), endpoints=(endpoint,), total=replace(endpoint, method="", name=AGGREGATED))
    rules = Regression(min_abs_ms=0.0)
    borrowed = live_comparison(baseline, snap, False, rules).rows[0].metric("p50")
    own = live_comparison(baseline, snap, False, rules, live).rows[0].metric("p50")
    assert borrowed.interval is not None and own.interval is not None
    assert borrowed.verdict == "REGRESSION" and borrowed.interval.low > 0
    assert own.verdict == "within noise" and own.interval.spans_zero
    assert isinstance(live, RunNoise)


def ramp(seconds: int, growth_ms_per_s: float) -> tuple[HistoryPoint, ...]:
    return tuple(
        HistoryPoint(
            elapsed_s=float(t),
            timestamp=1_700_000_000.0 + t,
            user_count=10,
            rps=100.0,
            fail_per_sec=0.0,
            p50_ms=20.0,
            p95_ms=60.0 + growth_ms_per_s * t,
            p99_ms=90.0,
            total_requests=100 * t,
            total_failures=0,
        )
        for t in range(seconds + 1)
    )


def frame_at(session: RampSession, elapsed_s: float, running: bool) -> Frame:
    """The tick's frame of the session: its history and drill verdict, a run at ``elapsed_s``."""
    state = RunState.RUNNING if running else RunState.STOPPED
    return Frame(
        snapshot=replace(session.snapshot(), elapsed_s=elapsed_s, state=state),
        history=session.history,
        annotations=(),
        warnings=(),
        verdict=session.spike_verdict,
        paused=False,
        resources=ResourceState(None),
        validity="valid",
    )


class RampSession(FakeSession):
    def __init__(self) -> None:
        super().__init__(snapshot())
        self.points: tuple[HistoryPoint, ...] = ()

    @property
    def history(self) -> tuple[HistoryPoint, ...]:
        return self.points


def test_verdict_lines_announce_the_spike_once_and_the_soak_so_far_when_it_changes() -> None:
    rules = Soak(min_duration_s=60.0)
    lines = VerdictLines(rules)
    session = RampSession()
    session.points = ramp(50, 0.0)
    assert lines.poll(frame_at(session, 50.0, True)) == []  # shorter than min_duration: no soak verdict yet
    session.points = ramp(60, 0.0)
    assert lines.poll(frame_at(session, 60.0, True)) == ["soak so far: stable"]
    session.points = ramp(80, 2.0)
    assert lines.poll(frame_at(session, 80.0, True)) == []  # the next look is SOAK_EVERY_S later
    session.points = ramp(60 + int(SOAK_EVERY_S), 2.0)
    found = lines.poll(frame_at(session, 60.0 + SOAK_EVERY_S, True))
    assert len(found) == 1 and found[0].startswith("soak so far: degrading: p95 +"), found
    session.points = ramp(200, 2.0)
    assert lines.poll(frame_at(session, 200.0, True)) == []  # the same verdict is not announced again
    assert lines.poll(frame_at(session, 300.0, False)) == []  # a stopped run: its saved verdict says it

    class Drill:
        text, recovered = "recovered in 4.0 s", True

    drill = Drill()
    session.spike_verdict = drill  # type: ignore[assignment]
    assert lines.poll(frame_at(session, 301.0, False)) == ["spike verdict: recovered in 4.0 s"]
    assert lines.poll(frame_at(session, 302.0, False)) == []
    session.points = ramp(61, 0.0)  # a new run starts over
    assert lines.poll(frame_at(session, 61.0, True)) == ["soak so far: stable"]
