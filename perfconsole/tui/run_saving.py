"""The console's one place that makes a run's final save.

It listens for the engine's ``RunStopped`` (whatever stopped the run: its clock, its shape, the operator,
the locustfile) and for the way out (quit, SIGTERM, SIGHUP): one final save per run, never from drawing.
Snapshots (``S``) and promoting a baseline are the operator's own saves (``store_keys``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from perfconsole.errors import StoreError, UserError
from perfconsole.model.run import RunState
from perfconsole.tui.recorder import RunRecorder
from perfconsole.tui.session_api import ConsoleSession

Say = Callable[[str, str], None]
"""``(message, kind)`` on the dashboard's message line."""


class RunSaving:
    """Follows the run's lifecycle and saves each run once: at its stop, or on the way out."""

    def __init__(self, recorder: RunRecorder, say: Say) -> None:
        self.recorder = recorder
        self.say = say
        self.save_error: str | None = None
        """Why the save on the way out failed (the CLI prints it after the screen is gone)."""

    def started(self) -> None:
        """A run started: it needs a final save."""
        self.recorder.run_started()

    async def stopped(self, session: ConsoleSession) -> Path | None:
        """The run stopped: wait (in a greenlet) for its users to stop and the workers' last figures,
        then save it (once per run; nothing when the way out saved it meanwhile)."""
        from perfconsole.tui.greenlets import run_blocking

        if not self.recorder.observe(RunState.STOPPED):
            return None
        self.say("run stopped: collecting the last figures before saving ...", "info")
        try:
            await run_blocking(session.settle)
        except UserError:
            pass  # the session is closing: save what there is
        if self.recorder.exiting:
            return None  # the save on the way out took over
        try:
            path = self.recorder.save(session)
        except UserError as exc:
            self.say(f"save failed: {exc}", "error")
            return None
        session.annotate(f"saved as run {path.name}", kind="snapshot")
        self.say(f"run saved: {path.name} (B: baseline)", "info")
        soak = saved_soak(path)
        if soak:  # a long run's verdict, as the spike drill's is shown
            self.say(f"soak verdict: {soak}", "verdict")
        return path

    def on_exit(self, session: ConsoleSession | None, interrupted: bool | None = None) -> Path | None:
        """Save a run that has no final save yet (quit, SIGTERM, SIGHUP); ``interrupted`` defaults to
        whether users are still running. Never raises: a failed save is kept in ``save_error``."""
        self.recorder.exiting = True  # the users still stopping after this must not cause a second save
        if session is None or not self.recorder.unsaved:
            return None
        if interrupted is None:
            interrupted = session.snapshot().state.is_active
        try:
            return self.recorder.save_on_exit(session, interrupted)
        except UserError as exc:
            self.save_error = str(exc)
            return None


def saved_soak(path: Path) -> str:
    """The soak verdict a saved run's run.toml carries (empty for a short run or an unreadable file)."""
    from perfconsole.store.runs import read_run_metadata

    try:
        return read_run_metadata(path).soak
    except StoreError:
        return ""
