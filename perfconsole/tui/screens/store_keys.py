"""Run-store keys shared by the start screen and the dashboard: browse runs, pick a baseline, and (on the
dashboard) save snapshots and promote baselines (a run's final save is ``run_saving``'s)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from perfconsole.errors import UserError
from perfconsole.model.run import AGGREGATED, RunSnapshot
from perfconsole.tui.recorder import RunRecorder
from perfconsole.tui.screens.keyed import KeyedScreen
from perfconsole.tui.screens.run_browser import RunBrowserScreen
from perfconsole.tui.screens.store_modals import (
    NO_BASELINE,
    BaselineModal,
    BaselinePickModal,
    BaselineRequest,
    SnapshotModal,
)
from perfconsole.tui.session_api import ConsoleSession
from perfconsole.tui.store_view import RowMark, comparison_marks, live_comparison, regressed_endpoints
from perfconsole.verdicts.run_noise import RunNoise


class StoreKeysScreen(KeyedScreen):
    """A screen with the run browser (``r``) and the baseline choice (``b``)."""

    recorder: RunRecorder | None = None

    def action_browse_runs(self) -> None:
        if self.recorder is not None:
            self.app.push_screen(RunBrowserScreen(self.recorder))

    def action_choose_baseline(self) -> None:
        recorder = self.recorder
        if recorder is None:
            return
        broken: list[str] = []
        try:
            baselines = recorder.baselines(broken)
        except UserError as exc:
            self.say(str(exc), "error")
            return
        current = recorder.baseline.baseline_name if recorder.baseline else None

        def chosen(name: str | None) -> None:
            if name is None:
                return
            try:
                recorder.choose_baseline(name if name != NO_BASELINE else None)
            except UserError as exc:
                self.say(f"refused: {exc}", "error")
                return
            self.baseline_changed()

        self.app.push_screen(BaselinePickModal(baselines, current, broken), chosen)

    def baseline_changed(self) -> None:
        """Tell the operator what the run will be compared with."""
        baseline = self.recorder.baseline if self.recorder else None
        if baseline is None or self.recorder is None:
            self.say("no baseline: no comparison")
        elif baseline.baseline_name is None:
            self.say(f"comparing with run {baseline.run_id}")
        else:
            self.say(f"comparing with baseline {baseline.baseline_name} (run {baseline.run_id})")


class RunStoreScreen(StoreKeysScreen):
    """The dashboard's store keys: snapshot with a note, promote to baseline."""

    _regressed_shown: tuple[str, ...] = ()

    def live_session(self) -> ConsoleSession | None:
        """The running session, once it is prepared (None before)."""
        return None

    def live_snapshot(self) -> RunSnapshot | None:
        return None

    def _save_snapshot(self, session: ConsoleSession, note: str) -> Path | None:
        assert self.recorder is not None
        try:
            return self.recorder.save(session, note=note, kind="manual")
        except UserError as exc:
            self.say(f"save failed: {exc}", "error")
            return None

    def baseline_marks(
        self, snapshot: RunSnapshot, use_current: bool, noise: RunNoise | None
    ) -> Mapping[str, RowMark] | None:
        """Live comparison marks for the percentile table (None without a baseline), judged against the
        run's own ``noise``; a change in the set of regressed endpoints is announced on the message line."""
        baseline = self.recorder.baseline if self.recorder else None
        if baseline is None or self.recorder is None:
            self._regressed_shown = ()
            return None
        label = self.recorder.baseline_label
        marks = comparison_marks(live_comparison(baseline, snapshot, use_current, self.recorder.rules, noise))
        regressed = tuple(regressed_endpoints(marks))
        if regressed != self._regressed_shown:
            self._regressed_shown = regressed
            if regressed:
                listed = ", ".join("Total" if k == AGGREGATED else k for k in regressed)
                self.say(f"regressed vs {label}: {listed}", "error")
            else:
                self.say(f"no regression vs {label}")
        return marks

    def action_snapshot(self) -> None:
        session, snapshot = self.live_session(), self.live_snapshot()
        if self.recorder is None or session is None:
            self.say("still starting: nothing to save yet", "error")
            return

        def noted(note: str | None) -> None:
            if note is None:
                return
            session.annotate(f"snapshot: {note}", kind="snapshot")
            path = self._save_snapshot(session, note)
            if path is not None:
                self.say(f"snapshot saved: {path.name}")

        self.app.push_screen(SnapshotModal(snapshot.elapsed_s if snapshot else 0.0), noted)

    def action_promote_baseline(self) -> None:
        recorder, session = self.recorder, self.live_session()
        if recorder is None:
            return
        if recorder.last_saved is None and session is None:
            self.say("nothing to promote yet: wait for the run to start", "error")
            return
        source = f"run {recorder.last_saved.name}" if recorder.last_saved else "the run as it is now"

        def answered(request: BaselineRequest | None) -> None:
            if request is None:
                return
            try:
                info = recorder.promote(session, request.name, request.note, force=request.replace)
            except UserError as exc:
                self.say(f"refused: {exc}", "error")
                return
            verb = "replaced" if request.replace else "saved"
            self.say(f"baseline {info.name} {verb} from {info.source_run} (b compares)")

        self.app.push_screen(BaselineModal(source, recorder.existing_baseline), answered)
