"""The total's requests in time blocks on the master (a few dozen histograms at most).

Blocks start one second long; when there are more than ``MAX_BLOCKS``, neighbours merge pairwise and the
block length doubles, so an hour-long run keeps the same bounded memory as a 4-second one. Each block is a
histogram allocated run by run (``DenseHistogram``: some 40 KiB for response times of 1 to 50 ms, at most
187 KiB), not sparse counters: as blocks lengthen they come to hold most of the run's distinct times, which
as a dictionary took some 90 bytes a counter (thousands of counters a block at 1 µs resolution).
"""

from __future__ import annotations

from collections.abc import Iterable

from perfconsole.engine.hdr.histogram import DenseHistogram
from perfconsole.engine.hdr.layout import highest_of, lowest_of
from perfconsole.model.blocks import TimeBlock

MAX_BLOCKS = 64


class _Block:
    __slots__ = ("histogram", "failures")

    def __init__(self) -> None:
        self.histogram = DenseHistogram()
        self.failures = 0

    def add(self, pairs: Iterable[tuple[int, int]], failures: int) -> None:
        self.histogram.add(pairs)
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
                into.add(block.histogram.pairs(), block.failures)
        self._blocks = merged
        self.seconds *= 2

    def blocks(self) -> tuple[TimeBlock, ...]:
        found = []
        for number in sorted(self._blocks):
            block = self._blocks[number]
            histogram = block.histogram
            requests = histogram.total
            if not requests:
                continue
            p50, p95, p99 = histogram.values((0.5, 0.95, 0.99))
            total_us = sum((lowest_of(i) + highest_of(i)) / 2 * c for i, c in histogram.pairs())
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
