"""The run's time blocks in ``data.json`` (``blocks``). Reading is tolerant: an entry that is not what
this module writes is left out (runs saved before blocks existed have none, and are compared without
their own noise)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from perfconsole.model.blocks import TimeBlock

_FIGURES = ("mean_ms", "p50_ms", "p95_ms", "p99_ms")


def block_to_dict(block: TimeBlock) -> dict[str, Any]:
    return {
        "start": block.start,
        "seconds": block.seconds,
        "requests": block.requests,
        "failures": block.failures,
        **{name: getattr(block, name) for name in _FIGURES},
    }


def _count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _figure(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value) if value > 0 else None


def block_from_dict(data: object) -> TimeBlock | None:
    if not isinstance(data, Mapping):
        return None
    start, seconds = _count(data.get("start")), _count(data.get("seconds"))
    requests, failures = _count(data.get("requests")), _count(data.get("failures"))
    if start is None or not seconds or requests is None or failures is None:
        return None
    mean, p50, p95, p99 = (_figure(data.get(name)) for name in _FIGURES)
    return TimeBlock(start, seconds, requests, failures, mean, p50, p95, p99)


def blocks_from_list(data: object) -> tuple[TimeBlock, ...]:
    if not isinstance(data, list):
        return ()
    found = (block_from_dict(item) for item in data)
    return tuple(block for block in found if block is not None)


def blocks_to_list(blocks: Iterable[TimeBlock]) -> list[dict[str, Any]]:
    return [block_to_dict(block) for block in blocks]
