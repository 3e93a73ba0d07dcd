"""The running test as one side of a live comparison's noise: its histograms (the current window's or the
whole run's, read in place, not encoded) and the run's time blocks (the machine's part)."""

from __future__ import annotations

from collections.abc import Iterable

from perfconsole.engine.hdr.layout import value_ms
from perfconsole.engine.hdr.merge import HdrAggregator
from perfconsole.engine.hdr.window import Key
from perfconsole.verdicts.noise import Sample
from perfconsole.verdicts.run_noise import RunNoise

__all__ = ["RunNoise", "live_noise"]


def live_noise(aggregator: HdrAggregator, window: bool, now_s: float) -> RunNoise:
    """A RunNoise of the run so far; ``window``: each endpoint's requests of the current window only
    (the figures the console then compares), the machine's part still from the whole run's blocks."""
    # the saved histograms' keys: ``GET /x``, and ``Aggregated`` for the total ("", "Aggregated")
    keys: dict[str, Key] = {f"{method} {name}".strip(): (method, name) for method, name in aggregator.run}

    def sample(name: str) -> Sample | None:
        key = keys.get(name)
        if key is None:
            return None
        histogram = aggregator.run.get(key)
        if window:
            pairs: Iterable[tuple[int, int]] = aggregator.window.counts(key, now_s).items()
        else:
            pairs = histogram.pairs() if histogram is not None else ()
        return Sample.of((value_ms(index), count) for index, count in pairs)

    return RunNoise({}, aggregator.blocks.blocks, source=sample)  # blocks read when needed
