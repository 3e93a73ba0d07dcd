"""The load shape a run follows (a locustfile's ``LoadTestShape`` or a staged profile), switched on and
off mid-run, and what the run's stage is called."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from perfconsole.engine.locust import runner as locust_runner

if TYPE_CHECKING:
    from locust import LoadTestShape
    from locust.env import Environment
    from locust.runners import LocalRunner, MasterRunner


class ShapeFollower:
    """Follows a shape on the session's Environment and runner (``attach``ed once they exist); after the
    operator takes over, the run is ``manual``."""

    def __init__(
        self,
        annotate: Callable[[str, str], object],
        before_follow: Callable[[LoadTestShape], None] = lambda shape: None,
    ) -> None:
        self._annotate = annotate
        self._before_follow = before_follow
        """Called with each shape before it drives the runner (the run's end watch probes its tick)."""
        self._env: Environment | None = None
        self._runner: LocalRunner | MasterRunner | None = None
        self.manual = False
        """The operator took over from a shape (the stage label says "manual")."""
        self._last_named: tuple[LoadTestShape, str] | None = None
        """The shape's last named stage: the run's tail after it (until the late stop) stays in it."""

    def attach(self, env: Environment, runner: LocalRunner | MasterRunner) -> None:
        self._env, self._runner = env, runner

    @property
    def shape(self) -> LoadTestShape | None:
        """The shape the run follows now, or None."""
        return self._env.shape_class if self._env is not None else None

    @property
    def title(self) -> str | None:
        """The shape's name (a staged profile's name or the class name), or None."""
        shape = self.shape
        return shape_title(shape) if shape is not None else None

    def follow(self, shape: LoadTestShape, reset_clock: bool = True) -> None:
        """Let ``shape`` drive the runner (see perfconsole.engine.locust.runner.follow_shape)."""
        if self._env is None or self._runner is None:
            raise RuntimeError("no runner to follow a shape with")
        self._before_follow(shape)
        locust_runner.follow_shape(self._env, self._runner, shape, reset_clock)

    def leave(self, control: str | None = None) -> int | None:
        """Stop following the shape; with ``control`` (the operator's action) the run is manual from now on,
        which the annotations and the stage label say. Returns the users the runner targets (None when no
        shape was followed)."""
        env, runner = self._env, self._runner
        if runner is None or env is None or env.shape_class is None:
            return None
        if control is not None:
            shape = f"{shape_title(env.shape_class)} ({self.stage_label()})"
            self._annotate(f"left shape {shape}: manual control by {control}", "profile")
            self.manual = True
        locust_runner.drop_shape(env, runner)
        return runner.target_user_count

    def stage_label(self) -> str | None:
        """The snapshot's stage: the shape's current stage (or its class name), "manual", or None."""
        shape = self.shape
        if shape is None:
            return "manual" if self.manual else None
        describe = getattr(shape, "current_label", None)
        if callable(describe):
            label = describe()
            return str(label) if label is not None else None
        return type(shape).__name__

    def stage_key_label(self) -> str | None:
        """The shape's part of the stage key (figures per stage): its stage, else its class and users."""
        shape = self.shape
        if shape is None:
            return None
        describe = getattr(shape, "current_label", None)  # perfconsole's staged profiles name their stage
        label = describe() if callable(describe) else None
        if label is not None:
            self._last_named = (shape, str(label))
            return str(label)
        if callable(describe) and self._last_named is not None and self._last_named[0] is shape:
            return self._last_named[1]  # past its last stage, until the run stops
        users = self._runner.target_user_count if self._runner is not None else 0
        return f"{type(shape).__name__}: {users} users"


def shape_title(shape: LoadTestShape) -> str:
    name = getattr(shape, "profile_name", None)
    return str(name) if name else type(shape).__name__


def shape_duration(shape: LoadTestShape) -> float | None:
    total = getattr(shape, "duration_s", None)
    return float(total) if isinstance(total, int | float) else None
