"""The workers table's rows."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from perfconsole.model.run import WorkerInfo
from perfconsole.tui.formatting import fmt_bytes


@dataclass(frozen=True, slots=True)
class WorkerRow:
    id: str
    state: str
    users: str
    cpu: str
    memory: str
    health: str


def worker_rows(workers: Iterable[WorkerInfo]) -> list[WorkerRow]:
    rows = []
    for worker in sorted(workers, key=lambda w: w.id):
        missing = not worker.heartbeat_ok or worker.state == "missing"
        ident = worker.id if worker.pid is None else f"{worker.id} (pid {worker.pid})"
        rows.append(
            WorkerRow(
                ident,
                worker.state,
                str(worker.user_count),
                f"{worker.cpu_percent:.0f}%",
                fmt_bytes(worker.memory_bytes),
                "MISSING" if missing else "ok",
            )
        )
    return rows
