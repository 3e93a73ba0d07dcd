"""The start screen's lines: a scenario's description, a profile's one-line plan and its users chart."""

from __future__ import annotations

from collections.abc import Sequence

from perfconsole.config import Profile
from perfconsole.engine.scenario import ScenarioInfo
from perfconsole.tui.chart import ChartData, Series, nice_ceiling
from perfconsole.tui.formatting import fmt_duration, fmt_spawn_rate


def profile_preview(points: Sequence[tuple[float, int]], peak_users: int) -> ChartData:
    """The start screen's small users-over-time chart of a profile's plan."""
    times = [t for t, _ in points]
    users: list[float | None] = [float(u) for _, u in points]
    t_end = times[-1] if times and times[-1] > 0 else 1.0
    return ChartData(
        "planned users",
        (Series("users", times, users),),
        (),
        t_end,
        nice_ceiling(max([1.0, *(float(u) for _, u in points)])),
        fill=True,
        latest=f"peak {peak_users}",
    )


def scenario_lines(info: ScenarioInfo) -> list[str]:
    """Docstring, user classes with weights and tags, and the scenario's tags, for the start screen."""
    lines = [info.docstring.strip() or info.title]
    for user in info.user_classes:
        tags = f"  tags {', '.join(user.tags)}" if user.tags else ""
        lines.append(f"• {user.name} (weight {user.weight}){tags}")
    if info.tags:
        lines.append(f"tags: {', '.join(info.tags)}")
    return lines


def profile_line(profile: Profile) -> str:
    """``Typical daytime traffic: 20 users @2/s for 5:00`` (stages counted for a staged profile)."""
    duration = "until stopped" if profile.duration_s is None else f"for {fmt_duration(profile.duration_s)}"
    if profile.stages:
        plan = f"{len(profile.stages)} stages up to {max(s.users for s in profile.stages)} users"
    else:
        plan = f"{profile.users} users @{fmt_spawn_rate(profile.spawn_rate)}/s"
    text = f"{plan} {duration}" + (f"; {profile.mix.describe()}" if profile.mix else "")
    return f"{profile.description}: {text}" if profile.description else text
