"""One capacity-search step judged on its own figures: the thresholds in force (global and per endpoint:
p50/p95/p99, error rate) and the measurement's validity. Pure.

The step's figures go through the same threshold rules as a run's (``verdicts.thresholds``: an endpoint gets
the default limits overridden by its patterns), with the run-only floors (``min_rps``) and Locust's
any-failure rule left out: a step is judged by its limits. Where no latency or error limit is configured the
stated default SLO applies: p95 < 500 ms and errors < 1 %.
"""

from __future__ import annotations

from perfconsole.config import Limits, Thresholds
from perfconsole.model.capacity import Breach, EndpointFigures
from perfconsole.model.run import EndpointStats, RunSnapshot, RunState, ThresholdResult
from perfconsole.verdicts.thresholds import evaluate

DEFAULT_SLO = Limits(p95_ms=500.0, error_rate_pct=1.0)
"""Judged against when the thresholds in force set no latency nor error limit."""
STEP_FIELDS = ("p50_ms", "p95_ms", "p99_ms", "error_rate_pct")
"""The limits a step is judged by."""
DEFAULT_DROPPED_PCT = 1.0
"""Arrival-rate steps: dropped iterations beyond this percent (unless ``dropped_pct`` is set) invalidate."""
GENERATOR_REASONS = ("generator saturated", "generator lagging")
"""Validity reasons that put the limit on the load generator, not the target."""


def _step_limits(limits: Limits) -> Limits:
    return Limits(**{name: getattr(limits, name) for name in STEP_FIELDS}, off=limits.off)


def step_thresholds(thresholds: Thresholds) -> Thresholds:
    """The thresholds a step is judged by: the latency and error limits in force, else the default SLO."""
    endpoints = {pattern: _step_limits(limits) for pattern, limits in thresholds.endpoints.items()}
    default = _step_limits(thresholds.default)
    if not default.checked() and not any(limits.checked() for limits in endpoints.values()):
        default = DEFAULT_SLO
    return Thresholds(default=default, endpoints=endpoints, fail_on_errors=False)


def slo_text(thresholds: Thresholds) -> str:
    """``p95 < 500 ms, error rate < 1 %`` (+ ``N endpoint rule(s)``), of :func:`step_thresholds`' result."""
    names = {"p50_ms": "p50", "p95_ms": "p95", "p99_ms": "p99", "error_rate_pct": "error rate"}
    parts = [
        f"{names[name]} < {value:g}{' %' if name == 'error_rate_pct' else ' ms'}"
        for name, value in thresholds.default.checked().items()
    ]
    rules = sum(1 for limits in thresholds.endpoints.values() if limits.checked())
    if rules:
        parts.append(f"{rules} endpoint rule(s)")
    return ", ".join(parts) or "none"


def _stats(figures: EndpointFigures, duration_s: float) -> EndpointStats:
    percentiles = figures.percentiles
    rps = figures.requests / duration_s if duration_s > 0 else 0.0
    return EndpointStats(
        method=figures.method,
        name=figures.name,
        num_requests=figures.requests,
        num_failures=figures.failures,
        avg_ms=0.0,
        min_ms=None,
        max_ms=percentiles.max or 0.0,
        median_ms=percentiles.p50 or 0.0,
        avg_content_length=0.0,
        total_rps=rps,
        current_rps=rps,
        current_fail_per_sec=figures.failures / duration_s if duration_s > 0 else 0.0,
        total_fail_per_sec=figures.failures / duration_s if duration_s > 0 else 0.0,
        cumulative=percentiles,
        current=percentiles,
    )


def step_checks(
    total: EndpointFigures,
    endpoints: tuple[EndpointFigures, ...],
    duration_s: float,
    thresholds: Thresholds,
) -> tuple[ThresholdResult, ...]:
    """Every limit checked on the step's figures (``thresholds`` as :func:`step_thresholds` gives them),
    endpoints first."""
    snapshot = RunSnapshot(
        state=RunState.RUNNING,
        elapsed_s=duration_s,
        user_count=0,
        target_user_count=0,
        spawn_rate=0.0,
        host="",
        endpoints=tuple(_stats(e, duration_s) for e in endpoints if e.requests),
        total=_stats(total, duration_s),
    )
    return evaluate(snapshot, thresholds)


def breaches_of(checks: tuple[ThresholdResult, ...]) -> tuple[Breach, ...]:
    """The limits broken, of :func:`step_checks`."""
    return tuple(Breach(r.endpoint, r.metric, r.actual, r.limit) for r in checks if not r.passed)


def step_breaches(
    total: EndpointFigures,
    endpoints: tuple[EndpointFigures, ...],
    duration_s: float,
    thresholds: Thresholds,
) -> tuple[Breach, ...]:
    """Every limit the step broke, endpoints first."""
    return breaches_of(step_checks(total, endpoints, duration_s, thresholds))


def limit_ratio(checks: tuple[ThresholdResult, ...]) -> float | None:
    """The closest-to-limit figure against its limit (0.25: a quarter of the way; above 1: broken), of
    :func:`step_checks`; None when no limit had figures."""
    ratios = [
        r.actual / r.limit for r in checks if r.comparison == "<" and r.actual is not None and r.limit > 0
    ]
    return max(ratios) if ratios else None


def dropped_breach(dropped_pct: float | None, thresholds: Thresholds) -> str | None:
    """Arrival-rate mode: a validity reason when the step dropped too many iterations."""
    limit = thresholds.default.dropped_pct
    limit = DEFAULT_DROPPED_PCT if limit is None and "dropped_pct" not in thresholds.default.off else limit
    if dropped_pct is None or limit is None or dropped_pct < limit:
        return None
    return f"dropped {dropped_pct:.1f}% of iterations (limit {limit:g}%)"


def generator_limited(reasons: tuple[str, ...]) -> bool:
    return any(reason.startswith(GENERATOR_REASONS) for reason in reasons)


__all__ = [
    "DEFAULT_SLO",
    "breaches_of",
    "dropped_breach",
    "generator_limited",
    "limit_ratio",
    "slo_text",
    "step_breaches",
    "step_checks",
    "step_thresholds",
]
