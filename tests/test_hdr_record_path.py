"""The recorder's per-request path (a worker's stats wrapper) counts exactly as its general ``record``."""

from __future__ import annotations

import random

from perfconsole.engine.hdr.layout import HIGHEST_US
from perfconsole.engine.hdr.recorder import IntervalRecorder


def clock() -> float:
    return 1_000.5


def test_record_request_counts_as_record_does() -> None:
    rng = random.Random(4)
    values = [0.0, 0.0004, 0.001, 1.0, 2.047, 2.048, 65.535, 1e7 / 3, HIGHEST_US / 1000.0 * 2]
    values += [rng.lognormvariate(0, 3) for _ in range(5_000)]
    fast, general = IntervalRecorder(clock), IntervalRecorder(clock)
    for position, value in enumerate(values):
        name = f"/e{position % 3}"
        fast.record_request("GET", name, value)
        general.record("GET", name, value)
        if position % 7 == 0:
            fast.record_failure()
            general.record("GET", name, None)  # nothing: only record_failure counts the failure below
    fast.record_request("GET", "/none", None)
    drained_fast, drained_general = fast.drain(), general.drain()
    assert drained_fast.keys() == drained_general.keys() == {1_000}
    for key, interval in drained_general[1_000].items():
        twin = drained_fast[1_000][key]
        assert twin.counts == interval.counts and twin.max_us == interval.max_us
        assert twin.twin is None and twin.extra is None
    assert sum(i.failures for i in drained_fast[1_000].values()) == len(range(0, len(values), 7))
    assert ("GET", "/none") not in drained_fast[1_000]


def test_record_request_takes_the_start_lag_while_one_is_given() -> None:
    recorder = IntervalRecorder(clock)
    recorder.record_request("GET", "/a", 2.0)
    recorder.start_lag = lambda: 3_000  # a scheduled iteration, 3 ms late
    recorder.record_request("GET", "/a", 2.0)
    recorder.start_lag = None
    recorder.record_request("GET", "/a", 2.0)
    interval = recorder.drain()[1_000][("GET", "/a")]
    assert sum(interval.counts.values()) == 3
    assert interval.twin is not None and sum(interval.twin.values()) == 3
    assert interval.twin_max_us == 5_000  # 2 ms measured + 3 ms from the scheduled start
