"""Counters of the demo target and their Prometheus text rendering (``GET /metrics``)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


@dataclass(slots=True)
class Metrics:
    """Mutable counters, updated by the request hooks (greenlets: no locking needed)."""

    start_time: float
    """Process start, Unix seconds."""
    db_pool_size: int
    requests: Counter[tuple[str, str, int]] = field(default_factory=Counter)
    """Answered requests by (method, path template, status)."""
    duration_sum_s: float = 0.0
    duration_count: int = 0
    injected_errors: int = 0
    in_flight: int = 0
    db_pool_in_use: int = 0
    queue_depth: int = 0

    def record(self, method: str, path_template: str, status: int, duration_s: float) -> None:
        self.requests[(method, path_template, status)] += 1
        self.duration_sum_s += duration_s
        self.duration_count += 1


def escape_label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def render(metrics: Metrics) -> str:
    """The metrics in the Prometheus text exposition format (version 0.0.4)."""
    lines = [
        "# HELP demo_requests_total Requests answered, by method, path template and status.",
        "# TYPE demo_requests_total counter",
    ]
    for (method, template, status), count in sorted(metrics.requests.items()):
        labels = f'method="{escape_label(method)}",path="{escape_label(template)}",status="{status}"'
        lines.append(f"demo_requests_total{{{labels}}} {count}")
    gauges = (
        ("demo_requests_in_flight", "Requests being served now (excluding /metrics and /_control).", "gauge"),
        ("demo_db_pool_in_use", "Simulated DB pool connections in use.", "gauge"),
        ("demo_db_pool_size", "Simulated DB pool size.", "gauge"),
        ("demo_queue_depth", "Requests waiting for a DB pool connection.", "gauge"),
        ("demo_injected_errors_total", "5xx answers injected on purpose (error_rate).", "counter"),
        ("process_start_time_seconds", "Start time of the process since unix epoch in seconds.", "gauge"),
    )
    values = {
        "demo_requests_in_flight": str(metrics.in_flight),
        "demo_db_pool_in_use": str(metrics.db_pool_in_use),
        "demo_db_pool_size": str(metrics.db_pool_size),
        "demo_queue_depth": str(metrics.queue_depth),
        "demo_injected_errors_total": str(metrics.injected_errors),
        "process_start_time_seconds": f"{metrics.start_time:.3f}",
    }
    for name, help_text, kind in gauges:
        lines += [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}", f"{name} {values[name]}"]
    lines += [
        "# HELP demo_request_duration_seconds Time spent answering requests.",
        "# TYPE demo_request_duration_seconds summary",
        f"demo_request_duration_seconds_sum {metrics.duration_sum_s:.6f}",
        f"demo_request_duration_seconds_count {metrics.duration_count}",
    ]
    return "\n".join(lines) + "\n"
