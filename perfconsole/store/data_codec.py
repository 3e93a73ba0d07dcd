"""data.json: the full :class:`RunResult` as plain JSON data, and back.

Pure conversions, no I/O. The layout is declared once in :mod:`.records` (msgspec Structs used both ways);
``result_to_dict``/``result_from_dict`` round-trip a :class:`RunResult` exactly (JSON types; ``None`` stays
``null``). Decoders raise :class:`CodecError` with a one-line reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from perfconsole.model.run import Annotation, Percentiles, RunResult, ThresholdResult
from perfconsole.model.run_end import EndKind, RunEnd
from perfconsole.model.run_warnings import RunWarning, WarningKind
from perfconsole.store.arrival_codec import run_from_dict, run_to_dict
from perfconsole.store.blocks_codec import blocks_from_list, blocks_to_list
from perfconsole.store.capacity_codec import capacity_from_dict, capacity_to_dict
from perfconsole.store.records import (
    AnnotationRecord,
    EndRecord,
    PercentilesRecord,
    ResultRecord,
    ThresholdRecord,
    WarningRecord,
    decode,
    encode,
)
from perfconsole.store.soak_codec import soak_from_dict, soak_to_dict
from perfconsole.store.stages_codec import stage_to_dict, stages_from_list
from perfconsole.store.validity_codec import validity_from_dict, validity_to_dict


def percentiles_to_dict(p: Percentiles) -> dict[str, float | None]:
    return dict(encode(p, PercentilesRecord))


def annotation_to_dict(a: Annotation) -> dict[str, Any]:
    return dict(encode(a, AnnotationRecord))


def threshold_to_dict(t: ThresholdResult) -> dict[str, Any]:
    return dict(encode(t, ThresholdRecord))


def result_to_dict(result: RunResult) -> dict[str, Any]:
    """Complete JSON-able form of a run result (inverse: :func:`result_from_dict`)."""
    apart: dict[str, Any] = {"settings": {}, "resources": {}, "stages": None, "arrival": None}
    apart |= {"histograms": None, "blocks": None, "validity": None, "soak": None, "capacity": None}
    return {
        **encode(result, ResultRecord, **apart),
        "settings": dict(result.settings),
        "resources": dict(result.resources),
        "stages": [stage_to_dict(s) for s in result.stages],
        "arrival": run_to_dict(result.arrival) if result.arrival is not None else None,
        "histograms": dict(result.histograms),
        "blocks": blocks_to_list(result.blocks),
        "validity": validity_to_dict(result.validity),
        "soak": soak_to_dict(result.soak),
        "capacity": capacity_to_dict(result.capacity),
    }


def warning_to_dict(w: RunWarning) -> dict[str, str]:
    return dict(encode(w, WarningRecord))


def warning_from_record(record: WarningRecord | str) -> RunWarning:
    """A saved warning: ``{kind, text, detail?}``, or a plain line (runs saved before warnings had kinds,
    loaded as kind ``other``); an unknown kind is ``other`` too."""
    if isinstance(record, str):
        return RunWarning(WarningKind.OTHER, record)
    return RunWarning(WarningKind.parse(record.kind), record.text, record.detail)


def end_to_dict(end: RunEnd | None) -> dict[str, str] | None:
    return dict(encode(end, EndRecord)) if end is not None else None


def end_from_record(record: EndRecord | None) -> RunEnd | None:
    """Why the run ended (None for a run saved without it, or of a kind this version does not know)."""
    kind = EndKind.parse(record.kind) if record is not None else None
    return RunEnd(kind, record.reason) if kind is not None and record is not None else None


def _histograms(data: object) -> dict[str, str]:
    """Saved HdrHistograms (tolerant: anything but str -> str entries is left out)."""
    if not isinstance(data, Mapping):
        return {}
    return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str)}


def result_from_dict(data: object) -> RunResult:
    """Rebuild a :class:`RunResult` from :func:`result_to_dict` output; raises :class:`CodecError`."""
    r = decode(data, ResultRecord)
    return RunResult(
        final=r.final.model(),
        history=tuple(h.model() for h in r.history),
        annotations=tuple(Annotation(**msgspec.structs.asdict(a)) for a in r.annotations),
        thresholds=tuple(ThresholdResult(**msgspec.structs.asdict(t)) for t in r.thresholds),
        interrupted=r.interrupted,
        started_at=r.started_at,
        ended_at=r.ended_at,
        scenario_path=r.scenario_path,
        profile=r.profile,
        settings=r.settings,
        host=r.host,
        worker_count=r.worker_count,
        command_line=r.command_line,
        resources=r.resources,
        warnings=tuple(warning_from_record(w) for w in r.warnings),
        stages=stages_from_list(r.stages if r.stages is not None else []),
        arrival=run_from_dict(r.arrival),
        histograms=_histograms(r.histograms),
        blocks=blocks_from_list(r.blocks),
        end=end_from_record(r.end),
        validity=validity_from_dict(r.validity),
        soak=soak_from_dict(r.soak),
        capacity=capacity_from_dict(r.capacity),
    )
