"""The capacity search on the dashboard: ``C`` starts a search of the live run (``[search]`` in config.toml)
and, pressed again, stops it with its steps and a partial answer kept and the load put back as it was
before the search; ``k`` shows the capacity view. Each finished step is said on the message line
(``step 6: 240/s, p95 180 ms ✓ | step 7: ...``), the answer too."""

from __future__ import annotations

from collections.abc import Callable

from perfconsole.model.capacity import CapacityResult, SearchMode, SearchState
from perfconsole.tui.frame import Frame
from perfconsole.tui.screens.rate_keys import RateKeysScreen
from perfconsole.tui.views.capacity import answer_line, live_line, progress_text
from perfconsole.tui.widgets.capacity_panel import CapacityPanel

CAPACITY_VIEW = "capacity"
MESSAGE_MARGIN = 4
"""The message line's padding and its ``› `` prefix: a step line fits one line of the rest."""


class SearchKeysScreen(RateKeysScreen):
    """``C`` and ``k`` over the session's ``search`` (the dashboard provides ``_control`` and the views)."""

    _said_steps = 0
    _said_state: SearchState | None = None

    def _control(self, done: str, call: Callable[[], object]) -> bool:
        raise NotImplementedError

    def action_show(self, view: str) -> None:
        raise NotImplementedError

    def action_search(self, mode: str | None = None) -> None:
        session = self.live_session()
        if session is None:
            self.say("still starting: wait for the workers", "error")
            return
        search = session.search
        if search.running:
            self._control("capacity search stopped: partial answer kept, load as before it", search.stop)
            return
        chosen = SearchMode(mode) if mode else None
        self._said_steps, self._said_state = 0, None
        if self._control("capacity search started (C again stops it)", lambda: search.start(chosen)):
            self.action_show(CAPACITY_VIEW)

    def action_capacity(self) -> None:
        self.action_show(CAPACITY_VIEW)

    def show_search(self, frame: Frame, view: str | None) -> None:
        """Say each new step and the answer on the message line; feed the capacity view when shown."""
        result, step = frame.search, frame.search_step
        if result is not None:
            self._say_news(result)
        if view != CAPACITY_VIEW:
            return
        doing = None
        if step is not None and result is not None:
            doing = progress_text(step.index, str(step.phase), step.level, step.settling, result.mode)
        self.query_one(CapacityPanel).show(result, doing)

    def _say_news(self, result: CapacityResult) -> None:
        if len(result.steps) > self._said_steps:
            self._said_steps = len(result.steps)
            self.say(live_line(result.steps, result.mode, max(20, self.size.width - MESSAGE_MARGIN)))
        if result.state is not SearchState.RUNNING and result.state is not self._said_state:
            self._said_state = result.state
            self.say(answer_line(result), "verdict")
