"""Stats per stage on the master: one histogram per stage, fed by the same intervals as the whole run.

A stage starts when the session's stage key changes (``StageTracker.observe``, polled every 0.1 s): the
label of a staged profile's or shape's current stage, else the target user count (a plateau between live
changes), with a spike drill's phase. Requests count in the stage in force at the middle of the second
they ended in. Memory: one histogram (at most 184 KiB) per stage, at most ``MAX_STAGES`` stages; stages of
a kind in ``PER_ENDPOINT_KINDS`` (a capacity search's measured steps) also keep sparse counters per endpoint.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

import gevent

from perfconsole.engine.hdr.histogram import PERCENT_FRACTIONS, DenseHistogram, sparse_values
from perfconsole.model.capacity import EndpointFigures
from perfconsole.model.run import Percentiles
from perfconsole.model.stages import StageStats, stage_row_key

MAX_STAGES = 200
POLL_S = 0.1
StageKey = tuple[str, str]
"""(label, kind)."""
PER_ENDPOINT_KINDS = frozenset({"search"})
"""Stages judged per endpoint (a capacity search's measured steps)."""


class _Sparse:
    __slots__ = ("counts", "failures", "max_us")

    def __init__(self) -> None:
        self.counts: dict[int, int] = {}
        self.failures = 0
        self.max_us = 0


class _Stage:
    __slots__ = (
        "label",
        "kind",
        "start_ts",
        "start_s",
        "end_ts",
        "end_s",
        "histogram",
        "failures",
        "endpoints",
    )

    def __init__(self, label: str, kind: str, start_ts: float, start_s: float) -> None:
        self.label = label
        self.kind = kind
        self.start_ts = start_ts
        self.start_s = start_s
        self.end_ts: float | None = None
        self.end_s: float | None = None
        self.histogram = DenseHistogram()
        self.failures = 0
        self.endpoints: dict[tuple[str, str], _Sparse] | None = {} if kind in PER_ENDPOINT_KINDS else None


class StageTracker:
    """The run's stages and their histograms."""

    def __init__(self) -> None:
        self._stages: list[_Stage] = []
        self._watcher: gevent.Greenlet | None = None

    def observe(self, key: StageKey | None, now_ts: float, elapsed_s: float) -> None:
        """Start a new stage when ``key`` differs from the current one (None: the run is over)."""
        current = self._stages[-1] if self._stages else None
        if current is not None and current.end_ts is None and key == (current.label, current.kind):
            return
        if current is not None and current.end_ts is None:
            current.end_ts, current.end_s = now_ts, elapsed_s
        if key is None or len(self._stages) >= MAX_STAGES:
            return
        if key[1] == "spike" and current is not None and current.kind != "spike":
            current.label = f"{current.label} (before spike)"
        self._stages.append(_Stage(key[0], key[1], now_ts, elapsed_s))

    def watch(self, key: Callable[[], StageKey | None], clock: Callable[[], tuple[float, float]]) -> None:
        """Poll ``key`` every 0.1 s in a greenlet (replacing any earlier watcher)."""
        self.stop_watching()

        def loop() -> None:
            while True:
                now_ts, elapsed_s = clock()
                self.observe(key(), now_ts, elapsed_s)
                gevent.sleep(POLL_S)

        self._watcher = gevent.spawn(loop)

    def stop_watching(self) -> None:
        if self._watcher is not None:
            self._watcher.kill(block=False)
            self._watcher = None

    def add(
        self,
        second: int,
        pairs: Iterable[tuple[int, int]],
        failures: int,
        max_us: int,
        key: tuple[str, str] | None = None,
    ) -> None:
        """Count one interval (one endpoint-second, ``key``) in its stage."""
        if not self._stages:
            return
        middle = second + 0.5
        stage = self._stages[0]
        for candidate in reversed(self._stages):
            if candidate.start_ts <= middle:
                stage = candidate
                break
        pairs = list(pairs)
        stage.histogram.add(pairs, max_us)
        stage.failures += failures
        if stage.endpoints is not None and key is not None:
            sparse = stage.endpoints.get(key)
            if sparse is None:
                sparse = stage.endpoints[key] = _Sparse()
            for index, count in pairs:
                sparse.counts[index] = sparse.counts.get(index, 0) + count
            sparse.failures += failures
            sparse.max_us = max(sparse.max_us, max_us)

    def find(self, key: StageKey) -> tuple[int, int] | None:
        """The latest stage with ``key``: its 1-based index and requests so far (None: no such stage)."""
        for position in range(len(self._stages), 0, -1):
            stage = self._stages[position - 1]
            if (stage.label, stage.kind) == key:
                return position, stage.histogram.total
        return None

    def counted_window(self, index: int) -> tuple[float, float] | None:
        """The run times of the whole seconds counted in a closed stage (1-based ``index``): a second counts
        in the stage in force at its middle, so a 3.3 s stage counts 3 or 4 of them; its req/s is its
        requests over this window, not over its own span. None while the stage is open."""
        if not 1 <= index <= len(self._stages):
            return None
        stage = self._stages[index - 1]
        if stage.end_ts is None:
            return None
        first, after = math.ceil(stage.start_ts - 0.5), math.ceil(stage.end_ts - 0.5)
        shift = stage.start_s - stage.start_ts
        return first + shift, max(first, after) + shift

    def endpoint_figures(self, index: int) -> tuple[EndpointFigures, ...]:
        """The stage's own figures per endpoint (1-based ``index``; only kinds in ``PER_ENDPOINT_KINDS``)."""
        if not 1 <= index <= len(self._stages):
            return ()
        endpoints = self._stages[index - 1].endpoints or {}
        found = []
        for (method, name), sparse in sorted(endpoints.items()):
            requests = sum(sparse.counts.values())
            if not requests:
                continue
            p50, p90, p95, p99, p999 = sparse_values(sparse.counts, sparse.max_us, PERCENT_FRACTIONS)
            percentiles = Percentiles(
                p50=p50, p90=p90, p95=p95, p99=p99, p999=p999, max=sparse.max_us / 1000.0
            )
            found.append(EndpointFigures(method, name, requests, sparse.failures, percentiles))
        return tuple(found)

    def stats(self, now_ts: float, elapsed_s: float) -> tuple[StageStats, ...]:
        found = []
        for position, stage in enumerate(self._stages, start=1):
            values = stage.histogram.values(PERCENT_FRACTIONS) if stage.histogram.total else [None] * 5
            p50, p90, p95, p99, p999 = values
            maximum = stage.histogram.max_us / 1000.0 if stage.histogram.total else None
            found.append(
                StageStats(
                    index=position,
                    label=stage.label,
                    kind=stage.kind,
                    start_s=round(stage.start_s, 2),
                    end_s=round(stage.end_s if stage.end_s is not None else elapsed_s, 2),
                    requests=stage.histogram.total,
                    failures=stage.failures,
                    percentiles=Percentiles(p50=p50, p90=p90, p95=p95, p99=p99, p999=p999, max=maximum),
                )
            )
        return tuple(found)

    def histograms(self) -> list[tuple[str, DenseHistogram]]:
        """Each stage's histogram by the key comparisons give its row (``stage 1: LABEL``)."""
        return [
            (stage_row_key(position, stage.label), stage.histogram)
            for position, stage in enumerate(self._stages, start=1)
            if stage.histogram.total
        ]

    def reset(self) -> None:
        self._stages = []


def stage_key(
    *,
    live: bool,
    search_stage: StageKey | None = None,
    users: int,
    drill_running: bool,
    after_drill: bool,
    shape_label: str | None,
    rate_label: str | None = None,
) -> StageKey | None:
    """The stage a run is in, as (label, kind): None when no run is live; a level of the arrival rate; a
    drill's phases, a shape's (or staged profile's) stage, else a plateau of ``users``. A capacity search's
    step (``search_stage``) comes first: its settle and its measured part are stages of their own."""
    if not live:
        return None
    if search_stage is not None:
        return search_stage
    if rate_label is not None:
        return (rate_label, "rate")
    if drill_running:
        return (f"spike: {users} users", "spike")
    if after_drill:
        return (f"after spike: {users} users", "spike")
    if shape_label is not None:
        return (shape_label, "stage")
    return (f"{users} users", "plateau")
