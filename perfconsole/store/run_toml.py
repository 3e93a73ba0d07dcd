"""run.toml: the human-readable metadata of a saved run (who, what, when, verdicts, annotations), declared
once as :class:`RunToml` and used both ways: :func:`run_toml_data` writes it from a result,
:func:`decode_run_toml` reads it with types, required keys and ranges checked from the annotations (one line
naming the field).

TOML has no null: absent keys mean "none" (:func:`toml_safe`). Keys a newer perfconsole adds are ignored.
Runs saved by earlier versions lack the keys added since (``validity``, ``soak``, ``files`` ...): those have
defaults here. Two parts stay loose on purpose: ``duration_s`` and ``[summary]`` are read as they are and
shown as unknown when they are not plausible (a hand-edited NaN must not hide a run from its listing), and
``settings`` is the run's own record of its options.
"""

from __future__ import annotations

import math
import typing
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

from perfconsole.model.run import EndpointStats, RunResult
from perfconsole.store.records import AnnotationRecord, FiguresRecord, Record, ThresholdRecord, decode, encode
from perfconsole.store.schema import RUN_FORMAT, SCHEMA_VERSION, CodecError

RunKind = Literal["final", "manual"]
"""``final``: saved at the end of a run; ``manual``: a snapshot taken mid-run."""
RUN_KINDS: tuple[str, ...] = typing.get_args(RunKind)


class RunAnnotation(AnnotationRecord, kw_only=True):
    """An annotation with its wall-clock time (``at``, absent for one without a timestamp)."""

    at: datetime | None = None


class RunToml(Record, kw_only=True):
    """The whole of run.toml, in the order it is written."""

    format: str
    schema_version: Annotated[int, Meta(ge=1)]
    id: str
    name: str | None = None
    kind: RunKind
    note: str | None = None
    started_at: datetime
    ended_at: datetime
    duration_s: float
    """Read as written; listings show an implausible one as unknown."""
    host: str = ""
    scenario_path: str
    scenario_sha256: str = ""
    profile: str | None = None
    interrupted: bool
    thresholds_passed: bool
    validity: str = ""
    """``valid``, ``invalid: <reasons>``, or empty for a run saved before stamps."""
    soak: str = ""
    """``stable``, ``degrading: ...``, or empty for a run without a soak verdict."""
    worker_count: Annotated[int, Meta(ge=0)] = 0
    hostname: str = ""
    command_line: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    files: tuple[str, ...] | None = None
    """Every file of the run directory (relative paths, run.toml included); None before runs listed them."""
    versions: dict[str, str]
    settings: dict[str, Any] = {}
    summary: dict[str, Any]
    """The total's key figures (:class:`FiguresRecord` when written; read as they are, see above)."""
    thresholds: tuple[ThresholdRecord, ...] = ()
    annotations: tuple[RunAnnotation, ...] = ()


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


def run_toml_data(
    result: RunResult,
    *,
    run_id: str,
    name: str | None,
    note: str | None,
    kind: str,
    scenario_sha256: str,
    hostname: str,
    versions: Mapping[str, str],
    files: tuple[str, ...] | None = None,
) -> dict[str, Any]:
    """The content of ``run.toml`` as TOML-ready data (no nulls): who/what/when of a run, verdicts and
    annotations, for humans."""
    annotations = tuple(
        RunAnnotation(**encode(a, AnnotationRecord), at=utc_datetime(a.timestamp) if a.timestamp else None)
        for a in result.annotations
    )
    record = RunToml(
        format=RUN_FORMAT,
        schema_version=SCHEMA_VERSION,
        id=run_id,
        name=name,
        kind=kind,  # type: ignore[arg-type]  # save_run checked it against RUN_KINDS
        note=note,
        started_at=utc_datetime(result.started_at),
        ended_at=utc_datetime(result.ended_at),
        duration_s=round(result.ended_at - result.started_at, 3),
        host=result.host or result.final.host,
        scenario_path=result.scenario_path,
        scenario_sha256=scenario_sha256,
        profile=result.profile,
        interrupted=result.interrupted,
        thresholds_passed=result.thresholds_passed,
        validity=result.validity.run.text if result.validity is not None else "",
        soak=result.soak.text if result.soak is not None else "",
        worker_count=result.worker_count,
        hostname=hostname,
        command_line=tuple(result.command_line),
        warnings=tuple(w.text for w in result.warnings),
        files=files,
        versions=dict(versions),
        settings=dict(result.settings),
        summary=summary_figures(result.final.total),
        thresholds=tuple(ThresholdRecord(**encode(t, ThresholdRecord)) for t in result.thresholds),
        annotations=annotations,
    )
    data = toml_safe(msgspec.to_builtins(record, builtin_types=(datetime,), enc_hook=str))
    assert isinstance(data, dict)
    return data


def decode_run_toml(data: Mapping[str, Any]) -> RunToml:
    """run.toml's parsed content checked against :class:`RunToml`; :class:`CodecError` in one line (a
    missing key most likely means a file cut short)."""
    try:
        return decode(data, RunToml, root="document")
    except CodecError as error:
        if str(error).startswith("missing field"):
            raise CodecError(f"{error} (truncated?)") from None
        raise
