"""Pure functions over load profiles: which stage is active, stage labels, the planned users curve, and a
rate profile's planned arrival rate.

No Locust here: the console's preview chart and the headless summary use these without starting gevent;
:mod:`perfconsole.engine.shapes` builds the Locust shape on top of them.
"""

from __future__ import annotations

from collections.abc import Sequence

from perfconsole.config import Arrival, Profile, Stage

UNBOUNDED_PREVIEW_S = 60.0
"""Horizon of the preview curve for a profile without a duration (at least, and past its ramp)."""


def stage_at(stages: Sequence[Stage], elapsed_s: float) -> int | None:
    """Index of the stage active ``elapsed_s`` seconds into the run; None once the last stage has ended.

    A stage is active from the previous stage's ``until_s`` (0 for the first) up to, not including, its own.
    """
    for index, stage in enumerate(stages):
        if elapsed_s < stage.until_s:
            return index
    return None


def describe_stage(stages: Sequence[Stage], index: int) -> str:
    """Label such as ``"1/4 ramp to 100 @2/s"``, ``"2/4 hold 100 users"`` or ``"4/4 down to 50 @5/s"``.

    The direction compares the stage's users with the previous stage's (0 before the first).
    """
    stage = stages[index]
    previous_users = stages[index - 1].users if index > 0 else 0
    position = f"{index + 1}/{len(stages)}"
    if stage.users == previous_users:
        return f"{position} hold {stage.users} users"
    verb = "ramp to" if stage.users > previous_users else "down to"
    return f"{position} {verb} {stage.users} @{stage.spawn_rate:g}/s"


def _move(users: float, target: int, rate: float, seconds: float) -> float:
    """Users after moving from ``users`` towards ``target`` at ``rate`` per second for ``seconds``."""
    step = rate * max(0.0, seconds)
    if users < target:
        return min(float(target), users + step)
    return max(float(target), users - step)


def planned_users(profile: Profile, elapsed_s: float) -> float:
    """Users the profile plans ``elapsed_s`` seconds in, ramps included (the last value holds afterwards)."""
    if not profile.staged:
        return _move(0.0, profile.users, profile.spawn_rate, elapsed_s)
    users = 0.0
    stage_start = 0.0
    for stage in profile.stages:
        if elapsed_s < stage.until_s:
            return _move(users, stage.users, stage.spawn_rate, elapsed_s - stage_start)
        users = _move(users, stage.users, stage.spawn_rate, stage.until_s - stage_start)
        stage_start = stage.until_s
    return users


def preview_horizon_s(profile: Profile) -> float:
    """How far the preview curve reaches: the profile's duration, or enough to show the ramp and a hold."""
    if profile.duration_s is not None:
        return profile.duration_s
    ramp_s = profile.users / profile.spawn_rate if profile.spawn_rate > 0 else 0.0
    return max(UNBOUNDED_PREVIEW_S, 2 * ramp_s)


def users_over_time(profile: Profile, points: int = 60) -> list[tuple[float, int]]:
    """The planned users curve as ``points`` evenly spaced (elapsed seconds, users) pairs from 0 to the end.

    Users ramp at the spawn rate as Locust does; the end is the duration (or :func:`preview_horizon_s`).
    """
    if points < 2:
        raise ValueError("users_over_time needs at least 2 points")
    horizon = preview_horizon_s(profile)
    times = [horizon * i / (points - 1) for i in range(points)]
    return [(t, round(planned_users(profile, t))) for t in times]


def planned_rate(arrival: Arrival, elapsed_s: float) -> float:
    """Iterations per second a rate profile plans ``elapsed_s`` seconds into its schedule: its constant rate,
    or its stages (held, or reached linearly from the level before); the last rate holds afterwards."""
    if not arrival.stages:
        return arrival.rate or 0.0
    before, start = 0.0, 0.0
    for stage in arrival.stages:
        if elapsed_s < stage.until_s:
            if not stage.linear:
                return stage.rate
            return before + (stage.rate - before) * (elapsed_s - start) / (stage.until_s - start)
        before, start = stage.rate, stage.until_s
    return before


def rate_over_time(profile: Profile, points: int = 60) -> list[tuple[float, float]]:
    """A rate profile's planned iterations/s as ``points`` evenly spaced (elapsed seconds, rate) pairs from 0
    to its end (as :func:`users_over_time`), plus both sides of each held stage's step, so a step is drawn
    as one. Empty for a users profile."""
    arrival = profile.arrival
    if arrival is None:
        return []
    if points < 2:
        raise ValueError("rate_over_time needs at least 2 points")
    horizon = profile.duration_s or UNBOUNDED_PREVIEW_S
    times = {horizon * i / (points - 1) for i in range(points)}
    for stage in arrival.stages[:-1]:
        if stage.until_s < horizon:
            times |= {stage.until_s, max(0.0, stage.until_s - horizon / (points - 1) / 10)}
    return [(t, planned_rate(arrival, t)) for t in sorted(times)]


def peak_rate(arrival: Arrival) -> float:
    return max((s.rate for s in arrival.stages), default=arrival.rate or 0.0)
