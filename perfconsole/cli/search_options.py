"""The capacity search's flags (``perfconsole run --headless --find-capacity``): ``[search]`` from
config.toml with the flags given over it, each bad value one line."""

from __future__ import annotations

import argparse
import math
from dataclasses import replace
from typing import Any

from perfconsole.config import Search, Settings, parse_duration
from perfconsole.errors import UserError
from perfconsole.model.capacity import SearchMode

FLAGS: tuple[tuple[str, str, str, str], ...] = (
    ("--search-start", "N", "search_start", "the first level (iterations/s, or users)"),
    ("--search-max", "N", "search_max", "the highest level tried"),
    ("--search-step", "PCT", "search_step", "growth per step in percent (100: doubling)"),
    (
        "--search-step-scale",
        "fixed|margin",
        "search_step_scale",
        "margin: each growing step scaled by the margin left to the closest limit",
    ),
    ("--search-resolution", "PCT", "search_resolution", "refine until pass and fail are this close"),
    ("--search-settle", "TIME", "search_settle", "each step's first seconds, left out of its figures"),
    ("--search-step-time", "TIME", "search_step_time", "each step's measured time"),
    ("--search-min-requests", "N", "search_min_requests", "each step's fewest requests"),
    ("--search-confirm", "TIME", "search_confirm", "hold the best passing level this long (0: no hold)"),
)


def add_search_options(group: Any) -> None:
    group.add_argument(
        "--find-capacity",
        nargs="?",
        const="",
        default=None,
        metavar="rate|users",
        help="search the highest load that meets the thresholds (default SLO: p95 < 500 ms, errors < 1 %%): "
        "grow the arrival rate (or users) until a step fails, refine, confirm; settings in [search]",
    )
    for flag, metavar, dest, text in FLAGS:
        group.add_argument(flag, metavar=metavar, dest=dest, help=f"capacity search: {text}")
    group.add_argument(
        "--require-capacity",
        metavar="N",
        help="with --find-capacity: exit 13 when the SLO capacity is below N req/s (or none was found)",
    )


def _number(flag: str, raw: object, minimum: float = 0.0, whole: bool = False) -> float:
    try:
        value = float(str(raw))
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= minimum or (whole and value != int(value)):
        what = "a whole number" if whole else "a number"
        raise UserError(f"{flag}: expected {what} above {minimum:g}, got {raw!r}")
    return value


def _seconds(flag: str, raw: object, allow_zero: bool = False) -> float:
    if allow_zero and str(raw).strip() == "0":
        return 0.0
    seconds = parse_duration(raw, flag)
    if seconds <= 0:
        raise UserError(f"{flag}: expected a duration above 0 (e.g. 10s), got {raw!r}")
    return seconds


def search_from_options(options: argparse.Namespace, settings: Settings) -> tuple[SearchMode, Search] | None:
    """The search asked for (None: no ``--find-capacity``); UserError for a bad value or a search flag given
    without it."""
    asked = getattr(options, "find_capacity", None)
    if asked is None:
        given = [flag for flag, _m, dest, _t in FLAGS if getattr(options, dest, None) is not None]
        if getattr(options, "require_capacity", None) is not None:
            given.append("--require-capacity")
        if given:
            raise UserError(f"{given[0]} needs --find-capacity")
        return None
    spec = settings.search
    mode_text = asked.strip().lower() or spec.mode
    if mode_text not in ("rate", "users"):
        raise UserError(f"--find-capacity: expected rate or users, got {asked!r}")
    mode = SearchMode(mode_text)
    whole = mode is SearchMode.USERS
    values: dict[str, Any] = {}
    raw = {dest: getattr(options, dest, None) for _f, _m, dest, _t in FLAGS}
    if raw["search_start"] is not None:
        values["start"] = _number("--search-start", raw["search_start"], whole=whole)
    if raw["search_max"] is not None:
        values["maximum"] = _number("--search-max", raw["search_max"], whole=whole)
    if raw["search_step"] is not None:
        values["step_pct"] = _number("--search-step", raw["search_step"])
    if raw["search_step_scale"] is not None:
        scale = str(raw["search_step_scale"]).strip().lower()
        if scale not in ("fixed", "margin"):
            raise UserError(
                f"--search-step-scale: expected fixed or margin, got {raw['search_step_scale']!r}"
            )
        values["step_scale"] = scale
    if raw["search_resolution"] is not None:
        resolution = _number("--search-resolution", raw["search_resolution"])
        if resolution >= 100:
            raise UserError(f"--search-resolution: expected a percentage below 100, got {resolution:g}")
        values["resolution_pct"] = resolution
    if raw["search_settle"] is not None:
        values["settle_s"] = _seconds("--search-settle", raw["search_settle"], allow_zero=True)
    if raw["search_step_time"] is not None:
        values["step_s"] = _seconds("--search-step-time", raw["search_step_time"])
    if raw["search_min_requests"] is not None:
        values["min_requests"] = int(_number("--search-min-requests", raw["search_min_requests"], -1, True))
    if raw["search_confirm"] is not None:
        values["confirm_s"] = _seconds("--search-confirm", raw["search_confirm"], allow_zero=True)
    spec = replace(spec, mode=mode.value, **values)
    if spec.maximum < spec.start:
        raise UserError(f"--search-max: expected at least the start ({spec.start:g}), got {spec.maximum:g}")
    if whole and spec.start != int(spec.start):
        raise UserError(
            f"a users search starts at a whole number of users, got {spec.start:g} ([search] start)"
        )
    return mode, spec


def required_capacity(options: argparse.Namespace) -> float | None:
    raw = getattr(options, "require_capacity", None)
    return None if raw is None else _number("--require-capacity", raw)
