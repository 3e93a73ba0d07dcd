"""Bounded readers for saved files: size and nesting depth capped, every failure one StoreError line.

A run directory may be truncated by a crash, edited by hand or hostile; nothing read from it may raise
anything but :class:`StoreError` (RecursionError, MemoryError, OverflowError included), and nothing is
ever written back. Only regular files are opened: a FIFO would block the open (or the read) forever and a
device file may never end or act on the device, so anything else is refused before it is opened.
"""

from __future__ import annotations

import json
import math
import os
import stat
import tomllib
from pathlib import Path
from typing import Any

from perfconsole.errors import StoreError

MAX_TOML_BYTES = 16 * 1024 * 1024
"""run.toml and baseline.toml: metadata only (thresholds once per rule), a few KB in practice."""
MAX_JSON_BYTES = 256 * 1024 * 1024
"""data.json: endpoints are capped (``max_endpoints``); a day-long run's time series stays well below."""
MAX_DEPTH = 64
"""Deepest nesting of lists/tables any of our files has is under 10."""


SPECIAL_KINDS = (
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISLNK, "a symbolic link"),
)


def special_kind(mode: int) -> str | None:
    """What a non-regular file is (``a FIFO`` ...), or None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    return next((kind for test, kind in SPECIAL_KINDS if test(mode)), "not a regular file")


def open_regular(path: Path) -> int:
    """A read-only descriptor of ``path``, which must be a regular file (StoreError otherwise): its kind is
    checked before the open, which never waits (O_NONBLOCK), and again on the descriptor (a swap between
    the two is seen)."""
    try:
        kind = special_kind(os.stat(path).st_mode)
        if kind is None:
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | os.O_NOCTTY)
            kind = special_kind(os.fstat(fd).st_mode)
            if kind is None:
                return fd
            os.close(fd)
    except FileNotFoundError:
        raise StoreError(f"{path}: file is missing") from None
    except OSError as exc:
        raise StoreError(f"{path}: cannot read ({exc.strerror or exc})") from None
    raise StoreError(f"{path}: is {kind}, not a regular file: not read")


def read_bytes(path: Path, max_bytes: int) -> bytes:
    """Up to ``max_bytes + 1`` bytes of the regular file ``path`` (StoreError for anything else)."""
    fd = open_regular(path)
    try:
        with os.fdopen(fd, "rb") as handle:
            return handle.read(max_bytes + 1)
    except OSError as exc:
        raise StoreError(f"{path}: cannot read ({exc.strerror or exc})") from None


def read_text(path: Path, max_bytes: int) -> str:
    """A saved file's text; missing, special, unreadable, too large or non-UTF-8 is a one-line StoreError."""
    data = read_bytes(path, max_bytes)
    if len(data) > max_bytes:
        raise StoreError(f"{path}: too large (over {max_bytes // (1024 * 1024)} MB): not read")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise StoreError(f"{path}: corrupt file (not UTF-8 text)") from None


def check_depth(obj: object, path: Path, limit: int = MAX_DEPTH) -> None:
    """StoreError if ``obj`` nests lists/tables deeper than ``limit`` (iterative: no recursion)."""
    stack: list[tuple[object, int]] = [(obj, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children: Any = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            raise StoreError(f"{path}: nested too deeply (over {limit} levels)")
        stack.extend((child, depth + 1) for child in children)


def read_toml(path: Path) -> dict[str, Any]:
    """Parse a TOML file within the bounds; any problem is a one-line StoreError naming the file."""
    text = read_text(path, MAX_TOML_BYTES)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise StoreError(f"{path}: corrupt or truncated TOML ({exc})") from None
    except (RecursionError, MemoryError):
        raise StoreError(f"{path}: corrupt TOML (nested too deeply)") from None
    check_depth(data, path)
    return data


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not allowed")


def read_json(path: Path) -> Any:
    """Parse a JSON file within the bounds (NaN/Infinity refused: we never write them)."""
    text = read_text(path, MAX_JSON_BYTES)
    try:
        data = json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise StoreError(f"{path}: corrupt or truncated JSON ({exc.msg} at line {exc.lineno})") from None
    except ValueError as exc:  # NaN/Infinity, or an integer too long to parse
        raise StoreError(f"{path}: corrupt JSON ({exc})") from None
    except (RecursionError, MemoryError):
        raise StoreError(f"{path}: corrupt JSON (nested too deeply)") from None
    check_depth(data, path)
    return data


def finite(value: object) -> float | None:
    """``value`` as a finite float, or None (NaN, inf, out-of-range integers, non-numbers)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


MAX_DURATION_S = 10 * 366 * 24 * 3600.0
"""Longer than any run: a duration past it (or negative) was edited or corrupted, and is shown as unknown."""


def plausible_duration(value: object) -> float | None:
    """``value`` as a duration in seconds, or None when no run can have it (``-1e308``, NaN, ...)."""
    seconds = finite(value)
    return seconds if seconds is not None and 0.0 <= seconds <= MAX_DURATION_S else None
