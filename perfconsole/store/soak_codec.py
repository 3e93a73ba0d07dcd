"""The soak verdict in ``data.json`` and the JSON summary (``soak``). Reading is tolerant: anything that is
not what this module writes reads as no verdict."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from perfconsole.model.soak import SoakVerdict, Trend

_NUMBERS = ("slope", "r_squared", "limit", "min_r_squared")


def soak_to_dict(verdict: SoakVerdict | None) -> dict[str, Any] | None:
    """``{text, degrading, duration_s, trends: [{name, slope, unit, r_squared, limit, min_r_squared,
    degrading, text}]}``."""
    if verdict is None:
        return None
    return {
        "text": verdict.text,
        "degrading": verdict.degrading,
        "duration_s": verdict.duration_s,
        "trends": [
            {
                "name": t.name,
                "slope": t.slope,
                "unit": t.unit,
                "r_squared": t.r_squared,
                "limit": t.limit,
                "min_r_squared": t.min_r_squared,
                "degrading": t.degrading,
                "text": t.text,
            }
            for t in verdict.trends
            if all(math.isfinite(getattr(t, n)) for n in _NUMBERS)
        ],
    }


def _trend(data: object) -> Trend | None:
    if not isinstance(data, Mapping):
        return None
    name, unit = data.get("name"), data.get("unit")
    numbers = [data.get(n) for n in _NUMBERS]
    if not isinstance(name, str) or not isinstance(unit, str):
        return None
    if not all(isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in numbers):
        return None
    slope, r_squared, limit, min_r_squared = (float(v) for v in numbers)  # type: ignore[arg-type]
    return Trend(name, slope, unit, r_squared, limit, min_r_squared)


def soak_from_dict(data: object) -> SoakVerdict | None:
    if not isinstance(data, Mapping) or not isinstance(data.get("trends"), list):
        return None
    duration = data.get("duration_s")
    if not isinstance(duration, int | float) or isinstance(duration, bool):
        return None
    trends = [_trend(item) for item in data["trends"]]
    return SoakVerdict(tuple(t for t in trends if t is not None), float(duration))
