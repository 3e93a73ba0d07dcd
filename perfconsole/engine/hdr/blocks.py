"""The total's requests in time blocks on the master (a few dozen sparse histograms at most).

Blocks start one second long; when there are more than ``MAX_BLOCKS``, neighbours merge pairwise and the
block length doubles, so an hour-long run keeps the same bounded memory as a 4-second one.
"""

from __future__ import annotations

from collections.abc import Iterable

from perfconsole.engine.hdr.histogram import sparse_values
from perfconsole.engine.hdr.layout import highest_of, lowest_of
from perfconsole.model.blocks import TimeBlock

MAX_BLOCKS = 64


class _Block:
    __slots__ = ("counts", "failures")

    def __init__(self) -> None:
        self.counts: dict[int, int] = {}
        self.failures = 0

    def add(self, pairs: Iterable[tuple[int, int]], failures: int) -> None:
        counts = self.counts
        get = counts.get
        for index, count in pairs:
            counts[index] = get(index, 0) + count
        self.failures += failures


class TimeBlocks:
    """The total's histogram per block of ``seconds`` seconds, keyed by block number since ``origin``."""

    def __init__(self) -> None:
        self.origin: int | None = None
        self.seconds = 1
        self._blocks: dict[int, _Block] = {}

    def add(self, second: int, pairs: Iterable[tuple[int, int]], failures: int) -> None:
        if self.origin is None:
            self.origin = second
        if second < self.origin:
            return  # before the first block (a late report from a previous run)
        number = (second - self.origin) // self.seconds
        block = self._blocks.get(number)
        if block is None:
            block = self._blocks[number] = _Block()
        block.add(pairs, failures)
        if len(self._blocks) > MAX_BLOCKS:
            self._merge_pairs()

    def _merge_pairs(self) -> None:
        merged: dict[int, _Block] = {}
        for number, block in self._blocks.items():
            into = merged.get(number // 2)
            if into is None:
                merged[number // 2] = block
            else:
                into.add(block.counts.items(), block.failures)
        self._blocks = merged
        self.seconds *= 2

    def blocks(self) -> tuple[TimeBlock, ...]:
        found = []
        for number in sorted(self._blocks):
            block = self._blocks[number]
            requests = sum(block.counts.values())
            if not requests:
                continue
            p50, p95, p99 = sparse_values(block.counts, 0, (0.5, 0.95, 0.99))
            total_us = sum((lowest_of(i) + highest_of(i)) / 2 * c for i, c in block.counts.items())
            found.append(
                TimeBlock(
                    start=(self.origin or 0) + number * self.seconds,
                    seconds=self.seconds,
                    requests=requests,
                    failures=block.failures,
                    mean_ms=total_us / requests / 1000.0,
                    p50_ms=p50,
                    p95_ms=p95,
                    p99_ms=p99,
                )
            )
        return tuple(found)

    def reset(self) -> None:
        self.origin = None
        self.seconds = 1
        self._blocks = {}
