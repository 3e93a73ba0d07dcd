"""A histogram on the master: dense counters in the shared layout, percentiles cached until it changes.

Memory is fixed per histogram: at most 23,552 counters of 8 bytes (184 KiB); the array grows only as far
as the largest value seen (about 88 KiB for response times up to 1 s).
"""

from __future__ import annotations

import math
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Sequence
from itertools import accumulate

from perfconsole.engine.hdr.layout import (
    COUNTS_LEN,
    SUB_BUCKET_HALF_COUNT,
    SUB_BUCKET_HALF_COUNT_MAGNITUDE,
    highest_of,
)

PERCENT_FRACTIONS: tuple[float, ...] = (0.5, 0.9, 0.95, 0.99, 0.999)


def rank(fraction: float, total: int) -> int:
    """Nearest-rank position (1-based) of a percentile: the smallest value with at least that share."""
    return min(total, max(1, math.ceil(fraction * total - 1e-9)))


class DenseHistogram:
    """Counters by index, with the exact largest value recorded."""

    __slots__ = ("counts", "bucket_totals", "total", "max_us", "_values")

    def __init__(self) -> None:
        self.counts = array("q")
        self.bucket_totals = [0] * (COUNTS_LEN // SUB_BUCKET_HALF_COUNT)
        """Counts per run of 1024 counters: a percentile sums these, then one run's counters."""
        self.total = 0
        self.max_us = 0
        self._values: list[float | None] | None = None

    def add(self, pairs: Iterable[tuple[int, int]], max_us: int = 0) -> None:
        counts = self.counts
        bucket_totals = self.bucket_totals
        added = 0
        for index, count in pairs:
            if index >= len(counts):
                if index >= COUNTS_LEN:
                    index = COUNTS_LEN - 1
                grow = ((index // SUB_BUCKET_HALF_COUNT) + 1) * SUB_BUCKET_HALF_COUNT - len(counts)
                counts.extend(array("q", bytes(8 * grow)))
            counts[index] += count
            bucket_totals[index >> SUB_BUCKET_HALF_COUNT_MAGNITUDE] += count
            added += count
        self.total += added
        if max_us > self.max_us:
            self.max_us = max_us
        self._values = None

    def copy(self) -> DenseHistogram:
        twin = DenseHistogram()
        twin.counts = array("q", self.counts)
        twin.bucket_totals = list(self.bucket_totals)
        twin.total, twin.max_us = self.total, self.max_us
        return twin

    def pairs(self) -> Iterator[tuple[int, int]]:
        """Non-zero counters, skipping empty runs of 1024 at once."""
        counts = self.counts
        for run, run_total in enumerate(self.bucket_totals):
            if run_total:
                first = run * SUB_BUCKET_HALF_COUNT
                for offset, count in enumerate(counts[first : first + SUB_BUCKET_HALF_COUNT]):
                    if count:
                        yield first + offset, count

    def value_at(self, fraction: float) -> float | None:
        """Percentile (fraction 0..1) in ms; None when empty."""
        if not self.total:
            return None
        wanted = rank(fraction, self.total)
        seen = 0
        for run, run_total in enumerate(self.bucket_totals):
            if seen + run_total >= wanted:
                first = run * SUB_BUCKET_HALF_COUNT
                run_counts = self.counts[first : first + SUB_BUCKET_HALF_COUNT]
                cumulative = list(accumulate(run_counts, initial=seen))
                index = first + bisect_left(cumulative, wanted) - 1
                return min(highest_of(index), self.max_us or highest_of(index)) / 1000.0
            seen += run_total
        return self.max_us / 1000.0

    def values(self, fractions: Sequence[float] = PERCENT_FRACTIONS) -> list[float | None]:
        """Percentiles in ms, cached until the histogram changes."""
        if fractions is PERCENT_FRACTIONS:
            if self._values is None:
                self._values = [self.value_at(f) for f in fractions]
            return self._values
        return [self.value_at(f) for f in fractions]


def sparse_values(
    counts: dict[int, int], max_us: int, fractions: Sequence[float] = PERCENT_FRACTIONS
) -> list[float | None]:
    """Percentiles (ms) of sparse counters (a window): cost grows with the non-zero counters only."""
    total = sum(counts.values())
    if not total:
        return [None for _ in fractions]
    indices = sorted(counts)
    cumulative = list(accumulate(counts[i] for i in indices))
    found: list[float | None] = []
    for fraction in fractions:
        index = indices[bisect_left(cumulative, rank(fraction, total))]
        found.append(min(highest_of(index), max_us or highest_of(index)) / 1000.0)
    return found
