"""After a spike drill (run by ``perfconsole.engine.control.run_spike``), judge the recovery
(``perfconsole.verdicts.drills``) once enough of the run has been seen."""

from __future__ import annotations

from typing import TYPE_CHECKING

from perfconsole.verdicts.drills import assess_recovery

if TYPE_CHECKING:
    from perfconsole.engine.session_core import SessionCore

OBSERVE_AFTER_S = 60.0
"""How long after the drill its recovery is watched at most."""


def check_verdict(session: SessionCore) -> None:
    """After a drill, the recovery verdict once it can be given (annotated, kept as ``spike_verdict``)."""
    if session._spike is None or session.spike_verdict is not None:
        return
    start, end, observe_until = session._spike
    verdict = assess_recovery(session._history.points, start, end, session.elapsed_s, observe_until - end)
    if verdict is not None:
        session.spike_verdict = verdict
        session.annotate(f"drill verdict: {verdict.text}", kind="drill")
