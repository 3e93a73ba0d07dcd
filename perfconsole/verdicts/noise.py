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
  A busy machine delays requests as a whole: the tails' own blocks (a 1-second block's p99 rests on a
  couple of requests) mostly show sampling, so every metric's machine part is at least the median's.
* **Several baseline runs**: the spread of the runs' figures (their sample standard deviation) is a floor
  for the run-to-run part; the current run, being one run, carries that spread too.

The difference of the two log figures gets an interval of Student's t: the machine's part is estimated
from a few blocks (or the spread from a few runs), so its variance is uncertain; the degrees of freedom
of the sum of the parts are Welch-Satterthwaite's (the sampling part counts as known), each block
estimate's own from the blocks' kurtosis (a spread made by one stall is as uncertain as 2 blocks, not
15). With 7 evenly spread blocks a side that is about 2.4 standard errors instead of 1.96. It is
reported as the relative change ``exp(d) - 1``. The error rate uses Newcombe's hybrid score interval for
a difference of two proportions; req/s, which follows the machine's load, only the spread of a baseline's
several runs.
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


Part = tuple[float, float]
"""One independent part of the variance of a log figure: (variance, degrees of freedom); a part known
from many requests has infinite degrees of freedom."""
NOTHING: Part = (0.0, math.inf)
T95_AT_2 = 4.302652729911275


def t95(df: float) -> float:
    """Two-sided 95 % quantile of Student's t: the Cornish-Fisher expansion about the normal from 3 degrees
    of freedom (within 1 %), below that the exact value at 2 (wider than needed between 2 and 3)."""
    if not math.isfinite(df):
        return Z95
    if df < 3:
        return T95_AT_2
    z, n = Z95, df
    return (
        z
        + (z**3 + z) / (4 * n)
        + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * n**2)
        + (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / (384 * n**3)
    )


def satterthwaite(parts: Iterable[Part]) -> tuple[float, float]:
    """Total variance of independent parts and its Welch-Satterthwaite degrees of freedom."""
    kept = [(variance, df) for variance, df in parts if variance > 0]
    total = sum(variance for variance, _ in kept)
    uncertain = sum(variance * variance / df for variance, df in kept if math.isfinite(df))
    return total, (total * total / uncertain if uncertain > 0 else math.inf)


def level_variance(blocks: Sequence[TimeBlock], metric: str, iid_log_se: float | None, requests: int) -> Part:
    """Variance of the log of ``metric`` that the machine, not sampling, put between a run's seconds.

    Each usable block's log figure is ``level + machine + sampling``; sampling alone would spread a block
    of ``n_b`` requests by ``iid_log_se**2 * requests / n_b`` (the whole run's independent-request variance
    scaled to the block). What the blocks spread beyond that is the machine's part, with its degrees of
    freedom (the usable blocks less one); nothing when they do not spread, or with fewer than
    ``MIN_BLOCKS`` usable blocks."""
    if iid_log_se is None or requests <= 0:
        return NOTHING
    usable = [
        (block.requests, math.log(value))
        for block in blocks
        if block.requests >= MIN_BLOCK_REQUESTS and (value := block.value(metric)) is not None and value > 0
    ]
    if len(usable) < MIN_BLOCKS:
        return NOTHING
    logs = [x for _, x in usable]
    count = len(logs)
    centre = sum(logs) / count
    squares = [(x - centre) ** 2 for x in logs]
    spread = sum(squares) / (count - 1)
    sampling = sum(iid_log_se**2 * requests / n for n, _ in usable) / count
    machine = spread - sampling
    if machine <= 0:
        return NOTHING
    # a spread from one burst (a heavy-tailed spread) is less certain than a normal one: the variance of
    # a sample variance is sigma^4 (2/(k-1) + kurtosis/k), so few degrees of freedom (one burst in 15
    # blocks: about 2, not 14)
    second = sum(squares) / count
    kurtosis = sum(d * d for d in squares) / count / (second * second) - 3.0
    return machine, 2.0 / (2.0 / (count - 1) + max(0.0, kurtosis) / count)


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


def ratio_interval(base_log: float, cur_log: float, parts: Iterable[Part]) -> Interval:
    """95 % interval of ``current / baseline - 1`` from the two log figures and the independent parts of
    their difference's variance (Student's t with Welch-Satterthwaite's degrees of freedom)."""
    difference = cur_log - base_log
    variance, df = satterthwaite(parts)
    half = t95(df) * math.sqrt(variance)
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
