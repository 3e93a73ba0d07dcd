"""The storage pre-check before any user starts: can a run really be saved under the runs directory?

``os.access`` is not enough (root passes it for ``/proc/x``; a full disk passes it too), so the check does
what a save does: creates the directory (removed again if it was missing), writes a probe file of
:data:`PROBE_BYTES`, fsyncs it and the directory, and removes it. Any failure is one line naming the
directory and the reason.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from perfconsole.errors import StoreError

PROBE_BYTES = 1024 * 1024
"""About the size of a run's files: a disk too full for this is too full for the results."""


def probe_runs_dir(runs_dir: Path) -> None:
    """Raise StoreError if runs cannot be saved under ``runs_dir``. Leaves nothing behind: directories
    it had to create for the probe are removed again (the first save creates them for good)."""
    probe = runs_dir / f".tmp-probe-{os.getpid()}-{secrets.token_hex(4)}"
    created: list[Path] = []
    try:
        missing = runs_dir
        while not missing.exists() and missing != missing.parent:
            created.append(missing)
            missing = missing.parent
        for directory in reversed(created):
            directory.mkdir(mode=0o700)
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            chunk = b"\0" * 65536
            for _ in range(PROBE_BYTES // len(chunk)):
                os.write(fd, chunk)
            os.fsync(fd)
        finally:
            os.close(fd)
        dir_fd = os.open(runs_dir, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError as exc:
        raise StoreError(f"cannot write runs to {runs_dir}: {exc.strerror or exc}") from None
    finally:
        try:
            probe.unlink(missing_ok=True)
            for directory in created:
                directory.rmdir()
        except OSError:
            pass
