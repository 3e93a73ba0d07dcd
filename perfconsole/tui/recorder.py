"""The console's side of the run store: saving runs, promoting baselines, listing and loading runs.

One :class:`RunRecorder` per console, owned by the app and handed to the screens. Saving goes through
perfconsole.application.recording.save_session (the one save path); it is plain, fast file I/O, called
directly from the UI, never session.finish()/close().
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from perfconsole.config import Regression, Settings
from perfconsole.errors import StoreError
from perfconsole.model.run import RunState
from perfconsole.store.baselines import (
    BaselineInfo,
    baseline_path,
    list_baselines,
    load_baseline,
    resolve,
    save_baseline,
)
from perfconsole.store.loaded_run import LoadedRun
from perfconsole.store.names import validate_name
from perfconsole.store.run_info import RunInfo
from perfconsole.store.runs import list_runs, load_run_dir, read_run_metadata
from perfconsole.tui.session_api import ConsoleSession
from perfconsole.tui.shown import shown_run, shown_strings
from perfconsole.tui.store_view import BrowserEntry, scenario_name, summary_float

Saver = Callable[[ConsoleSession, bool, str | None, str, str | None], Path]
"""``(session, interrupted, note, kind, name) -> run directory``."""


def engine_saver(settings: Settings) -> Saver:
    """Save an engine LoadSession with save_session (thresholds evaluated, Locust CSV/HTML included)."""

    def save(
        session: ConsoleSession, interrupted: bool, note: str | None, kind: str, name: str | None
    ) -> Path:
        from perfconsole.application.recording import save_session
        from perfconsole.engine.session import LoadSession

        if not isinstance(session, LoadSession):
            raise StoreError("this session cannot be saved (not an engine session)")
        return save_session(session, settings, interrupted=interrupted, note=note, kind=kind, name=name)

    return save


class RunRecorder:
    """Saves runs (at the end, on demand, on the way out), promotes baselines, holds the chosen one."""

    def __init__(self, settings: Settings, saver: Saver | None = None) -> None:
        self.settings = settings
        self.runs_dir = settings.runs_dir.resolve()
        self.rules: Regression = settings.regression
        self._saver = saver or engine_saver(settings)
        self.run_name: str | None = None
        """The name runs of this session are saved with (the start screen's ``run name``)."""
        self.last_saved: Path | None = None
        """The run directory saved last (final or manual): what the baseline key promotes."""
        self.unsaved = False
        """A run started and has no final save yet."""
        self.saving = False
        """A final save is under way (waiting for the last figures): do not start another."""
        self.exiting = False
        """The console is on its way out and has made its last save: no run is followed any more."""
        self.baseline: LoadedRun | None = None
        """The baseline the dashboard compares with live (None: no comparison)."""

    # ------------------------------------------------------------------ saving
    def run_started(self) -> None:
        self.unsaved = True

    def observe(self, state: RunState) -> bool:
        """Follow the session's state; True once when a run that was going has stopped unsaved (the
        caller then makes the final save)."""
        if self.exiting:
            return False
        if state.is_active:
            self.unsaved = True
            return False
        if self.unsaved and not self.saving and state == RunState.STOPPED:
            self.saving = True
            return True
        return False

    def save(
        self,
        session: ConsoleSession,
        *,
        interrupted: bool = False,
        note: str | None = None,
        kind: str = "final",
    ) -> Path:
        """Save the session's run now; a final save (even a failed one) ends the run's pending save."""
        if kind == "final":
            self.unsaved = self.saving = False
        path = self._saver(session, interrupted, note, kind, self.run_name)
        self.last_saved = path
        return path

    def save_on_exit(self, session: ConsoleSession | None, interrupted: bool) -> Path | None:
        """Save a run that has not been saved yet (quit, SIGTERM, SIGHUP); None if there is none. From
        then on the recorder follows no run: the users still stopping must not make a second save."""
        if session is None or not self.unsaved:
            return None
        self.exiting = True
        return self.save(session, interrupted=interrupted)

    # ------------------------------------------------------------------ baselines
    def existing_baseline(self, name: str) -> str | None:
        """Why ``name`` would replace something (``from run X``), or None if no such baseline exists.
        Raises StoreError for an invalid name."""
        path = baseline_path(self.runs_dir, name)
        if not path.exists():
            return None
        try:
            return f"from run {load_baseline(self.runs_dir, name).run_id}"
        except StoreError:
            return "unreadable"

    def promote(
        self, session: ConsoleSession | None, name: str, note: str | None, *, force: bool = False
    ) -> BaselineInfo:
        """Promote the last saved run to baseline ``name`` (saving the session now if nothing was saved)."""
        validate_name(name, "baseline name")
        if self.last_saved is None:
            if session is None:
                raise StoreError("no run to promote yet: run and stop, or take a snapshot first")
            self.save(session, note=note, kind="manual")
        assert self.last_saved is not None
        return save_baseline(self.runs_dir, self.last_saved, name, note=note, force=force)

    def baselines(self, broken: list[str] | None = None) -> list[BaselineInfo]:
        return list_baselines(self.runs_dir, broken=broken)

    def choose_baseline(self, name: str | None) -> LoadedRun | None:
        """Load baseline ``name`` for live comparison (None: compare with nothing)."""
        self.baseline = None if name is None else shown_run(load_baseline(self.runs_dir, name))
        return self.baseline

    def preselect_baseline(self, ref: str) -> LoadedRun:
        """``--baseline``: load what ``ref`` names (a baseline name, ``baseline:NAME``, a run id or
        ``latest``, as headless runs take it) for live comparison; StoreError if missing or broken."""
        self.baseline = shown_run(resolve(self.runs_dir, ref))
        return self.baseline

    @property
    def baseline_label(self) -> str | None:
        """How messages name the chosen baseline: its name, or the run id of a run chosen as one."""
        baseline = self.baseline
        return None if baseline is None else baseline.baseline_name or baseline.run_id

    # ------------------------------------------------------------------ browsing
    def catalog(self) -> list[BrowserEntry]:
        """Baselines, then runs, each newest first, then the directories that cannot be read; texts as
        shown (cleaned), keys as on disk."""
        broken: list[str] = []
        entries = [baseline_entry(b) for b in self.baselines(broken)]
        entries += [run_entry(r) for r in list_runs(self.runs_dir, broken=broken)]
        prefix = f"{self.runs_dir}/"
        entries += [
            BrowserEntry(f"broken:{i}", "broken", error.replace(prefix, "")) for i, error in enumerate(broken)
        ]
        return [shown_strings(entry, keep=("key",)) for entry in entries]

    def load(self, entry: BrowserEntry) -> LoadedRun:
        """The run or baseline behind a browser entry, as shown (StoreError if it cannot be read)."""
        if entry.broken:
            raise StoreError(entry.label)
        kind, _, ref = entry.key.partition(":")
        if kind == "baseline":
            return shown_run(load_baseline(self.runs_dir, ref))
        return shown_run(load_run_dir(self.runs_dir / ref))


def _scenario(path: Path) -> str:
    try:
        return scenario_name(read_run_metadata(path).scenario_path)
    except StoreError:
        return ""


def run_entry(info: RunInfo) -> BrowserEntry:
    return BrowserEntry(
        key=f"run:{info.run_id}",
        kind=info.kind,
        label=info.run_id,
        name=info.name,
        started_at=info.started_at.timestamp() if info.started_at else None,
        scenario=_scenario(info.path),
        profile=info.profile,
        requests=int(summary_float(info.summary, "requests") or 0),
        p95_ms=summary_float(info.summary, "p95_ms"),
        error_pct=summary_float(info.summary, "error_rate_pct"),
        note=info.note,
        interrupted=info.interrupted,
        thresholds_passed=info.thresholds_passed,
        validity=info.validity,
    )


def baseline_entry(info: BaselineInfo) -> BrowserEntry:
    run = run_entry(info.run)
    return BrowserEntry(
        key=f"baseline:{info.name}",
        kind="baseline",
        label=info.name,
        started_at=run.started_at,
        scenario=run.scenario,
        profile=run.profile,
        requests=run.requests,
        p95_ms=run.p95_ms,
        error_pct=run.error_pct,
        note=info.note or run.note,
        interrupted=run.interrupted,
        thresholds_passed=run.thresholds_passed,
        validity=run.validity,
        source_run=info.source_run,
    )
