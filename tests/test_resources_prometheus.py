"""Prometheus text parsing (pure) and scraping a real page served on loopback."""

from __future__ import annotations

import math
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from perfconsole.resources.prometheus import counter_rates, extract_series, parse_prometheus_text
from perfconsole.resources.scraper import PrometheusScraper

PAGE = """\
# HELP demo_requests_total Requests answered.
# TYPE demo_requests_total counter
demo_requests_total{method="GET",path="/api/items",status="200"} 120
demo_requests_total{method="POST",path="/api/items",status="500"} 3 1700000000000
# a free comment
# TYPE demo_db_pool_in_use gauge
demo_db_pool_in_use 7
demo_db_pool_size 10
demo_queue_depth{shard="a"} 2
demo_queue_depth{shard="b"} 3
weird_label{msg="say \\"hi\\"\\nthere",path="C:\\\\tmp"} 1.5e3
not_a_number NaN
up_forever +Inf
down_forever -Inf
# TYPE demo_latency_seconds histogram
demo_latency_seconds_bucket{le="0.1"} 4
demo_latency_seconds_bucket{le="+Inf"} 9
demo_latency_seconds_sum 1.25
demo_latency_seconds_count 9
this line is broken
half{label="x" 3
"""


def test_parses_counters_gauges_labels_and_comments() -> None:
    page = parse_prometheus_text(PAGE)
    assert page.types["demo_requests_total"] == "counter"
    assert page.types["demo_latency_seconds"] == "histogram"
    assert page.values("demo_requests_total", status="200") == [120.0]
    assert page.total("demo_requests_total") == 123.0
    stamped = [s for s in page.samples if s.timestamp_ms is not None]
    assert [(s.labels["status"], s.timestamp_ms) for s in stamped] == [("500", 1700000000000)]
    assert page.total("demo_queue_depth") == 5.0
    assert page.total("absent_metric") is None
    (weird,) = [s for s in page.samples if s.name == "weird_label"]
    assert weird.labels == {"msg": 'say "hi"\nthere', "path": "C:\\tmp"}
    assert weird.value == 1500.0


def test_special_values_buckets_and_bad_lines() -> None:
    page = parse_prometheus_text(PAGE)
    assert math.isnan(page.values("not_a_number")[0])
    assert page.values("up_forever") == [math.inf]
    assert page.values("down_forever") == [-math.inf]
    names = {s.name for s in page.samples}
    assert "demo_latency_seconds_bucket" not in names
    assert {"demo_latency_seconds_sum", "demo_latency_seconds_count"} <= names
    assert page.skipped_lines == 2
    assert page.total("not_a_number") == 0.0  # NaN series are left out of sums


def test_untyped_bucket_series_with_le_are_dropped_and_empty_page_is_fine() -> None:
    page = parse_prometheus_text('rpc_bucket{le="1"} 3\nrpc_count 3\n')
    assert [s.name for s in page.samples] == ["rpc_count"]
    empty = parse_prometheus_text("")
    assert empty.samples == () and empty.skipped_lines == 0


def test_extract_series_and_counter_rates() -> None:
    page = parse_prometheus_text(PAGE)
    series = {"db_pool_in_use": "demo_db_pool_in_use", "queue_depth": "demo_queue_depth", "gone": "nope"}
    assert extract_series(page, series) == {"db_pool_in_use": 7.0, "queue_depth": 5.0}
    assert counter_rates({"rps": 100.0}, {"rps": 160.0}, 2.0) == {"rps": 30.0}
    assert counter_rates({"rps": 100.0}, {"rps": 5.0}, 2.0) == {}  # counter reset: no rate
    assert counter_rates({}, {"rps": 5.0}, 2.0) == {}


class _MetricsHandler(BaseHTTPRequestHandler):
    requests_total = 0

    def do_GET(self) -> None:  # noqa: N802 (http.server API)
        if self.path != "/metrics":
            self.send_error(404)
            return
        type(self).requests_total += 50
        body = (
            "# TYPE demo_requests_total counter\n"
            f'demo_requests_total{{path="/x"}} {type(self).requests_total}\n'
            "demo_db_pool_in_use 4\ndemo_db_pool_size 8\ndemo_queue_depth 11\n"
            'demo_latency_seconds_bucket{le="0.5"} 3\n'
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def metrics_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _MetricsHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_scraper_reads_a_real_page_and_computes_rates(metrics_server: str) -> None:
    scraper = PrometheusScraper(
        f"{metrics_server}/metrics",
        series={
            "db_pool_in_use": "demo_db_pool_in_use",
            "db_pool_size": "demo_db_pool_size",
            "queue_depth": "demo_queue_depth",
        },
        rate_series={"server_rps": "demo_requests_total"},
        interval_s=60.0,
    )
    try:
        first = scraper.maybe_scrape(now=0.0)
        assert first is not None and first.ok
        assert first.values == {"db_pool_in_use": 4.0, "db_pool_size": 8.0, "queue_depth": 11.0}
        assert first.page is not None and first.page.skipped_lines == 0
        assert scraper.maybe_scrape(now=1.0) is None  # not due yet
        second = scraper.scrape()
        assert second.ok and second.values["server_rps"] > 0
    finally:
        scraper.close()


def test_scraper_reports_failures_as_one_line(metrics_server: str) -> None:
    scraper = PrometheusScraper(f"{metrics_server}/nothing-here", series={"q": "demo_queue_depth"})
    try:
        result = scraper.scrape()
        assert not result.ok and result.error == f"metrics {metrics_server}/nothing-here answered 404"
    finally:
        scraper.close()
