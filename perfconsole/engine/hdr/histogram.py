"""A histogram on the master: counters in the shared layout, percentiles cached until it changes.

Memory per histogram: the counters come in runs of 1,024 (8 KiB), each allocated when a value first falls
in it (responses from 1 to 50 ms fill about 4 of the 23 runs: 32 KiB; an outlier adds one run, not all the
runs below it), and a total per block of 64 counters (at most 2.9 KiB); at most 184 KiB in all. A
percentile sums the block totals, then one block's counters (a few microseconds, see
``benchmarks/frame_cost.py``).
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
BLOCK_MAGNITUDE = 6
BLOCK = 1 << BLOCK_MAGNITUDE
"""Counters per block total."""
RUN_MAGNITUDE = SUB_BUCKET_HALF_COUNT_MAGNITUDE
RUN = SUB_BUCKET_HALF_COUNT
"""Counters per run (allocated together)."""
_RUN_MASK = RUN - 1
_EMPTY_RUN = bytes(8 * RUN)


def rank(fraction: float, total: int) -> int:
    """Nearest-rank position (1-based) of a percentile: the smallest value with at least that share."""
    return min(total, max(1, math.ceil(fraction * total - 1e-9)))


class DenseHistogram:
    """Counters by index, with the exact largest value recorded."""

    __slots__ = ("runs", "block_totals", "total", "max_us", "_values")

    def __init__(self) -> None:
        self.runs: list[array[int] | None] = [None] * (COUNTS_LEN // RUN)
        """The counters by run of :data:`RUN` (None: no value in that run yet)."""
        self.block_totals = array("q")
        """Counts per block of :data:`BLOCK` counters (as far as the highest run in use)."""
        self.total = 0
        self.max_us = 0
        self._values: list[float | None] | None = None

    def add(self, pairs: Iterable[tuple[int, int]], max_us: int = 0) -> None:
        runs = self.runs
        block_totals = self.block_totals
        added = 0
        for index, count in pairs:
            if index >= COUNTS_LEN:
                index = COUNTS_LEN - 1
            run = runs[index >> RUN_MAGNITUDE]
            if run is None:
                run = runs[index >> RUN_MAGNITUDE] = array("q", _EMPTY_RUN)
                blocks = ((index >> RUN_MAGNITUDE) + 1) * (RUN // BLOCK)
                if blocks > len(block_totals):
                    block_totals.extend(array("q", bytes(8 * (blocks - len(block_totals)))))
            run[index & _RUN_MASK] += count
            block_totals[index >> BLOCK_MAGNITUDE] += count
            added += count
        self.total += added
        if max_us > self.max_us:
            self.max_us = max_us
        self._values = None

    def copy(self) -> DenseHistogram:
        twin = DenseHistogram()
        twin.runs = [None if run is None else array("q", run) for run in self.runs]
        twin.block_totals = array("q", self.block_totals)
        twin.total, twin.max_us = self.total, self.max_us
        return twin

    def _block(self, block: int) -> array[int]:
        """The counters of one block (in a run in use)."""
        first = block << BLOCK_MAGNITUDE
        run = self.runs[first >> RUN_MAGNITUDE]
        assert run is not None  # a block with a total lies in a run in use
        offset = first & _RUN_MASK
        return run[offset : offset + BLOCK]

    def pairs(self) -> Iterator[tuple[int, int]]:
        """Non-zero counters, skipping empty blocks at once."""
        for block, block_total in enumerate(self.block_totals):
            if block_total:
                first = block << BLOCK_MAGNITUDE
                for offset, count in enumerate(self._block(block)):
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
        max_us = self.max_us
        running = list(accumulate(self.block_totals))
        found: list[float | None] = []
        for fraction in fractions:
            goal = rank(fraction, total)
            block = bisect_left(running, goal)
            first = block << BLOCK_MAGNITUDE
            before = running[block - 1] if block else 0
            cumulative = list(accumulate(self._block(block), initial=before))
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
    """Percentiles (ms) of sparse counters (a window): cost grows with the non-zero counters only (a read
    per endpoint a second at hundreds of endpoints, hence the inlined rank)."""
    total = sum(counts.values())
    if not total:
        return [None for _ in fractions]
    indices = sorted(counts)
    cumulative = list(accumulate(map(counts.__getitem__, indices)))
    ceil = math.ceil
    found: list[float | None] = []
    for fraction in fractions:
        wanted = min(total, max(1, ceil(fraction * total - 1e-9)))  # rank()
        highest = highest_of(indices[bisect_left(cumulative, wanted)])
        found.append((highest if not max_us or highest < max_us else max_us) / 1000.0)
    return found
