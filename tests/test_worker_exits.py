"""WorkerLossWatch's end-of-run check alone: a local worker a signal ended as the run stopped is lost (its
last report is missing), once; one that died long before (the heartbeat check's job) or was never seen in a
live run is not."""

from __future__ import annotations

from perfconsole.engine.workers.loss import EXIT_GRACE_S, WorkerLossWatch
from perfconsole.model.run_warnings import RunWarning, WarningKind


def watch() -> tuple[WorkerLossWatch, list[str], list[RunWarning]]:
    lines: list[str] = []
    warnings: list[RunWarning] = []
    return (
        WorkerLossWatch(lambda line, kind: lines.append(line), warnings.append, lambda: None),
        lines,
        warnings,
    )


def test_a_worker_killed_as_the_run_stopped_is_lost_once() -> None:
    loss, lines, warnings = watch()
    loss.track([11, 12, 13], now=100.0)
    loss.track([11, 12], now=101.0)  # 13 died just before the run's last live check (SIGINT, then SIGKILL)
    loss.check_exits({12: 9, 13: 9})
    assert [w.text for w in warnings] == [
        "worker process 12 lost at the end (SIGKILL)",
        "worker process 13 lost at the end (SIGKILL)",
    ]
    assert all(w.kind is WarningKind.WORKER_LOST for w in warnings) and loss.lost_total == 2
    assert lines[0].startswith("worker lost: process 12 ended by SIGKILL")
    loss.check_exits({12: 9, 13: 9})
    assert len(warnings) == 2  # once


def test_an_old_death_or_a_clean_exit_is_not_an_end_loss() -> None:
    loss, _lines, warnings = watch()
    loss.track([21, 22], now=50.0)
    loss.track([22], now=50.0 + EXIT_GRACE_S + 1)  # 21 died mid-run: the heartbeat check flags it
    loss.check_exits({21: 9})
    never, _l, none_tracked = watch()
    never.check_exits({31: 9})  # never seen alive in a live run
    assert warnings == [] and none_tracked == []
