"""One side of a comparison as the noise estimate sees it: its histograms (decoded on demand) and its
time blocks, giving the standard error of each metric's logarithm (see perfconsole.verdicts.noise)."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence

from perfconsole.model.blocks import TimeBlock
from perfconsole.model.run import AGGREGATED
from perfconsole.verdicts.noise import Part, Sample, level_variance

_RUN = 128
"""Counters checked at once for being all zero (most of a histogram's 23,552 are)."""


def sample_from_blob(blob: str) -> Sample | None:
    """The counters of a standard base64 HdrHistogram (microseconds) as a Sample in ms; None if unreadable.
    Runs of empty counters are skipped by comparing their raw bytes at once, not counter by counter."""
    from hdrh.histogram import HdrHistogram

    try:
        histogram = HdrHistogram.decode(blob.encode("ascii"))
    except Exception:  # a damaged histogram costs its interval, never the comparison
        return None
    counts = histogram.counts
    raw = bytes(counts)
    word = len(raw) // len(counts)
    highest = histogram.get_highest_equivalent_value
    at = histogram.get_value_from_index
    pairs = []
    for first in range(0, len(counts), _RUN):
        chunk = raw[first * word : (first + _RUN) * word]
        if chunk.count(0) == len(chunk):
            continue
        for index in range(first, min(first + _RUN, len(counts))):
            if counts[index]:
                pairs.append((highest(at(index)) / 1000.0, counts[index]))
    return Sample.of(pairs)


class RunNoise:
    """Standard errors of one run's log metrics: its requests' own spread plus the machine's part."""

    def __init__(
        self,
        histograms: Mapping[str, str],
        blocks: Sequence[TimeBlock] | Callable[[], Sequence[TimeBlock]],
        source: Callable[[str], Sample | None] | None = None,
    ) -> None:
        """``histograms``: saved ones, encoded; or ``source``: each key's histogram as a Sample (a live
        run's, read in place). ``blocks``, or what reads them when first needed (a live run's)."""
        self._histograms = histograms
        self._source = source
        self._blocks = blocks
        self._samples: dict[str, Sample | None] = {}
        self._effects: dict[str, Part] = {}

    @property
    def blocks(self) -> tuple[TimeBlock, ...]:
        if callable(self._blocks):
            self._blocks = tuple(self._blocks())
        return tuple(self._blocks)

    def sample(self, key: str) -> Sample | None:
        if key not in self._samples and self._source is not None:
            self._samples[key] = self._source(key)
        if key not in self._samples:
            blob = self._histograms.get(key)
            self._samples[key] = sample_from_blob(blob) if blob else None
        return self._samples[key]

    def _own_machine_part(self, metric: str) -> Part:
        if metric not in self._effects:
            total = self.sample(AGGREGATED)
            iid = total.log_se(metric) if total is not None else None
            requests = total.total if total is not None else 0
            self._effects[metric] = level_variance(self.blocks, metric, iid, requests)
        return self._effects[metric]

    def machine_part(self, metric: str) -> Part:
        """The machine's part of the variance of the run's log ``metric`` (from the total's blocks) with
        its degrees of freedom: at least the median's (a busy machine delays requests as a whole; the
        tails of 1-second blocks rest on too few requests to show it)."""
        own, median = self._own_machine_part(metric), self._own_machine_part("p50")
        return own if own[0] >= median[0] else median

    def machine_variance(self, metric: str) -> float:
        return self.machine_part(metric)[0]

    def parts(self, key: str, metric: str) -> tuple[float, Part] | None:
        """The variance of the log of ``metric`` (p50, p95, p99, avg) of endpoint/stage ``key``: its
        requests' own (sampling) and the machine's part; None without a histogram."""
        sample = self.sample(key)
        iid = sample.log_se(metric) if sample is not None else None
        return None if iid is None else (iid * iid, self.machine_part(metric))

    def log_se(self, key: str, metric: str) -> float | None:
        """Standard error of the log of ``metric`` of ``key``: both parts together."""
        found = self.parts(key, metric)
        return None if found is None else math.sqrt(found[0] + found[1][0])
