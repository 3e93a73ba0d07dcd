"""The master's merge takes a report's whole-run counters once per endpoint: the same histograms as merging
its seconds one by one; Locust's whole-ms figures of counter indexes filled as they occur (pure, no load)."""

from __future__ import annotations

import random

from perfconsole.engine.hdr.codec import WireInterval, parse_payload, wire_payload
from perfconsole.engine.hdr.layout import COUNTS_LEN, highest_of, index_of
from perfconsole.engine.hdr.merge import TOTAL, HdrAggregator
from perfconsole.engine.hdr.recorder import IntervalRecorder
from perfconsole.engine.locust.stats import add_ms, ms_of


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.5

    def __call__(self) -> float:
        return self.now


def recorded_seconds(seconds: int = 3) -> list[IntervalRecorder]:
    """One recorder per second of three endpoints' requests (values from 0.01 ms to minutes)."""
    rng = random.Random(11)
    recorders = []
    for second in range(seconds):
        clock = Clock()
        clock.now = 1_000.5 + second
        recorder = IntervalRecorder(clock)
        for position in range(3_000):
            name = f"/e{position % 3}"
            recorder.record("GET", name, rng.lognormvariate(1 + second, 2), failed=position % 11 == 0)
        recorders.append(recorder)
    return recorders


def test_a_report_of_several_seconds_merges_as_its_seconds_one_by_one() -> None:
    whole, by_second = HdrAggregator(), HdrAggregator()
    report: dict = {}
    for recorder in recorded_seconds():
        drained = recorder.drain()
        report.update(drained)
        by_second.merge_wire(parse_payload(wire_payload(drained)))
    merged = whole.merge_wire(parse_payload(wire_payload(report)))
    assert list(whole.run) == list(by_second.run) == [TOTAL, ("GET", "/e0"), ("GET", "/e1"), ("GET", "/e2")]
    for key, histogram in by_second.run.items():
        twin = whole.run[key]
        assert list(twin.pairs()) == list(histogram.pairs())
        assert (twin.total, twin.max_us, twin.block_totals) == (
            histogram.total,
            histogram.max_us,
            histogram.block_totals,
        )
        assert twin.values() == histogram.values()
        assert dict(twin.pairs()) == {i: c for i, c in merged[key].items() if c}
        for second in (1_000, 1_001, 1_002, 1_003):
            assert whole.window.requests(key, second) == by_second.window.requests(key, second)
    assert whole.blocks.blocks() == by_second.blocks.blocks()
    assert whole.run[TOTAL].total == 9_000


def test_an_empty_report_changes_nothing() -> None:
    aggregator = HdrAggregator()
    assert aggregator.merge_wire([]) == {}
    assert aggregator.run[TOTAL].total == 0


def test_whole_ms_of_every_counter_index_is_its_highest_value_rounded() -> None:
    for index in list(range(0, COUNTS_LEN, 97)) + [0, 1, 2047, 2048, COUNTS_LEN - 1]:
        assert ms_of(index) == round(highest_of(index) / 1000.0)
    times: dict[int, int] = {2: 1}
    add_ms(times, {index_of(1_499): 2, index_of(2_400): 3, index_of(250_000): 1})
    assert times == {1: 2, 2: 4, 250: 1}


def test_a_drain_starts_the_same_second_anew_on_the_request_path() -> None:
    recorder = IntervalRecorder(lambda: 7.2)
    recorder.record_request("GET", "/a", 1.0)
    assert sum(recorder.drain()[7][("GET", "/a")].counts.values()) == 1
    recorder.record_request("GET", "/a", 1.0)
    recorder.record_request("GET", "/a", 2.0)
    assert sum(recorder.drain()[7][("GET", "/a")].counts.values()) == 2
    recorder.record_request("GET", "/a", 1.0)
    recorder.reset()
    assert recorder.drain() == {}


def test_a_counter_index_repeated_within_an_interval_is_summed() -> None:
    aggregator = HdrAggregator()
    interval = WireInterval(5, "GET", "/a", 0, 3_000, [index_of(2_000), 1, 0, 2, 10, 1])
    merged = aggregator.merge_wire([interval])
    assert merged[("GET", "/a")] == {index_of(2_000): 3, index_of(2_000) + 10: 1}
    assert aggregator.run[("GET", "/a")].total == aggregator.run[TOTAL].total == 4
