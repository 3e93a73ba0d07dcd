"""What a listing shows about a run (:class:`RunInfo`), read from its ``run.toml`` only."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from perfconsole.store.run_toml import RunToml
from perfconsole.store.safe_read import finite, plausible_duration


@dataclass(frozen=True, slots=True)
class RunInfo:
    """What a listing shows about a run, read from its ``run.toml`` only."""

    run_id: str
    path: Path
    name: str | None
    note: str | None
    kind: str
    started_at: datetime | None
    duration_s: float | None
    profile: str | None
    host: str
    interrupted: bool
    thresholds_passed: bool
    summary: Mapping[str, Any]
    """``requests``, ``failures``, ``error_rate_pct``, ``rps``, ``avg_ms``, ``p50_ms``, ``p95_ms`` ..."""
    validity: str = ""
    """``valid``, ``invalid: <reasons>``, or empty for a run saved before stamps."""

    @property
    def invalid(self) -> bool:
        return self.validity.startswith("invalid")

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.run_id,
            "path": str(self.path),
            "name": self.name,
            "note": self.note,
            "kind": self.kind,
            "started_at": self.started_at.isoformat() if self.started_at else None,
            "duration_s": self.duration_s,
            "profile": self.profile,
            "host": self.host,
            "interrupted": self.interrupted,
            "thresholds_passed": self.thresholds_passed,
            "validity": self.validity,
            "summary": dict(self.summary),
        }


def run_info_from_metadata(run_dir: Path, meta: RunToml) -> RunInfo:
    return RunInfo(
        run_id=meta.id,
        path=run_dir,
        name=meta.name,
        note=meta.note,
        kind=meta.kind,
        started_at=meta.started_at,
        duration_s=plausible_duration(meta.duration_s),
        profile=meta.profile,
        host=meta.host,
        interrupted=meta.interrupted,
        thresholds_passed=meta.thresholds_passed,
        summary=_clean_summary(meta.summary),
        validity=meta.validity,
    )


def _clean_summary(summary: Mapping[str, Any]) -> dict[str, Any]:
    """Figures as listings can print them: finite numbers, strings, else None (a hand-edited NaN ...)."""
    return {
        key: value if isinstance(value, str) else finite(value)
        for key, value in summary.items()
        if isinstance(value, str | int | float) and not isinstance(value, bool)
    }
