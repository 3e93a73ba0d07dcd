"""What every stored file shares: the schema version, the format names and the header check (it raises
:class:`CodecError` with a one-line reason; the caller adds which file). The records themselves are declared
in :mod:`.records` and :mod:`.run_toml`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

SCHEMA_VERSION = 1
"""Version of run.toml / data.json / baseline.toml layouts; bump on incompatible changes."""

RUN_FORMAT = "perfconsole-run"
DATA_FORMAT = "perfconsole-run-data"


class CodecError(ValueError):
    """Stored data does not have the expected shape (the caller adds which file)."""


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
