"""Verdicts the console announces while a run runs (pure, no Textual): the spike drill's recovery, once
per drill, and on a long run the soak verdict so far (every ``SOAK_EVERY_S`` once the run is
``[soak] min_duration`` long, announced when it changes: stable, or which trends are degrading)."""

from __future__ import annotations

from perfconsole.config import Soak
from perfconsole.tui.frame import Frame
from perfconsole.verdicts.soak import soak_trends

SOAK_EVERY_S = 30.0
"""The trends of a long run move slowly; their fit costs a pass over the run's history."""


class VerdictLines:
    """The message lines of verdicts reached since the last poll, from the tick's frame."""

    def __init__(self, rules: Soak) -> None:
        self.rules = rules
        self._spike: object = None
        self._soak: tuple[str, ...] | None = None
        self._soak_at = -SOAK_EVERY_S

    def poll(self, frame: Frame) -> list[str]:
        lines = []
        spike = frame.verdict
        if spike is not None and spike is not self._spike:
            self._spike = spike
            lines.append(f"spike verdict: {spike.text}")
        elapsed_s, running = frame.snapshot.elapsed_s, frame.snapshot.state.is_active
        if elapsed_s < self._soak_at:  # a new run
            self._soak, self._soak_at = None, -SOAK_EVERY_S
        if running and elapsed_s >= self.rules.min_duration_s and elapsed_s - self._soak_at >= SOAK_EVERY_S:
            self._soak_at = elapsed_s
            verdict = soak_trends(frame.history, {"series": frame.resource_series}, elapsed_s, self.rules)
            worse = None if verdict is None else tuple(t.name for t in verdict.trends if t.degrading)
            if verdict is not None and worse != self._soak:
                self._soak = worse
                lines.append(f"soak so far: {verdict.text}")
        return lines
