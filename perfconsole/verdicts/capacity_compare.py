"""Two capacity searches compared (``perfconsole compare`` of two runs that both searched). Pure.

Each search knows its capacity only to its resolution (the gap between its last pass and first fail), and
a level's figures carry the run's noise: a difference smaller than the coarser resolution is reported as
"within resolution", not as a change.
"""

from __future__ import annotations

from dataclasses import dataclass

from perfconsole.model.capacity import CapacityResult


@dataclass(frozen=True, slots=True)
class CapacityComparison:
    baseline_rps: float | None
    current_rps: float | None
    change_pct: float | None
    """Current against baseline, in percent of the baseline's (None: a side found no capacity)."""
    resolution_pct: float
    within_resolution: bool
    text: str


def compare_capacities(baseline: CapacityResult, current: CapacityResult) -> CapacityComparison:
    resolution = max(baseline.resolution_pct, current.resolution_pct)
    before, after = baseline.capacity_rps, current.capacity_rps
    if before is None or after is None or before <= 0:
        text = f"SLO capacity: baseline {_rps(before)}, current {_rps(after)} (a side found no capacity)"
        return CapacityComparison(before, after, None, resolution, False, text)
    change = (after - before) / before * 100
    within = abs(change) < resolution
    verdict = (
        f"within resolution ({resolution:g} %): no difference the searches can tell"
        if within
        else ("higher" if change > 0 else "LOWER")
    )
    caveat = "" if within else f"; beyond the {resolution:g} % resolution, each level's noise still applies"
    text = (
        f"SLO capacity: baseline {before:.0f} req/s, current {after:.0f} req/s ({change:+.1f} %): "
        f"{verdict}{caveat}"
    )
    return CapacityComparison(before, after, change, resolution, within, text)


def _rps(value: float | None) -> str:
    return "none" if value is None else f"{value:.0f} req/s"
