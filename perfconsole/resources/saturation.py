"""Load-generator saturation: a pure detector with hysteresis, one warning per episode per process."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from perfconsole.model.resources import ProcessSample
from perfconsole.model.run_warnings import RunWarning, WarningKind


def saturation_detail(label: str, cpu_pct: float, limit_pct: float) -> str:
    """Which process and how busy: ``worker 1 CPU 97% (over 90%)``."""
    return f"{label} CPU {cpu_pct:.0f}% (over {limit_pct:g}%)"


def saturation_warning(label: str, cpu_pct: float, limit_pct: float) -> str:
    """The one-line warning shown to the operator and stored with the run."""
    return (
        f"load generator saturated: {saturation_detail(label, cpu_pct, limit_pct)}; response times include "
        f"client-side queuing and are unreliable - add workers or reduce users"
    )


def saturation_run_warning(label: str, cpu_pct: float, limit_pct: float) -> RunWarning:
    """The warning as the run keeps it: kind SATURATION, with the process and its CPU as detail."""
    return RunWarning(
        WarningKind.SATURATION,
        saturation_warning(label, cpu_pct, limit_pct),
        saturation_detail(label, cpu_pct, limit_pct),
    )


@dataclass(slots=True)
class SaturationDetector:
    """Raises a warning when a generator process's CPU reaches ``high_pct``.

    An episode ends when that process falls below ``low_pct``; only then can it warn again. This keeps a
    process hovering around the limit from flooding the operator with warnings.
    """

    high_pct: float = 90.0
    low_pct: float = 75.0
    _saturated: set[str] = field(default_factory=set)
    episodes: int = 0
    """Warnings raised so far (all processes)."""

    def __post_init__(self) -> None:
        if self.low_pct > self.high_pct:
            raise ValueError("low_pct must not exceed high_pct")

    @property
    def saturated(self) -> frozenset[str]:
        """Labels of the processes currently in a saturation episode."""
        return frozenset(self._saturated)

    def observe(self, label: str, cpu_pct: float | None) -> str | None:
        """Feed one reading; returns the warning's text if this reading starts an episode."""
        warning = self.observe_typed(label, cpu_pct)
        return None if warning is None else warning.text

    def observe_typed(self, label: str, cpu_pct: float | None) -> RunWarning | None:
        """Feed one reading; returns the warning if this reading starts an episode."""
        if cpu_pct is None:
            return None
        if label in self._saturated:
            if cpu_pct < self.low_pct:
                self._saturated.discard(label)
            return None
        if cpu_pct >= self.high_pct:
            self._saturated.add(label)
            self.episodes += 1
            return saturation_run_warning(label, cpu_pct, self.high_pct)
        return None

    def observe_all(self, processes: Iterable[ProcessSample]) -> list[str]:
        """Feed every generator process of one sample; returns the new warnings' texts."""
        return [warning.text for warning in self.observe_processes(processes)]

    def observe_processes(self, processes: Iterable[ProcessSample]) -> list[RunWarning]:
        """Feed every generator process of one sample; returns the new warnings."""
        warnings = []
        for process in processes:
            warning = self.observe_typed(process.label, process.cpu_pct)
            if warning is not None:
                warnings.append(warning)
        return warnings
