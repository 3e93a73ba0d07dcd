"""Pure tests of the resource panel's render functions (no Textual, no run): hand-built samples in,
lines, limit marks, banner and charts out."""

from __future__ import annotations

from dataclasses import replace

import pytest
from fakes import FakeMonitor, FakeResourceSession, FakeSession
from test_tui_data import snapshot
from test_tui_resources_data import (
    TARGET_PID,
    busy_warning,
    ramp_samples,
    resource_sample,
)

from perfconsole.config import ResourceThresholds
from perfconsole.model.resources import ResourceSample
from perfconsole.model.run_warnings import RunWarning, WarningKind
from perfconsole.tui.frame import state_from_session
from perfconsole.tui.marks import BREACH_MARK, OK_MARK, PAST_BREACH_MARK
from perfconsole.tui.text_layout import fields_line, line_text
from perfconsole.tui.views.resource_charts import resource_charts
from perfconsole.tui.views.resource_limits import limit_marks
from perfconsole.tui.views.resource_lines import resource_lines
from perfconsole.tui.views.resource_state import ResourceState, current_run
from perfconsole.tui.views.saturation_banner import saturation_banner


def state_of(samples: list[ResourceSample], **changes: object) -> ResourceState:
    session = FakeResourceSession(samples, target_label="pid 4242 (python3), listening on port 8000")
    state = state_from_session(session, with_samples=True)
    return replace(state, **changes) if changes else state


def texts(state: ResourceState, width: int, detail: bool | None = None) -> list[str]:
    return [line_text(line) for line in resource_lines(state, width, detail)]


def test_compact_lines_one_each_and_fit_80_columns() -> None:
    lines = texts(state_of([resource_sample(10.0)]), 78)
    assert [line.split()[0] for line in lines] == ["generator", "box", "target", "metrics", "limits"]
    assert all(len(line) <= 78 for line in lines)
    generator, box, target, metrics, limits = lines
    assert "busiest 40% worker 1001" in generator and "total 82%" in generator and "3 proc" in generator
    assert "CPU 60% of 2 cores" in box and "mem 41%" in box and "load 1.52" in box
    assert f"pid {TARGET_PID}" in target and "CPU 35%" in target and "RSS 80M" in target
    assert "thr 12" in target and "fds 40" in target and "conn 22" in target
    assert "db pool 6/10 (60%)" in metrics and "queue 12" in metrics and "server 210.0 req/s" in metrics
    assert limits.count(OK_MARK) == 4 and BREACH_MARK not in limits


def test_narrow_lines_drop_whole_fields_never_cut_a_figure() -> None:
    for width in range(30, 80):
        for line in texts(state_of([resource_sample(10.0)]), width):
            assert len(line) <= width
            assert not line.rstrip().endswith(("conn 2", "RSS 8", "fds 4")), line


def test_detail_lines_per_process_per_core_and_connections_by_state() -> None:
    lines = texts(state_of([resource_sample(10.0)]), 118)
    joined = "\n".join(lines)
    assert lines == texts(state_of([resource_sample(10.0)]), 118, detail=True)
    assert "console pid 100  CPU 12%  RSS 90M" in joined
    assert "worker 1001  CPU 40%  RSS 60M" in joined and "worker 1002  CPU 30%" in joined
    assert "0 ██████░░░░  63%" in joined and "1 ██████░░░░  58%" in joined
    assert "listening on port 8000" in joined
    assert "connections to target 25: ESTABLISHED 20  TIME_WAIT 5" in joined
    assert "target CPU 35% <70%" in joined and "queue depth 12 <1000" in joined
    assert len(lines) > len(texts(state_of([resource_sample(10.0)]), 118, detail=False))


def test_rss_trend_in_mb_per_minute() -> None:
    # RSS grows by 0.05 MB a second in the ramp: 3 MB/min
    target = texts(state_of(ramp_samples(60)), 78)[2]
    assert "+3.00 MB/min" in target


def test_no_target_and_no_metrics_say_how_to_get_them() -> None:
    state = state_of([resource_sample(5.0, with_target=False, with_metrics=False)])
    _, _, target, metrics, limits = texts(state, 100, detail=False)
    assert "not watched (--target-pid PID, --target-process NAME)" in target
    assert "none scraped (--metrics-url URL)" in metrics
    assert "cpu n/a" in limits and "pool n/a" in limits and "mem 41%" in limits


