"""Plain-data forms of run results: what snapshots store and what ``--json`` outputs print.

Pure conversions, no I/O. ``result_to_dict``/``result_from_dict`` round-trip a :class:`RunResult`
exactly (JSON types; ``None`` stays ``null``). ``metadata_dict`` builds the human-readable ``run.toml``
content (TOML has no null: absent keys mean "none"). ``summary_dict`` is the stable summary that the
headless mode prints with ``--json``. Decoders raise :class:`CodecError` with a one-line reason.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from perfconsole.model.run import (
    Annotation,
    EndpointStats,
    ErrorStats,
    ExceptionStats,
    HistoryPoint,
    Percentiles,
    RunResult,
    RunSnapshot,
    RunState,
    ThresholdResult,
    WorkerInfo,
)
from perfconsole.store.redact import redact_obj
from perfconsole.store.stages_codec import stage_summary, stage_to_dict, stages_from_list

SCHEMA_VERSION = 1
"""Version of run.toml / data.json / baseline.toml layouts; bump on incompatible changes."""

RUN_FORMAT = "perfconsole-run"
DATA_FORMAT = "perfconsole-run-data"
SUMMARY_FORMAT = "perfconsole-summary"


class CodecError(ValueError):
    """Stored data does not have the expected shape (the caller adds which file)."""


# ---------------------------------------------------------------- value checks


def _num(value: object, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise CodecError(f"{what} must be a number, got {type(value).__name__}")
    try:
        number = float(value)
    except OverflowError:
        raise CodecError(f"{what} is out of range") from None
    if not math.isfinite(number):
        raise CodecError(f"{what} must be a finite number")
    return number


def _opt_num(value: object, what: str) -> float | None:
    return None if value is None else _num(value, what)


def _int(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise CodecError(f"{what} must be an integer, got {type(value).__name__}")
    return value


def _str(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise CodecError(f"{what} must be a string, got {type(value).__name__}")
    return value


def _opt_str(value: object, what: str) -> str | None:
    return None if value is None else _str(value, what)


def _bool(value: object, what: str) -> bool:
    if not isinstance(value, bool):
        raise CodecError(f"{what} must be true or false, got {type(value).__name__}")
    return value


def _map(value: object, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise CodecError(f"{what} must be a table/object, got {type(value).__name__}")
    return value


def _seq(value: object, what: str) -> Sequence[Any]:
    if not isinstance(value, list | tuple):
        raise CodecError(f"{what} must be a list, got {type(value).__name__}")
    return value


def _field(data: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in data:
        raise CodecError(f"missing field {where}.{key}" if where else f"missing field {key}")
    return data[key]


def _finite(value: float | None) -> float | None:
    """JSON has no NaN/inf: store them as null."""
    return value if value is None or math.isfinite(value) else None


# ---------------------------------------------------------------- encoding


def percentiles_to_dict(p: Percentiles) -> dict[str, float | None]:
    return {
        "p50": _finite(p.p50),
        "p90": _finite(p.p90),
        "p95": _finite(p.p95),
        "p99": _finite(p.p99),
        "p99.9": _finite(p.p999),
        "max": _finite(p.max),
    }


def endpoint_to_dict(e: EndpointStats) -> dict[str, Any]:
    return {
        "method": e.method,
        "name": e.name,
        "num_requests": e.num_requests,
        "num_failures": e.num_failures,
        "avg_ms": _finite(e.avg_ms),
        "min_ms": _finite(e.min_ms),
        "max_ms": _finite(e.max_ms),
        "median_ms": _finite(e.median_ms),
        "avg_content_length": _finite(e.avg_content_length),
        "total_rps": _finite(e.total_rps),
        "current_rps": _finite(e.current_rps),
        "current_fail_per_sec": _finite(e.current_fail_per_sec),
        "total_fail_per_sec": _finite(e.total_fail_per_sec),
        "cumulative": percentiles_to_dict(e.cumulative),
        "current": percentiles_to_dict(e.current),
        "corrected": percentiles_to_dict(e.corrected) if e.corrected is not None else None,
    }


def snapshot_to_dict(s: RunSnapshot) -> dict[str, Any]:
    return {
        "state": s.state.value,
        "elapsed_s": s.elapsed_s,
        "user_count": s.user_count,
        "target_user_count": s.target_user_count,
        "spawn_rate": s.spawn_rate,
        "host": s.host,
        "endpoints": [endpoint_to_dict(e) for e in s.endpoints],
        "total": endpoint_to_dict(s.total),
        "errors": [
            {"method": e.method, "name": e.name, "error": e.error, "occurrences": e.occurrences}
            for e in s.errors
        ],
        "exceptions": [
            {"count": x.count, "msg": x.msg, "traceback": x.traceback, "nodes": list(x.nodes)}
            for x in s.exceptions
        ],
        "workers": [
            {
                "id": w.id,
                "state": w.state,
                "user_count": w.user_count,
                "cpu_percent": w.cpu_percent,
                "memory_bytes": w.memory_bytes,
                "heartbeat_ok": w.heartbeat_ok,
                "pid": w.pid,
            }
            for w in s.workers
        ],
        "expected_workers": s.expected_workers,
        "duration_s": s.duration_s,
        "profile": s.profile,
        "stage": s.stage,
        "timestamp": s.timestamp,
    }


def history_point_to_dict(h: HistoryPoint) -> dict[str, Any]:
    return {
        "elapsed_s": h.elapsed_s,
        "timestamp": h.timestamp,
        "user_count": h.user_count,
        "rps": _finite(h.rps),
        "fail_per_sec": _finite(h.fail_per_sec),
        "p50_ms": _finite(h.p50_ms),
        "p95_ms": _finite(h.p95_ms),
        "p99_ms": _finite(h.p99_ms),
        "total_requests": h.total_requests,
        "total_failures": h.total_failures,
    }


def annotation_to_dict(a: Annotation) -> dict[str, Any]:
    return {"elapsed_s": a.elapsed_s, "text": a.text, "kind": a.kind, "timestamp": a.timestamp}


def threshold_to_dict(t: ThresholdResult) -> dict[str, Any]:
    return {
        "endpoint": t.endpoint,
        "metric": t.metric,
        "limit": t.limit,
        "actual": _finite(t.actual),
        "passed": t.passed,
        "comparison": t.comparison,
    }


def result_to_dict(result: RunResult) -> dict[str, Any]:
    """Complete JSON-able form of a run result (inverse: :func:`result_from_dict`)."""
    return {
        "final": snapshot_to_dict(result.final),
        "history": [history_point_to_dict(h) for h in result.history],
        "annotations": [annotation_to_dict(a) for a in result.annotations],
        "thresholds": [threshold_to_dict(t) for t in result.thresholds],
        "interrupted": result.interrupted,
        "started_at": result.started_at,
        "ended_at": result.ended_at,
        "scenario_path": result.scenario_path,
        "profile": result.profile,
        "settings": dict(result.settings),
        "host": result.host,
        "worker_count": result.worker_count,
        "command_line": list(result.command_line),
        "resources": dict(result.resources),
        "warnings": list(result.warnings),
        "stages": [stage_to_dict(s) for s in result.stages],
        "histograms": dict(result.histograms),
    }


# ---------------------------------------------------------------- decoding


def percentiles_from_dict(data: object, where: str) -> Percentiles:
    d = _map(data, where)
    return Percentiles(
        p50=_opt_num(d.get("p50"), f"{where}.p50"),
        p90=_opt_num(d.get("p90"), f"{where}.p90"),
        p95=_opt_num(d.get("p95"), f"{where}.p95"),
        p99=_opt_num(d.get("p99"), f"{where}.p99"),
        p999=_opt_num(d.get("p99.9"), f"{where}.p99.9"),
        max=_opt_num(d.get("max"), f"{where}.max"),
    )


def endpoint_from_dict(data: object, where: str = "endpoint") -> EndpointStats:
    d = _map(data, where)

    def opt(key: str) -> float | None:
        return _opt_num(d.get(key), f"{where}.{key}")

    return EndpointStats(
        method=_str(_field(d, "method", where), f"{where}.method"),
        name=_str(_field(d, "name", where), f"{where}.name"),
        num_requests=_int(_field(d, "num_requests", where), f"{where}.num_requests"),
        num_failures=_int(_field(d, "num_failures", where), f"{where}.num_failures"),
        avg_ms=opt("avg_ms") or 0.0,
        min_ms=opt("min_ms"),
        max_ms=opt("max_ms") or 0.0,
        median_ms=opt("median_ms") or 0.0,
        avg_content_length=opt("avg_content_length") or 0.0,
        total_rps=opt("total_rps") or 0.0,
        current_rps=opt("current_rps") or 0.0,
        current_fail_per_sec=opt("current_fail_per_sec") or 0.0,
        total_fail_per_sec=opt("total_fail_per_sec") or 0.0,
        cumulative=percentiles_from_dict(_field(d, "cumulative", where), f"{where}.cumulative"),
        current=percentiles_from_dict(d.get("current", {}), f"{where}.current"),
        corrected=(
            percentiles_from_dict(d["corrected"], f"{where}.corrected")
            if isinstance(d.get("corrected"), Mapping)
            else None
        ),
    )


def snapshot_from_dict(data: object, where: str = "final") -> RunSnapshot:
    d = _map(data, where)
    state_text = _str(_field(d, "state", where), f"{where}.state")
    try:
        state = RunState(state_text)
    except ValueError:
        raise CodecError(f"{where}.state: unknown state {state_text!r}") from None
    errors = tuple(
        ErrorStats(
            method=_str(_field(e, "method", f"{where}.errors"), "error.method"),
            name=_str(_field(e, "name", f"{where}.errors"), "error.name"),
            error=_str(_field(e, "error", f"{where}.errors"), "error.error"),
            occurrences=_int(_field(e, "occurrences", f"{where}.errors"), "error.occurrences"),
        )
        for e in (_map(x, f"{where}.errors[]") for x in _seq(d.get("errors", []), f"{where}.errors"))
    )
    exceptions = tuple(
        ExceptionStats(
            count=_int(_field(x, "count", f"{where}.exceptions"), "exception.count"),
            msg=_str(_field(x, "msg", f"{where}.exceptions"), "exception.msg"),
            traceback=_str(x.get("traceback", ""), "exception.traceback"),
            nodes=tuple(_str(n, "exception.nodes[]") for n in _seq(x.get("nodes", []), "exception.nodes")),
        )
        for x in (_map(y, f"{where}.exceptions[]") for y in _seq(d.get("exceptions", []), "exceptions"))
    )
    workers = tuple(
        WorkerInfo(
            id=_str(_field(w, "id", f"{where}.workers"), "worker.id"),
            state=_str(_field(w, "state", f"{where}.workers"), "worker.state"),
            user_count=_int(w.get("user_count", 0), "worker.user_count"),
            cpu_percent=_num(w.get("cpu_percent", 0.0), "worker.cpu_percent"),
            memory_bytes=_int(w.get("memory_bytes", 0), "worker.memory_bytes"),
            heartbeat_ok=_bool(w.get("heartbeat_ok", True), "worker.heartbeat_ok"),
            pid=None if w.get("pid") is None else _int(w.get("pid"), "worker.pid"),
        )
        for w in (_map(y, f"{where}.workers[]") for y in _seq(d.get("workers", []), "workers"))
    )
    return RunSnapshot(
        state=state,
        elapsed_s=_num(_field(d, "elapsed_s", where), f"{where}.elapsed_s"),
        user_count=_int(_field(d, "user_count", where), f"{where}.user_count"),
        target_user_count=_int(d.get("target_user_count", 0), f"{where}.target_user_count"),
        spawn_rate=_num(d.get("spawn_rate", 0.0), f"{where}.spawn_rate"),
        host=_str(d.get("host", ""), f"{where}.host"),
        endpoints=tuple(
            endpoint_from_dict(e, f"{where}.endpoints[{i}]")
            for i, e in enumerate(_seq(_field(d, "endpoints", where), f"{where}.endpoints"))
        ),
        total=endpoint_from_dict(_field(d, "total", where), f"{where}.total"),
        errors=errors,
        exceptions=exceptions,
        workers=workers,
        expected_workers=_int(d.get("expected_workers", 0), f"{where}.expected_workers"),
        duration_s=_opt_num(d.get("duration_s"), f"{where}.duration_s"),
        profile=_opt_str(d.get("profile"), f"{where}.profile"),
        stage=_opt_str(d.get("stage"), f"{where}.stage"),
        timestamp=_num(d.get("timestamp", 0.0), f"{where}.timestamp"),
    )


def history_point_from_dict(data: object, where: str = "history[]") -> HistoryPoint:
    d = _map(data, where)
    return HistoryPoint(
        elapsed_s=_num(_field(d, "elapsed_s", where), f"{where}.elapsed_s"),
        timestamp=_num(d.get("timestamp", 0.0), f"{where}.timestamp"),
        user_count=_int(_field(d, "user_count", where), f"{where}.user_count"),
        rps=_num(d.get("rps") or 0.0, f"{where}.rps"),
        fail_per_sec=_num(d.get("fail_per_sec") or 0.0, f"{where}.fail_per_sec"),
        p50_ms=_opt_num(d.get("p50_ms"), f"{where}.p50_ms"),
        p95_ms=_opt_num(d.get("p95_ms"), f"{where}.p95_ms"),
        p99_ms=_opt_num(d.get("p99_ms"), f"{where}.p99_ms"),
        total_requests=_int(d.get("total_requests", 0), f"{where}.total_requests"),
        total_failures=_int(d.get("total_failures", 0), f"{where}.total_failures"),
    )


def annotation_from_dict(data: object, where: str = "annotations[]") -> Annotation:
    d = _map(data, where)
    return Annotation(
        elapsed_s=_num(_field(d, "elapsed_s", where), f"{where}.elapsed_s"),
        text=_str(_field(d, "text", where), f"{where}.text"),
        kind=_str(d.get("kind", "note"), f"{where}.kind"),
        timestamp=_num(d.get("timestamp", 0.0), f"{where}.timestamp"),
    )


def threshold_from_dict(data: object, where: str = "thresholds[]") -> ThresholdResult:
    d = _map(data, where)
    return ThresholdResult(
        endpoint=_str(_field(d, "endpoint", where), f"{where}.endpoint"),
        metric=_str(_field(d, "metric", where), f"{where}.metric"),
        limit=_num(_field(d, "limit", where), f"{where}.limit"),
        actual=_opt_num(d.get("actual"), f"{where}.actual"),
        passed=_bool(_field(d, "passed", where), f"{where}.passed"),
        comparison=_str(d.get("comparison", "<"), f"{where}.comparison"),
    )


def _histograms(data: object) -> dict[str, str]:
    """Saved HdrHistograms (tolerant: anything but str -> str entries is left out)."""
    if not isinstance(data, Mapping):
        return {}
    return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str)}


def result_from_dict(data: object) -> RunResult:
    """Rebuild a :class:`RunResult` from :func:`result_to_dict` output; raises :class:`CodecError`."""
    d = _map(data, "result")
    profile = d.get("profile")
    return RunResult(
        final=snapshot_from_dict(_field(d, "final", "result")),
        history=tuple(history_point_from_dict(h) for h in _seq(d.get("history", []), "history")),
        annotations=tuple(annotation_from_dict(a) for a in _seq(d.get("annotations", []), "annotations")),
        thresholds=tuple(threshold_from_dict(t) for t in _seq(d.get("thresholds", []), "thresholds")),
        interrupted=_bool(_field(d, "interrupted", "result"), "interrupted"),
        started_at=_num(_field(d, "started_at", "result"), "started_at"),
        ended_at=_num(_field(d, "ended_at", "result"), "ended_at"),
        scenario_path=_str(_field(d, "scenario_path", "result"), "scenario_path"),
        profile=_opt_str(profile, "profile"),
        settings=dict(_map(d.get("settings", {}), "settings")),
        host=_str(d.get("host", ""), "host"),
        worker_count=_int(d.get("worker_count", 0), "worker_count"),
        command_line=tuple(
            _str(a, "command_line[]") for a in _seq(d.get("command_line", []), "command_line")
        ),
        resources=dict(_map(d.get("resources", {}), "resources")),
        warnings=tuple(_str(w, "warnings[]") for w in _seq(d.get("warnings", []), "warnings")),
        stages=stages_from_list(d.get("stages", [])),
        histograms=_histograms(d.get("histograms")),
    )


# ---------------------------------------------------------------- metadata (run.toml)


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


def error_rate_pct(e: EndpointStats) -> float:
    return 100.0 * e.fail_ratio


def summary_figures(total: EndpointStats) -> dict[str, Any]:
    """Key figures of one endpoint/total, as run listings and summaries show them."""
    return {
        "requests": total.num_requests,
        "failures": total.num_failures,
        "error_rate_pct": error_rate_pct(total),
        "rps": _finite(total.total_rps),
        "avg_ms": _finite(total.avg_ms),
        "p50_ms": _finite(total.cumulative.p50),
        "p95_ms": _finite(total.cumulative.p95),
        "p99_ms": _finite(total.cumulative.p99),
        "max_ms": _finite(total.max_ms),
    }


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
        "worker_count": result.worker_count,
        "hostname": hostname,
        "command_line": list(result.command_line),
        "warnings": list(result.warnings),
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


def check_header(data: Mapping[str, Any], expected_format: str) -> None:
    """Refuse foreign files and files from a newer perfconsole (their layout is unknown)."""
    fmt = data.get("format")
    if fmt != expected_format:
        raise CodecError(f"not a {expected_format} file (format = {fmt!r})")
    version = data.get("schema_version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise CodecError(f"invalid schema_version {version!r}")
    if version > SCHEMA_VERSION:
        raise CodecError(
            f"schema_version {version} is newer than this perfconsole supports ({SCHEMA_VERSION}); upgrade"
        )


# ---------------------------------------------------------------- loaded runs


@dataclass(frozen=True, slots=True)
class LoadedRun:
    """A run read back from disk: its ``run.toml`` metadata and the rebuilt :class:`RunResult`."""

    run_id: str
    path: Path
    metadata: Mapping[str, Any]
    result: RunResult
    baseline_name: str | None = None
    """Set when loaded from a baseline: the baseline's name."""
    baseline_meta: Mapping[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """How reports refer to it: ``baseline NAME`` or the run id."""
        return f"baseline {self.baseline_name}" if self.baseline_name else self.run_id

    @property
    def name(self) -> str | None:
        value = self.metadata.get("name")
        return value if isinstance(value, str) else None

    @property
    def note(self) -> str | None:
        value = self.metadata.get("note")
        return value if isinstance(value, str) else None

    @property
    def kind(self) -> str:
        value = self.metadata.get("kind")
        return value if isinstance(value, str) else "final"

    @property
    def endpoints(self) -> tuple[EndpointStats, ...]:
        """Per-endpoint final figures followed by the aggregated total."""
        return (*self.result.final.endpoints, self.result.final.total)

    @property
    def history(self) -> tuple[HistoryPoint, ...]:
        return self.result.history

    @property
    def annotations(self) -> tuple[Annotation, ...]:
        return self.result.annotations

    @property
    def thresholds(self) -> tuple[ThresholdResult, ...]:
        return self.result.thresholds

    @property
    def errors(self) -> tuple[ErrorStats, ...]:
        return self.result.final.errors

    @property
    def exceptions(self) -> tuple[ExceptionStats, ...]:
        return self.result.final.exceptions

    @property
    def resources(self) -> Mapping[str, object]:
        return self.result.resources


# ---------------------------------------------------------------- summary (headless --summary-json)


def _endpoint_summary(e: EndpointStats) -> dict[str, Any]:
    return {
        "method": e.method,
        "name": e.name,
        "endpoint": e.key,
        "requests": e.num_requests,
        "failures": e.num_failures,
        "error_rate_pct": error_rate_pct(e),
        "rps": _finite(e.total_rps),
        "avg_ms": _finite(e.avg_ms),
        "min_ms": _finite(e.min_ms),
        "max_ms": _finite(e.max_ms),
        "p50_ms": _finite(e.cumulative.p50),
        "p90_ms": _finite(e.cumulative.p90),
        "p95_ms": _finite(e.cumulative.p95),
        "p99_ms": _finite(e.cumulative.p99),
        "p99.9_ms": _finite(e.cumulative.p999),
        "corrected": _corrected_summary(e),
    }


def _corrected_summary(e: EndpointStats) -> dict[str, float | None] | None:
    """Coordinated-omission corrected figures beside the measured ones (paced users only)."""
    if e.corrected is None:
        return None
    return {f"{label}_ms": value for label, value in percentiles_to_dict(e.corrected).items()}


def run_status(result: RunResult) -> str:
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
    "interrupted"), ``interrupted``, ``thresholds_passed``, ``started_at``/``ended_at`` (ISO 8601 UTC),
    ``duration_s``, ``host``, ``scenario_path``, ``profile``, ``worker_count``, ``total`` and
    ``endpoints`` (each: ``method``, ``name``, ``endpoint``, ``requests``, ``failures``,
    ``error_rate_pct``, ``rps``, ``avg_ms``, ``min_ms``, ``max_ms``, ``p50_ms``, ``p90_ms``, ``p95_ms``,
    ``p99_ms``, ``p99.9_ms``; ``corrected``: the same percentiles corrected for coordinated omission
    where users were paced, else null; times in ms, null without data), ``thresholds`` (``endpoint``,
    ``metric``, ``limit``, ``actual``, ``passed``, ``comparison``), ``errors`` (``method``, ``name``,
    ``error``, ``occurrences``), ``annotations`` (``elapsed_s``, ``kind``, ``text``), ``warnings``,
    ``stages`` (``index``, ``label``, ``kind``, ``start_s``, ``end_s``, ``requests``, ``failures``,
    ``rps``, ``error_rate_pct``, ``p50_ms`` .. ``p99.9_ms``, ``max_ms``),
    ``resources`` (``peaks``: generator/target CPU and RSS, system, scraped series; ``target``: its label
    and RSS trend; ``warnings``; ``thresholds``; null when resources were not sampled).
    """
    summary: dict[str, Any] = {
        "format": SUMMARY_FORMAT,
        "schema_version": SCHEMA_VERSION,
        "status": run_status(result),
        "interrupted": result.interrupted,
        "thresholds_passed": result.thresholds_passed,
        "started_at": utc_datetime(result.started_at).isoformat(),
        "ended_at": utc_datetime(result.ended_at).isoformat(),
        "duration_s": round(result.ended_at - result.started_at, 3),
        "host": result.host or result.final.host,
        "scenario_path": result.scenario_path,
        "profile": result.profile,
        "worker_count": result.worker_count,
        "total": _endpoint_summary(result.final.total),
        "endpoints": [_endpoint_summary(e) for e in result.final.endpoints],
        "thresholds": [threshold_to_dict(t) for t in result.thresholds],
        "errors": [
            {"method": e.method, "name": e.name, "error": e.error, "occurrences": e.occurrences}
            for e in result.final.errors
        ],
        "annotations": [
            {"elapsed_s": a.elapsed_s, "kind": a.kind, "text": a.text} for a in result.annotations
        ],
        "warnings": list(result.warnings),
        "stages": [stage_summary(s) for s in result.stages],
        "resources": _resource_summary(result.resources),
    }
    redacted = redact_obj(summary)
    assert isinstance(redacted, dict)
    return redacted
