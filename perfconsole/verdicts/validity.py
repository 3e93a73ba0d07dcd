"""The validity stamp of a run and of each of its stages: did it measure the target at all? Pure.

A run is ``invalid: <reasons>`` when its load generator was saturated (a generator process at or above
``saturation_pct`` CPU for ``saturation_s`` seconds or more: the same worker CPU that Locust's
``cpu_warning`` reports) or lagging (its event loop 100 ms late or more for 3 s: saturated, or starved of
CPU on a busy machine, where its CPU share never reaches the limit), a worker was lost, iterations were
dropped beyond the ``dropped_pct`` limit (arrival-rate mode), it has fewer requests than a comparison's
``min_samples``, or its load shape (staged profile) raised or was stopped before its end. Each reason
comes from one check of :data:`CHECKS`; a new source of invalidity is one more check (:func:`register`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from perfconsole.model.run import RunResult
from perfconsole.model.run_end import EndKind
from perfconsole.model.run_warnings import WarningKind
from perfconsole.model.stages import StageStats
from perfconsole.model.validity import RunValidity, Validity
from perfconsole.verdicts.arrival import DROPPED_METRIC

WORKER_LOST_PREFIX = "worker lost:"
"""How the worker-loss watch's annotation (kind ``worker``) begins."""


@dataclass(frozen=True, slots=True)
class ValidityRules:
    saturation_pct: float = 90.0
    saturation_s: float = 3.0
    """A generator at or above ``saturation_pct`` for this long (or longer) saturates the run."""
    min_samples: int = 50
    """Fewer requests than this (the run, or a stage) is too short to measure anything."""
    sample_interval_s: float = 1.0
    """Seconds one resource sample stands for (the monitor samples about once a second)."""


@dataclass(frozen=True, slots=True)
class Span:
    """The part of the run a stamp covers: ``None`` ends mean the whole run."""

    start_s: float | None = None
    end_s: float | None = None
    requests: int | None = None
    """The span's own requests (a stage's); None: the run's total."""
    dropped_pct: float | None = None
    """A rate stage's dropped iterations in percent of those scheduled; None: none scheduled in it."""

    def holds(self, elapsed_s: float) -> bool:
        return (self.start_s is None or elapsed_s >= self.start_s) and (
            self.end_s is None or elapsed_s <= self.end_s
        )


Check = Callable[[RunResult, ValidityRules, Span], Iterable[str]]


def _numbers(values: object) -> list[float | None]:
    if not isinstance(values, Sequence) or isinstance(values, str):
        return []
    return [float(v) if isinstance(v, int | float) and not isinstance(v, bool) else None for v in values]


def generator_saturated(result: RunResult, rules: ValidityRules, span: Span) -> Iterable[str]:
    """The longest stretch of resource samples with a generator process at or above the limit (a single
    reading raises the run's saturation warning; it takes ``saturation_s`` to invalidate the run)."""
    series = result.resources.get("series")
    if not isinstance(series, Mapping):
        return []  # not sampled (the saturation warning comes from the same samples)
    elapsed = _numbers(series.get("elapsed_s"))
    cpu = _numbers(series.get("generator_max_cpu_pct"))
    longest, longest_from, run_from, peak = 0.0, 0.0, None, 0.0
    for at, busy in zip(elapsed, cpu, strict=False):
        if at is None or not span.holds(at):
            continue
        if busy is not None and busy >= rules.saturation_pct:
            run_from = at if run_from is None else run_from
            peak = max(peak, busy)
            length = at - run_from + rules.sample_interval_s
            if length > longest:
                longest, longest_from = length, run_from
        else:
            run_from = None
    if longest < rules.saturation_s:
        return []
    label = result.resources.get("peaks", {})
    who = label.get("generator_max_cpu_label") if isinstance(label, Mapping) else None
    return [
        f"generator saturated: {who or 'a generator process'} CPU >= {rules.saturation_pct:g}% for "
        f"{longest:.0f} s from {longest_from:.0f} s (peak {peak:.0f}%)"
    ]


LAG_PREFIX = "load generator lagging:"


