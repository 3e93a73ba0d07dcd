"""Bounded readers for saved files: size and nesting depth capped, every failure one StoreError line.

A run directory may be truncated by a crash, edited by hand or hostile; nothing read from it may raise
anything but :class:`StoreError` (RecursionError, MemoryError, OverflowError included), and nothing is
ever written back.
"""

from __future__ import annotations

import json
import math
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


def read_text(path: Path, max_bytes: int) -> str:
    """A saved file's text; missing, unreadable, too large or non-UTF-8 is a one-line StoreError."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except FileNotFoundError:
        raise StoreError(f"{path}: file is missing") from None
    except IsADirectoryError:
        raise StoreError(f"{path}: is a directory, not a file") from None
    except OSError as exc:
        raise StoreError(f"{path}: cannot read ({exc.strerror or exc})") from None
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
