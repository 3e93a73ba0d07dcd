"""Crash-safe writes: a file is either its old content or its new content, a directory complete or absent.

Files are written to a hidden temp file beside the target, fsynced, renamed over the target, and the
parent directory is fsynced so the rename itself survives a crash. Directories are built under a hidden
temp name in the same parent and renamed into place only once every file in them is on disk.
"""

from __future__ import annotations

import ctypes
import errno
import os
import secrets
import shutil
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from perfconsole.store.faults import fault_point

TEMP_PREFIX = ".tmp-"
"""Prefix of every temp file/directory this module creates; listings ignore such entries."""


def is_temp_name(name: str) -> bool:
    """True for entries that are staging leftovers (or any hidden entry), never a finished run."""
    return name.startswith(".")


FILE_MODE = 0o600
DIR_MODE = 0o700
"""Modes of everything saved: readable by the owner only."""
OLD_PREFIX = ".old-"
"""Prefix of old content on its way out (a replaced or deleted directory): never recovered."""


def _temp_sibling(path: Path, prefix: str = TEMP_PREFIX) -> Path:
    """``.tmp-NAME-PID-XXXXXXXX``: the pid tells a later sweep whether its owner is still alive."""
    return path.with_name(f"{prefix}{path.name}-{os.getpid()}-{secrets.token_hex(4)}")


def _exchange(a: Path, b: Path) -> bool:
    """Swap two directory entries atomically (Linux renameat2 RENAME_EXCHANGE); False if unsupported."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.EXDEV):
        return False
    raise OSError(code, os.strerror(code), str(b))


def fsync_dir(path: Path) -> None:
    """Flush a directory's entries (renames, creations) to disk."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_file(path: Path) -> None:
    """fsync a regular file; anything else (a FIFO, a device, a symlink) is neither opened nor followed."""
    if not stat.S_ISREG(os.lstat(path).st_mode):
        return
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically (temp file, fsync, rename, fsync of the directory)."""
    temp = _temp_sibling(path)
    try:
        with open(os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE), "wb") as handle:
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


def restrict_tree(root: Path) -> None:
    """Owner-only modes under ``root`` (files 0600, directories 0700): runs hold hosts, command lines and
    error texts; files written by third-party code (Locust's CSV and HTML writers) get the same. Symbolic
    links are left alone (chmod would change what they point to)."""
    os.chmod(root, DIR_MODE)
    for dirpath, dirnames, filenames in os.walk(root):
        for names, mode in ((dirnames, DIR_MODE), (filenames, FILE_MODE)):
            for name in names:
                path = os.path.join(dirpath, name)
                if not os.path.islink(path):
                    os.chmod(path, mode)


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
    temp.mkdir(mode=DIR_MODE)
    try:
        yield temp
        fault_point("staged-written")
        if replace:
            seal(temp)
            fault_point("staged-complete")
            replace_directory(temp, final_path)
            return
        promote(temp, final_path)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise


def seal(directory: Path) -> None:
    """Owner-only modes and every byte on disk, for a directory about to be put in place."""
    restrict_tree(directory)
    fsync_tree(directory)


def promote(staged: Path, final_path: Path) -> None:
    """Put the complete directory ``staged`` at ``final_path``, sealed first (:func:`seal`): the one way a
    save, or the recovery of a save a crash stopped (perfconsole.store.sweep), puts a directory in place.
    ``FileExistsError`` if ``final_path`` exists."""
    seal(staged)
    fault_point("staged-complete")
    if final_path.exists():
        raise FileExistsError(f"{final_path} already exists")
    try:
        os.rename(staged, final_path)
    except OSError as exc:
        if exc.errno in (errno.EEXIST, errno.ENOTEMPTY):  # created meanwhile by someone else
            raise FileExistsError(f"{final_path} already exists") from None
        raise
    fsync_dir(final_path.parent)


def replace_directory(staged: Path, final_path: Path) -> None:
    """Put the complete directory ``staged`` at ``final_path``, replacing an existing one.

    Where the file system can (Linux ext4, xfs, tmpfs, btrfs ...) the two are exchanged in one atomic
    step, so ``final_path`` never stops naming a complete directory; the old one is then deleted.
    Elsewhere the old directory is first renamed to a hidden temp name (``final_path`` absent only between
    two renames: the start-up sweep, perfconsole.store.sweep, puts the newest complete one back).
    """
    if final_path.exists() and _exchange(staged, final_path):
        fsync_dir(final_path.parent)
        fault_point("replace-exchanged")
        shutil.rmtree(staged, ignore_errors=True)  # now the old directory
        return
    old = _temp_sibling(final_path, OLD_PREFIX) if final_path.exists() else None
    if old is not None:
        os.rename(final_path, old)
        fault_point("replace-old-moved")
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
    doomed = _temp_sibling(path, OLD_PREFIX)
    os.rename(path, doomed)
    fsync_dir(path.parent)
    shutil.rmtree(doomed, ignore_errors=True)
