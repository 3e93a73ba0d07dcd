"""Staged profiles: active stage over time, labels, the planned users curve and the Locust shape's ticks."""

from __future__ import annotations

import pytest

from perfconsole.config import Profile, Stage, default_settings
from perfconsole.profiles import describe_stage, planned_users, stage_at, users_over_time

RAMP_SPIKE = default_settings().profile("ramp-spike")
STRESS = default_settings().profile("stress")


@pytest.mark.parametrize(
    ("elapsed_s", "index"),
    [(-1, 0), (0, 0), (119.9, 0), (120, 1), (299, 1), (300, 2), (359.5, 2), (360, 3), (479.9, 3)]
    + [(480, None), (10_000, None)],
)
def test_stage_at(elapsed_s: float, index: int | None) -> None:
    assert stage_at(RAMP_SPIKE.stages, elapsed_s) == index


def test_describe_stage_labels() -> None:
    labels = [describe_stage(RAMP_SPIKE.stages, i) for i in range(len(RAMP_SPIKE.stages))]
    assert labels == [
        "1/4 ramp to 100 @2/s",
        "2/4 hold 100 users",
        "3/4 ramp to 200 @10/s",
        "4/4 down to 50 @5/s",
    ]
    assert describe_stage(STRESS.stages, 4) == "5/5 down to 0 @10/s"
    assert describe_stage((Stage(10, 3, 0.5),), 0) == "1/1 ramp to 3 @0.5/s"


def test_users_over_time_flat_profile() -> None:
    light = default_settings().profile("light")
    curve = users_over_time(light, points=61)
    assert len(curve) == 61
    assert curve[0] == (0.0, 0)
    assert curve[-1] == (60.0, 10)
    assert [users for _, users in curve[:13]] == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 10, 10]
    assert [t for t, _ in curve[:3]] == [0.0, 1.0, 2.0]


def test_users_over_time_staged_profile_follows_ramps() -> None:
    curve = dict(users_over_time(RAMP_SPIKE, points=481))
    expected = {
        0: 0,
        25: 50,
        50: 100,
        119: 100,
        300: 100,
        305: 150,
        310: 200,
        360: 200,
        370: 150,
        390: 50,
        480: 50,
    }
    assert {t: curve[float(t)] for t in expected} == expected


def test_users_over_time_stress_steps_and_returns_to_zero() -> None:
    curve = dict(users_over_time(STRESS, points=1261))
    assert [curve[float(t)] for t in (10, 299, 310, 610, 910, 1199, 1210, 1240, 1260)] == [
        100,
        100,
        200,
        300,
        400,
        400,
        300,
        0,
        0,
    ]


def test_users_over_time_default_points_and_unbounded_profile() -> None:
    assert len(users_over_time(RAMP_SPIKE)) == 60
    open_ended = Profile("open", users=300, spawn_rate=5, duration_s=None)
    curve = users_over_time(open_ended, points=11)
    assert curve[-1] == (120.0, 300)  # horizon: twice the 60 s ramp
    small = Profile("small", users=2, spawn_rate=1, duration_s=None)
    assert users_over_time(small, points=2) == [(0.0, 0), (60.0, 2)]
    with pytest.raises(ValueError):
        users_over_time(small, points=1)


def test_planned_users_holds_after_the_end() -> None:
    assert planned_users(RAMP_SPIKE, 10_000) == 50
    assert planned_users(STRESS, 10_000) == 0


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_staged_shape_ticks_over_time(monkeypatch: pytest.MonkeyPatch) -> None:
    from perfconsole.engine.shapes import StagedShape

    shape = StagedShape.from_profile(RAMP_SPIKE)
    clock = FakeClock()
    monkeypatch.setattr(shape, "get_run_time", clock)
    seen = []
    for clock.now in (0, 60, 120, 200, 300, 359, 360, 479, 480, 500):
        seen.append((shape.tick(), shape.current_label()))
    assert seen == [
        ((100, 2), "1/4 ramp to 100 @2/s"),
        ((100, 2), "1/4 ramp to 100 @2/s"),
        ((100, 2), "2/4 hold 100 users"),
        ((100, 2), "2/4 hold 100 users"),
        ((200, 10), "3/4 ramp to 200 @10/s"),
        ((200, 10), "3/4 ramp to 200 @10/s"),
        ((50, 5), "4/4 down to 50 @5/s"),
        ((50, 5), "4/4 down to 50 @5/s"),
        (None, None),
        (None, None),
    ]
    clock.now = 130
    assert shape.current_stage() == (1, RAMP_SPIKE.stages[1])
    assert shape.duration_s == 480
    assert shape.profile_name == "ramp-spike"


def test_staged_shape_rejects_flat_profiles_and_empty_stages() -> None:
    from perfconsole.engine.shapes import StagedShape

    with pytest.raises(ValueError):
        StagedShape.from_profile(default_settings().profile("light"))
    with pytest.raises(ValueError):
        StagedShape(())
