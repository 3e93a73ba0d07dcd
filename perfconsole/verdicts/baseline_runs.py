"""A baseline of several runs as one side of a comparison: its figures are the runs' (geometric) means, and
its noise the spread between the runs: the run-to-run variation that one pair of runs cannot show. Pure."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

from perfconsole.model.percentiles import Percentiles
from perfconsole.model.run import EndpointStats
from perfconsole.store.loaded_run import LoadedRun
from perfconsole.verdicts.noise import runs_log_sd

SPREAD_METRICS = ("p50", "p95", "p99", "avg", "rps")


def runs_of(side: object) -> tuple[LoadedRun, ...]:
    """The runs of a baseline of several runs (none for anything else)."""
    if isinstance(side, LoadedRun) and side.others:
        return (side, *side.others)
    return ()


def _figure(endpoint: EndpointStats, metric: str) -> float | None:
    if metric == "rps":
        return endpoint.total_rps
    if metric == "avg":
        return endpoint.avg_ms if endpoint.num_requests else None
    return endpoint.cumulative.get(metric) if endpoint.num_requests else None


def _geomean(values: Sequence[float | None]) -> float | None:
    kept = [v for v in values if v is not None and v > 0]
    if len(kept) < len(values) or not kept:
        return None
    return math.exp(sum(math.log(v) for v in kept) / len(kept))


def _endpoints(run: LoadedRun) -> dict[str, EndpointStats]:
    return {e.key: e for e in run.endpoints}


def mean_endpoints(runs: Sequence[LoadedRun]) -> dict[str, EndpointStats]:
    """Each endpoint all runs have: geometric means of its percentiles, average and req/s; its requests
    and failures summed (the error rate pooled)."""
    maps = [_endpoints(run) for run in runs]
    shared = set(maps[0]).intersection(*maps[1:])
    found = {}
    for key in shared:
        rows = [m[key] for m in maps]
        first = rows[0]
        percentiles = Percentiles(
            **{
                label: _geomean([r.cumulative.get(label) for r in rows])
                for label in ("p50", "p90", "p95", "p99", "p999", "max")
            }
        )
        found[key] = replace(
            first,
            num_requests=sum(r.num_requests for r in rows),
            num_failures=sum(r.num_failures for r in rows),
            avg_ms=_geomean([r.avg_ms for r in rows]) or 0.0,
            total_rps=_geomean([r.total_rps for r in rows]) or 0.0,
            cumulative=percentiles,
        )
    return found


class RunSpread:
    """The run-to-run spread (standard deviation of the log) of each endpoint's figures."""

    def __init__(self, runs: Sequence[LoadedRun]) -> None:
        self.count = len(runs)
        self._maps = [_endpoints(run) for run in runs]

    def log_sd(self, key: str, metric: str) -> float | None:
        values = [_figure(m[key], metric) for m in self._maps if key in m]
        if len(values) < self.count or any(v is None for v in values):
            return None
        return runs_log_sd([v for v in values if v is not None])
