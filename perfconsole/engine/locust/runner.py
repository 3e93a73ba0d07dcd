"""The one place perfconsole touches Locust runner internals (``shape_greenlet``, ``shape_last_tick``).

Locust 2.47 has no public API to switch a load shape on or off while a run goes on: ``Runner.start_shape``
only starts a fresh run, and a shape is left only by stopping. Live controls (the operator taking over a
staged profile, a spike drill interrupting a shape, switching profile mid-run) need both, so these two
functions do what ``start_shape`` and ``stop`` do to the shape's greenlet, and nothing else. Check them when
upgrading Locust (locust/runners.py: ``start_shape``, ``shape_worker``, ``stop``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from locust import LoadTestShape
    from locust.env import Environment
    from locust.runners import LocalRunner, MasterRunner


def follow_shape(
    env: Environment, runner: LocalRunner | MasterRunner, shape: LoadTestShape, reset_clock: bool = True
) -> None:
    """Make ``shape`` drive the runner: a fresh run through Locust's ``start_shape``; a live run by
    (re)starting the runner's shape greenlet, with the shape's clock reset unless ``reset_clock`` is off."""
    shape.runner = runner
    env.shape_class = shape
    if runner.state not in ("spawning", "running"):
        runner.start_shape()  # fresh run: sets the runner ready and resets the shape's clock
        return
    if reset_clock:
        shape.reset_time()
    runner.shape_last_tick = None
    if runner.shape_greenlet is None:
        runner.shape_greenlet = runner.greenlet.spawn(runner.shape_worker)


def drop_shape(env: Environment, runner: LocalRunner | MasterRunner) -> None:
    """Stop following the environment's shape; the users running stay as they are."""
    if runner.shape_greenlet is not None:
        runner.shape_greenlet.kill(block=False)
        runner.shape_greenlet = None
    runner.shape_last_tick = None
    env.shape_class = None
