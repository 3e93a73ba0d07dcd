"""Worker log files left in the temp directory by runs that were killed (SIGKILL, OOM, power loss).

perfconsole.engine.workers.local writes local workers' output to ``perfconsole-workers-*.log`` in the temp
directory and deletes it when the workers stop; a killed console never gets there. A log is stale once no
live process has it open (the workers hold it as their stdout) and it is older than :data:`MIN_AGE_S`.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

WORKER_LOG_GLOB = "perfconsole-workers-*.log"
MIN_AGE_S = 60.0
"""Younger logs may belong to a run whose workers are being started right now."""


def _open_files() -> set[str] | None:
    """Paths any process has open (from /proc), or None where that cannot be read."""
    proc = Path("/proc")
    if not (proc / "self" / "fd").is_dir():
        return None
    paths: set[str] = set()
    for pid_dir in proc.iterdir():
        if not pid_dir.name.isdigit():
            continue
        try:
            for fd in os.scandir(pid_dir / "fd"):
                try:
                    paths.add(os.readlink(fd.path))
                except OSError:
                    continue
        except OSError:
            continue
    return paths


def stale_worker_logs(directory: Path | None = None, min_age_s: float = MIN_AGE_S) -> list[Path]:
    """Worker logs in ``directory`` (default: the temp directory) that no live process owns."""
    root = Path(directory or tempfile.gettempdir())
    try:
        logs = sorted(root.glob(WORKER_LOG_GLOB))
    except OSError:
        return []
    now = time.time()
    old = []
    for path in logs:
        try:
            if now - path.stat().st_mtime >= min_age_s:
                old.append(path)
        except OSError:
            continue
    if not old:
        return []
    open_now = _open_files()
    if open_now is None:  # cannot tell who owns them: only the week-old ones
        return [p for p in old if now - p.stat().st_mtime > 7 * 24 * 3600]
    return [p for p in old if str(p.resolve()) not in open_now]


def remove_stale_worker_logs(directory: Path | None = None, min_age_s: float = MIN_AGE_S) -> list[Path]:
    removed = []
    for path in stale_worker_logs(directory, min_age_s):
        try:
            path.unlink()
            removed.append(path)
        except OSError:
            continue
    return removed
