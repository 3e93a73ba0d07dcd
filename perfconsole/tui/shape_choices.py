"""A locustfile's LoadTestShape as a choosable profile on the start screen (``shape: StagesShape``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from perfconsole.engine.scenario import ScenarioInfo

SHAPE_PREFIX = "shape: "


def shape_choice(name: str) -> str:
    return f"{SHAPE_PREFIX}{name}"


def shape_of(choice: str | None) -> str | None:
    """The shape class a profile choice names, or None for a profile from config.toml."""
    if choice and choice.startswith(SHAPE_PREFIX):
        return choice.removeprefix(SHAPE_PREFIX)
    return None


def profile_choices(profiles: Iterable[str], info: ScenarioInfo | None) -> list[str]:
    """config.toml's profiles, then the scenario's own shapes."""
    shapes = [shape_choice(name) for name in info.shape_classes] if info is not None else []
    return [*profiles, *shapes]


def preview_line(name: str, answer: dict[str, Any]) -> str:
    """One line about a computed preview (see perfconsole.engine.shape_preview.compute_preview)."""
    points = answer.get("points")
    if not points:
        return f"{name} (LoadTestShape in the locustfile): {answer.get('error', 'no preview')}"
    peak = max(int(users) for _, users in points)
    end = float(points[-1][0])
    length = f"ends after {end:g}s" if answer.get("ends") else f"still going after {end:g}s"
    return f"{name} (LoadTestShape in the locustfile): up to {peak} users, {length}"
