"""A run read back from disk (:class:`LoadedRun`): its run.toml metadata and its rebuilt result."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from perfconsole.model.run import (
    Annotation,
    EndpointStats,
    ErrorStats,
    ExceptionStats,
    HistoryPoint,
    RunResult,
    ThresholdResult,
)
from perfconsole.store.run_toml import RunToml


@dataclass(frozen=True, slots=True)
class LoadedRun:
    """A run read back from disk: its ``run.toml`` metadata and the rebuilt :class:`RunResult`."""

    run_id: str
    path: Path
    metadata: Mapping[str, Any]
    """run.toml as parsed (what :attr:`record` was decoded from)."""
    result: RunResult
    record: RunToml
    baseline_name: str | None = None
    """Set when loaded from a baseline: the baseline's name."""
    baseline_meta: Mapping[str, Any] = field(default_factory=dict)
    others: tuple[LoadedRun, ...] = ()
    """A baseline of several runs: its runs after the first (their spread is the baseline's noise)."""

    @property
    def label(self) -> str:
        """How reports refer to it: ``baseline NAME`` or the run id."""
        return f"baseline {self.baseline_name}" if self.baseline_name else self.run_id

    @property
    def name(self) -> str | None:
        return self.record.name

    @property
    def note(self) -> str | None:
        return self.record.note

    @property
    def kind(self) -> str:
        return self.record.kind

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
