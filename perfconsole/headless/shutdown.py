"""How a headless run ends on signals: who saves the run, and what a second signal does.

The first SIGINT/SIGTERM/SIGHUP stops the run gracefully (workers' final reports, then the save). A
signal while preparing, or a second one during the shutdown, runs :func:`hurry` in a greenlet of its own:
it saves what there is unless a save already began (then that save completes first), stops the child
processes at once, and exits 130 within about a second. A run that never started is never saved.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from perfconsole.application.interrupts import Interrupts, teardown_now
from perfconsole.errors import ExitCode, StoreError

if TYPE_CHECKING:
    import gevent.event

    from perfconsole.engine.session import LoadSession
    from perfconsole.headless.output import HeadlessOutput
    from perfconsole.model.run import RunResult

SAVE_WAIT_S = 30.0
"""How long a second signal waits for a save that already began (a save is never cut in half)."""


class SaveGuard:
    """The run is saved once: by the main flow or by :func:`hurry`, whichever claims it first."""

    def __init__(self) -> None:
        self.owner = ""
        self.run_dir: Path | None = None
        self._done: gevent.event.Event | None = None

    def claim(self, owner: str) -> bool:
        """True if ``owner`` now saves the run (greenlets switch only at blocking calls: no race)."""
        if self.owner:
            return False
        self.owner = owner
        import gevent.event

        self._done = gevent.event.Event()
        return True

    def finished(self, run_dir: Path | None) -> None:
        self.run_dir = run_dir
        done = self._done
        if done is not None:
            done.set()

    def wait(self, timeout_s: float) -> None:
        done = self._done
        if done is not None:
            done.wait(timeout_s)


def started(session: LoadSession | None) -> bool:
    """True once users were asked to start (a run exists worth saving)."""
    return session is not None and session.started_at > 0


def hurry(
    session: LoadSession | None,
    interrupts: Interrupts,
    guard: SaveGuard,
    save: Callable[[str], tuple[RunResult, Path | None]],
    out: HeadlessOutput,
) -> None:
    """A signal while preparing or a second one while stopping: save (or let the save finish), exit 130.

    ``save(warning)`` evaluates and saves the run with ``warning`` annotated, prints the results and
    returns them. Runs in its own greenlet; ends the process.
    """
    code = int(ExitCode.INTERRUPTED)
    try:
        if not started(session):
            out.status(f"{interrupts.name} while preparing: nothing ran, no run saved")
        else:
            out.status("second interrupt: stopping now")
            if guard.claim("hurry"):
                save("second interrupt: stopped at once (workers' last reports may be missing)")
            else:
                guard.wait(SAVE_WAIT_S)
        teardown_now(session)
    finally:
        out.flush()
        os._exit(code)


def save_or_report(save: Callable[[], Path | None], out: HeadlessOutput) -> Path | None:
    """Run ``save``; a StoreError (disk full ...) becomes one line and ``None``."""
    try:
        return save()
    except StoreError as exc:
        out.status(f"error: results not saved: {exc}")
        return None
