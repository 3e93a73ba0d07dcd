"""The headless ``--summary-json`` document: a stable summary of a run for machines (a front end's format,
built from the stored forms of the store's codecs).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypeVar

import msgspec

from perfconsole.model.run import EndpointStats, RunResult
from perfconsole.store.arrival_codec import ArrivalRunRecord, run_record
from perfconsole.store.capacity_codec import capacity_to_dict
from perfconsole.store.data_codec import percentiles_to_dict
from perfconsole.store.records import (
    EndRecord,
    ErrorRecord,
    FiguresRecord,
    NoteRecord,
    Opt,
    Record,
    ThresholdRecord,
    plain,
)
from perfconsole.store.redact import redact_obj
from perfconsole.store.run_toml import utc_datetime
from perfconsole.store.schema import SCHEMA_VERSION, finite_or_none
from perfconsole.store.soak_codec import SoakRecord, soak_record
from perfconsole.store.stages_codec import StageSummary, stage_summary
from perfconsole.store.validity_codec import ValidityRecord, validity_record

SUMMARY_FORMAT = "perfconsole-summary"
R = TypeVar("R", bound=Record)


class EndpointSummary(FiguresRecord, kw_only=True):
    """An endpoint (or the total) in the summary: the listing's figures and the rest of its percentiles."""

    method: str
    name: str
    endpoint: str
    min_ms: Opt = None
    p90_ms: Opt = None
    p999_ms: Opt = msgspec.field(default=None, name="p99.9_ms")
    corrected: dict[str, Opt] | None = None
    """The percentiles corrected for coordinated omission (paced users only), else null."""


Status = Literal["passed", "failed", "interrupted"]


class SummaryDocument(Record, kw_only=True):
    """The whole document (its keys: :func:`summary_dict`)."""

    format: str
    schema_version: int
    status: Status
    interrupted: bool
    end: EndRecord | None
    thresholds_passed: bool
    started_at: str
    ended_at: str
    duration_s: float
    host: str
    scenario_path: str
    profile: str | None
    worker_count: int
    total: EndpointSummary
    endpoints: tuple[EndpointSummary, ...]
    thresholds: tuple[ThresholdRecord, ...]
    errors: tuple[ErrorRecord, ...]
    annotations: tuple[NoteRecord, ...]
    warnings: tuple[str, ...]
    stages: tuple[StageSummary, ...]
    validity: ValidityRecord | None
    soak: SoakRecord | None
    resources: dict[str, Any] | None
    arrival: ArrivalRunRecord | None
    capacity: dict[str, Any] | None


def _endpoint_summary(e: EndpointStats) -> EndpointSummary:
    p = e.cumulative
    return EndpointSummary(
        **FiguresRecord.figures(e),
        method=e.method,
        name=e.name,
        endpoint=e.key,
        min_ms=finite_or_none(e.min_ms),
        p90_ms=finite_or_none(p.p90),
        p999_ms=finite_or_none(p.p999),
        corrected=_corrected_summary(e),
    )


def _corrected_summary(e: EndpointStats) -> dict[str, float | None] | None:
    if e.corrected is None:
        return None
    return {f"{label}_ms": value for label, value in percentiles_to_dict(e.corrected).items()}


def run_status(result: RunResult) -> Status:
    """``interrupted``, ``failed`` (a threshold failed) or ``passed``."""
    if result.interrupted:
        return "interrupted"
    return "passed" if result.thresholds_passed else "failed"


def _resource_summary(resources: Mapping[str, Any]) -> dict[str, Any] | None:
    """Peaks, target trend and warnings of the resource sampler (no time series), or None."""
    if not resources:
        return None
    return {key: resources[key] for key in ("peaks", "target", "warnings", "thresholds") if key in resources}


