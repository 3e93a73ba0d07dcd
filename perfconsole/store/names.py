"""Operator-given names (runs, baselines) that can never escape the runs directory."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from perfconsole.errors import StoreError

NAME_MAX_LENGTH = 64
RUN_ID_MAX_LENGTH = 200
_NAME = re.compile(r"[A-Za-z0-9_.-]+")
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def validate_name(name: str, what: str = "name", *, max_length: int = NAME_MAX_LENGTH) -> str:
    """Return ``name`` if it is a safe single path component, else raise a one-line StoreError.

    Allowed: 1..max_length letters, digits, ``-``, ``_`` and ``.``, not starting with ``.`` (hidden and
    temp entries, ``..``) or ``-`` (would read as an option).
    """
    shown = name if len(name) <= 80 else name[:77] + "..."
    rules = f"use 1-{max_length} letters, digits, '-', '_' or '.', not starting with '.' or '-'"
    if not name:
        raise StoreError(f"{what} is empty: {rules}")
    if len(name) > max_length:
        raise StoreError(f"{what} {shown!r} is too long ({len(name)} characters): {rules}")
    if not _NAME.fullmatch(name) or name[0] in ".-":
        raise StoreError(f"invalid {what} {shown!r}: {rules}")
    return name


def slug(text: str, max_length: int = 40) -> str:
    """A safe fragment for run ids: unsafe characters become ``-``; empty input gives ``run``."""
    cleaned = _UNSAFE.sub("-", text).strip("-.")[:max_length].strip("-.")
    return cleaned or "run"


def run_id_base(started_at: float, scenario_path: str, profile: str | None, name: str | None) -> str:
    """``20261123T164500Z-notifications-light[-name]`` from the run's start time, scenario and profile."""
    stamp = datetime.fromtimestamp(started_at, UTC).strftime("%Y%m%dT%H%M%SZ")
    stem = scenario_path.replace("\\", "/").rsplit("/", 1)[-1]
    if stem.endswith(".py"):
        stem = stem[:-3]
    parts = [stamp, slug(stem)]
    if profile:
        parts.append(slug(profile))
    if name:
        parts.append(name)
    return "-".join(parts)
