"""ResourceMonitor end to end against the real demo target on loopback: found by port, sampled, scraped."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from perfconsole.config import ResourceThresholds
from perfconsole.demo_target.process import DemoTargetProcess, start_demo_target
from perfconsole.model.run_warnings import RunWarning, WarningKind
from perfconsole.resources.monitor import MonitorUpdate, ResourceMonitor
from perfconsole.resources.options import ResourceOptions
from perfconsole.resources.preflight import preflight
from perfconsole.verdicts.resources import resource_verdicts


@pytest.fixture
def demo() -> Iterator[DemoTargetProcess]:
    with start_demo_target(latency_ms=5) as target:
        yield target


def _load(url: str, stop: threading.Event, max_requests: int, counter: list[int]) -> None:
    """Bounded loopback load until ``stop`` or ``max_requests``."""
    with httpx.Client(trust_env=False, timeout=2) as client:
        while not stop.is_set() and counter[0] < max_requests:
            client.get(url)
            counter[0] += 1


@pytest.mark.slow
def test_monitor_finds_samples_and_scrapes_the_demo_target(demo: DemoTargetProcess) -> None:
    preflight(demo.url, health_path="/api/v1/health/", timeout_s=5, metrics_url=demo.url + "/metrics")
    options = ResourceOptions(
        metrics_url=demo.url + "/metrics",
        scrape_interval_s=0.5,
        sample_interval_s=0.5,
        limits=ResourceThresholds(
            target_cpu_pct=1000.0, memory_pct=100.0, db_pool_pct=100.0, queue_depth=1000.0
        ),
    )
    monitor = ResourceMonitor(options, host_url=demo.url)
    assert monitor.target is not None
    assert (monitor.target.pid, monitor.target.how) == (demo.pid, "port")

    stop = threading.Event()
    updates: list[MonitorUpdate] = []
    sent = [0]
    loader = threading.Thread(target=_load, args=(demo.url + "/api/notifications/", stop, 2000, sent))
    ticker = threading.Thread(target=monitor.run, args=(stop,), kwargs={"on_update": updates.append})
    loader.start()
    ticker.start()
    time.sleep(3.0)
    stop.set()
    loader.join(10)
    ticker.join(10)
    monitor.close()
    assert not ticker.is_alive() and not loader.is_alive()

    assert sent[0] > 20
    assert len(updates) >= 3
    last = updates[-1].sample
    assert last.target is not None and last.target.pid == demo.pid
    assert last.target.rss_bytes and last.target.threads
    assert last.metrics["db_pool_size"] == 20.0
    assert "server_rps" in last.metrics  # counter rate between two scrapes
    assert sum(last.target_connections.values()) >= 1  # the load client's connection
    peaks = monitor.history.peaks()
    assert peaks.target_cpu_pct is not None and peaks.target_cpu_pct > 0
    assert peaks.metrics["requests_in_flight"] >= 0

    results = {t.metric: t for t in resource_verdicts(monitor)}
    assert {"target_cpu_pct", "memory_pct", "db_pool_pct", "queue_depth"} <= set(results)
    assert results["db_pool_pct"].actual is not None and results["db_pool_pct"].passed

    data = monitor.to_dict()
    assert json.loads(json.dumps(data, allow_nan=False))["target"]["found"] is True
    lines = monitor.summary_lines()
    assert any(line.startswith(f"target pid {demo.pid}") for line in lines)
    assert any(line.startswith("target metrics (peak):") for line in lines)


@pytest.mark.slow
def test_scrape_failure_warns_once_and_sampling_goes_on(demo: DemoTargetProcess) -> None:
    # saturation is out of scope here: a busy test process must not add its own warning
    options = ResourceOptions(
        metrics_url=demo.url + "/no-metrics-here", scrape_interval_s=0.0, saturation_pct=100_000.0
    )
    monitor = ResourceMonitor(options, host_url=demo.url)
    try:
        first = monitor.poll()
        second = monitor.poll()
    finally:
        monitor.close()
    failing = f"target metrics unavailable: metrics {demo.url}/no-metrics-here answered 404"
    assert first.warnings == (RunWarning(WarningKind.METRICS_UNAVAILABLE, failing),)
    assert second.warnings == ()
    assert second.sample.target is not None and second.sample.metrics == {}
