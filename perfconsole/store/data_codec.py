"""data.json: the full :class:`RunResult` as plain JSON data, and back.

Pure conversions, no I/O. ``result_to_dict``/``result_from_dict`` round-trip a :class:`RunResult`
exactly (JSON types; ``None`` stays ``null``). Decoders raise :class:`CodecError` with a one-line reason.
"""

from __future__ import annotations

from collections.abc import Mapping
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
from perfconsole.model.run_end import EndKind, RunEnd
from perfconsole.model.run_warnings import RunWarning, WarningKind
from perfconsole.store.arrival_codec import run_from_dict, run_to_dict
from perfconsole.store.blocks_codec import blocks_from_list, blocks_to_list
from perfconsole.store.schema import (
    CodecError,
    as_bool,
    as_int,
    as_map,
    as_number,
    as_opt_number,
    as_opt_str,
    as_seq,
    as_str,
    finite_or_none,
    required,
)
from perfconsole.store.stages_codec import stage_to_dict, stages_from_list
from perfconsole.store.validity_codec import validity_from_dict, validity_to_dict


def percentiles_to_dict(p: Percentiles) -> dict[str, float | None]:
    return {
        "p50": finite_or_none(p.p50),
        "p90": finite_or_none(p.p90),
        "p95": finite_or_none(p.p95),
        "p99": finite_or_none(p.p99),
        "p99.9": finite_or_none(p.p999),
        "max": finite_or_none(p.max),
    }


def endpoint_to_dict(e: EndpointStats) -> dict[str, Any]:
    return {
        "method": e.method,
        "name": e.name,
        "num_requests": e.num_requests,
        "num_failures": e.num_failures,
        "avg_ms": finite_or_none(e.avg_ms),
        "min_ms": finite_or_none(e.min_ms),
        "max_ms": finite_or_none(e.max_ms),
        "median_ms": finite_or_none(e.median_ms),
        "avg_content_length": finite_or_none(e.avg_content_length),
        "total_rps": finite_or_none(e.total_rps),
        "current_rps": finite_or_none(e.current_rps),
        "current_fail_per_sec": finite_or_none(e.current_fail_per_sec),
        "total_fail_per_sec": finite_or_none(e.total_fail_per_sec),
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
        "rps": finite_or_none(h.rps),
        "fail_per_sec": finite_or_none(h.fail_per_sec),
        "p50_ms": finite_or_none(h.p50_ms),
        "p95_ms": finite_or_none(h.p95_ms),
        "p99_ms": finite_or_none(h.p99_ms),
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
        "actual": finite_or_none(t.actual),
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
        "warnings": [warning_to_dict(w) for w in result.warnings],
        "stages": [stage_to_dict(s) for s in result.stages],
        "arrival": run_to_dict(result.arrival) if result.arrival is not None else None,
        "histograms": dict(result.histograms),
        "blocks": blocks_to_list(result.blocks),
        "end": {"kind": str(result.end.kind), "reason": result.end.reason}
        if result.end is not None
        else None,
        "validity": validity_to_dict(result.validity),
    }


# ---------------------------------------------------------------- decoding


def percentiles_from_dict(data: object, where: str) -> Percentiles:
    d = as_map(data, where)
    return Percentiles(
        p50=as_opt_number(d.get("p50"), f"{where}.p50"),
        p90=as_opt_number(d.get("p90"), f"{where}.p90"),
        p95=as_opt_number(d.get("p95"), f"{where}.p95"),
        p99=as_opt_number(d.get("p99"), f"{where}.p99"),
        p999=as_opt_number(d.get("p99.9"), f"{where}.p99.9"),
        max=as_opt_number(d.get("max"), f"{where}.max"),
    )


def endpoint_from_dict(data: object, where: str = "endpoint") -> EndpointStats:
    d = as_map(data, where)

    def opt(key: str) -> float | None:
        return as_opt_number(d.get(key), f"{where}.{key}")

    return EndpointStats(
        method=as_str(required(d, "method", where), f"{where}.method"),
        name=as_str(required(d, "name", where), f"{where}.name"),
        num_requests=as_int(required(d, "num_requests", where), f"{where}.num_requests"),
        num_failures=as_int(required(d, "num_failures", where), f"{where}.num_failures"),
        avg_ms=opt("avg_ms") or 0.0,
        min_ms=opt("min_ms"),
        max_ms=opt("max_ms") or 0.0,
        median_ms=opt("median_ms") or 0.0,
        avg_content_length=opt("avg_content_length") or 0.0,
        total_rps=opt("total_rps") or 0.0,
        current_rps=opt("current_rps") or 0.0,
        current_fail_per_sec=opt("current_fail_per_sec") or 0.0,
        total_fail_per_sec=opt("total_fail_per_sec") or 0.0,
        cumulative=percentiles_from_dict(required(d, "cumulative", where), f"{where}.cumulative"),
        current=percentiles_from_dict(d.get("current", {}), f"{where}.current"),
        corrected=(
            percentiles_from_dict(d["corrected"], f"{where}.corrected")
            if isinstance(d.get("corrected"), Mapping)
            else None
        ),
    )


