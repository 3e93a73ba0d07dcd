"""The start-up sweep of a runs directory: leftovers of saves cut short by a crash (SIGKILL, power loss).

Hidden entries are named by perfconsole.store.atomic: ``.tmp-NAME-PID-XXXXXXXX`` is a directory or file
being built (new content), ``.old-NAME-PID-XXXXXXXX`` old content on its way out (a replaced or deleted
baseline). An entry whose process is gone is stale (one without a pid only after a day). A stale ``.tmp-``
run or baseline directory that is complete (perfconsole.store.runs.read_run_metadata: every file its
run.toml lists, the same check listings and loads make) while NAME does not exist is put in place with
owner-only modes (recovered: the crash came after its last file was written). A stale, incomplete run
directory is never promoted: it is kept aside as ``.incomplete-NAME-...`` (its data exists nowhere else; a
listing ignores it), reported in one line. Every other stale entry is removed (an incomplete baseline's
source run is still there). Every command that writes the store sweeps first (perfconsole.application.sweep).
"""

from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from perfconsole.errors import StoreError
from perfconsole.store.atomic import promote, restrict_tree

ENTRY = re.compile(r"^\.(?P<kind>tmp|old)-(?P<name>.+?)(?:-(?P<pid>\d+))?(?:-(?P<token>[0-9a-f]{8}))?$")
INCOMPLETE_PREFIX = ".incomplete-"
"""Name prefix of an incomplete run directory kept aside by the sweep (hidden: never listed, never swept)."""
NO_PID_STALE_S = 24 * 3600.0
"""Entries without an owner pid (older versions) are stale after a day: longer than any save takes."""


@dataclass
class SweepReport:
    recovered: list[str] = field(default_factory=list)
    """Names put back in place (complete runs or baselines whose rename a crash prevented)."""
    removed: list[Path] = field(default_factory=list)
    removed_bytes: int = 0
    set_aside: list[tuple[Path, str]] = field(default_factory=list)
    """Incomplete run directories kept aside, with why each is incomplete."""


def pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _stale(entry: Path, pid: str | None, now: float) -> bool:
    if pid is not None:
        return not pid_alive(int(pid))
    try:
        return now - entry.lstat().st_mtime > NO_PID_STALE_S
    except OSError:
        return False


def _size(path: Path) -> int:
    if path.is_symlink() or not path.is_dir():
        try:
            return path.lstat().st_size
        except OSError:
            return 0
    total = 0
    for dirpath, _dirs, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(dirpath, name)).st_size
            except OSError:
                pass
    return total


def _remove(entry: Path, report: SweepReport) -> None:
    size = _size(entry)
    if entry.is_dir() and not entry.is_symlink():
        shutil.rmtree(entry, ignore_errors=True)
    else:
        entry.unlink(missing_ok=True)
    if not entry.exists():
        report.removed.append(entry)
        report.removed_bytes += size


def _set_aside(entry: Path, why: str, report: SweepReport) -> None:
    aside = entry.with_name(INCOMPLETE_PREFIX + entry.name.removeprefix(".tmp-"))
    try:
        os.rename(entry, aside)
        restrict_tree(aside)
    except OSError:
        return
    report.set_aside.append((aside, why))


def _has_files(path: Path) -> bool:
    return any(files for _dirpath, _dirs, files in os.walk(path))


def sweep_directory(
    directory: Path, check_complete: Callable[[Path], None], report: SweepReport, *, keep_incomplete: bool
) -> None:
    """Sweep one directory (the runs directory or its baselines directory); ``check_complete`` raises
    StoreError (why) for an incomplete one, kept aside if ``keep_incomplete`` and it holds any file."""
    if not directory.is_dir():
        return
    now = time.time()
    candidates: dict[str, list[Path]] = {}
    for entry in sorted(directory.iterdir()):
        match = ENTRY.match(entry.name)
        if match is None or not _stale(entry, match["pid"], now):
            continue
        name = match["name"]
        if match["kind"] == "tmp" and entry.is_dir() and not entry.is_symlink():
            try:
                check_complete(entry)
            except StoreError as exc:
                if keep_incomplete and _has_files(entry):
                    _set_aside(entry, str(exc).replace(f"{entry}/", ""), report)
                    continue
            else:
                if not (directory / name).exists():
                    candidates.setdefault(name, []).append(entry)
                    continue
        _remove(entry, report)
    for name, entries in candidates.items():
        newest = max(entries, key=lambda p: p.stat().st_mtime)
        try:
            promote(newest, directory / name)
            report.recovered.append(name)
        except OSError:
            _remove(newest, report)
        for other in entries:
            if other != newest:
                _remove(other, report)


def sweep_runs_dir(runs_dir: Path) -> SweepReport:
    """Recover or remove the stale leftovers in ``runs_dir`` and its baselines; never raises."""
    from perfconsole.store.baselines import baselines_dir

    report = SweepReport()
    try:
        sweep_directory(runs_dir, _check_run, report, keep_incomplete=True)
        sweep_directory(baselines_dir(runs_dir), _check_baseline, report, keep_incomplete=False)
    except OSError:
        pass
    return report


def _check_run(path: Path) -> None:
    """A staged run is recovered only with the list of its files (older versions wrote run.toml first)."""
    from perfconsole.store.runs import load_run_dir

    if load_run_dir(path).record.files is None:
        raise StoreError(f"{path}: run.toml does not list the run's files (saved by an older version)")


def _check_baseline(path: Path) -> None:
    from perfconsole.store.baselines import _read_baseline_meta

    _read_baseline_meta(path)
    _check_run(path)
