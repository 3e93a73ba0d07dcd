"""How the console ends on SIGINT/SIGTERM/SIGHUP.

The first signal asks the app to exit; once the screen is restored, a run still going is annotated
"interrupted by SIG...", saved and stopped. A second signal during that shutdown saves what there is (unless
the save already happened), stops the child processes at once and exits 130. A second signal while the
app is still leaving waits for the screen to be restored first (the terminal is never left raw).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from perfconsole.application.interrupts import Interrupts, teardown_now
from perfconsole.errors import ExitCode


class ConsoleExit:
    """Runs the app under :class:`Interrupts`; ``run()`` returns the exit code."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.interrupts = Interrupts()
        self.interrupts.on_first = lambda: app.exit(int(ExitCode.INTERRUPTED))
        self.interrupts.on_second = self._on_second
        self._screen_gone = False
        self._saved: Path | None = None

    def run(self) -> int:
        app = self.app
        with self.interrupts:
            try:
                code = app.run()
            finally:
                self._screen_gone = True
                if self.interrupts.count >= 2:
                    self._hurry()
                if app.session is not None:
                    self._save()
                    app.session.close()
                if app.save_error:
                    print(f"perfconsole: error: {app.save_error}", file=sys.stderr)
        if self.interrupts.interrupted:
            return int(ExitCode.INTERRUPTED)
        return int(code or 0)

    def _save(self, warning: str | None = None) -> None:
        app, interrupts = self.app, self.interrupts
        session = app.session
        if session is None or not app.recorder.unsaved:
            return

        if interrupts.interrupted and session.snapshot().state.is_active:
            if not any(a.text == f"interrupted by {interrupts.name}" for a in session.annotations):
                session.annotate(f"interrupted by {interrupts.name}", kind="warning")
        if warning:
            session.annotate(warning, kind="warning")
        saved = app.save_on_exit(interrupted=True if interrupts.interrupted else None)
        if saved is not None:
            self._saved = saved
            print(f"perfconsole: run saved as {saved}", file=sys.stderr, flush=True)

    def _on_second(self) -> None:
        if self._screen_gone:  # else the main flow hurries once the app has restored the terminal
            self._hurry()

    def _hurry(self) -> None:
        """Save what there is (unless saved), stop the child processes at once, exit 130."""
        try:
            print("perfconsole: second interrupt: stopping now", file=sys.stderr, flush=True)
            self._save("second interrupt: stopped at once (workers' last reports may be missing)")
            from perfconsole.engine.session import LoadSession

            session = self.app.session
            teardown_now(session if isinstance(session, LoadSession) else None)
        finally:
            sys.stderr.flush()
            os._exit(int(ExitCode.INTERRUPTED))
