"""How sure a comparison can be: confidence intervals for the change of a metric between two runs. Pure.

Latency percentiles (and the average) are compared as a ratio, on the log scale:

* **Within a run, requests taken as independent**: the 95 % interval of a percentile is given by order
  statistics of the run's HdrHistogram (distribution-free: the ranks ``n q ± 1.96 sqrt(n q (1 - q))``),
  turned into a standard error of its logarithm. The average uses its standard deviation.
* **Requests are not independent**: a busy machine slows many consecutive requests together, and the next
  run meets a machine as busy or as quiet as it happens to be. The run's total is kept in time blocks
  (perfconsole.engine.hdr.blocks, 1 s long in short runs); how much the blocks' own figures spread beyond
  what sampling explains is the machine's part. It is taken to persist over a run (a busy machine stays
  busy for a while), so it does not shrink with the run's length: it is added whole to the run's variance.
  A quiet machine adds about nothing; a loaded one widens every interval of that run (never narrows it).
* **Several baseline runs**: the spread of the runs' figures (their sample standard deviation) is a floor
  for the run-to-run part; the current run, being one run, carries that spread too.

The difference of the two log figures gets a normal interval (``1.96`` standard errors), reported as the
relative change ``exp(d) - 1``. The error rate uses Newcombe's hybrid score interval for a difference of
two proportions; req/s, which follows the machine's load, only the spread of a baseline's several runs.
Deterministic: no resampling, no seed, a few operations per non-empty histogram counter.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import accumulate

from perfconsole.model.blocks import TimeBlock

Z95 = 1.959963984540054
MIN_BLOCK_REQUESTS = 20
"""Blocks with fewer requests are left out of the design effect (their percentiles are mostly noise)."""
MIN_BLOCKS = 3
RESOLUTION_LOG = 0.001
"""Smallest standard error of a log figure: HdrHistogram's 3 significant digits."""
QUANTILES = {"p50": 0.5, "p95": 0.95, "p99": 0.99}


@dataclass(frozen=True, slots=True)
class Sample:
    """One histogram: values (ms, each counter's highest equivalent value) ascending, with their counts."""

    values_ms: tuple[float, ...]
    counts: tuple[int, ...]

    @property
    def total(self) -> int:
        return sum(self.counts)

    @classmethod
    def of(cls, pairs: Iterable[tuple[float, int]]) -> Sample:
        kept = sorted((value, count) for value, count in pairs if count > 0)
        return cls(tuple(v for v, _ in kept), tuple(c for _, c in kept))

    def _cumulative(self) -> list[int]:
        return list(accumulate(self.counts))

    def at_rank(self, rank: int, cumulative: Sequence[int] | None = None) -> float:
        """Value of the ``rank``-th smallest request (1-based, clamped to the sample)."""
        cumulative = cumulative if cumulative is not None else self._cumulative()
        rank = min(max(1, rank), cumulative[-1])
        return self.values_ms[bisect_left(cumulative, rank)]

    def quantile(self, q: float) -> float | None:
        if not self.counts:
            return None
        return self.at_rank(math.ceil(q * self.total - 1e-9))

    def mean(self) -> float | None:
        total = self.total
        return sum(v * c for v, c in zip(self.values_ms, self.counts, strict=True)) / total if total else None

    def log_se(self, metric: str) -> float | None:
        """Standard error of the log of ``metric`` (``p50``/``p95``/``p99``/``avg``), requests independent."""
        total = self.total
        if total < 2:
            return None
        if metric == "avg":
            mean = self.mean() or 0.0
            if mean <= 0:
                return None
            variance = sum(c * (v - mean) ** 2 for v, c in zip(self.values_ms, self.counts, strict=True))
            return max(RESOLUTION_LOG, math.sqrt(variance / (total - 1) / total) / mean)
        q = QUANTILES[metric]
        cumulative = self._cumulative()
        spread = Z95 * math.sqrt(total * q * (1 - q))
        low = self.at_rank(math.floor(q * total - spread), cumulative)
        high = self.at_rank(math.ceil(q * total + spread), cumulative)
        if low <= 0 or high <= 0:
            return None
        return max(RESOLUTION_LOG, (math.log(high) - math.log(low)) / (2 * Z95))


def level_variance(
    blocks: Sequence[TimeBlock], metric: str, iid_log_se: float | None, requests: int
) -> float:
    """Variance of the log of ``metric`` that the machine, not sampling, put between a run's seconds.

    Each usable block's log figure is ``level + machine + sampling``; sampling alone would spread a block
    of ``n_b`` requests by ``iid_log_se**2 * requests / n_b`` (the whole run's independent-request variance
    scaled to the block). What the blocks spread beyond that is the machine's part; 0 when they do not,
    or with fewer than ``MIN_BLOCKS`` usable blocks."""
    if iid_log_se is None or requests <= 0:
        return 0.0
    usable = [
        (block.requests, math.log(value))
        for block in blocks
        if block.requests >= MIN_BLOCK_REQUESTS and (value := block.value(metric)) is not None and value > 0
    ]
    if len(usable) < MIN_BLOCKS:
        return 0.0
    logs = [x for _, x in usable]
    centre = sum(logs) / len(logs)
    spread = sum((x - centre) ** 2 for x in logs) / (len(logs) - 1)
    sampling = sum(iid_log_se**2 * requests / n for n, _ in usable) / len(usable)
    return max(0.0, spread - sampling)


def runs_log_sd(values: Sequence[float]) -> float | None:
    """Run-to-run standard deviation of the log of a figure over several runs (None with fewer than 2)."""
    logs = [math.log(v) for v in values if v > 0]
    if len(logs) < 2:
        return None
    centre = sum(logs) / len(logs)
    return math.sqrt(sum((x - centre) ** 2 for x in logs) / (len(logs) - 1))


@dataclass(frozen=True, slots=True)
class Interval:
    """A 95 % confidence interval of a change: relative (0.18 = +18 %) or in percentage points."""

    low: float
    high: float

    @property
    def spans_zero(self) -> bool:
        return self.low <= 0 <= self.high


def ratio_interval(base_log: float, cur_log: float, base_se: float, cur_se: float) -> Interval:
    """95 % interval of ``current / baseline - 1`` from the two log figures and their standard errors."""
    difference = cur_log - base_log
    half = Z95 * math.hypot(base_se, cur_se)
    return Interval(math.expm1(difference - half), math.expm1(difference + half))


def _wilson(failures: int, requests: int) -> tuple[float, float]:
    p = failures / requests
    z2 = Z95 * Z95
    centre = (p + z2 / (2 * requests)) / (1 + z2 / requests)
    half = Z95 * math.sqrt(p * (1 - p) / requests + z2 / (4 * requests * requests)) / (1 + z2 / requests)
    return max(0.0, centre - half), min(1.0, centre + half)


def proportion_interval(base_failures: int, base_requests: int, failures: int, requests: int) -> Interval:
    """95 % interval (percentage points) of the change of the error rate: Newcombe's hybrid score
    interval, sound with few or no failures."""
    p1, p2 = base_failures / base_requests, failures / requests
    l1, u1 = _wilson(base_failures, base_requests)
    l2, u2 = _wilson(failures, requests)
    difference = p2 - p1
    low = difference - math.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2)
    high = difference + math.sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2)
    return Interval(100.0 * low, 100.0 * high)
