"""The arrival-rate dial's keys on the dashboard: ``]`` / ``[`` raise and lower the rate by 10 %, ``R`` sets
an exact rate (switching a closed-model run to the open model, or back with 0)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from perfconsole.model.run import HistoryPoint, RunSnapshot
from perfconsole.tui.controls import step_rate
from perfconsole.tui.screens.rate_dialog import RateModal
from perfconsole.tui.screens.store_keys import RunStoreScreen
from perfconsole.tui.views.rate import rate_panel_lines, rate_status_fields
from perfconsole.tui.views.rate import verdict as rate_verdict
from perfconsole.tui.widgets.rate_panel import RatePanel


class RateKeysScreen(RunStoreScreen):
    """``[``, ``]`` and ``R`` over the session's ``arrival`` dial (the dashboard provides ``_control``)."""

    def _control(self, done: str, call: Callable[[], object]) -> bool:
        raise NotImplementedError

    def show_rate(self, snapshot: RunSnapshot, history: Sequence[HistoryPoint]) -> tuple[str, ...]:
        """Hand the rate panel its lines (hidden without a rate); return the status bar's rate fields."""
        reading = rate_verdict(snapshot, history) if snapshot.arrival is not None else None
        self.query_one(RatePanel).lines = tuple(rate_panel_lines(snapshot, reading, self.size.width - 2))
        return tuple(rate_status_fields(snapshot, reading))

    def _rate_now(self) -> float | None:
        snapshot = self.live_snapshot()
        status = snapshot.arrival if snapshot is not None else None
        return status.target_rate if status is not None else None

    def _set_rate(self, rate: float) -> None:
        session = self.live_session()
        if session is None:
            self.say("still starting: wait for the workers", "error")
            return
        before = self._rate_now()
        if rate == 0:
            if before is None:
                self.say("no arrival rate is on")
                return
            self._control("arrival rate off: users back on their own wait_time", session.arrival.leave)
            return
        text = f"arrival rate {before:g} -> {rate:g}/s" if before is not None else f"arrival rate {rate:g}/s"
        self._control(text, lambda: session.arrival.set_rate(rate))

    def _step(self, direction: int) -> None:
        rate = self._rate_now()
        if rate is None:
            self.say("refused: no arrival rate is on (R sets one)", "error")
            return
        self._set_rate(step_rate(rate, direction))

    def action_rate_up(self) -> None:
        self._step(1)

    def action_rate_down(self) -> None:
        self._step(-1)

    def action_set_rate(self) -> None:
        rate = self._rate_now()
        hint = "" if rate is not None else "the run's users become the pool; the rate paces them from now"

        def applied(answer: tuple[int, float | None] | None) -> None:
            if answer is not None and answer[1] is not None:
                self._set_rate(answer[1])

        self.app.push_screen(RateModal(rate, hint), applied)
