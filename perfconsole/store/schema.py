"""What every stored file shares: the schema version, the format names, the header check and the value
checks that decoders use (each raises :class:`CodecError` with a one-line reason; the caller adds which file).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

SCHEMA_VERSION = 1
"""Version of run.toml / data.json / baseline.toml layouts; bump on incompatible changes."""

RUN_FORMAT = "perfconsole-run"
DATA_FORMAT = "perfconsole-run-data"


class CodecError(ValueError):
    """Stored data does not have the expected shape (the caller adds which file)."""


def as_number(value: object, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise CodecError(f"{what} must be a number, got {type(value).__name__}")
    try:
        number = float(value)
    except OverflowError:
        raise CodecError(f"{what} is out of range") from None
    if not math.isfinite(number):
        raise CodecError(f"{what} must be a finite number")
    return number


def as_opt_number(value: object, what: str) -> float | None:
    return None if value is None else as_number(value, what)


def as_int(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise CodecError(f"{what} must be an integer, got {type(value).__name__}")
    return value


def as_str(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise CodecError(f"{what} must be a string, got {type(value).__name__}")
    return value


def as_opt_str(value: object, what: str) -> str | None:
    return None if value is None else as_str(value, what)


def as_bool(value: object, what: str) -> bool:
    if not isinstance(value, bool):
        raise CodecError(f"{what} must be true or false, got {type(value).__name__}")
    return value


def as_map(value: object, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise CodecError(f"{what} must be a table/object, got {type(value).__name__}")
    return value


def as_seq(value: object, what: str) -> Sequence[Any]:
    if not isinstance(value, list | tuple):
        raise CodecError(f"{what} must be a list, got {type(value).__name__}")
    return value


def required(data: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in data:
        raise CodecError(f"missing field {where}.{key}" if where else f"missing field {key}")
    return data[key]


def finite_or_none(value: float | None) -> float | None:
    """JSON has no NaN/inf: store them as null."""
    return value if value is None or math.isfinite(value) else None


def check_header(data: Mapping[str, Any], expected_format: str) -> None:
    """Refuse foreign files and files from a newer perfconsole (their layout is unknown)."""
    fmt = data.get("format")
    if fmt != expected_format:
        raise CodecError(f"not a {expected_format} file (format = {fmt!r})")
    version = data.get("schema_version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise CodecError(f"invalid schema_version {version!r}")
    if version > SCHEMA_VERSION:
        raise CodecError(
            f"schema_version {version} is newer than this perfconsole supports ({SCHEMA_VERSION}); upgrade"
        )