def generator_lagging(result: RunResult, rules: ValidityRules, span: Span) -> Iterable[str]:
    """A generator whose event loop ran late for seconds (perfconsole.engine.generator_lag): saturated,
    or starved of CPU by a busy machine, which its own CPU share does not show."""
    if span.start_s is None:
        found = [w.detail or w.text for w in result.warnings if w.kind == WarningKind.GENERATOR_LAG]
    else:
        found = [
            a.text.split(";")[0].split("(")[0].removeprefix(LAG_PREFIX).strip()
            for a in result.annotations
            if a.text.startswith(LAG_PREFIX) and span.holds(a.elapsed_s)
        ]
    return [f"generator lagging: {detail}" for detail in found]


def worker_lost(result: RunResult, rules: ValidityRules, span: Span) -> Iterable[str]:
    if span.start_s is None:
        return [w.text for w in result.warnings if w.kind == WarningKind.WORKER_LOST]
    return [
        a.text.split(";")[0]
        for a in result.annotations
        if a.kind == "worker" and a.text.startswith(WORKER_LOST_PREFIX) and span.holds(a.elapsed_s)
    ]


def dropped_iterations(result: RunResult, rules: ValidityRules, span: Span) -> Iterable[str]:
    """Arrival-rate mode's dropped iterations at or beyond their ``dropped_pct`` limit: the whole run's (its
    threshold failed), or a rate stage's own (a spike's drops, which a long calm run would dilute)."""
    if span.start_s is not None:
        limit = next((t.limit for t in result.thresholds if t.metric == DROPPED_METRIC), None)
        if limit is None or span.dropped_pct is None or span.dropped_pct < limit:
            return []
        return [f"dropped {span.dropped_pct:.1f}% of the stage's iterations (limit {limit:g}%)"]
    return [
        f"dropped {t.actual:.1f}% of iterations (limit {t.limit:g}%)"
        for t in result.thresholds
        if t.metric == DROPPED_METRIC and not t.passed and t.actual is not None
    ]


def too_few_samples(result: RunResult, rules: ValidityRules, span: Span) -> Iterable[str]:
    requests = result.final.total.num_requests if span.requests is None else span.requests
    if requests >= rules.min_samples:
        return []
    return [f"only {requests} request(s), fewer than the {rules.min_samples} a measurement needs"]


def shape_incomplete(result: RunResult, rules: ValidityRules, span: Span) -> Iterable[str]:
    """A load shape (or staged profile) that raised, or was cut short before its end (the whole run)."""
    end = result.end
    if span.start_s is not None or end is None:
        return []
    staged = any(stage.kind == "stage" for stage in result.stages)
    if end.kind is EndKind.SHAPE_ERROR or (staged and end.kind in (EndKind.INTERRUPTED, EndKind.OPERATOR)):
        return [f"shape did not complete ({end.reason})"]
    return []


CHECKS: list[Check] = [
    generator_saturated,
    generator_lagging,
    worker_lost,
    dropped_iterations,
    too_few_samples,
    shape_incomplete,
]
"""Every source of invalidity, in the order reasons are listed."""


def register(check: Check) -> None:
    """Add a source of invalidity (e.g. a shape that did not complete)."""
    if check not in CHECKS:
        CHECKS.append(check)


def _validity(result: RunResult, rules: ValidityRules, span: Span) -> Validity:
    reasons: list[str] = []
    for check in CHECKS:
        reasons += [r for r in check(result, rules, span) if r not in reasons]
    return Validity(tuple(reasons))


def stage_span(stage: StageStats) -> Span:
    """The span a stage's stamp covers, with its dropped iterations in percent (a rate stage's)."""
    arrival = stage.arrival
    scheduled = arrival is not None and arrival.started + arrival.dropped > 0
    dropped = arrival.dropped_pct if arrival is not None and scheduled else None
    return Span(stage.start_s, stage.end_s, stage.requests, dropped)


def span_validity(result: RunResult, span: Span, rules: ValidityRules | None = None) -> Validity:
    """The stamp of one part of a run (a capacity search's step), from the run so far."""
    return _validity(result, rules or ValidityRules(), span)


def stamp(result: RunResult, rules: ValidityRules | None = None) -> RunValidity:
    """The run's stamp and every stage's."""
    rules = rules or ValidityRules()
    stages = tuple((stage.index, _validity(result, rules, stage_span(stage))) for stage in result.stages)
    return RunValidity(_validity(result, rules, Span()), stages)


def validity_of(result: RunResult, rules: ValidityRules | None = None) -> RunValidity:
    """The stamp saved with the run, or (a run saved before stamps) the one its data gives now."""
    return result.validity if result.validity is not None else stamp(result, rules)
