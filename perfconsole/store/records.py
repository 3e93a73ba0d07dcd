"""data.json's records declared once, as msgspec Structs: the layout written and the layout read.

Encoding takes a model object's attributes (``msgspec.convert(..., from_attributes=True)``); decoding checks
types, required keys and finite numbers from the annotations, and ``model()`` builds the model object. A key
absent from older files has its default here; ``null`` numbers where the model has a number read as 0.
The parts read tolerantly (stages, arrival, blocks, validity, soak, capacity, histograms: an older or edited
part is left out, not fatal) are ``Any`` here and decoded by their own records.
"""

from __future__ import annotations

import math
import sys
from typing import Annotated, Any, TypeVar

import msgspec
from msgspec import Meta

from perfconsole.model.run import (
    EndpointStats,
    ErrorStats,
    ExceptionStats,
    HistoryPoint,
    Percentiles,
    RunSnapshot,
    RunState,
    WorkerInfo,
)
from perfconsole.store.schema import CodecError

Number = Annotated[float, Meta(ge=-sys.float_info.max, le=sys.float_info.max)]
"""A finite number (JSON has no NaN or infinity; a huge literal would read as one)."""
Opt = Number | None
Count = Annotated[int, Meta(ge=0)]
R = TypeVar("R", bound="Record")


class Record(msgspec.Struct, kw_only=True):
    """A stored record: unknown keys are ignored (a newer perfconsole may add some)."""


class PercentilesRecord(Record, kw_only=True):
    p50: Opt = None
    p90: Opt = None
    p95: Opt = None
    p99: Opt = None
    p999: Opt = msgspec.field(default=None, name="p99.9")
    max: Opt = None

    def model(self) -> Percentiles:
        return Percentiles(**msgspec.structs.asdict(self))


class EndpointRecord(Record, kw_only=True):
    method: str
    name: str
    num_requests: int
    num_failures: int
    avg_ms: Opt = None
    min_ms: Opt = None
    max_ms: Opt = None
    median_ms: Opt = None
    avg_content_length: Opt = None
    total_rps: Opt = None
    current_rps: Opt = None
    current_fail_per_sec: Opt = None
    total_fail_per_sec: Opt = None
    cumulative: PercentilesRecord
    current: PercentilesRecord = msgspec.field(default_factory=PercentilesRecord)
    corrected: PercentilesRecord | None = None

    def model(self) -> EndpointStats:
        return EndpointStats(
            method=self.method,
            name=self.name,
            num_requests=self.num_requests,
            num_failures=self.num_failures,
            avg_ms=self.avg_ms or 0.0,
            min_ms=self.min_ms,
            max_ms=self.max_ms or 0.0,
            median_ms=self.median_ms or 0.0,
            avg_content_length=self.avg_content_length or 0.0,
            total_rps=self.total_rps or 0.0,
            current_rps=self.current_rps or 0.0,
            current_fail_per_sec=self.current_fail_per_sec or 0.0,
            total_fail_per_sec=self.total_fail_per_sec or 0.0,
            cumulative=self.cumulative.model(),
            current=self.current.model(),
            corrected=self.corrected.model() if self.corrected is not None else None,
        )


class FiguresRecord(Record, kw_only=True):
    """Key figures of an endpoint or the total: run.toml's ``[summary]``, run listings, the JSON summary."""

    requests: int
    failures: int
    error_rate_pct: Number
    rps: Opt = None
    avg_ms: Opt = None
    p50_ms: Opt = None
    p95_ms: Opt = None
    p99_ms: Opt = None
    max_ms: Opt = None

    @staticmethod
    def figures(e: EndpointStats) -> dict[str, Any]:
        """The fields of ``e`` this record and the ones built on it hold (JSON has no NaN: null)."""
        p = e.cumulative
        return {
            "requests": e.num_requests,
            "failures": e.num_failures,
            "error_rate_pct": 100.0 * e.fail_ratio,
            "rps": _finite(e.total_rps),
            "avg_ms": _finite(e.avg_ms),
            "p50_ms": _finite(p.p50),
            "p95_ms": _finite(p.p95),
            "p99_ms": _finite(p.p99),
            "max_ms": _finite(e.max_ms),
        }


class ErrorRecord(Record, kw_only=True):
    method: str
    name: str
    error: str
    occurrences: int


class ExceptionRecord(Record, kw_only=True):
    count: int
    msg: str
    traceback: str = ""
    nodes: tuple[str, ...] = ()


class WorkerRecord(Record, kw_only=True):
    id: str
    state: str
    user_count: int = 0
    cpu_percent: Number = 0.0
    memory_bytes: int = 0
    heartbeat_ok: bool = True
    pid: int | None = None


class SnapshotRecord(Record, kw_only=True):
    state: RunState
    elapsed_s: Number
    user_count: int
    target_user_count: int = 0
    spawn_rate: Number = 0.0
    host: str = ""
    endpoints: tuple[EndpointRecord, ...]
    total: EndpointRecord
    errors: tuple[ErrorRecord, ...] = ()
    exceptions: tuple[ExceptionRecord, ...] = ()
    workers: tuple[WorkerRecord, ...] = ()
    expected_workers: int = 0
    duration_s: Opt = None
    profile: str | None = None
    stage: str | None = None
    timestamp: Number = 0.0

    def model(self) -> RunSnapshot:
        return RunSnapshot(
            **_flat(self, ("endpoints", "total", "errors", "exceptions", "workers")),
            endpoints=tuple(e.model() for e in self.endpoints),
            total=self.total.model(),
            errors=tuple(ErrorStats(**msgspec.structs.asdict(e)) for e in self.errors),
            exceptions=tuple(ExceptionStats(**msgspec.structs.asdict(x)) for x in self.exceptions),
            workers=tuple(WorkerInfo(**msgspec.structs.asdict(w)) for w in self.workers),
        )


