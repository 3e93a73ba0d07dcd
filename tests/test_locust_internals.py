"""perfconsole.engine.locust.event_hooks over a real Locust EventHook: the one place its handler list is
touched."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from locust.event import EventHook

from perfconsole.engine.locust.event_hooks import drop_listeners, listen_first, stop_listening


def test_listen_first_runs_ahead_of_listeners_already_there() -> None:
    hook, calls = EventHook(), []
    hook.add_listener(lambda **kw: calls.append("locust"))
    listen_first(hook, lambda **kw: calls.append("fold"))
    hook.fire()
    assert calls == ["fold", "locust"]


def test_listen_first_refuses_what_is_not_an_event_hook() -> None:
    with pytest.raises(TypeError):
        listen_first(object(), lambda **kw: None)


def test_stop_listening_removes_once_and_tolerates_an_absent_handler() -> None:
    hook, calls = EventHook(), []

    def handler(**kw: Any) -> None:
        calls.append(1)

    hook.add_listener(handler)
    stop_listening(hook, handler)
    stop_listening(hook, handler)  # Locust's remove_listener would raise here
    hook.fire()
    assert calls == []


def test_drop_listeners_takes_out_only_the_unwanted_by_hook_name() -> None:
    def keep(**kw: Any) -> None: ...

    def drop(**kw: Any) -> None: ...

    events = SimpleNamespace(a=EventHook(), b=EventHook(), not_a_hook=42)
    for hook in (events.a, events.b):
        hook.add_listener(keep)
        hook.add_listener(drop)
    removed = drop_listeners(events, lambda name, handler: name == "a" and handler is drop)
    assert removed == 1
    assert events.a._handlers == [keep]
    assert events.b._handlers == [keep, drop]


def test_locust_tables_write_locusts_own_rows_for_logged_requests() -> None:
    from locust.env import Environment

    from perfconsole.engine.locust.csv_rows import stats_history_rows, tables

    env = Environment()
    env.stats.log_request("GET", "/items", 12, 100)
    env.stats.log_request("GET", "/items", 30, 100)
    env.stats.log_error("GET", "/items", "boom")
    found = tables(env)
    assert set(found) == {"stats", "failures", "exceptions"}
    columns, write = found["stats"]
    rows: list[list[Any]] = []
    write(SimpleNamespace(writerow=lambda row: rows.append(list(row))))
    assert columns[:4] == ["Type", "Name", "Request Count", "Failure Count"]
    assert [row[:4] for row in rows] == [["GET", "/items", 2, 1], ["", "Aggregated", 2, 1]]
    _columns, write_failures = found["failures"]
    failures: list[list[Any]] = []
    write_failures(SimpleNamespace(writerow=lambda row: failures.append(list(row))))
    assert [row[:4] for row in failures] == [["GET", "/items", "boom", 1]]
    history = stats_history_rows(env, full_history=True, now=1_700_000_000.5)
    assert [row[:4] for row in history] == [
        [1_700_000_000, 0, "GET", "/items"],
        [1_700_000_000, 0, "", "Aggregated"],
    ]
    assert len(stats_history_rows(env, full_history=False, now=1.0)) == 1  # the total only


def test_the_running_user_is_the_greenlets_first_argument_as_locust_spawns_it() -> None:
    import gevent
    from locust import User, constant_pacing

    from perfconsole.engine.locust.users import pacing_interval_s, running_user_class

    class Paced(User):
        wait_time = constant_pacing(2)

    seen: list[type | None] = []
    user = object.__new__(Paced)
    gevent.spawn(lambda _user: seen.append(running_user_class()), user).join()
    assert seen == [Paced] and running_user_class() is None  # the test's own greenlet runs no user
    assert pacing_interval_s(Paced) == 2.0


def test_a_masters_per_second_counts_keep_the_last_minute_and_the_same_current_rates() -> None:
    from unittest.mock import patch

    from locust.stats import RequestStats

    from perfconsole.engine.locust.stats import PER_SECOND_KEPT_S, prune_per_second
    from perfconsole.engine.stats_view import current_rates

    clock = [1_000.0]
    with patch("time.time", lambda: clock[0]):
        pruned, kept = RequestStats(), RequestStats()
        for second in range(300):
            clock[0] = 1_000.0 + second + 0.5
            for stats in (pruned, kept):
                stats.log_request("GET", "/x", 10.0 + second % 7, 0)
                if second % 3 == 0:
                    stats.log_error("GET", "/x", "boom")
            prune_per_second(pruned.get("/x", "GET"))
            assert current_rates(pruned.get("/x", "GET")) == current_rates(kept.get("/x", "GET"))
    entry = pruned.get("/x", "GET")
    assert len(entry.num_reqs_per_sec) == PER_SECOND_KEPT_S + 1
    assert min(entry.num_fail_per_sec) >= 1_000 + 299 - PER_SECOND_KEPT_S
    assert entry.num_requests == kept.get("/x", "GET").num_requests == 300


def test_a_masters_endpoints_keep_no_response_time_copies_unless_their_history_is_written() -> None:
    from locust.env import Environment
    from locust.stats import RequestStats, setup_distributed_stats_event_listeners

    from perfconsole.engine.hdr.codec import WIRE_KEY, wire_payload
    from perfconsole.engine.hdr.hooks import HdrStats
    from perfconsole.engine.hdr.recorder import IntervalRecorder

    def master(endpoint_caches: bool) -> RequestStats:
        stats, worker = RequestStats(), RequestStats(use_response_times_cache=False)
        environment = Environment()
        setup_distributed_stats_event_listeners(environment.events, stats)
        HdrStats(environment, stats, local=False, endpoint_caches=endpoint_caches)
        recorder = IntervalRecorder()
        for report in range(3):
            for n in range(20):
                worker.log_request("GET", f"/e/{n % 4}", 5.0 + report + n, 10)
                recorder.record("GET", f"/e/{n % 4}", 5.0 + report + n)
            data = {
                "stats": worker.serialize_stats(),
                "stats_total": worker.total.get_stripped_report(),
                "errors": worker.serialize_errors(),
                WIRE_KEY: wire_payload(recorder.drain()),
            }
            environment.events.worker_report.fire(client_id="w", data=data)
        return stats

    light, full = master(endpoint_caches=False), master(endpoint_caches=True)
    for stats in (light, full):
        assert stats.total.use_response_times_cache and stats.total.response_times_cache
    assert all(e.response_times_cache is None for e in light.entries.values())
    assert all(e.response_times_cache for e in full.entries.values())  # --csv-full-history
    assert [e.get_response_time_percentile(0.95) for e in light.entries.values()] == [
        e.get_response_time_percentile(0.95) for e in full.entries.values()
    ]
