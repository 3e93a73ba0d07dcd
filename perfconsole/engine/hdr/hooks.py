"""Wiring the histograms to Locust: recorders where users run, the merge where the master runs.

- ``install_worker_recorder``: in a worker process (``perfconsole worker`` and the console's local
  workers), record every request and send the intervals with each report (``report_to_master``).
- ``HdrStats``: beside the console's runner. On a master it merges each ``worker_report``; with
  ``--workers 0`` it records in-process and merges once a second. Either way Locust's own stats entries get
  the histograms' figures (``perfconsole.engine.locust.stats``).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import gevent

from perfconsole.engine.cardinality import install_in_worker
from perfconsole.engine.hdr.codec import WIRE_KEY, parse_payload, to_hdrh_blob, wire_payload
from perfconsole.engine.hdr.merge import TOTAL, HdrAggregator, Key
from perfconsole.engine.hdr.pacing import current_pacing_us
from perfconsole.engine.hdr.recorder import IntervalRecorder
from perfconsole.engine.locust.stats import add_ms, correct_entry, prune_per_second, replace_entry
from perfconsole.model.run_warnings import RunWarning

if TYPE_CHECKING:
    from locust.env import Environment
    from locust.stats import RequestStats, StatsEntry

LOCAL_MERGE_INTERVAL_S = 1.0


def install_worker_recorder(environment: Environment) -> IntervalRecorder:
    """Record this worker's requests (on their way into Locust's stats, folded by the endpoint cap:
    ``cardinality.install_in_worker``) and add them to every report it sends to the master."""
    recorder = IntervalRecorder()
    recorder.pacing = current_pacing_us(environment.user_classes)
    events = environment.events

    def on_report_to_master(client_id: str, data: dict[str, Any]) -> None:
        data[WIRE_KEY] = wire_payload(recorder.drain())

    def on_test_start(**_kwargs: Any) -> None:
        recorder.reset()  # a new run: Locust cleared its stats too

    install_in_worker(environment, recorder)
    events.report_to_master.add_listener(on_report_to_master)
    events.test_start.add_listener(on_test_start)
    return recorder


class HdrStats:
    """The exact figures of one session's runner (master or in-process)."""

    def __init__(
        self,
        environment: Environment,
        stats: RequestStats,
        local: bool,
        window_s: int = 10,
        endpoint_caches: bool = False,
    ) -> None:
        self.environment = environment
        self.stats = stats
        self.local = local
        self.endpoint_caches = endpoint_caches
        """Keep Locust's response-time cache of each endpoint (``--csv-full-history`` writes their current
        percentiles); else only the total's is kept, for Locust's history of the total."""
        self.aggregator = HdrAggregator(window_s=window_s)
        self.errors = 0
        """Reports whose histograms could not be read (counted, never fatal)."""
        self._ms: dict[Key, dict[int, int]] = {}
        self._recorder: IntervalRecorder | None = None
        self._greenlet: gevent.Greenlet | None = None
        events = environment.events
        if local:
            self._recorder = IntervalRecorder()
            self._recorder.pacing = current_pacing_us(environment.user_classes)
            events.request.add_listener(self._recorder.on_request)
            events.test_stop.add_listener(self._flush_on_event)  # before Locust's end-of-run outputs
            events.quitting.add_listener(self._flush_on_event)
            self._greenlet = gevent.spawn(self._merge_loop)
        else:
            events.worker_report.add_listener(self._on_worker_report)

    def set_start_lag(self, start_lag: Any) -> None:
        """In-process runs in arrival-rate mode: the start lag of the iteration sending each request."""
        if self._recorder is not None:
            self._recorder.start_lag = start_lag

    def name_users(self) -> list[Any]:
        """The parts that key by endpoint name (for the endpoint fold: ``name_for``)."""
        return [self.aggregator] + ([self._recorder] if self._recorder is not None else [])

    # --------------------------------------------------------------------------- feeding
    def _on_worker_report(self, client_id: str, data: dict[str, Any]) -> None:
        payload = data.get(WIRE_KEY)
        if payload is None:
            self.aggregator.merge_locust(client_id, data.get("stats") or (), int(time.time()))
            return
        try:
            merged = self.aggregator.merge_wire(parse_payload(payload))
        except (ValueError, TypeError) as exc:
            self.errors += 1
            self.aggregator.plain_workers.setdefault(f"{client_id} (unreadable histograms: {exc})", 0)
            self.aggregator.merge_locust(client_id, data.get("stats") or (), int(time.time()))
            return
        for stats_data in data.get("stats") or ():
            key = (str(stats_data.get("method") or ""), str(stats_data.get("name") or ""))
            counts = merged.pop(key, None)
            entry = self._entry(key)
            if entry is not None and counts is not None:  # else (folded): Locust's figures stay
                correct_entry(entry, stats_data.get("response_times") or {}, counts)
            if entry is not None:
                self._lighten(entry)
        total = data.get("stats_total") or {}
        correct_entry(self.stats.total, total.get("response_times") or {}, merged.pop(TOTAL, {}))
        prune_per_second(self.stats.total)

    def _lighten(self, entry: StatsEntry) -> None:
        """An endpoint's entry holds only what is read of it: the last minute of its per-second counts,
        and no copies of its response times for Locust's current percentiles unless they are written
        (Locust keeps 20, each as large as the entry's own: some 10 MB at 100 endpoints)."""
        prune_per_second(entry)
        if not self.endpoint_caches and entry.use_response_times_cache:
            entry.use_response_times_cache = False
            entry.response_times_cache = None

    def _entry(self, key: Key) -> StatsEntry | None:
        return self.stats.entries.get((key[1], key[0]))

    def _merge_loop(self) -> None:
        while True:
            gevent.sleep(LOCAL_MERGE_INTERVAL_S)
            self.flush()

    def _flush_on_event(self, **_kwargs: Any) -> None:
        self.flush()

    def flush(self) -> None:
        """In-process runs: merge what was recorded so far and update Locust's entries (cheap, any time)."""
        if self._recorder is None:
            return
        drained = self._recorder.drain()
        if not drained:
            return
        merged = self.aggregator.merge_wire(parse_payload(wire_payload(drained)))
        for key, counts in merged.items():
            times = self._ms.setdefault(key, {})
            add_ms(times, counts)
            entry = self.stats.total if key == TOTAL else self._entry(key)
            if entry is not None:
                replace_entry(entry, times)
                if entry is self.stats.total:
                    prune_per_second(entry)
                else:
                    self._lighten(entry)

    def reset(self) -> None:
        """A new run (Locust cleared its stats)."""
        if self._recorder is not None:
            self._recorder.reset()
        self._ms.clear()
        self.aggregator.reset()

    def close(self) -> None:
        self.aggregator.stages.stop_watching()
        events = self.environment.events
        if self._greenlet is not None:
            self._greenlet.kill(block=False)
        if self._recorder is not None:
            events.request.remove_listener(self._recorder.on_request)
            events.test_stop.remove_listener(self._flush_on_event)
            events.quitting.remove_listener(self._flush_on_event)
        else:
            events.worker_report.remove_listener(self._on_worker_report)

    # --------------------------------------------------------------------------- reading
    def cumulative(self, method: str, name: str) -> list[float | None] | None:
        return self.aggregator.cumulative((method, name))

    def corrected(self, method: str, name: str) -> list[float | None] | None:
        """Coordinated-omission corrected figures, where paced users sent requests."""
        return self.aggregator.corrected_values((method, name))

    def current(self, method: str, name: str, now_s: float | None = None) -> list[float | None]:
        return self.aggregator.current((method, name), time.time() if now_s is None else now_s)

    def encoded(self) -> dict[str, str]:
        """Whole-run histograms in HdrHistogram's standard base64 encoding, by endpoint key (``GET /x``,
        ``Aggregated``); ``corrected:`` keys for coordinated-omission twins; each stage's by its comparison
        key (``stage 1: LABEL``)."""
        found: dict[str, str] = {}
        for prefix, histograms in (("", self.aggregator.run), ("corrected:", self.aggregator.corrected)):
            for (method, name), histogram in histograms.items():
                if histogram.total:
                    found[prefix + f"{method} {name}".strip()] = to_hdrh_blob(histogram.pairs())
        for key, histogram in self.aggregator.stages.histograms():
            found[key] = to_hdrh_blob(histogram.pairs())
        return found

    def fallback_note(self) -> RunWarning | None:
        return self.aggregator.fallback_note()
