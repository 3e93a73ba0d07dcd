"""A histogram on the master: dense counters in the shared layout, percentiles cached until it changes.

Memory is fixed per histogram: at most 23,552 counters of 8 bytes (184 KiB) and a total per block of 64
counters (2.9 KiB); both grow only as far as the largest value seen (about 88 KiB for response times up to
1 s). A percentile sums the block totals, then one block's counters (a few microseconds, see
``benchmarks/frame_cost.py``).
"""

from __future__ import annotations

import math
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Sequence
from itertools import accumulate

from perfconsole.engine.hdr.layout import COUNTS_LEN, SUB_BUCKET_HALF_COUNT, highest_of

PERCENT_FRACTIONS: tuple[float, ...] = (0.5, 0.9, 0.95, 0.99, 0.999)
BLOCK_MAGNITUDE = 6
BLOCK = 1 << BLOCK_MAGNITUDE
"""Counters per block total (the counters grow by runs of 1024, 16 blocks)."""


def rank(fraction: float, total: int) -> int:
    """Nearest-rank position (1-based) of a percentile: the smallest value with at least that share."""
    return min(total, max(1, math.ceil(fraction * total - 1e-9)))


class DenseHistogram:
    """Counters by index, with the exact largest value recorded."""

    __slots__ = ("counts", "block_totals", "total", "max_us", "_values")

    def __init__(self) -> None:
        self.counts = array("q")
        self.block_totals = array("q")
        """Counts per block of :data:`BLOCK` counters (as far as ``counts`` goes)."""
        self.total = 0
        self.max_us = 0
        self._values: list[float | None] | None = None

    def add(self, pairs: Iterable[tuple[int, int]], max_us: int = 0) -> None:
        counts = self.counts
        block_totals = self.block_totals
        size = len(counts)
        added = 0
        for index, count in pairs:
            if index >= size:
                if index >= COUNTS_LEN:
                    index = COUNTS_LEN - 1
                grow = ((index // SUB_BUCKET_HALF_COUNT) + 1) * SUB_BUCKET_HALF_COUNT - size
                if grow > 0:
                    counts.extend(array("q", bytes(8 * grow)))
                    block_totals.extend(array("q", bytes(8 * (grow >> BLOCK_MAGNITUDE))))
                    size = len(counts)
            counts[index] += count
            block_totals[index >> BLOCK_MAGNITUDE] += count
            added += count
        self.total += added
        if max_us > self.max_us:
            self.max_us = max_us
        self._values = None

    def copy(self) -> DenseHistogram:
        twin = DenseHistogram()
        twin.counts = array("q", self.counts)
        twin.block_totals = array("q", self.block_totals)
        twin.total, twin.max_us = self.total, self.max_us
        return twin

    def pairs(self) -> Iterator[tuple[int, int]]:
        """Non-zero counters, skipping empty blocks at once."""
        counts = self.counts
        for block, block_total in enumerate(self.block_totals):
            if block_total:
                first = block << BLOCK_MAGNITUDE
                for offset, count in enumerate(counts[first : first + BLOCK]):
                    if count:
                        yield first + offset, count

    def value_at(self, fraction: float) -> float | None:
        """Percentile (fraction 0..1) in ms; None when empty."""
        return self._values_at((fraction,))[0]

    def _values_at(self, fractions: Sequence[float]) -> list[float | None]:
        """Percentiles in ms: the block holding each rank from the blocks' running totals, then the
        counter within it."""
        total = self.total
        if not total:
            return [None for _ in fractions]
        counts, max_us = self.counts, self.max_us
        running = list(accumulate(self.block_totals))
        found: list[float | None] = []
        for fraction in fractions:
            goal = rank(fraction, total)
            block = bisect_left(running, goal)
            first = block << BLOCK_MAGNITUDE
            before = running[block - 1] if block else 0
            cumulative = list(accumulate(counts[first : first + BLOCK], initial=before))
            index = first + bisect_left(cumulative, goal) - 1
            found.append(min(highest_of(index), max_us or highest_of(index)) / 1000.0)
        return found

    def values(self, fractions: Sequence[float] = PERCENT_FRACTIONS) -> list[float | None]:
        """Percentiles in ms, cached until the histogram changes."""
        if fractions is PERCENT_FRACTIONS:
            if self._values is None:
                self._values = self._values_at(fractions)
            return self._values
        return self._values_at(fractions)


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