def test_a_target_elsewhere_says_why_it_has_no_process_figures() -> None:
    from perfconsole.resources.target import target_address
    from perfconsole.tui.views.resource_state import remote_target_host

    monitor = FakeMonitor()
    assert remote_target_host(monitor) is None
    monitor.address = target_address("http://192.0.2.7:8080")  # type: ignore[attr-defined]  # TEST-NET-1
    assert remote_target_host(monitor) == "192.0.2.7"
    monitor.address = target_address("http://127.0.0.1:8080")  # type: ignore[attr-defined]
    assert remote_target_host(monitor) is None
    state = state_of([resource_sample(5.0, with_target=False)], remote_target="192.0.2.7")
    _, box, target, _, _ = texts(state, 100, detail=False)
    assert "no process figures:  192.0.2.7 is not on this machine  (its metrics: --metrics-url)" in target
    assert "not watched" not in target
    assert box.split()[1:3] == ["load", "generator's:"] and "CPU 60% of 2 cores" in box
    local = state_of([resource_sample(5.0, with_target=False)])
    assert local.remote_target is None and "generator's" not in texts(local, 100, detail=False)[1]


def test_failing_scrape_is_shown_on_the_metrics_line() -> None:
    state = state_of(
        [resource_sample(5.0, with_metrics=False)],
        warnings=(
            RunWarning(WarningKind.METRICS_UNAVAILABLE, "target metrics unavailable: connection refused"),
        ),
    )
    metrics = texts(state, 100, detail=False)[3]
    assert "! target metrics unavailable: connection refused" in metrics


def test_limit_marks_live_now_and_broken_earlier() -> None:
    samples = [resource_sample(float(t), pool_in_use=9.0, queue=1500.0) for t in range(5)]
    samples += [resource_sample(5.0 + t, pool_in_use=4.0, queue=10.0) for t in range(3)]
    marks = {m.metric: m for m in limit_marks(state_of(samples))}
    assert set(marks) == {"target_cpu_pct", "memory_pct", "db_pool_pct", "queue_depth"}
    pool, queue, cpu = marks["db_pool_pct"], marks["queue_depth"], marks["target_cpu_pct"]
    assert (pool.now, pool.peak, pool.broken_now, pool.broken_earlier) == (40.0, 90.0, False, True)
    assert pool.symbol == PAST_BREACH_MARK and pool.role == "warn"
    assert pool.text() == f"{PAST_BREACH_MARK} pool 40% <80% peak 90%"
    assert queue.text(long=True) == f"{PAST_BREACH_MARK} queue depth 10 <1000 peak 1500"
    assert cpu.symbol == OK_MARK and cpu.role == "ok"

    now_broken = {m.metric: m for m in limit_marks(state_of([resource_sample(1.0, target_cpu=95.0)]))}
    cpu = now_broken["target_cpu_pct"]
    assert cpu.broken_now and cpu.symbol == BREACH_MARK and cpu.role == "bad"
    assert cpu.text() == f"{BREACH_MARK} cpu 95% <70%"


def test_limit_at_the_limit_is_broken_like_the_verdict() -> None:
    """The engine passes a resource only below its limit: 8 of 10 pool connections (80 %) breaks 80 %."""
    marks = {m.metric: m for m in limit_marks(state_of([resource_sample(1.0, pool_in_use=8.0)]))}
    assert marks["db_pool_pct"].broken_now


def test_unset_limits_are_left_out() -> None:
    limits = ResourceThresholds(target_cpu_pct=None, memory_pct=None, db_pool_pct=50.0, queue_depth=None)
    marks = limit_marks(state_of([resource_sample(1.0)], limits=limits))
    assert [m.metric for m in marks] == ["db_pool_pct"] and marks[0].broken_now


def test_banner_while_a_generator_process_is_saturated() -> None:
    session = FakeResourceSession([resource_sample(1.0), resource_sample(2.0, worker_cpu=97.0)])
    banner = saturation_banner(state_from_session(session))
    assert banner is not None and banner.active
    assert banner.text == f"! {busy_warning(97.0)}"
    assert "unreliable" in banner.text and banner.text.startswith("!")
    assert [a.kind for a in session.annotations if a.text == busy_warning(97.0)] == ["warning"]


