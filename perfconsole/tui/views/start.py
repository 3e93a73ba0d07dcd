"""The start screen's lines: a scenario's description, a profile's one-line plan and its chart (users over
time, or a rate profile's arrival rate over time)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from perfconsole.config import Profile
from perfconsole.engine.scenario import ScenarioInfo, UserClassInfo
from perfconsole.profiles import peak_rate
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


def rate_preview(points: Sequence[tuple[float, float]], peak_rate: float) -> ChartData:
    """The start screen's small chart of a rate profile's plan: iterations/s over time."""
    times = [t for t, _ in points]
    t_end = times[-1] if times and times[-1] > 0 else 1.0
    return ChartData(
        "planned arrival rate (iterations/s)",
        (Series("rate", times, [r for _, r in points]),),
        (),
        t_end,
        nice_ceiling(max([1.0, *(r for _, r in points)])),
        fill=True,
        latest=f"peak {peak_rate:g}/s",
    )


RST_INLINE = (
    (re.compile(r":(?:[\w.+-]+:)+`~?([^`<]*?)\s*(?:<[^`>]*>)?`"), r"\1"),  # :role:`text`, :role:`t <target>`
    (re.compile(r"`([^`<]*?)\s*<[^`>]*>`__?"), r"\1"),  # `text <url>`_
    (re.compile(r"``(.+?)``"), r"\1"),  # ``literal``
    (re.compile(r"`([^`]+)`_{0,2}"), r"\1"),  # `interpreted`, `reference`_
    (re.compile(r"\*\*(\S(?:.*?\S)?)\*\*"), r"\1"),  # **strong**
    (re.compile(r"(?<![\w*])\*(\S(?:.*?\S)?)\*(?![\w*])"), r"\1"),  # *emphasis*
    (re.compile(r"\b(\w+)_\b(?!\w)"), r"\1"),  # word_ reference
)
"""reStructuredText inline markup and roles, each replaced by its text."""


def plain_docstring(text: str) -> str:
    """A docstring as plain text: RST inline markup (literals, emphasis, roles, links) stripped."""
    for pattern, replacement in RST_INLINE:
        text = pattern.sub(replacement, text)
    return text


def user_class_label(user: UserClassInfo) -> str:
    """``AdminUser (fixed 1)`` or ``ReaderUser (weight 3)``: Locust's fixed_count wins over the weight."""
    return f"{user.name} ({f'fixed {user.fixed_count}' if user.fixed_count else f'weight {user.weight}'})"


def scenario_lines(info: ScenarioInfo) -> list[str]:
    """Docstring (plain text), user classes with weights or fixed counts and tags, and the scenario's
    tags, for the start screen."""
    lines = [plain_docstring(info.docstring.strip()) or info.title]
    for user in info.user_classes:
        tags = f"  tags {', '.join(user.tags)}" if user.tags else ""
        lines.append(f"• {user_class_label(user)}{tags}")
    if info.tags:
        lines.append(f"tags: {', '.join(info.tags)}")
    return lines


def profile_line(profile: Profile) -> str:
    """``Typical daytime traffic: 20 users @2/s for 5:00`` (stages counted for a staged profile)."""
    duration = "until stopped" if profile.duration_s is None else f"for {fmt_duration(profile.duration_s)}"
    arrival = profile.arrival
    if arrival is not None:
        rate = (
            f"{len(arrival.stages)} rate stages up to {peak_rate(arrival):g} iterations/s"
            if arrival.stages
            else f"{arrival.rate or 0:g} iterations/s"
        )
        ceiling = f", max {arrival.max_users}" if arrival.max_users is not None else ""
        plan = f"{rate} on a pool of {profile.users} users{ceiling}"
    elif profile.stages:
        plan = f"{len(profile.stages)} stages up to {max(s.users for s in profile.stages)} users"
    else:
        plan = f"{profile.users} users @{fmt_spawn_rate(profile.spawn_rate)}/s"
    text = f"{plan} {duration}" + (f"; {profile.mix.describe()}" if profile.mix else "")
    return f"{profile.description}: {text}" if profile.description else text
