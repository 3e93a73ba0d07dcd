"""Arrival-rate figures in saved runs (``data.json``, the JSON summary, ``stages.csv``). Reading is tolerant:
an entry that is not what this module writes is left out (None), never fatal."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from perfconsole.model.arrival import ArrivalFigures, ArrivalRun


def _finite(value: float | None) -> float | None:
    return value if value is None or math.isfinite(value) else None


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def figures_to_dict(f: ArrivalFigures) -> dict[str, Any]:
    """Stored values and the rates derived from them (what the summary shows)."""
    return {
        "duration_s": round(f.duration_s, 3),
        "target": round(f.target, 3),
        "started": f.started,
        "dropped": f.dropped,
        "start_lag_p95_ms": _finite(f.start_lag_p95_ms),
        "target_rate": round(f.target_rate, 3),
        "achieved_rate": round(f.achieved_rate, 3),
        "dropped_rate": round(f.dropped_rate, 3),
        "dropped_pct": round(f.dropped_pct, 3),
    }


def figures_from_dict(data: object) -> ArrivalFigures | None:
    if not isinstance(data, Mapping):
        return None
    duration, target = _number(data.get("duration_s")), _number(data.get("target"))
    started, dropped = _number(data.get("started")), _number(data.get("dropped"))
    if None in (duration, target, started, dropped):
        return None
    return ArrivalFigures(
        duration_s=float(duration or 0.0),
        target=float(target or 0.0),
        started=int(started or 0),
        dropped=int(dropped or 0),
        start_lag_p95_ms=_number(data.get("start_lag_p95_ms")),
    )


def run_to_dict(run: ArrivalRun) -> dict[str, Any]:
    return {
        **figures_to_dict(run.figures),
        "max_users": run.max_users,
        "peak_pool": run.peak_pool,
        "arrivals": "poisson" if run.poisson else "constant",
        "seconds": [list(row) for row in run.seconds],
    }


def run_from_dict(data: object) -> ArrivalRun | None:
    figures = figures_from_dict(data)
    if figures is None or not isinstance(data, Mapping):
        return None
    seconds = []
    for row in data.get("seconds") or ():
        if isinstance(row, list) and len(row) == 4 and all(_number(v) is not None for v in row):
            seconds.append((float(row[0]), float(row[1]), int(row[2]), int(row[3])))
    return ArrivalRun(
        figures=figures,
        max_users=int(_number(data.get("max_users")) or 0),
        peak_pool=int(_number(data.get("peak_pool")) or 0),
        poisson=data.get("arrivals") == "poisson",
        seconds=tuple(seconds),
    )
