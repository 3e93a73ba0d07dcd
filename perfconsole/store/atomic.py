"""Crash-safe writes: a file is either its old content or its new content, a directory complete or absent.

Files are written to a hidden temp file beside the target, fsynced, renamed over the target, and the
parent directory is fsynced so the rename itself survives a crash. Directories are built under a hidden
temp name in the same parent and renamed into place only once every file in them is on disk.
"""

from __future__ import annotations

import errno
import os
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

TEMP_PREFIX = ".tmp-"
"""Prefix of every temp file/directory this module creates; listings ignore such entries."""


def is_temp_name(name: str) -> bool:
    """True for entries that are staging leftovers (or any hidden entry), never a finished run."""
    return name.startswith(".")


def _temp_sibling(path: Path) -> Path:
    return path.with_name(f"{TEMP_PREFIX}{path.name}-{secrets.token_hex(4)}")


def fsync_dir(path: Path) -> None:
    """Flush a directory's entries (renames, creations) to disk."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically (temp file, fsync, rename, fsync of the directory)."""
    temp = _temp_sibling(path)
    try:
        with open(temp, "xb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def atomic_write_text(path: Path, text: str) -> None:
    """:func:`atomic_write_bytes` for UTF-8 text."""
    atomic_write_bytes(path, text.encode("utf-8"))


def fsync_tree(root: Path) -> None:
    """fsync every file and directory under ``root`` (files written by third-party code are not)."""
    for dirpath, _dirnames, filenames in os.walk(root):
        for filename in filenames:
            _fsync_file(Path(dirpath, filename))
        fsync_dir(Path(dirpath))


@contextmanager
def staged_directory(final_path: Path, *, replace: bool = False) -> Iterator[Path]:
    """Yield a hidden temp directory beside ``final_path``; on success it becomes ``final_path``.

    On any exception the temp directory is removed and nothing is left behind. Unless ``replace``,
    ``FileExistsError`` is raised if ``final_path`` already exists (before or after the body runs).
    """
    if final_path.exists() and not replace:
        raise FileExistsError(f"{final_path} already exists")
    temp = _temp_sibling(final_path)
    temp.mkdir()
    try:
        yield temp
        fsync_tree(temp)
        if replace:
            replace_directory(temp, final_path)
            return
        if final_path.exists():
            raise FileExistsError(f"{final_path} already exists")
        try:
            os.rename(temp, final_path)
        except OSError as exc:
            if exc.errno in (errno.EEXIST, errno.ENOTEMPTY):  # created meanwhile by someone else
                raise FileExistsError(f"{final_path} already exists") from None
            raise
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    fsync_dir(final_path.parent)


def replace_directory(staged: Path, final_path: Path) -> None:
    """Put the complete directory ``staged`` at ``final_path``, replacing an existing one.

    The old directory is first renamed to a hidden temp name, so ``final_path`` always holds either the
    old or the new complete directory (absent only between two renames), then deleted.
    """
    old = _temp_sibling(final_path) if final_path.exists() else None
    if old is not None:
        os.rename(final_path, old)
    try:
        os.rename(staged, final_path)
    except BaseException:
        if old is not None:
            os.rename(old, final_path)
        raise
    fsync_dir(final_path.parent)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def remove_directory(path: Path) -> None:
    """Delete a directory so that it disappears at once: rename to a hidden name, then remove."""
    doomed = _temp_sibling(path)
    os.rename(path, doomed)
    fsync_dir(path.parent)
    shutil.rmtree(doomed, ignore_errors=True)