class HistoryRecord(Record, kw_only=True):
    elapsed_s: Number
    timestamp: Number = 0.0
    user_count: int
    rps: Opt = None
    fail_per_sec: Opt = None
    p50_ms: Opt = None
    p95_ms: Opt = None
    p99_ms: Opt = None
    total_requests: int = 0
    total_failures: int = 0

    def model(self) -> HistoryPoint:
        return HistoryPoint(
            **_flat(self, ("rps", "fail_per_sec")), rps=self.rps or 0.0, fail_per_sec=self.fail_per_sec or 0.0
        )


class NoteRecord(Record, kw_only=True):
    """An annotation as the JSON summary shows it."""

    elapsed_s: Number
    text: str
    kind: str = "note"


class AnnotationRecord(NoteRecord, kw_only=True):
    timestamp: Number = 0.0


class ThresholdRecord(Record, kw_only=True):
    endpoint: str
    metric: str
    limit: Number
    actual: Opt = None
    passed: bool
    comparison: str = "<"


class WarningRecord(Record, kw_only=True, omit_defaults=True):
    """A run's warning; runs saved before warnings had kinds hold plain lines instead."""

    kind: str
    text: str
    detail: str = ""


class EndRecord(Record, kw_only=True):
    """Why the run ended."""

    kind: str
    reason: str = ""


class ResultRecord(Record, kw_only=True):
    """The ``result`` of data.json: a whole :class:`~perfconsole.model.run.RunResult`."""

    final: SnapshotRecord
    history: tuple[HistoryRecord, ...] = ()
    annotations: tuple[AnnotationRecord, ...] = ()
    thresholds: tuple[ThresholdRecord, ...] = ()
    interrupted: bool
    started_at: Number
    ended_at: Number
    scenario_path: str
    profile: str | None = None
    settings: dict[str, Any] = {}
    host: str = ""
    worker_count: int = 0
    command_line: tuple[str, ...] = ()
    resources: dict[str, Any] = {}
    warnings: tuple[WarningRecord | str, ...] = ()
    stages: Any = None
    arrival: Any = None
    histograms: Any = None
    blocks: Any = None
    end: EndRecord | None = None
    validity: Any = None
    soak: Any = None
    capacity: Any = None


def _flat(record: Record, leave_out: tuple[str, ...]) -> dict[str, Any]:
    return {k: v for k, v in msgspec.structs.asdict(record).items() if k not in leave_out}


def encode(model: object, kind: type[Record], **written_apart: Any) -> Any:
    """``model``'s stored form as plain JSON data (a number that is not finite is written as null);
    ``written_apart``: fields set to these values first (the parts another codec writes)."""
    record = msgspec.convert(model, kind, from_attributes=True)
    if written_apart:
        record = msgspec.structs.replace(record, **written_apart)
    return plain(record)


def plain(record: Record) -> Any:
    """``record`` as plain JSON data: lists for tuples, null for a number that is not finite."""
    return _finite(msgspec.to_builtins(record))


def decode(data: object, kind: type[R], root: str = "result") -> R:
    """``data`` checked against ``kind``; :class:`CodecError` with one line naming the field otherwise
    (``root``: what the document as a whole is called)."""
    try:
        return msgspec.convert(data, kind)
    except msgspec.ValidationError as error:
        raise CodecError(_problem(str(error), root)) from None


def decode_or_none(data: object, kind: type[R]) -> R | None:
    """A part read tolerantly: ``data`` as ``kind``, or None when it is not one (an older or edited file)."""
    try:
        return decode(data, kind)
    except CodecError:
        return None


def decode_each(data: object, kind: type[R]) -> tuple[R, ...]:
    """The entries of a list that are a ``kind``; the others (and anything but a list) are left out."""
    if not isinstance(data, list | tuple):
        return ()
    found = (decode_or_none(item, kind) for item in data)
    return tuple(item for item in found if item is not None)


_WORDS = {"int": "an integer", "float": "a number", "str": "a string", "bool": "true or false"}
_WORDS |= {"object": "a table/object", "array": "a list", "null": "null"}


def _problem(message: str, root: str) -> str:
    """msgspec's ``Expected `int`, got `str` - at `$.final.total.num_requests``` in the store's words."""
    text, _, at = message.rpartition(" - at `")
    if not text:
        text, at = message, "$`"
    where = at.rstrip("`").removeprefix("$").removeprefix(".")
    if text.startswith("Object missing required field `"):
        field = text.split("`")[1]
        return f"missing field {where}.{field}" if where else f"missing field {field}"
    if text.startswith("Expected `float` ") and "e+308" in text:
        text = "must be a finite number"
    elif text.startswith("Expected `"):
        text = "must be " + text.removeprefix("Expected ")
        for name, words in _WORDS.items():
            text = text.replace(f"`{name}`", words)
    return f"{where or root}: {text}"


def _finite(data: Any) -> Any:
    if isinstance(data, float):
        return data if math.isfinite(data) else None
    if isinstance(data, dict):
        return {k: _finite(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [_finite(v) for v in data]
    return data
