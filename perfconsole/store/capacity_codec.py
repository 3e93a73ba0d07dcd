"""A capacity search in ``capacity.json`` (in the run directory), ``data.json`` and the JSON summary
(``capacity``): every step with its figures and verdict, the SLO capacity, the knee, the binding limit.
Reading is tolerant: anything that is not what this module writes reads as no search."""

from __future__ import annotations

import json
import math
from typing import Any

import msgspec

from perfconsole.model.capacity import CapacityResult

CAPACITY_FILE = "capacity.json"
CAPACITY_FORMAT = "perfconsole-capacity/1"


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def capacity_to_dict(result: CapacityResult | None) -> dict[str, Any] | None:
    """The search's fields, plus what is derived for readers: each step's ``passed``, ``verdict``, ``rps``,
    ``p95_ms`` and ``line``; the search's ``answer``, ``partial`` and the binding limit's ``text``."""
    if result is None:
        return None
    data: dict[str, Any] = _finite(msgspec.to_builtins(result))
    for step, model in zip(data["steps"], result.steps, strict=True):
        step |= {
            "passed": model.passed,
            "verdict": model.verdict,
            "rps": round(model.rps, 3),
            "p95_ms": model.p95_ms,
            "line": model.line(result.mode.unit),
        }
    data["answer"] = result.answer
    data["partial"] = result.partial
    data["duration_s"] = round(result.duration_s, 3)
    if result.binding is not None:
        data["binding"]["text"] = result.binding.text
    return data


_DERIVED_STEP = ("passed", "verdict", "rps", "p95_ms", "line")


def capacity_from_dict(data: object) -> CapacityResult | None:
    if not isinstance(data, dict) or not isinstance(data.get("steps"), list):
        return None
    plain = {k: v for k, v in data.items() if k not in ("answer", "partial", "duration_s", "format")}
    plain["steps"] = [
        {k: v for k, v in step.items() if k not in _DERIVED_STEP} if isinstance(step, dict) else step
        for step in data["steps"]
    ]
    if isinstance(plain.get("binding"), dict):
        plain["binding"] = {k: v for k, v in plain["binding"].items() if k != "text"}
    try:
        return msgspec.convert(plain, CapacityResult)
    except (msgspec.ValidationError, TypeError):
        return None


def capacity_json(result: CapacityResult) -> str:
    """``capacity.json``'s text."""
    return json.dumps({"format": CAPACITY_FORMAT, **(capacity_to_dict(result) or {})}, indent=2) + "\n"
