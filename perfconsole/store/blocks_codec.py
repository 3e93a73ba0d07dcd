"""The run's time blocks in ``data.json`` (``blocks``), declared as a record. Reading is tolerant: an entry
that is not one is left out (runs saved before blocks existed have none, and are compared without their own
noise)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any

from msgspec import Meta

from perfconsole.model.blocks import TimeBlock
from perfconsole.store.records import Count, Opt, Record, decode_each, encode


class BlockRecord(Record, kw_only=True):
    """A block of whole seconds; a latency that is not above 0 reads as none."""

    start: Count
    seconds: Annotated[int, Meta(ge=1)]
    requests: Count
    failures: Count
    mean_ms: Opt = None
    p50_ms: Opt = None
    p95_ms: Opt = None
    p99_ms: Opt = None

    def model(self) -> TimeBlock:
        mean, p50, p95, p99 = (v if v is not None and v > 0 else None for v in self._figures())
        return TimeBlock(self.start, self.seconds, self.requests, self.failures, mean, p50, p95, p99)

    def _figures(self) -> tuple[float | None, ...]:
        return (self.mean_ms, self.p50_ms, self.p95_ms, self.p99_ms)


def blocks_from_list(data: object) -> tuple[TimeBlock, ...]:
    return tuple(record.model() for record in decode_each(data, BlockRecord))


def blocks_to_list(blocks: Iterable[TimeBlock]) -> list[dict[str, Any]]:
    return [encode(block, BlockRecord) for block in blocks]
