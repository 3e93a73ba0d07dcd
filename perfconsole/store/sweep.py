"""The start-up sweep of a runs directory: leftovers of saves cut short by a crash (SIGKILL, power loss).

Hidden entries are named by perfconsole.store.atomic: ``.tmp-NAME-PID-XXXXXXXX`` is a directory or file
being built (new content), ``.old-NAME-PID-XXXXXXXX`` old content on its way out (a replaced or deleted
baseline). An entry whose process is gone is stale (one without a pid only after a day). A stale ``.tmp-``
run or baseline directory that is complete while NAME does not exist is put in place (recovered: the crash
came between the last fsync and the rename); every other stale entry is removed.
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

ENTRY = re.compile(r"^\.(?P<kind>tmp|old)-(?P<name>.+?)(?:-(?P<pid>\d+))?(?:-(?P<token>[0-9a-f]{8}))?$")
NO_PID_STALE_S = 24 * 3600.0
"""Entries without an owner pid (older versions) are stale after a day: longer than any save takes."""


@dataclass
class SweepReport:
    recovered: list[str] = field(default_factory=list)
    """Names put back in place (complete runs or baselines whose rename a crash prevented)."""
    removed: list[Path] = field(default_factory=list)
    removed_bytes: int = 0


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


def sweep_directory(directory: Path, is_complete: Callable[[Path], bool], report: SweepReport) -> None:
    """Sweep one directory (the runs directory or its baselines directory)."""
    if not directory.is_dir():
        return
    now = time.time()
    candidates: dict[str, list[Path]] = {}
    for entry in sorted(directory.iterdir()):
        match = ENTRY.match(entry.name)
        if match is None or not _stale(entry, match["pid"], now):
            continue
        name = match["name"]
        final = directory / name
        if match["kind"] == "tmp" and entry.is_dir() and not final.exists() and is_complete(entry):
            candidates.setdefault(name, []).append(entry)
            continue
        _remove(entry, report)
    for name, entries in candidates.items():
        newest = max(entries, key=lambda p: p.stat().st_mtime)
        try:
            os.rename(newest, directory / name)
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
        sweep_directory(runs_dir, _run_complete, report)
        sweep_directory(baselines_dir(runs_dir), _baseline_complete, report)
    except OSError:
        pass
    return report


def _run_complete(path: Path) -> bool:
    from perfconsole.store.runs import load_run_dir

    try:
        load_run_dir(path)
    except StoreError:
        return False
    return True


def _baseline_complete(path: Path) -> bool:
    from perfconsole.store.baselines import _read_baseline_meta

    try:
        _read_baseline_meta(path)
    except StoreError:
        return False
    return _run_complete(path)
