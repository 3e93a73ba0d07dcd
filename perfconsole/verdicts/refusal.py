"""A comparison refuses to judge what was not a measurement: a side stamped invalid (perfconsole.verdicts.
validity) gets no regression and no improvement, whatever its figures say, and the comparison says why."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from perfconsole.model.run import RunResult
from perfconsole.model.validity import RunValidity
from perfconsole.store.loaded_run import LoadedRun
from perfconsole.store.stage_compare import stages_of
from perfconsole.verdicts.validity import validity_of

if TYPE_CHECKING:
    from perfconsole.verdicts.regression import EndpointComparison

NOT_JUDGED = "not judged"
"""The verdict of a change that would have been a regression or an improvement on an invalid side."""


def side_validity(side: object) -> RunValidity | None:
    """The stamp of a saved run or a result (None for live figures: the console shows theirs apart)."""
    result = side.result if isinstance(side, LoadedRun) else side
    return validity_of(result) if isinstance(result, RunResult) else None


def run_refusals(baseline: object, current: object, labels: tuple[str, str]) -> tuple[str, ...]:
    """``baseline NAME is invalid: ...`` for each invalid side."""
    found = []
    for side, label in zip((baseline, current), labels, strict=True):
        validity = side_validity(side)
        if validity is not None and not validity.valid:
            found.append(f"{label} is {validity.run.text}")
    return tuple(found)


def stage_refusals(baseline: object, current: object, labels: tuple[str, str]) -> list[tuple[str, ...]]:
    """For each stage pair (as matching_stages gives them), the reasons it cannot be judged."""
    found = []
    stamps = (side_validity(baseline), side_validity(current))
    for base, cur in zip(stages_of(baseline), stages_of(current), strict=False):
        reasons = []
        for stage, stamp, label in zip((base, cur), stamps, labels, strict=True):
            if stamp is not None and not stamp.stage(stage.index).valid:
                reasons.append(f"{label}'s stage {stage.index} is {stamp.stage(stage.index).text}")
        found.append(tuple(reasons))
    return found


def refuse(row: EndpointComparison, reasons: tuple[str, ...]) -> EndpointComparison:
    """The row with its regressions and improvements turned into ``not judged``, and why."""
    if not reasons:
        return row
    from perfconsole.verdicts.regression import IMPROVED, REGRESSION

    metrics = tuple(
        replace(m, verdict=NOT_JUDGED) if m.verdict in (REGRESSION, IMPROVED) else m for m in row.metrics
    )
    return replace(row, metrics=metrics, refused=reasons)
