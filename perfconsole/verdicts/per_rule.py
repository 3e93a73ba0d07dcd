"""Threshold results stored once per rule, not once per endpoint.

With hundreds of endpoints under one rule (the default limits, or a pattern like ``/api/*``), a result per
endpoint and metric made run.toml grow with the URL count (360,209 entries for 90,000 URLs). A rule here
is what an endpoint result was checked against: its metric, limit and comparison. Endpoints sharing a rule
keep one result: the worst of them (a failing one first), labelled ``KEY (worst of N)``; it passes only if
all of them passed. A rule applied to a single endpoint keeps its result unchanged; the total and the
non-endpoint checks (resources, workers) are never grouped. Pure.
"""

from __future__ import annotations

from collections.abc import Iterable

from perfconsole.model.run import AGGREGATED, ThresholdResult

NOT_ENDPOINTS = frozenset({AGGREGATED, "resources", "workers"})


def _worse(a: ThresholdResult, b: ThresholdResult) -> ThresholdResult:
    """The more alarming of two results of one rule."""
    if a.passed != b.passed:
        return b if a.passed else a
    if a.actual is None or b.actual is None:
        return a if a.actual is None else b
    if a.comparison == ">=":
        return b if b.actual < a.actual else a
    return b if b.actual > a.actual else a


def per_rule(results: Iterable[ThresholdResult]) -> tuple[ThresholdResult, ...]:
    grouped: dict[tuple[str, float, str], list[ThresholdResult]] = {}
    order: list[tuple[str, float, str] | ThresholdResult] = []
    for result in results:
        if result.endpoint in NOT_ENDPOINTS:
            order.append(result)
            continue
        rule = (result.metric, result.limit, result.comparison)
        if rule not in grouped:
            grouped[rule] = []
            order.append(rule)
        grouped[rule].append(result)
    out: list[ThresholdResult] = []
    for item in order:
        if isinstance(item, ThresholdResult):
            out.append(item)
            continue
        members = grouped[item]
        if len(members) == 1:
            out.append(members[0])
            continue
        worst = members[0]
        for member in members[1:]:
            worst = _worse(worst, member)
        passed = all(m.passed for m in members)
        label = f"{worst.endpoint} (worst of {len(members)})"
        out.append(ThresholdResult(label, worst.metric, worst.limit, worst.actual, passed, worst.comparison))
    return tuple(out)