def snapshot_from_dict(data: object, where: str = "final") -> RunSnapshot:
    d = as_map(data, where)
    state_text = as_str(required(d, "state", where), f"{where}.state")
    try:
        state = RunState(state_text)
    except ValueError:
        raise CodecError(f"{where}.state: unknown state {state_text!r}") from None
    errors = tuple(
        ErrorStats(
            method=as_str(required(e, "method", f"{where}.errors"), "error.method"),
            name=as_str(required(e, "name", f"{where}.errors"), "error.name"),
            error=as_str(required(e, "error", f"{where}.errors"), "error.error"),
            occurrences=as_int(required(e, "occurrences", f"{where}.errors"), "error.occurrences"),
        )
        for e in (as_map(x, f"{where}.errors[]") for x in as_seq(d.get("errors", []), f"{where}.errors"))
    )
    exceptions = tuple(
        ExceptionStats(
            count=as_int(required(x, "count", f"{where}.exceptions"), "exception.count"),
            msg=as_str(required(x, "msg", f"{where}.exceptions"), "exception.msg"),
            traceback=as_str(x.get("traceback", ""), "exception.traceback"),
            nodes=tuple(
                as_str(n, "exception.nodes[]") for n in as_seq(x.get("nodes", []), "exception.nodes")
            ),
        )
        for x in (as_map(y, f"{where}.exceptions[]") for y in as_seq(d.get("exceptions", []), "exceptions"))
    )
    workers = tuple(
        WorkerInfo(
            id=as_str(required(w, "id", f"{where}.workers"), "worker.id"),
            state=as_str(required(w, "state", f"{where}.workers"), "worker.state"),
            user_count=as_int(w.get("user_count", 0), "worker.user_count"),
            cpu_percent=as_number(w.get("cpu_percent", 0.0), "worker.cpu_percent"),
            memory_bytes=as_int(w.get("memory_bytes", 0), "worker.memory_bytes"),
            heartbeat_ok=as_bool(w.get("heartbeat_ok", True), "worker.heartbeat_ok"),
            pid=None if w.get("pid") is None else as_int(w.get("pid"), "worker.pid"),
        )
        for w in (as_map(y, f"{where}.workers[]") for y in as_seq(d.get("workers", []), "workers"))
    )
    return RunSnapshot(
        state=state,
        elapsed_s=as_number(required(d, "elapsed_s", where), f"{where}.elapsed_s"),
        user_count=as_int(required(d, "user_count", where), f"{where}.user_count"),
        target_user_count=as_int(d.get("target_user_count", 0), f"{where}.target_user_count"),
        spawn_rate=as_number(d.get("spawn_rate", 0.0), f"{where}.spawn_rate"),
        host=as_str(d.get("host", ""), f"{where}.host"),
        endpoints=tuple(
            endpoint_from_dict(e, f"{where}.endpoints[{i}]")
            for i, e in enumerate(as_seq(required(d, "endpoints", where), f"{where}.endpoints"))
        ),
        total=endpoint_from_dict(required(d, "total", where), f"{where}.total"),
        errors=errors,
        exceptions=exceptions,
        workers=workers,
        expected_workers=as_int(d.get("expected_workers", 0), f"{where}.expected_workers"),
        duration_s=as_opt_number(d.get("duration_s"), f"{where}.duration_s"),
        profile=as_opt_str(d.get("profile"), f"{where}.profile"),
        stage=as_opt_str(d.get("stage"), f"{where}.stage"),
        timestamp=as_number(d.get("timestamp", 0.0), f"{where}.timestamp"),
    )


def history_point_from_dict(data: object, where: str = "history[]") -> HistoryPoint:
    d = as_map(data, where)
    return HistoryPoint(
        elapsed_s=as_number(required(d, "elapsed_s", where), f"{where}.elapsed_s"),
        timestamp=as_number(d.get("timestamp", 0.0), f"{where}.timestamp"),
        user_count=as_int(required(d, "user_count", where), f"{where}.user_count"),
        rps=as_number(d.get("rps") or 0.0, f"{where}.rps"),
        fail_per_sec=as_number(d.get("fail_per_sec") or 0.0, f"{where}.fail_per_sec"),
        p50_ms=as_opt_number(d.get("p50_ms"), f"{where}.p50_ms"),
        p95_ms=as_opt_number(d.get("p95_ms"), f"{where}.p95_ms"),
        p99_ms=as_opt_number(d.get("p99_ms"), f"{where}.p99_ms"),
        total_requests=as_int(d.get("total_requests", 0), f"{where}.total_requests"),
        total_failures=as_int(d.get("total_failures", 0), f"{where}.total_failures"),
    )