def test_banner_follows_the_detectors_hysteresis_then_dims() -> None:
    session = FakeResourceSession([resource_sample(1.0, worker_cpu=97.0)])
    session.feed(resource_sample(2.0, worker_cpu=85.0))  # still in the episode (falls below 75 to end)
    banner = saturation_banner(state_from_session(session))
    assert banner is not None and banner.active and "CPU 85%" in banner.text
    session.feed(resource_sample(3.0, worker_cpu=40.0))
    banner = saturation_banner(state_from_session(session))
    assert banner is not None and not banner.active
    assert banner.text.startswith("! generator saturated once, at 0:01: worker 1001 CPU 97% (over 90%)")
    assert "not saturated now" in banner.text


def test_banner_counts_episodes_and_is_absent_without_saturation() -> None:
    assert saturation_banner(state_of(ramp_samples(20))) is None
    session = FakeResourceSession([resource_sample(1.0, worker_cpu=97.0), resource_sample(2.0)])
    session.feed(resource_sample(3.0, worker_cpu=99.0))
    session.feed(resource_sample(4.0))
    banner = saturation_banner(state_from_session(session))
    assert banner is not None and not banner.active
    assert "2 episodes, last at 0:03" in banner.text and "CPU 99%" in banner.text


def test_banner_without_a_detector_judges_the_sample() -> None:
    state = ResourceState(resource_sample(1.0, worker_cpu=92.0), saturation_pct=90.0)
    banner = saturation_banner(state)
    assert banner is not None and banner.active and "worker 1001 CPU 92%" in banner.text
    assert saturation_banner(ResourceState(resource_sample(1.0, worker_cpu=89.0))) is None
    assert saturation_banner(ResourceState(None)) is None


def test_current_run_starts_where_the_clock_restarted() -> None:
    samples = [resource_sample(t) for t in (0.0, 1.0, 2.0, 0.0, 1.0)]
    assert [s.elapsed_s for s in current_run(samples)] == [0.0, 1.0]
    assert current_run([]) == ()


def test_charts_cpu_rss_pool_and_queue() -> None:
    samples = ramp_samples(60, busy_from=50)
    marks = [(0.0, "U"), (50.0, "!")]
    cpu, rss, pool, queue = resource_charts(samples, marks)
    assert [s.label for s in cpu.series] == ["gen", "target"]
    assert cpu.series[0].values[-1] == 97.0 and cpu.series[1].values[-1] == pytest.approx(46.0)
    assert cpu.y_max == 100.0 and cpu.latest == "gen97 tgt46" and cpu.t_end == 60.0
    assert rss.latest == "83" and rss.fill and rss.y_max == 100.0
    assert [s.label for s in pool.series] == ["in use", "size"] and pool.latest == "6/10"
    assert pool.y_max == 10.0 and queue.latest == "120" and queue.y_max == 200.0
    assert all(chart.marks == tuple(marks) for chart in (cpu, rss, pool, queue))
    assert all(len(c.title) + 2 + len(c.latest) <= 18 for c in (cpu, rss, pool, queue))


def test_charts_without_target_or_metrics_have_gaps_not_zeros() -> None:
    cpu, rss, pool, queue = resource_charts([resource_sample(1.0, with_target=False, with_metrics=False)])
    assert cpu.series[1].values == [None] and rss.series[0].values == [None]
    assert pool.latest == "-/-" and queue.latest == "-"


def test_state_from_a_session_without_sampling() -> None:
    bare = FakeSession(snapshot())  # monitor and resource_sample are None
    state = state_from_session(bare)
    assert state.sample is None and not state.sampling
    assert texts(state, 80) == ["resources are not sampled in this session"]


def test_state_from_session_reads_monitor_and_gathers_samples_only_for_charts() -> None:
    session = FakeResourceSession(ramp_samples(10))
    assert isinstance(session.monitor, FakeMonitor)
    light = state_from_session(session)
    full = state_from_session(session, with_samples=True)
    assert light.samples == () and len(full.samples) == 11
    assert light.sample is session.resource_sample and light.peaks is not None
    assert light.peaks.target_cpu_pct == pytest.approx(16.0) and light.saturated_labels == frozenset()


def test_fields_line_keeps_whole_fields() -> None:
    line = fields_line("target", [("pid 1", ""), ("CPU 5%", ""), ("conn 22", "")], 11 + 15)
    assert line_text(line) == "target     pid 1  CPU 5%"
