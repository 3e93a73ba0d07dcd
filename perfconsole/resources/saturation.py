"""Load-generator saturation: a pure detector with hysteresis, one warning per episode per process."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from perfconsole.model.resources import ProcessSample


def saturation_warning(label: str, cpu_pct: float, limit_pct: float) -> str:
    """The one-line warning shown to the operator and stored with the run."""
    return (
        f"load generator saturated: {label} CPU {cpu_pct:.0f}% (over {limit_pct:g}%); response times include "
        f"client-side queuing and are unreliable - add workers or reduce users"
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
            return saturation_warning(label, cpu_pct, self.high_pct)
        return None

    def observe_all(self, processes: Iterable[ProcessSample]) -> list[str]:
        """Feed every generator process of one sample; returns the new warnings."""
        warnings = []
        for process in processes:
            warning = self.observe(process.label, process.cpu_pct)
            if warning is not None:
                warnings.append(warning)
        return warnings
