"""A regression comparison as text and as JSON (``perfconsole compare``, headless ``--baseline``, the
console's run browser): rendering only, the judgement is :mod:`perfconsole.verdicts.regression`.
"""

from __future__ import annotations

import math
from typing import Any

from perfconsole.config import Regression
from perfconsole.verdicts.noise import Interval
from perfconsole.verdicts.regression import METRICS, Comparison, MetricDelta, relative_limit

COMPARISON_FORMAT = "perfconsole-comparison"


def rules_to_dict(rules: Regression) -> dict[str, Any]:
    return {
        "relative": {m.name: relative_limit(rules, m.name) for m in METRICS},
        "min_abs_ms": rules.min_abs_ms,
        "min_abs_error_rate_pct": rules.min_abs_error_rate_pct,
        "min_abs_rps": 0.0,
        "min_samples": rules.min_samples,
    }


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


def format_interval(interval: Interval | None, unit: str) -> str:
    """``95% CI +12.0 .. +25.0%`` (error rate: ``pts``); ``-`` without one."""
    if interval is None:
        return "-"
    if unit == "%":
        return f"95% CI {interval.low:+.2f} .. {interval.high:+.2f} pts"
    return f"95% CI {format_rel(interval.low)} .. {format_rel(interval.high)}"


def describe_change(m: MetricDelta) -> str:
    """``p95 +18.0% (95% CI +12.0 .. +25.0%)``: a metric's change with its interval when there is one."""
    change = _fmt_abs(m.abs_delta, m.unit) if m.unit == "%" else format_rel(m.rel_delta)
    return f"{m.metric} {change}" + (f" ({format_interval(m.interval, m.unit)})" if m.interval else "")


def describe_rules(rules: Regression) -> str:
    worse = ", ".join(
        f"{m.name} {'+' if m.higher_is_worse else '-'}{relative_limit(rules, m.name) * 100:g}%"
        for m in METRICS
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
        f"{'Delta':>13} {'Delta%':>8}  {'95% CI':<21} Verdict",
    ]
    for row in comparison.rows:
        for index, m in enumerate(row.metrics):
            endpoint = _clip(row.endpoint, width) if index == 0 else ""
            lines.append(
                f"{endpoint:<{width}}  {m.metric:<10} {_fmt_value(m.baseline, m.unit):>12} "
                f"{_fmt_value(m.current, m.unit):>12} {_fmt_abs(m.abs_delta, m.unit):>13} "
                f"{format_rel(m.rel_delta):>8}  {format_ci(m):<21} {m.verdict}"
            )
        if not row.enough_samples:
            lines.append(
                f"{'':<{width}}  (not judged: {row.baseline_requests} baseline / "
                f"{row.current_requests} current requests, need {comparison.rules.min_samples})"
            )
        if row.refused and not comparison.refused:
            lines.append(f"{'':<{width}}  (not judged: {'; '.join(row.refused)})")
    if not comparison.rows:
        lines.append("(no endpoint on both sides)")
    lines.append("")
    if comparison.only_in_baseline:
        lines.append(f"Only in baseline: {', '.join(comparison.only_in_baseline)}")
    if comparison.only_in_current:
        lines.append(f"Only in current: {', '.join(comparison.only_in_current)}")
    lines.append(result_line(comparison))
    return "\n".join(lines) + "\n"


def result_line(comparison: Comparison) -> str:
    """``RESULT: NOT JUDGED: baseline good is invalid: ...``, ``RESULT: 2 regression(s): ...`` or
    ``RESULT: no regressions``."""
    if comparison.refused:
        return f"RESULT: NOT JUDGED (invalid measurement): {'; '.join(comparison.refused)}"
    regressions = comparison.regressions
    if regressions:
        listed = "; ".join(f"{endpoint} {describe_change(m)}" for endpoint, m in regressions)
        return f"RESULT: {len(regressions)} regression(s): {listed}"
    return "RESULT: no regressions"


def format_ci(m: MetricDelta) -> str:
    """The interval alone: ``+12.0% .. +25.0%`` (error rate: ``pts``), ``-`` without one."""
    if m.interval is None:
        return "-"
    if m.unit == "%":
        return f"{m.interval.low:+.2f} .. {m.interval.high:+.2f} pts"
    return f"{format_rel(m.interval.low)} .. {format_rel(m.interval.high)}"


def _json_float(value: float | None) -> float | None:
    return value if value is None or math.isfinite(value) else None


def comparison_to_dict(comparison: Comparison) -> dict[str, Any]:
    """Stable JSON form: ``format``, ``schema_version``, ``baseline``, ``current``, ``regressed``,
    ``invalid`` and ``refused`` (a side stamped invalid: nothing judged, and why), ``rules``, ``rows``
    (``endpoint``, ``baseline_requests``, ``current_requests``, ``enough_samples``, ``refused``,
    ``regressed``, ``metrics``: {name: ``baseline``, ``current``, ``abs_delta``, ``rel_delta``,
    ``unit``, ``ci95_low``, ``ci95_high``, ``verdict``, ``regressed``}), ``only_in_baseline``,
    ``only_in_current``, ``regressions``. A relative delta from a zero baseline is null with ``verdict``
    still set. The interval is relative like ``rel_delta`` (error rate: percentage points like
    ``abs_delta``), null where there is none."""
    return {
        "format": COMPARISON_FORMAT,
        "schema_version": 1,
        "baseline": comparison.baseline_label,
        "current": comparison.current_label,
        "regressed": comparison.regressed,
        "invalid": bool(comparison.refused),
        "refused": list(comparison.refused),
        "rules": rules_to_dict(comparison.rules),
        "rows": [
            {
                "endpoint": row.endpoint,
                "baseline_requests": row.baseline_requests,
                "current_requests": row.current_requests,
                "enough_samples": row.enough_samples,
                "regressed": row.regressed,
                "refused": list(row.refused),
                "metrics": {
                    m.metric: {
                        "baseline": _json_float(m.baseline),
                        "current": _json_float(m.current),
                        "abs_delta": _json_float(m.abs_delta),
                        "rel_delta": _json_float(m.rel_delta),
                        "unit": m.unit,
                        "ci95_low": _json_float(m.interval.low) if m.interval else None,
                        "ci95_high": _json_float(m.interval.high) if m.interval else None,
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
            {
                "endpoint": endpoint,
                "metric": m.metric,
                "rel_delta": _json_float(m.rel_delta),
                "abs_delta": _json_float(m.abs_delta),
                "ci95_low": _json_float(m.interval.low) if m.interval else None,
                "ci95_high": _json_float(m.interval.high) if m.interval else None,
                "text": describe_change(m),
            }
            for endpoint, m in comparison.regressions
        ],
    }
