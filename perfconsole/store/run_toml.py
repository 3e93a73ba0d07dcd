"""run.toml: the human-readable metadata of a saved run (who, what, when, verdicts, annotations).

TOML has no null: absent keys mean "none" (:func:`toml_safe`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import msgspec

from perfconsole.model.run import EndpointStats, RunResult
from perfconsole.store.data_codec import annotation_to_dict, threshold_to_dict
from perfconsole.store.records import FiguresRecord
from perfconsole.store.schema import RUN_FORMAT, SCHEMA_VERSION


def utc_datetime(epoch_s: float) -> datetime:
    return datetime.fromtimestamp(epoch_s, UTC)


def toml_safe(obj: object) -> object:
    """Make plain data writable as TOML: drop ``None`` (TOML has no null), tuples -> lists, keys -> str."""
    if isinstance(obj, Mapping):
        return {str(k): toml_safe(v) for k, v in obj.items() if v is not None}
    if isinstance(obj, list | tuple):
        return [toml_safe(v) for v in obj if v is not None]
    if isinstance(obj, float) and not math.isfinite(obj):
        return str(obj)
    if isinstance(obj, str | int | float | bool | datetime):
        return obj
    return str(obj)


def summary_figures(total: EndpointStats) -> dict[str, Any]:
    """Key figures of one endpoint/total, as run listings and summaries show them (:class:`FiguresRecord`)."""
    return msgspec.to_builtins(FiguresRecord(**FiguresRecord.figures(total)))


def metadata_dict(
    result: RunResult,
    *,
    run_id: str,
    name: str | None,
    note: str | None,
    kind: str,
    scenario_sha256: str,
    hostname: str,
    versions: Mapping[str, str],
) -> dict[str, Any]:
    """The content of ``run.toml``: who/what/when of a run, verdicts and annotations, for humans."""
    meta: dict[str, Any] = {
        "format": RUN_FORMAT,
        "schema_version": SCHEMA_VERSION,
        "id": run_id,
        "name": name,
        "kind": kind,
        "note": note,
        "started_at": utc_datetime(result.started_at),
        "ended_at": utc_datetime(result.ended_at),
        "duration_s": round(result.ended_at - result.started_at, 3),
        "host": result.host or result.final.host,
        "scenario_path": result.scenario_path,
        "scenario_sha256": scenario_sha256,
        "profile": result.profile,
        "interrupted": result.interrupted,
        "thresholds_passed": result.thresholds_passed,
        "validity": result.validity.run.text if result.validity is not None else "",
        "soak": result.soak.text if result.soak is not None else "",
        "worker_count": result.worker_count,
        "hostname": hostname,
        "command_line": list(result.command_line),
        "warnings": [w.text for w in result.warnings],
        "versions": dict(versions),
        "settings": dict(result.settings),
        "summary": summary_figures(result.final.total),
        "thresholds": [threshold_to_dict(t) for t in result.thresholds],
        "annotations": [
            {**annotation_to_dict(a), "at": utc_datetime(a.timestamp)}
            if a.timestamp
            else annotation_to_dict(a)
            for a in result.annotations
        ],
    }
    return meta
