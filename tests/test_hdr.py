"""Exact percentiles: the histogram layout, wire codec, merge and window (pure, no load)."""

from __future__ import annotations

import math
import random

import pytest
from hdrh.histogram import HdrHistogram

from perfconsole.engine.hdr.codec import (
    WIRE_KEY,
    decode_counts,
    encode_counts,
    from_hdrh_blob,
    parse_payload,
    to_hdrh_blob,
    wire_payload,
)
from perfconsole.engine.hdr.histogram import DenseHistogram, sparse_values
from perfconsole.engine.hdr.layout import COUNTS_LEN, HIGHEST_US, highest_of, index_of, lowest_of
from perfconsole.engine.hdr.merge import OTHER_NAME, TOTAL, HdrAggregator
from perfconsole.engine.hdr.recorder import IntervalRecorder


def exact(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[max(1, math.ceil(fraction * len(ordered) - 1e-9)) - 1]


def test_layout_matches_the_hdrhistogram_package() -> None:
    reference = HdrHistogram(1, HIGHEST_US, 3)
    assert reference.counts_len == COUNTS_LEN
    rng = random.Random(7)
    values = [0, 1, 2, 1023, 1024, 2047, 2048, 2049, 4095, 4096, 99_999, HIGHEST_US]
    values += [int(rng.lognormvariate(10, 3)) % HIGHEST_US for _ in range(3000)]
    for value in values:
        index = index_of(value)
        assert index == reference._counts_index_for(value), value
        assert lowest_of(index) == reference.get_lowest_equivalent_value(value)
        assert highest_of(index) == reference.get_highest_equivalent_value(value)
        assert lowest_of(index) <= value <= highest_of(index)


def test_codec_round_trips_sparse_counts_and_standard_blobs() -> None:
    counts = {3: 1, 1500: 7, 20_000: 2, index_of(HIGHEST_US): 1}
    assert dict(decode_counts(encode_counts(counts))) == counts
    assert from_hdrh_blob(to_hdrh_blob(counts.items())) == counts
    with pytest.raises(ValueError):
        list(decode_counts([1]))
    with pytest.raises(ValueError):
        list(decode_counts([COUNTS_LEN, 1]))
    with pytest.raises(ValueError):
        parse_payload({"v": 1, "layout": [1, 1000, 2], "intervals": []})


def heavy_tail(rng: random.Random, count: int) -> list[float]:
    """Lognormal body with a Pareto tail, in ms."""
    return [
        rng.lognormvariate(math.log(40), 0.8) if rng.random() < 0.9 else 100 * rng.paretovariate(1.5)
        for _ in range(count)
    ]


def test_recorded_merged_percentiles_are_within_1pct_of_exact() -> None:
    rng = random.Random(11)
    clock = iter(range(10**9))
    samples: list[float] = []
    aggregator = HdrAggregator(window_s=10)
    for worker in range(2):
        recorder = IntervalRecorder(clock=lambda: 1000 + next(clock) // 500)
        times = heavy_tail(rng, 4000)
        samples += times
        for value in times:
            recorder.record("GET", f"/w{worker % 2}", value)
        payload = wire_payload(recorder.drain())
        aggregator.merge_wire(parse_payload(payload))
    found = aggregator.cumulative(TOTAL)
    assert found is not None
    for fraction, value in zip((0.5, 0.9, 0.95, 0.99, 0.999), found, strict=False):
        assert value == pytest.approx(exact(samples, fraction), rel=0.01), fraction
    assert found[-1] == pytest.approx(max(samples), abs=0.001)  # max exact (to the µs)
    assert WIRE_KEY == "perfconsole_hdr"


def test_window_holds_exactly_the_last_seconds() -> None:
    aggregator = HdrAggregator(window_s=3)
    for second, value_ms in [(100, 10.0), (101, 10.0), (102, 150.0), (103, 150.0), (104, 150.0)]:
        recorder = IntervalRecorder(clock=lambda s=second: s + 0.5)
        for _ in range(10):
            recorder.record("GET", "/x", value_ms)
        aggregator.merge_wire(parse_payload(wire_payload(recorder.drain())))
    assert aggregator.current(("GET", "/x"), 103.2)[0] == pytest.approx(10.0, rel=0.002)  # 100..102
    assert aggregator.current(("GET", "/x"), 105.0)[0] == pytest.approx(150.0, rel=0.002)  # 102..104
    assert aggregator.current(("GET", "/x"), 200.0)[0] is None
    assert aggregator.window.requests(TOTAL, 105.0) == (30, 0)


def test_endpoints_beyond_the_cap_fold_into_other() -> None:
    aggregator = HdrAggregator(max_endpoints=2)
    recorder = IntervalRecorder(clock=lambda: 5.0)
    for name in ("/a", "/b", "/c", "/d"):
        recorder.record("GET", name, 1.0)
    aggregator.merge_wire(parse_payload(wire_payload(recorder.drain())))
    assert set(aggregator.run) == {TOTAL, ("GET", "/a"), ("GET", "/b"), ("GET", OTHER_NAME)}
    assert aggregator.run[("GET", OTHER_NAME)].total == 2


def test_dense_and_sparse_percentiles_agree() -> None:
    rng = random.Random(3)
    values = heavy_tail(rng, 5000)
    dense = DenseHistogram()
    sparse: dict[int, int] = {}
    for value in values:
        index = index_of(int(value * 1000))
        dense.add([(index, 1)])
        sparse[index] = sparse.get(index, 0) + 1
    assert dense.values() == sparse_values(sparse, 0)


def test_dense_percentiles_in_one_pass_match_the_sparse_ones_in_any_order() -> None:
    rng = random.Random(5)
    fractions = [0.999, 0.5, 0.0, 1.0, 0.9, 0.95]
    for trial in range(200):
        dense = DenseHistogram()
        sparse: dict[int, int] = {}
        for _ in range(rng.choice([1, 2, 7, 300])):
            index = index_of(int(rng.lognormvariate(rng.uniform(0, 13), rng.uniform(0.1, 2.5))))
            count = rng.randint(1, 4)
            dense.add([(index, count)])
            sparse[index] = sparse.get(index, 0) + count
        assert dense.values(fractions) == sparse_values(sparse, 0, fractions), trial
        assert [dense.value_at(f) for f in fractions] == sparse_values(sparse, 0, fractions)


def test_time_blocks_figures_are_those_of_their_requests_as_blocks_merge() -> None:
    from perfconsole.engine.hdr.blocks import MAX_BLOCKS, TimeBlocks

    rng = random.Random(9)
    blocks, by_second = TimeBlocks(), {}
    for second in range(100, 100 + 3 * MAX_BLOCKS):  # merged twice: 4 s blocks
        pairs = [(index_of(int(rng.lognormvariate(8, 1))), rng.randint(1, 3)) for _ in range(50)]
        blocks.add(second, pairs, failures=1)
        by_second[second] = pairs
    assert blocks.seconds == 4
    for block in blocks.blocks():
        sparse: dict[int, int] = {}
        for second in range(block.start, block.start + block.seconds):
            for index, count in by_second.get(second, ()):
                sparse[index] = sparse.get(index, 0) + count
        assert block.requests == sum(sparse.values()) and block.failures == block.seconds
        assert [block.p50_ms, block.p95_ms, block.p99_ms] == sparse_values(sparse, 0, (0.5, 0.95, 0.99))
        mean_us = sum((lowest_of(i) + highest_of(i)) / 2 * c for i, c in sparse.items()) / block.requests
        assert block.mean_ms == pytest.approx(mean_us / 1000.0, rel=1e-12)


def test_window_figures_follow_late_reports_and_seconds_without_requests() -> None:
    def report(aggregator: HdrAggregator, second: int, value_ms: float) -> HdrAggregator:
        recorder = IntervalRecorder(clock=lambda: second + 0.5)
        recorder.record("GET", "/x", value_ms)
        aggregator.merge_wire(parse_payload(wire_payload(recorder.drain())))
        return aggregator

    key = ("GET", "/x")
    live = report(HdrAggregator(window_s=3), 101, 10.0)
    assert live.current(key, 103.0) == live.current(key, 104.0)  # 100..102, then 101..103: one second
    report(live, 103, 150.0)  # a late report for a second the window already covered
    fresh = report(report(HdrAggregator(window_s=3), 101, 10.0), 103, 150.0)
    assert live.current(key, 104.0) == fresh.current(key, 104.0)
    assert live.current(key, 104.0)[-1] == pytest.approx(150.0, rel=0.002)
    assert live.current(key, 105.0)[0] == pytest.approx(150.0, rel=0.002)  # 102..104: 101 went out
    assert live.current(key, 107.0)[0] is None


@pytest.mark.slow
def test_worker_command_bad_input_is_one_line(tmp_path) -> None:
    from cli_helpers import run_perfconsole

    proc = run_perfconsole(["worker", "-f", "missing.py", "--master-host", "127.0.0.1"], tmp_path, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.strip() == "perfconsole: error: scenario not found: missing.py"
    proc = run_perfconsole(["worker", "-f", "x.py", "--master-host", "h", "--master-port", "70000"], tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


def test_coordinated_omission_correction_matches_hdrhistogram() -> None:
    interval_us = 50_000
    reference = HdrHistogram(1, HIGHEST_US, 3)
    expanded: list[float] = []  # every measured value and its corrections, exactly
    recorder = IntervalRecorder(clock=lambda: 7.0)
    recorder.pacing = lambda: interval_us
    rng = random.Random(5)
    for _ in range(3000):
        value_ms = 10.0 if rng.random() < 0.97 else rng.uniform(200, 2000)
        recorder.record("GET", "/paced", value_ms)
        value_us = int(value_ms * 1000 + 0.5)
        reference.record_corrected_value(value_us, interval_us)
        while True:
            expanded.append(value_us / 1000)
            if value_us <= interval_us:
                break
            value_us -= interval_us
    aggregator = HdrAggregator()
    aggregator.merge_wire(parse_payload(wire_payload(recorder.drain())))
    corrected = aggregator.corrected_values(("GET", "/paced"))
    measured = aggregator.cumulative(("GET", "/paced"))
    assert corrected is not None and measured is not None
    assert reference.get_total_count() == len(expanded)  # the same correction as HdrHistogram's
    assert aggregator.corrected[("GET", "/paced")].total == len(expanded)
    for fraction, value in zip((0.5, 0.9, 0.95, 0.99, 0.999), corrected, strict=False):
        assert value == pytest.approx(exact(expanded, fraction), rel=0.002), fraction
    assert corrected[3] > measured[3]  # p99: the omitted requests' waits show
    assert aggregator.corrected_values(TOTAL) == corrected  # one endpoint: the total is the same


def test_unpaced_users_have_no_corrected_figures() -> None:
    from locust import User, constant, constant_throughput

    from perfconsole.engine.hdr.pacing import current_pacing_us
    from perfconsole.engine.locust.users import pacing_interval_s

    class Paced(User):
        wait_time = constant_throughput(4)

    class Free(User):
        wait_time = constant(1)

    assert pacing_interval_s(Paced) == 0.25 and pacing_interval_s(Free) is None
    assert current_pacing_us([Free]) is None  # nothing looked up per request
    aggregator = HdrAggregator()
    recorder = IntervalRecorder(clock=lambda: 7.0)
    recorder.record("GET", "/free", 500.0)
    aggregator.merge_wire(parse_payload(wire_payload(recorder.drain())))
    assert aggregator.corrected_values(("GET", "/free")) is None


def test_measured_and_corrected_side_by_side_fit_80_columns() -> None:
    from dataclasses import replace

    from test_tui_data import snapshot

    from perfconsole.model.run import Percentiles
    from perfconsole.store.corrected import corrected_lines

    snap = snapshot()
    assert corrected_lines(snap) == []  # no paced users: nothing to show
    total = replace(snap.total, corrected=Percentiles(12.0, 300.0, 450.0, 1210.0, 1490.0, 1500.0))
    lines = corrected_lines(replace(snap, total=total))
    assert len(lines) == 2 and all(len(line) <= 80 for line in lines)
    assert lines[1].split() == ["Aggregated", "p50", "103/12.0", "p95", "310/450", "p99", "465/1210"]


def test_stage_keys_follow_plateaus_and_a_spike_drills_phases() -> None:
    from perfconsole.engine.hdr.stages import StageTracker, stage_key

    state = {"live": True, "users": 10, "drill_running": False, "after_drill": False, "shape_label": None}
    tracker = StageTracker()
    timeline = [
        (100.0, {}),
        (110.0, {"users": 50, "drill_running": True}),  # drill fired
        (120.0, {"drill_running": False, "users": 10, "after_drill": True}),  # drill over
        (130.0, {"after_drill": False}),  # verdict: back to a plain plateau
        (140.0, {"live": False}),
    ]
    for now, changes in timeline:
        state.update(changes)
        tracker.observe(stage_key(**state), now, now - 100.0)  # type: ignore[arg-type]
    for second, value_ms in [(105, 10.0), (115, 200.0), (125, 30.0), (135, 12.0)]:
        tracker.add(second, [(index_of(int(value_ms * 1000)), 5)], 0, int(value_ms * 1000))
    stages = tracker.stats(150.0, 50.0)
    assert [(s.label, s.kind) for s in stages] == [
        ("10 users (before spike)", "plateau"),
        ("spike: 50 users", "spike"),
        ("after spike: 10 users", "spike"),
        ("10 users", "plateau"),
    ]
    assert [round(s.percentiles.p50 or 0) for s in stages] == [10, 200, 30, 12]
    assert [s.requests for s in stages] == [5, 5, 5, 5] and stages[-1].end_s == 40.0


def test_a_stage_counts_the_whole_seconds_whose_middle_it_holds() -> None:
    from perfconsole.engine.hdr.stages import StageTracker

    tracker = StageTracker()  # epoch 1000.0 is run time 0
    tracker.observe(("settle", "settle"), 1097.0, 97.0)
    tracker.observe(("a", "search"), 1100.2, 100.2)  # 3.3 s holding 3 middles: 1100.5 .. 1102.5
    tracker.observe(("b", "search"), 1103.5, 103.5)  # 3.3 s holding 4: 1103.5 .. 1106.5
    tracker.observe(("after", "settle"), 1106.8, 106.8)
    for second in range(1097, 1109):
        tracker.add(second, [(index_of(40_000), 10)], 0, 40_000)  # 10 requests every second
    a, b = tracker.stats(1109.0, 109.0)[1:3]
    assert (a.requests, b.requests) == (30, 40)  # over 3.3 s each: 9.1/s and 12.1/s
    assert tracker.counted_window(2) == (100.0, 103.0) and tracker.counted_window(3) == (103.0, 107.0)
    assert tracker.counted_window(4) is None and tracker.counted_window(9) is None  # open; no such stage


def test_a_malformed_report_merges_nothing() -> None:
    from perfconsole.engine.hdr.codec import WireInterval

    aggregator = HdrAggregator()
    good = WireInterval(5, "GET", "/a", 0, 1000, [1000, 2])
    bad = WireInterval(5, "GET", "/b", 0, 1000, [3])
    with pytest.raises(ValueError):
        aggregator.merge_wire([good, bad])
    assert aggregator.cumulative(TOTAL) is None and ("GET", "/a") not in aggregator.run
