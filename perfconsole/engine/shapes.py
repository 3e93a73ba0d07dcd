"""Locust load shape for staged profiles. Imports Locust: only the engine imports this module."""

from __future__ import annotations

from collections.abc import Sequence

from locust import LoadTestShape

from perfconsole.config import Profile, Stage
from perfconsole.profiles import describe_stage, stage_at


class StagedShape(LoadTestShape):
    """Runs a profile's stages: each tick asks for the active stage's users and rate; None ends the run."""

    def __init__(self, stages: Sequence[Stage], profile_name: str | None = None) -> None:
        super().__init__()
        if not stages:
            raise ValueError("StagedShape needs at least one stage")
        self.stages: tuple[Stage, ...] = tuple(stages)
        self.profile_name = profile_name

    @classmethod
    def from_profile(cls, profile: Profile) -> StagedShape:
        if not profile.staged:
            raise ValueError(f"profile {profile.name!r} has no stages")
        return cls(profile.stages, profile.name)

    @property
    def duration_s(self) -> float:
        return self.stages[-1].until_s

    def tick(self) -> tuple[int, float] | None:
        index = stage_at(self.stages, self.get_run_time())
        if index is None:
            return None
        stage = self.stages[index]
        return stage.users, stage.spawn_rate

    def current_stage(self) -> tuple[int, Stage] | None:
        """(index, stage) active now; None after the last stage."""
        index = stage_at(self.stages, self.get_run_time())
        return None if index is None else (index, self.stages[index])

    def current_label(self) -> str | None:
        """Label of the active stage, e.g. ``"2/4 hold 100 users"``; None after the last stage."""
        current = self.current_stage()
        return None if current is None else describe_stage(self.stages, current[0])
