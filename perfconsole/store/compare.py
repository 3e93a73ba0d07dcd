"""Regression comparison of two runs (or of live figures against a baseline). Pure logic, no I/O.

For each endpoint present on both sides and the aggregated total, every metric gets baseline and
current values with absolute and relative deltas. A metric regresses when it got worse by more than its
relative threshold (latencies and error rate: an increase; req/s: a drop), by at least a minimum
absolute change, with at least ``min_samples`` requests on both sides: noise on idle endpoints does not
cry wolf.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from perfconsole.model.run import AGGREGATED, EndpointStats, RunResult, RunSnapshot
from perfconsole.store.loaded_run import LoadedRun
from perfconsole.store.stage_compare import matching_stages

COMPARISON_FORMAT = "perfconsole-comparison"


@dataclass(frozen=True, slots=True)
class RegressionRules:
    """When a change counts as a regression (mirrors ``Settings.regression`` of config.toml)."""

    p50: float = 0.10
    p95: float = 0.10
    p99: float = 0.10
    avg: float = 0.10
    error_rate: float = 0.10
    rps: float = 0.10
    """Relative thresholds as fractions of the baseline (0.10 = 10 %); for rps a relative drop."""
    min_abs_ms: float = 5.0
    """Latency changes smaller than this are never regressions."""
    min_abs_error_rate_pct: float = 0.5
    """Error-rate changes smaller than this many percentage points are never regressions."""
    min_samples: int = 50
    """Both sides need at least this many requests on an endpoint for it to be judged."""
    min_abs_rps: float = 0.0
    """Throughput drops smaller than this (req/s) are never regressions."""

    def relative(self, metric: str) -> float:
        value = getattr(self, metric)
        assert isinstance(value, float | int)
        return float(value)

    @classmethod
    def from_settings(cls, settings: object) -> RegressionRules:
        """Rules from ``settings.regression`` (``relative`` dict + minimums) when present, else defaults."""
        regression = getattr(settings, "regression", None)
        if regression is None:
            return cls()
        defaults = cls()
        relative = getattr(regression, "relative", None)
        relative = relative if isinstance(relative, Mapping) else {}

        def rel(metric: str) -> float:
            value = relative.get(metric, getattr(regression, metric, None))
            return float(value) if isinstance(value, int | float) else defaults.relative(metric)

        def attr(name: str, default: float) -> float:
            value = getattr(regression, name, None)
            return float(value) if isinstance(value, int | float) else default

        return cls(
            p50=rel("p50"),
            p95=rel("p95"),
            p99=rel("p99"),
            avg=rel("avg"),
            error_rate=rel("error_rate"),
            rps=rel("rps"),
            min_abs_ms=attr("min_abs_ms", defaults.min_abs_ms),
            min_abs_error_rate_pct=attr("min_abs_error_rate_pct", defaults.min_abs_error_rate_pct),
            min_samples=int(attr("min_samples", defaults.min_samples)),
            min_abs_rps=attr("min_abs_rps", defaults.min_abs_rps),
        )

    def min_abs(self, metric: str) -> float:
        if metric == "error_rate":
            return self.min_abs_error_rate_pct
        if metric == "rps":
            return self.min_abs_rps
        return self.min_abs_ms

    def to_dict(self) -> dict[str, Any]:
        return {
            "relative": {m.name: self.relative(m.name) for m in METRICS},
            "min_abs_ms": self.min_abs_ms,
            "min_abs_error_rate_pct": self.min_abs_error_rate_pct,
            "min_abs_rps": self.min_abs_rps,
            "min_samples": self.min_samples,
        }


@dataclass(frozen=True, slots=True)
class Metric:
    name: str
    unit: str
    higher_is_worse: bool
    value: Callable[[EndpointStats], float | None]
    total_only: bool = False
    """Judged on the aggregated total only. Per-endpoint req/s follows the task mix of closed-loop users:
    one slowed endpoint lowers every endpoint's req/s, so only the total's drop is a regression."""


def _latency(getter: Callable[[EndpointStats], float | None]) -> Callable[[EndpointStats], float | None]:
    return lambda e: getter(e) if e.num_requests else None


METRICS: tuple[Metric, ...] = (
    Metric("p50", "ms", True, _latency(lambda e: e.cumulative.p50)),
    Metric("p95", "ms", True, _latency(lambda e: e.cumulative.p95)),
    Metric("p99", "ms", True, _latency(lambda e: e.cumulative.p99)),
    Metric("avg", "ms", True, _latency(lambda e: e.avg_ms)),
    Metric("rps", "req/s", False, lambda e: e.total_rps, total_only=True),
    Metric("error_rate", "%", True, lambda e: 100.0 * e.fail_ratio),
)
"""Compared metrics, in display order. error_rate is in percent (0-100)."""

REGRESSION = "REGRESSION"
IMPROVED = "improved"
OK = "ok"
FEW_SAMPLES = "few samples"
NO_DATA = "n/a"
CHANGED = "changed"
"""A significant change of a metric that is judged on the total only (per-endpoint req/s)."""


@dataclass(frozen=True, slots=True)
class MetricDelta:
    metric: str
    unit: str
    baseline: float | None
    current: float | None
    abs_delta: float | None
    rel_delta: float | None
    """(current - baseline) / baseline; ``inf`` when the baseline is 0 and current is not; None w/o data."""
    verdict: str
    """``REGRESSION``, ``improved``, ``ok``, ``few samples`` or ``n/a``."""

    @property
    def regressed(self) -> bool:
        return self.verdict == REGRESSION


@dataclass(frozen=True, slots=True)
class EndpointComparison:
    endpoint: str
    """Endpoint key (``GET /api/x``) or ``Aggregated``."""
    baseline_requests: int
    current_requests: int
    enough_samples: bool
    metrics: tuple[MetricDelta, ...]

    @property
    def regressed(self) -> bool:
        return any(m.regressed for m in self.metrics)

    def metric(self, name: str) -> MetricDelta:
        return next(m for m in self.metrics if m.metric == name)


@dataclass(frozen=True, slots=True)
class Comparison:
    baseline_label: str
    current_label: str
    rows: tuple[EndpointComparison, ...]
    """Endpoints on both sides (sorted), then the aggregated total, then each stage when both runs have
    the same stages."""
    only_in_baseline: tuple[str, ...]
    only_in_current: tuple[str, ...]
    rules: RegressionRules = field(default_factory=RegressionRules)

    @property
    def regressions(self) -> tuple[tuple[str, MetricDelta], ...]:
        return tuple((row.endpoint, m) for row in self.rows for m in row.metrics if m.regressed)

    @property
    def regressed(self) -> bool:
        return bool(self.regressions)


ComparableSide = LoadedRun | RunResult | RunSnapshot | Sequence[EndpointStats]


def _endpoint_map(side: ComparableSide) -> dict[str, EndpointStats]:
    if isinstance(side, LoadedRun):
        stats: Sequence[EndpointStats] = side.endpoints
    elif isinstance(side, RunResult):
        stats = (*side.final.endpoints, side.final.total)
    elif isinstance(side, RunSnapshot):
        stats = (*side.endpoints, side.total)
    else:
        stats = side
    return {e.key: e for e in stats}


def _label(side: ComparableSide, default: str) -> str:
    return side.label if isinstance(side, LoadedRun) else default


def compare_metric(
    metric: Metric, base: EndpointStats, cur: EndpointStats, rules: RegressionRules, *, judge: bool = True
) -> MetricDelta:
    """One metric of one endpoint: deltas and verdict (``changed`` instead of a verdict when not judged)."""
    b, c = metric.value(base), metric.value(cur)
    if b is None or c is None or not (math.isfinite(b) and math.isfinite(c)):
        return MetricDelta(metric.name, metric.unit, b, c, None, None, NO_DATA)
    abs_delta = c - b
    if b != 0:
        rel_delta: float = abs_delta / b
    else:
        rel_delta = 0.0 if abs_delta == 0 else math.copysign(math.inf, abs_delta)
    enough = base.num_requests >= rules.min_samples and cur.num_requests >= rules.min_samples
    worse_rel = rel_delta if metric.higher_is_worse else -rel_delta
    significant = abs(worse_rel) > rules.relative(metric.name) and abs(abs_delta) >= rules.min_abs(
        metric.name
    )
    if not enough:
        verdict = FEW_SAMPLES
    elif significant and worse_rel > 0:
        verdict = REGRESSION
    elif significant and worse_rel < 0:
        verdict = IMPROVED
    else:
        verdict = OK
    if not judge and verdict in (REGRESSION, IMPROVED):
        verdict = CHANGED
    return MetricDelta(metric.name, metric.unit, b, c, abs_delta, rel_delta, verdict)


def compare(
    baseline: ComparableSide,
    current: ComparableSide,
    rules: RegressionRules | None = None,
    *,
    baseline_label: str | None = None,
    current_label: str | None = None,
) -> Comparison:
    """Compare two runs (loaded runs, results, live snapshots or sequences of EndpointStats)."""
    rules = rules or RegressionRules()
    base_map, cur_map = _endpoint_map(baseline), _endpoint_map(current)
    shared = sorted(k for k in base_map.keys() & cur_map.keys() if k != AGGREGATED)
    if AGGREGATED in base_map and AGGREGATED in cur_map:
        shared.append(AGGREGATED)
    rows = []
    for key in shared:
        base, cur = base_map[key], cur_map[key]
        rows.append(
            EndpointComparison(
                endpoint=key,
                baseline_requests=base.num_requests,
                current_requests=cur.num_requests,
                enough_samples=base.num_requests >= rules.min_samples
                and cur.num_requests >= rules.min_samples,
                metrics=tuple(
                    compare_metric(m, base, cur, rules, judge=key == AGGREGATED or not m.total_only)
                    for m in METRICS
                ),
            )
        )
    for base, cur in matching_stages(baseline, current):  # stage by stage, when both have the same
        rows.append(
            EndpointComparison(
                endpoint=base.key,
                baseline_requests=base.num_requests,
                current_requests=cur.num_requests,
                enough_samples=base.num_requests >= rules.min_samples
                and cur.num_requests >= rules.min_samples,
                metrics=tuple(compare_metric(m, base, cur, rules) for m in METRICS),
            )
        )
    return Comparison(
        baseline_label=baseline_label or _label(baseline, "baseline"),
        current_label=current_label or _label(current, "current"),
        rows=tuple(rows),
        only_in_baseline=tuple(sorted(base_map.keys() - cur_map.keys())),
        only_in_current=tuple(sorted(cur_map.keys() - base_map.keys())),
        rules=rules,
    )


# ---------------------------------------------------------------- output


def _fmt_value(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "%":
        return f"{value:.2f}%"
    return f"{value:,.1f} {unit}"


def _fmt_abs(delta: float | None, unit: str) -> str:
    if delta is None:
        return "-"
    if unit == "%":
        return f"{delta:+.2f} pts"
    return f"{delta:+,.1f} {unit}"


def format_rel(rel: float | None) -> str:
    if rel is None:
        return "-"
    if math.isinf(rel):
        return "new" if rel > 0 else "-inf"
    return f"{rel * 100:+.1f}%"


def describe_rules(rules: RegressionRules) -> str:
    worse = ", ".join(
        f"{m.name} {'+' if m.higher_is_worse else '-'}{rules.relative(m.name) * 100:g}%" for m in METRICS
    )
    return (
        f"Regression: worse by more than {worse}\n"
        f"  and by at least {rules.min_abs_ms:g} ms / {rules.min_abs_error_rate_pct:g} pct pts, "
        f"with at least {rules.min_samples} requests on both sides"
    )


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "~"


def render_table(comparison: Comparison) -> str:
    """Plain-text comparison table, one line per endpoint and metric, with a verdict line at the end."""
    width = min(40, max([len("Endpoint"), *(len(r.endpoint) for r in comparison.rows)]))
    lines = [
        f"Current:  {comparison.current_label}",
        f"Baseline: {comparison.baseline_label}",
        describe_rules(comparison.rules),
        "",
        f"{'Endpoint':<{width}}  {'Metric':<10} {'Baseline':>12} {'Current':>12} "
        f"{'Delta':>13} {'Delta%':>8}  Verdict",
    ]
    for row in comparison.rows:
        for index, m in enumerate(row.metrics):
            endpoint = _clip(row.endpoint, width) if index == 0 else ""
            lines.append(
                f"{endpoint:<{width}}  {m.metric:<10} {_fmt_value(m.baseline, m.unit):>12} "
                f"{_fmt_value(m.current, m.unit):>12} {_fmt_abs(m.abs_delta, m.unit):>13} "
                f"{format_rel(m.rel_delta):>8}  {m.verdict}"
            )
        if not row.enough_samples:
            lines.append(
                f"{'':<{width}}  (not judged: {row.baseline_requests} baseline / "
                f"{row.current_requests} current requests, need {comparison.rules.min_samples})"
            )
    if not comparison.rows:
        lines.append("(no endpoint on both sides)")
    lines.append("")
    if comparison.only_in_baseline:
        lines.append(f"Only in baseline: {', '.join(comparison.only_in_baseline)}")
    if comparison.only_in_current:
        lines.append(f"Only in current: {', '.join(comparison.only_in_current)}")
    regressions = comparison.regressions
    if regressions:
        listed = "; ".join(f"{endpoint} {m.metric} {format_rel(m.rel_delta)}" for endpoint, m in regressions)
        lines.append(f"RESULT: {len(regressions)} regression(s): {listed}")
    else:
        lines.append("RESULT: no regressions")
    return "\n".join(lines) + "\n"


def _json_float(value: float | None) -> float | None:
    return value if value is None or math.isfinite(value) else None


def comparison_to_dict(comparison: Comparison) -> dict[str, Any]:
    """Stable JSON form: ``format``, ``schema_version``, ``baseline``, ``current``, ``regressed``,
    ``rules``, ``rows`` (``endpoint``, ``baseline_requests``, ``current_requests``, ``enough_samples``,
    ``regressed``, ``metrics``: {name: ``baseline``, ``current``, ``abs_delta``, ``rel_delta``,
    ``unit``, ``verdict``, ``regressed``}), ``only_in_baseline``, ``only_in_current``, ``regressions``.
    A relative delta from a zero baseline is null with ``verdict`` still set."""
    return {
        "format": COMPARISON_FORMAT,
        "schema_version": 1,
        "baseline": comparison.baseline_label,
        "current": comparison.current_label,
        "regressed": comparison.regressed,
        "rules": comparison.rules.to_dict(),
        "rows": [
            {
                "endpoint": row.endpoint,
                "baseline_requests": row.baseline_requests,
                "current_requests": row.current_requests,
                "enough_samples": row.enough_samples,
                "regressed": row.regressed,
                "metrics": {
                    m.metric: {
                        "baseline": _json_float(m.baseline),
                        "current": _json_float(m.current),
                        "abs_delta": _json_float(m.abs_delta),
                        "rel_delta": _json_float(m.rel_delta),
                        "unit": m.unit,
                        "verdict": m.verdict,
                        "regressed": m.regressed,
                    }
                    for m in row.metrics
                },
            }
            for row in comparison.rows
        ],
        "only_in_baseline": list(comparison.only_in_baseline),
        "only_in_current": list(comparison.only_in_current),
        "regressions": [
            {"endpoint": endpoint, "metric": m.metric, "rel_delta": _json_float(m.rel_delta)}
            for endpoint, m in comparison.regressions
        ],
    }