def annotation_from_dict(data: object, where: str = "annotations[]") -> Annotation:
    d = as_map(data, where)
    return Annotation(
        elapsed_s=as_number(required(d, "elapsed_s", where), f"{where}.elapsed_s"),
        text=as_str(required(d, "text", where), f"{where}.text"),
        kind=as_str(d.get("kind", "note"), f"{where}.kind"),
        timestamp=as_number(d.get("timestamp", 0.0), f"{where}.timestamp"),
    )


def threshold_from_dict(data: object, where: str = "thresholds[]") -> ThresholdResult:
    d = as_map(data, where)
    return ThresholdResult(
        endpoint=as_str(required(d, "endpoint", where), f"{where}.endpoint"),
        metric=as_str(required(d, "metric", where), f"{where}.metric"),
        limit=as_number(required(d, "limit", where), f"{where}.limit"),
        actual=as_opt_number(d.get("actual"), f"{where}.actual"),
        passed=as_bool(required(d, "passed", where), f"{where}.passed"),
        comparison=as_str(d.get("comparison", "<"), f"{where}.comparison"),
    )


def warning_to_dict(w: RunWarning) -> dict[str, str]:
    data = {"kind": str(w.kind), "text": w.text}
    return {**data, "detail": w.detail} if w.detail else data


def warning_from_data(data: object, where: str = "warnings[]") -> RunWarning:
    """A saved warning: ``{kind, text, detail?}``, or a plain line (runs saved before warnings had kinds,
    loaded as kind ``other``); an unknown kind is ``other`` too."""
    if isinstance(data, str):
        return RunWarning(WarningKind.OTHER, data)
    d = as_map(data, where)
    return RunWarning(
        WarningKind.parse(d.get("kind")),
        as_str(required(d, "text", where), f"{where}.text"),
        as_str(d.get("detail", ""), f"{where}.detail"),
    )


def end_from_data(data: object) -> RunEnd | None:
    """Why the run ended (None for a run saved without it, or of a kind this version does not know)."""
    if data is None:
        return None
    d = as_map(data, "end")
    kind = EndKind.parse(d.get("kind"))
    return RunEnd(kind, as_str(d.get("reason", ""), "end.reason")) if kind is not None else None


def _histograms(data: object) -> dict[str, str]:
    """Saved HdrHistograms (tolerant: anything but str -> str entries is left out)."""
    if not isinstance(data, Mapping):
        return {}
    return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str)}


def result_from_dict(data: object) -> RunResult:
    """Rebuild a :class:`RunResult` from :func:`result_to_dict` output; raises :class:`CodecError`."""
    d = as_map(data, "result")
    profile = d.get("profile")
    return RunResult(
        final=snapshot_from_dict(required(d, "final", "result")),
        history=tuple(history_point_from_dict(h) for h in as_seq(d.get("history", []), "history")),
        annotations=tuple(annotation_from_dict(a) for a in as_seq(d.get("annotations", []), "annotations")),
        thresholds=tuple(threshold_from_dict(t) for t in as_seq(d.get("thresholds", []), "thresholds")),
        interrupted=as_bool(required(d, "interrupted", "result"), "interrupted"),
        started_at=as_number(required(d, "started_at", "result"), "started_at"),
        ended_at=as_number(required(d, "ended_at", "result"), "ended_at"),
        scenario_path=as_str(required(d, "scenario_path", "result"), "scenario_path"),
        profile=as_opt_str(profile, "profile"),
        settings=dict(as_map(d.get("settings", {}), "settings")),
        host=as_str(d.get("host", ""), "host"),
        worker_count=as_int(d.get("worker_count", 0), "worker_count"),
        command_line=tuple(
            as_str(a, "command_line[]") for a in as_seq(d.get("command_line", []), "command_line")
        ),
        resources=dict(as_map(d.get("resources", {}), "resources")),
        warnings=tuple(warning_from_data(w) for w in as_seq(d.get("warnings", []), "warnings")),
        stages=stages_from_list(d.get("stages", [])),
        arrival=run_from_dict(d.get("arrival")),
        histograms=_histograms(d.get("histograms")),
        blocks=blocks_from_list(d.get("blocks")),
        end=end_from_data(d.get("end")),
        validity=validity_from_dict(d.get("validity")),
    )
