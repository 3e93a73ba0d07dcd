"""What the start screen's profile list offers beside config.toml's profiles: a locustfile's LoadTestShape
(``shape: StagesShape``) and a capacity search (``search: rate``, ``search: users``, from ``[search]``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from perfconsole.config import Search
from perfconsole.engine.scenario import ScenarioInfo

SHAPE_PREFIX = "shape: "
SEARCH_PREFIX = "search: "
SEARCH_MODES = ("rate", "users")


def shape_choice(name: str) -> str:
    return f"{SHAPE_PREFIX}{name}"


def shape_of(choice: str | None) -> str | None:
    """The shape class a profile choice names, or None for a profile from config.toml."""
    if choice and choice.startswith(SHAPE_PREFIX):
        return choice.removeprefix(SHAPE_PREFIX)
    return None


def search_of(choice: str | None) -> str | None:
    """The search mode a profile choice names (``rate``, ``users``), or None."""
    if choice and choice.startswith(SEARCH_PREFIX):
        return choice.removeprefix(SEARCH_PREFIX)
    return None


def profile_choices(profiles: Iterable[str], info: ScenarioInfo | None) -> list[str]:
    """config.toml's profiles, then the scenario's own shapes, then the capacity searches."""
    shapes = [shape_choice(name) for name in info.shape_classes] if info is not None else []
    return [*profiles, *shapes, *(f"{SEARCH_PREFIX}{mode}" for mode in SEARCH_MODES)]


def search_line(mode: str, spec: Search) -> str:
    """``capacity search (rate): from 10/s, +100 %/step to 10000/s, 10s steps`` (config's ``[search]``)."""
    unit = "/s" if mode == "rate" else " users"
    step = f"+{spec.step_pct:g} %/step" + (" by margin" if spec.step_scale == "margin" else "")
    return (
        f"capacity search ({mode}): from {spec.start:g}{unit}, {step} to "
        f"{spec.maximum:g}{unit}, {spec.step_s:g}s steps"
    )


def preview_line(name: str, answer: dict[str, Any]) -> str:
    """One line about a computed preview (see perfconsole.engine.shape_preview.compute_preview)."""
    points = answer.get("points")
    if not points:
        return f"{name} (LoadTestShape in the locustfile): {answer.get('error', 'no preview')}"
    peak = max(int(users) for _, users in points)
    end = float(points[-1][0])
    length = f"ends after {end:g}s" if answer.get("ends") else f"still going after {end:g}s"
    return f"{name} (LoadTestShape in the locustfile): up to {peak} users, {length}"
