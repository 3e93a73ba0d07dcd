"""Verdicts the console announces while a run runs (pure, no Textual): the spike drill's recovery, once
per drill, and on a long run the soak verdict so far (every ``SOAK_EVERY_S`` once the run is
``[soak] min_duration`` long, announced when it changes: stable, or which trends are degrading)."""

from __future__ import annotations

from perfconsole.config import Soak
from perfconsole.tui.session_api import ConsoleSession
from perfconsole.verdicts.soak import soak_trends

SOAK_EVERY_S = 30.0
"""The trends of a long run move slowly; their fit costs a pass over the run's history."""


class VerdictLines:
    """The message lines of verdicts reached since the last poll."""

    def __init__(self, rules: Soak) -> None:
        self.rules = rules
        self._spike: object = None
        self._soak: tuple[str, ...] | None = None
        self._soak_at = -SOAK_EVERY_S

    def poll(self, session: ConsoleSession, elapsed_s: float, running: bool) -> list[str]:
        lines = []
        spike = session.spike_verdict
        if spike is not None and spike is not self._spike:
            self._spike = spike
            lines.append(f"spike verdict: {spike.text}")
        if elapsed_s < self._soak_at:  # a new run
            self._soak, self._soak_at = None, -SOAK_EVERY_S
        if running and elapsed_s >= self.rules.min_duration_s and elapsed_s - self._soak_at >= SOAK_EVERY_S:
            self._soak_at = elapsed_s
            monitor = session.monitor
            resources = monitor.history.to_dict() if monitor is not None else {}
            verdict = soak_trends(session.history, resources, elapsed_s, self.rules)
            worse = None if verdict is None else tuple(t.name for t in verdict.trends if t.degrading)
            if verdict is not None and worse != self._soak:
                self._soak = worse
                lines.append(f"soak so far: {verdict.text}")
        return lines
