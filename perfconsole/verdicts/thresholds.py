"""Pass/fail thresholds checked against a run snapshot. Pure: no Locust, no Textual.

An endpoint gets the default limits, overridden by every pattern in ``Thresholds.endpoints`` that matches
its request name (or its ``"METHOD name"`` key), from least to most specific, so the most specific
pattern wins. The aggregated total gets the default limits only, and is the only place ``min_rps`` is
checked. Latencies use the cumulative percentiles; the error rate is failed requests in percent.
"""

from __future__ import annotations

import re
from dataclasses import replace
from fnmatch import fnmatchcase

from perfconsole.config import Limits, Thresholds
from perfconsole.model.run import AGGREGATED, EndpointStats, Percentiles, RunSnapshot, ThresholdResult

_METRICS: tuple[tuple[str, str], ...] = (
    ("p50", "p50_ms"),
    ("p95", "p95_ms"),
    ("p99", "p99_ms"),
    ("error_rate", "error_rate_pct"),
    ("rps", "min_rps"),
)
"""(metric label used in results and cell marks, Limits field)."""

_WILDCARDS = re.compile(r"\[[^\]]*\]|[*?]")


def is_total(endpoint: EndpointStats) -> bool:
    """True for the aggregated total row."""
    return not endpoint.method and endpoint.name == AGGREGATED


def pattern_specificity(pattern: str) -> tuple[int, int]:
    """Sort key, higher = more specific: literal characters first, then fewer wildcards."""
    wildcards = _WILDCARDS.findall(pattern)
    literal_chars = len(_WILDCARDS.sub("", pattern))
    return literal_chars, -len(wildcards)


def matching_patterns(endpoint: EndpointStats, thresholds: Thresholds) -> list[str]:
    """Patterns matching the endpoint's name or key, least specific first (ties by pattern text)."""
    found = [
        pattern
        for pattern in thresholds.endpoints
        if fnmatchcase(endpoint.name, pattern) or fnmatchcase(endpoint.key, pattern)
    ]
    return sorted(found, key=lambda pattern: (pattern_specificity(pattern), pattern))


def limits_for(endpoint: EndpointStats, thresholds: Thresholds) -> Limits:
    """The limits that apply to one endpoint (or, for the total, the default limits)."""
    if is_total(endpoint):
        return thresholds.default
    limits = thresholds.default
    for pattern in matching_patterns(endpoint, thresholds):
        limits = thresholds.endpoints[pattern].merged_over(limits)
    return replace(limits, min_rps=None)


def _actual(endpoint: EndpointStats, metric: str, use_current: bool) -> float | None:
    percentiles: Percentiles = endpoint.current if use_current else endpoint.cumulative
    if metric in ("p50", "p95", "p99"):
        return percentiles.get(metric)
    if metric == "error_rate":
        if not use_current:
            return endpoint.fail_ratio * 100
        if endpoint.current_rps <= 0:
            return None
        return min(100.0, endpoint.current_fail_per_sec / endpoint.current_rps * 100)
    return endpoint.current_rps if use_current else endpoint.total_rps


def _check(endpoint: EndpointStats, limits: Limits, use_current: bool) -> list[ThresholdResult]:
    results = []
    for metric, limit_field in _METRICS:
        limit = getattr(limits, limit_field)
        if limit is None:
            continue
        actual = _actual(endpoint, metric, use_current)
        floor = metric == "rps"
        if actual is None:  # no samples: "no data", never a failed limit (a run without requests passes)
            passed = True
        else:
            passed = actual >= limit if floor else actual < limit
        results.append(
            ThresholdResult(
                endpoint=endpoint.key,
                metric=metric,
                limit=float(limit),
                actual=actual,
                passed=passed,
                comparison=">=" if floor else "<",
            )
        )
    return results


def evaluate(snapshot: RunSnapshot, thresholds: Thresholds) -> tuple[ThresholdResult, ...]:
    """Every configured threshold checked on cumulative figures: endpoints first, then the total.

    Endpoints without requests are skipped; the total is always checked: without requests its latencies are
    "no data" (``actual`` None, not failed, as Locust passes a run without requests) while a throughput
    floor fails (0 req/s is a measurement).
    """
    results: list[ThresholdResult] = []
    for endpoint in snapshot.endpoints:
        if endpoint.num_requests == 0 or is_total(endpoint):
            continue
        results.extend(_check(endpoint, limits_for(endpoint, thresholds), use_current=False))
    results.extend(_check(snapshot.total, thresholds.default, use_current=False))
    return tuple(results)


ERRORS_METRIC = "errors"
"""The threshold of ``fail_on_errors``: failed requests plus task exceptions must be 0 (Locust's rule)."""


def errors_verdict(snapshot: RunSnapshot, thresholds: Thresholds) -> tuple[ThresholdResult, ...]:
    """Locust's rule, unless switched off: any failed request or task exception fails the run."""
    if not thresholds.errors_fail:
        return ()
    errors = snapshot.total.num_failures + sum(e.count for e in snapshot.exceptions)
    return (
        ThresholdResult(
            endpoint=snapshot.total.key,
            metric=ERRORS_METRIC,
            limit=0.0,
            actual=float(errors),
            passed=errors == 0,
            comparison="=",
        ),
    )


def cell_breaches(endpoint: EndpointStats, thresholds: Thresholds, use_current: bool) -> set[str]:
    """Metric labels (``p50``, ``p95``, ``p99``, ``error_rate``; ``rps`` for the total) this endpoint
    breaks now, for marking table cells. ``use_current`` reads the ~10 s window (idle window: no marks)
    instead of the cumulative figures; an endpoint without requests breaks nothing."""
    if endpoint.num_requests == 0:
        return set()
    return {
        result.metric
        for result in _check(endpoint, limits_for(endpoint, thresholds), use_current)
        if not result.passed and result.actual is not None
    }