def summary_dict(result: RunResult) -> dict[str, Any]:
    """Stable summary of a run for machines (headless ``--summary-json``); secrets redacted.

    Keys: ``format`` ("perfconsole-summary"), ``schema_version`` (1), ``status`` ("passed", "failed",
    "interrupted"), ``interrupted``, ``end`` (why the run ended: ``kind``, ``reason``; null if unknown),
    ``thresholds_passed``, ``started_at``/``ended_at`` (ISO 8601 UTC),
    ``duration_s``, ``host``, ``scenario_path``, ``profile``, ``worker_count``, ``total`` and
    ``endpoints`` (each: ``method``, ``name``, ``endpoint``, ``requests``, ``failures``,
    ``error_rate_pct``, ``rps``, ``avg_ms``, ``min_ms``, ``max_ms``, ``p50_ms``, ``p90_ms``, ``p95_ms``,
    ``p99_ms``, ``p99.9_ms``; ``corrected``: the same percentiles corrected for coordinated omission
    where users were paced, else null; times in ms, null without data), ``thresholds`` (``endpoint``,
    ``metric``, ``limit``, ``actual``, ``passed``, ``comparison``), ``errors`` (``method``, ``name``,
    ``error``, ``occurrences``), ``annotations`` (``elapsed_s``, ``kind``, ``text``), ``warnings``,
    ``stages`` (``index``, ``label``, ``kind``, ``start_s``, ``end_s``, ``requests``, ``failures``,
    ``rps``, ``error_rate_pct``, ``p50_ms`` .. ``p99.9_ms``, ``max_ms``; ``arrival`` for a level of the
    arrival rate: ``target``, ``started``, ``dropped`` iterations, ``target_rate``, ``achieved_rate``,
    ``dropped_rate``, ``dropped_pct``, ``start_lag_p95_ms``, ``duration_s``),
    ``arrival`` (arrival-rate mode, else null: the same figures for the whole run, ``max_users``,
    ``peak_pool``, ``arrivals``, ``seconds``: ``[start_s, target, started, dropped]`` one a second),
    ``resources`` (``peaks``: generator/target CPU and RSS, system, scraped series; ``target``: its label
    and RSS trend; ``warnings``; ``thresholds``; null when resources were not sampled), ``validity``
    (``valid``, ``text``: "valid" or "invalid: <reasons>", ``reasons``, ``stages``: the same per stage
    ``index``; null for a run not stamped), ``soak`` (long runs, else null: ``text`` "stable" or
    "degrading: ...", ``degrading``, ``duration_s``, ``trends``: ``name``, ``slope``, ``unit``,
    ``r_squared``, ``limit``, ``min_r_squared``, ``degrading``, ``text``), ``capacity`` (a capacity search,
    else null: as ``capacity.json``, see perfconsole.store.capacity_codec).
    """
    document = SummaryDocument(
        format=SUMMARY_FORMAT,
        schema_version=SCHEMA_VERSION,
        status=run_status(result),
        interrupted=result.interrupted,
        end=msgspec.convert(result.end, EndRecord, from_attributes=True) if result.end is not None else None,
        thresholds_passed=result.thresholds_passed,
        started_at=utc_datetime(result.started_at).isoformat(),
        ended_at=utc_datetime(result.ended_at).isoformat(),
        duration_s=round(result.ended_at - result.started_at, 3),
        host=result.host or result.final.host,
        scenario_path=result.scenario_path,
        profile=result.profile,
        worker_count=result.worker_count,
        total=_endpoint_summary(result.final.total),
        endpoints=tuple(_endpoint_summary(e) for e in result.final.endpoints),
        thresholds=tuple(_record(t, ThresholdRecord) for t in result.thresholds),
        errors=tuple(_record(e, ErrorRecord) for e in result.final.errors),
        annotations=tuple(_record(a, NoteRecord) for a in result.annotations),
        warnings=tuple(w.text for w in result.warnings),
        stages=tuple(stage_summary(s) for s in result.stages),
        validity=validity_record(result.validity),
        soak=soak_record(result.soak),
        resources=_resource_summary(result.resources),
        arrival=run_record(result.arrival) if result.arrival is not None else None,
        capacity=capacity_to_dict(result.capacity),
    )
    summary = plain(document)
    redacted = redact_obj(summary)
    assert isinstance(redacted, dict)
    return redacted


def _record(model: object, kind: type[R]) -> R:
    return msgspec.convert(model, kind, from_attributes=True)
