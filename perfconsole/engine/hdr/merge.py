"""The master's merge of interval histograms: whole run and window per endpoint and in total.

Fed by worker reports (``merge_wire``), by the in-process recorder with ``--workers 0``, and, for a plain
``locust --worker`` that sends no histograms, by Locust's own rounded response times (``merge_locust``):
those requests count at Locust's precision, and ``fallback_note`` says so.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from perfconsole.engine.cardinality import DEFAULT_MAX_ENDPOINTS, OTHER_NAME, EndpointFold
from perfconsole.engine.hdr.blocks import TimeBlocks
from perfconsole.engine.hdr.codec import WireInterval, decode_counts
from perfconsole.engine.hdr.histogram import PERCENT_FRACTIONS, DenseHistogram
from perfconsole.engine.hdr.layout import index_of
from perfconsole.engine.hdr.stages import StageTracker
from perfconsole.engine.hdr.window import WindowRing
from perfconsole.model.run import AGGREGATED
from perfconsole.model.run_warnings import RunWarning, WarningKind

Key = tuple[str, str]
TOTAL: Key = ("", AGGREGATED)
FALLBACK_PREFIX = "plain Locust worker(s) "
"""Start of the warning that some figures are Locust's approximation (kind HDR_FALLBACK)."""


class HdrAggregator:
    """Whole-run histograms and the window ring, per endpoint (method, name) and for the total."""

    def __init__(self, window_s: int = 10, max_endpoints: int = DEFAULT_MAX_ENDPOINTS) -> None:
        self.window = WindowRing(window_s)
        self.run: dict[Key, DenseHistogram] = {TOTAL: DenseHistogram()}
        self.plain_workers: dict[str, int] = {}
        """Plain Locust workers (no histograms) by id: requests counted at Locust's precision."""
        self.folded = 0
        """Requests whose endpoint was folded into ``(other)`` by the cap."""
        self.stages = StageTracker()
        self.blocks = TimeBlocks()
        """The total in time blocks: the run's own noise, for comparisons."""
        self.corrected: dict[Key, DenseHistogram] = {}
        """Coordinated-omission corrected histograms of endpoints paced users sent requests to (and the
        total): every measured request plus the corrections."""
        self._fold = EndpointFold(max_endpoints)
        self.name_for: Callable[[str, str], str] = self._fold.name_of
        """The endpoint fold (perfconsole.engine.cardinality): the session's, once installed."""

    # --------------------------------------------------------------------------- merging
    def key_for(self, method: str, name: str) -> Key:
        return (method, self.name_for(method, name))

    def merge_wire(self, intervals: Iterable[WireInterval]) -> dict[Key, dict[int, int]]:
        """Merge a report's intervals; return this report's counters per endpoint (and total). A malformed
        report raises ValueError before anything is merged."""
        merged: dict[Key, dict[int, int]] = {}
        decoded = [
            (
                interval,
                decode_counts(interval.flat),
                None if interval.extra_flat is None else decode_counts(interval.extra_flat),
                None if interval.twin_flat is None else decode_counts(interval.twin_flat),
            )
            for interval in intervals
        ]
        # No coordinated-omission twin in play: the whole-run histograms take the report's counters once per
        # endpoint (a report holds about 3 seconds of each), not once per second (the master's largest cost).
        batched = not self.corrected and all(extra is None and twin is None for _, _, extra, twin in decoded)
        max_us: dict[Key, int] = {}
        for interval, pairs, extra, twin in decoded:
            key = self.key_for(interval.method, interval.name)
            if batched:
                self._add_slices(key, interval.second, pairs, interval.failures, interval.max_us)
                if interval.max_us > max_us.get(key, -1):
                    max_us[key] = interval.max_us
            else:
                if twin is not None:
                    self._add_corrected(key, twin, None, interval.twin_max_us, start=True)
                elif extra is not None or self.corrected:
                    self._add_corrected(key, pairs, extra, interval.max_us)
                self._add(key, interval.second, pairs, interval.failures, interval.max_us)
            counts = merged.get(key)
            if counts is None:
                counts = merged[key] = dict(pairs)
                if len(counts) == len(pairs):  # indices unique, as a worker encodes them
                    continue
                counts.clear()
            for index, count in pairs:
                counts[index] = counts.get(index, 0) + count
        if len(merged) == 1:  # one endpoint: the total's counters are its own
            merged[TOTAL] = dict(next(iter(merged.values())))
        elif merged:
            total: dict[int, int] = {}
            for counts in list(merged.values()):
                for index, count in counts.items():
                    total[index] = total.get(index, 0) + count
            merged[TOTAL] = total
        if batched and merged:
            for key, highest in max_us.items():
                histogram = self.run.get(key)
                if histogram is None:
                    histogram = self.run[key] = DenseHistogram()
                histogram.add(merged[key].items(), highest)
            self.run[TOTAL].add(merged[TOTAL].items(), max(max_us.values()))
        return merged

    def merge_locust(self, client_id: str, stats: Iterable[dict], second: int) -> None:
        """Merge a plain worker's report from Locust's serialized entries (rounded response times)."""
        requests = 0
        for entry in stats:
            rounded = entry.get("response_times") or {}
            pairs = [(index_of(int(float(ms) * 1000)), int(count)) for ms, count in rounded.items()]
            if not pairs:
                continue
            max_ms = entry.get("max_response_time") or 0
            key = self.key_for(str(entry.get("method") or ""), str(entry.get("name") or ""))
            self._add(key, second, pairs, int(entry.get("num_failures") or 0), int(float(max_ms) * 1000))
            requests += sum(count for _, count in pairs)
        self.plain_workers[client_id] = self.plain_workers.get(client_id, 0) + requests

    def _add(self, key: Key, second: int, pairs: list[tuple[int, int]], failures: int, max_us: int) -> None:
        histogram = self.run.get(key)
        if histogram is None:
            histogram = self.run[key] = DenseHistogram()
        histogram.add(pairs, max_us)
        self.run[TOTAL].add(pairs, max_us)
        self._add_slices(key, second, pairs, failures, max_us)

    def _add_slices(
        self, key: Key, second: int, pairs: list[tuple[int, int]], failures: int, max_us: int
    ) -> None:
        """One interval into what is kept by second: the window, the stages, the time blocks."""
        if key[1] == OTHER_NAME:
            self.folded += sum(count for _, count in pairs)
        self.window.add(second, key, pairs, failures, max_us)
        self.window.add(second, TOTAL, pairs, failures, max_us)
        self.stages.add(second, pairs, failures, max_us, key)
        self.blocks.add(second, pairs, failures)

    def _add_corrected(
        self,
        key: Key,
        pairs: list[tuple[int, int]],
        extra: list[tuple[int, int]] | None,
        max_us: int,
        start: bool = False,
    ) -> None:
        """Before ``_add``: the corrected twin starts as a copy of the measured histogram so far (when this
        interval has corrections, or ``start``: its counters are an arrival-rate twin)."""
        for target in (key, TOTAL):
            corrected = self.corrected.get(target)
            if corrected is None:
                if extra is None and not start:
                    continue
                measured = self.run.get(target)
                corrected = self.corrected[target] = measured.copy() if measured else DenseHistogram()
            corrected.add(pairs, max_us)
            if extra:
                corrected.add(extra)

    def reset(self) -> None:
        self.corrected = {}
        self.run = {TOTAL: DenseHistogram()}
        self.window.clear()
        self.plain_workers.clear()
        self.folded = 0
        self.stages.reset()
        self.blocks.reset()
        self._fold.reset()

    # --------------------------------------------------------------------------- reading
    def cumulative(self, key: Key) -> list[float | None] | None:
        """p50 .. p99.9 and the exact max (ms) over the whole run; None for an unknown endpoint."""
        histogram = self.run.get(key)
        if histogram is None or not histogram.total:
            return None
        return [*histogram.values(PERCENT_FRACTIONS), histogram.max_us / 1000.0]

    def corrected_values(self, key: Key) -> list[float | None] | None:
        """Like :meth:`cumulative` for the corrected histogram; None where no paced user sent requests."""
        histogram = self.corrected.get(key)
        if histogram is None or not histogram.total:
            return None
        return [*histogram.values(PERCENT_FRACTIONS), histogram.max_us / 1000.0]

    def current(self, key: Key, now_s: float) -> list[float | None]:
        return self.window.values(key, now_s)

    def fallback_note(self) -> RunWarning | None:
        """One line saying which figures are Locust's approximation, or None when all are exact."""
        if not self.plain_workers:
            return None
        workers = ", ".join(sorted(self.plain_workers))
        return RunWarning(
            WarningKind.HDR_FALLBACK,
            f"{FALLBACK_PREFIX}{workers} sent no histograms: their requests enter the percentiles "
            "at Locust's approximation (about 2 significant figures)",
        )
