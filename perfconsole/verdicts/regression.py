"""Regression judgement of two runs (or of live figures against a baseline). Pure logic, no I/O.

For each endpoint present on both sides and the aggregated total, every metric gets baseline and
current values with absolute and relative deltas and, where the runs' histograms and time blocks allow,
a 95 % confidence interval of the change (perfconsole.verdicts.noise). A metric regresses when it got
worse by more than its relative threshold (latencies and error rate: an increase; req/s: a drop), by at
least a minimum absolute change, with at least ``min_samples`` requests on both sides, *and* its interval
does not span zero: otherwise the change is ``within noise``. The rules are config.toml's
``[regression]`` (:class:`perfconsole.config.Regression`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from perfconsole.config import Regression
from perfconsole.model.run import AGGREGATED, EndpointStats, RunResult, RunSnapshot
from perfconsole.store.loaded_run import LoadedRun
from perfconsole.store.stage_compare import matching_stages
from perfconsole.verdicts.baseline_runs import RunSpread, mean_endpoints, runs_of
from perfconsole.verdicts.noise import Interval, Part, proportion_interval, ratio_interval
from perfconsole.verdicts.refusal import refuse, run_refusals, stage_refusals
from perfconsole.verdicts.run_noise import RunNoise


def relative_limit(rules: Regression, metric: str) -> float:
    """Largest tolerated relative worsening of ``metric`` (a fraction of the baseline)."""
    return float(rules.relative[metric])


def min_abs(rules: Regression, metric: str) -> float:
    """Smallest absolute change of ``metric`` that can count (ms, percentage points; none for req/s)."""
    if metric == "error_rate":
        return rules.min_abs_error_rate_pct
    if metric == "rps":
        return 0.0
    return rules.min_abs_ms


MIN_REQUESTS = {"p99": 1000}
"""Requests a side needs for a tail percentile to be judged (10 beyond it): with fewer, a burst of slow
requests moves it more than any interval can tell."""


def tail_samples(metric: str) -> int:
    return MIN_REQUESTS.get(metric, 0)


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
"""A change past the limits that is not judged: per-endpoint req/s (judged on the total only), and req/s
of single saved runs (it follows the machine's load; a baseline of several runs judges it)."""
WITHIN_NOISE = "within noise"
"""Beyond the limits, but the confidence interval of the change spans zero."""


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
    """``REGRESSION``, ``improved``, ``within noise``, ``ok``, ``few samples``, ``changed`` or ``n/a``."""
    interval: Interval | None = None
    """95 % confidence interval of the change: relative like ``rel_delta`` (error rate: percentage points,
    like ``abs_delta``); None when neither side has histograms (a run saved without them)."""

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
    refused: tuple[str, ...] = ()
    """Why this row's changes are not judged (an invalid side or stage); empty when they are."""

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
    rules: Regression = field(default_factory=Regression)
    refused: tuple[str, ...] = ()
    """Why no change is judged at all: a side stamped invalid (``baseline good is invalid: ...``)."""

    @property
    def invalid(self) -> bool:
        """A side, or a compared stage, was not a valid measurement: some verdicts were refused."""
        return bool(self.refused) or any(row.refused for row in self.rows)

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
    if isinstance(side, LoadedRun) and side.others:
        return f"{side.label} ({len(side.others) + 1} runs)"
    return side.label if isinstance(side, LoadedRun) else default


_NOISE_CACHE: list[tuple[RunResult, RunNoise]] = []
"""The last few runs' noise estimates (a live comparison re-reads its baseline every refresh)."""
_NOISE_CACHE_SIZE = 4


def noise_of(side: ComparableSide) -> RunNoise | None:
    """The noise estimate of a saved run or a result with histograms (None for live figures)."""
    result = side.result if isinstance(side, LoadedRun) else side
    if not isinstance(result, RunResult) or not result.histograms:
        return None
    for cached, noise in _NOISE_CACHE:
        if cached is result:
            return noise
    noise = RunNoise(result.histograms, result.blocks)
    _NOISE_CACHE.insert(0, (result, noise))
    del _NOISE_CACHE[_NOISE_CACHE_SIZE:]
    return noise


@dataclass(frozen=True, slots=True)
class NoisePair:
    """Both sides' noise for one row (endpoint or stage key)."""

    key: str
    baseline: RunNoise | None
    current: RunNoise | None
    spread: RunSpread | None = None
    """A baseline of several runs: their spread (the baseline's own noise, and what one run varies by)."""

    @property
    def measured(self) -> bool:
        """Either side brings its own noise (saved histograms)."""
        return self.baseline is not None or self.current is not None

    def _sides(
        self, metric: str, base_n: int, cur_n: int
    ) -> tuple[tuple[float, Part], tuple[float, Part]] | None:
        """Both sides' variance parts; a side without its own takes the other's: the sampling part
        scaled by the sample sizes, the machine's part as it is (it does not shrink with requests)."""
        base = self.baseline.parts(self.key, metric) if self.baseline else None
        cur = self.current.parts(self.key, metric) if self.current else None
        if base is None and cur is None:
            return None
        if base is None:
            assert cur is not None
            base = (cur[0] * cur_n / base_n, cur[1])
        if cur is None:
            cur = (base[0] * base_n / cur_n, base[1])
        return base, cur

    def interval(
        self, metric: str, base: EndpointStats, cur: EndpointStats, b: float, c: float
    ) -> Interval | None:
        if metric == "error_rate":
            return proportion_interval(
                base.num_failures, base.num_requests, cur.num_failures, cur.num_requests
            )
        if b <= 0 or c <= 0 or not base.num_requests or not cur.num_requests:
            return None
        sd = self.spread.log_sd(self.key, metric) if self.spread is not None else None
        # a baseline of several runs: its mean's uncertainty and what this one run varies by (one estimate)
        spread: Part | None = None
        if sd is not None and self.spread is not None:
            spread = (sd * sd * (1 + 1 / self.spread.count), self.spread.count - 1.0)
        if metric == "rps":  # follows the machine's load: only the spread of several runs judges it
            return None if spread is None else ratio_interval(math.log(b), math.log(c), [spread])
        sides = self._sides(metric, base.num_requests, cur.num_requests)
        if spread is not None:  # the runs' spread replaces the baseline's own noise
            own = [] if sides is None else [(sides[1][0], math.inf), sides[1][1]]
            return ratio_interval(math.log(b), math.log(c), [spread, *own])
        if sides is None:
            return None
        (base_iid, base_machine), (cur_iid, cur_machine) = sides
        parts = [(base_iid + cur_iid, math.inf), base_machine, cur_machine]
        return ratio_interval(math.log(b), math.log(c), parts)


def compare_metric(
    metric: Metric,
    base: EndpointStats,
    cur: EndpointStats,
    rules: Regression,
    *,
    judge: bool = True,
    noise: NoisePair | None = None,
) -> MetricDelta:
    """One metric of one endpoint: deltas, interval and verdict (``changed`` instead of a verdict when not
    judged)."""
    b, c = metric.value(base), metric.value(cur)
    if b is None or c is None or not (math.isfinite(b) and math.isfinite(c)):
        return MetricDelta(metric.name, metric.unit, b, c, None, None, NO_DATA)
    abs_delta = c - b
    if b != 0:
        rel_delta: float = abs_delta / b
    else:
        rel_delta = 0.0 if abs_delta == 0 else math.copysign(math.inf, abs_delta)
    needed = max(rules.min_samples, tail_samples(metric.name))
    enough = base.num_requests >= needed and cur.num_requests >= needed
    worse_rel = rel_delta if metric.higher_is_worse else -rel_delta
    significant = abs(worse_rel) > relative_limit(rules, metric.name) and abs(abs_delta) >= min_abs(
        rules, metric.name
    )
    # only a change past the limits needs its interval: the others are ok whatever it says (bounded cost)
    interval = noise.interval(metric.name, base, cur, b, c) if noise and enough and significant else None
    if not enough:
        verdict = FEW_SAMPLES
    elif significant and interval is not None and interval.spans_zero:
        verdict = WITHIN_NOISE
    elif significant and interval is None and metric.name == "rps" and noise and noise.measured:
        verdict = CHANGED
    elif significant and worse_rel > 0:
        verdict = REGRESSION
    elif significant and worse_rel < 0:
        verdict = IMPROVED
    else:
        verdict = OK
    if not judge and verdict in (REGRESSION, IMPROVED):
        verdict = CHANGED
    return MetricDelta(metric.name, metric.unit, b, c, abs_delta, rel_delta, verdict, interval)


def compare(
    baseline: ComparableSide,
    current: ComparableSide,
    rules: Regression | None = None,
    *,
    baseline_label: str | None = None,
    current_label: str | None = None,
    current_noise: RunNoise | None = None,
) -> Comparison:
    """Compare two runs (loaded runs, results, live snapshots or sequences of EndpointStats);
    ``current_noise`` for live figures (a saved side brings its own)."""
    rules = rules or Regression()
    base_noise = noise_of(baseline)
    cur_noise = current_noise if current_noise is not None else noise_of(current)
    base_map, cur_map = _endpoint_map(baseline), _endpoint_map(current)
    several = runs_of(baseline)
    spread = RunSpread(several) if several else None
    if several:
        base_map = mean_endpoints(several)
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
                    compare_metric(
                        m,
                        base,
                        cur,
                        rules,
                        judge=key == AGGREGATED or not m.total_only,
                        noise=NoisePair(key, base_noise, cur_noise, spread),
                    )
                    for m in METRICS
                ),
            )
        )
    labels = (
        baseline_label or _label(baseline, "baseline"),
        current_label or _label(current, "current"),
    )
    refused = run_refusals(baseline, current, labels)
    rows = [refuse(row, refused) for row in rows]
    stage_reasons = stage_refusals(baseline, current, labels)
    for (base, cur), why in zip(matching_stages(baseline, current), stage_reasons, strict=False):
        row = EndpointComparison(
            endpoint=base.key,
            baseline_requests=base.num_requests,
            current_requests=cur.num_requests,
            enough_samples=base.num_requests >= rules.min_samples and cur.num_requests >= rules.min_samples,
            metrics=tuple(
                compare_metric(m, base, cur, rules, noise=NoisePair(base.key, base_noise, cur_noise))
                for m in METRICS
            ),
        )
        rows.append(refuse(row, refused or why))
    return Comparison(
        baseline_label=labels[0],
        current_label=labels[1],
        rows=tuple(rows),
        only_in_baseline=tuple(sorted(base_map.keys() - cur_map.keys())),
        only_in_current=tuple(sorted(cur_map.keys() - base_map.keys())),
        rules=rules,
        refused=refused,
    )
