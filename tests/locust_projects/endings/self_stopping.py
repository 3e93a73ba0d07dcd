"""Each load process stops by itself after a number of task iterations, as locust-plugins' ``-i`` does:
once every user of a process has stopped, it quits its runner (``gevent.spawn_later(0.1, runner.quit)``).
Stopped users are counted here (``runner.user_count`` lags when users stop at the same instant)."""

import os

import _common  # noqa: F401  - the hooks
import gevent
from locust import HttpUser, constant, task
from locust.exception import StopUser
from locust.runners import WorkerRunner

ITERATIONS = 15
STARTED = {"count": 0, "stopped": 0, "quitting": False}


class Counted(HttpUser):
    host = os.environ["DROPIN_HOST"]
    wait_time = constant(0.1)

    @task
    def ping(self):
        runner = self.environment.runner
        if STARTED["count"] >= ITERATIONS:
            STARTED["stopped"] += 1
            if STARTED["stopped"] >= runner.user_count and not STARTED["quitting"]:  # the last user
                STARTED["quitting"] = True
                if isinstance(runner, WorkerRunner):
                    runner._send_stats()  # a final report, as locust-plugins sends
                gevent.spawn_later(0.1, runner.quit)
            raise StopUser()
        STARTED["count"] += 1
        self.client.get("/api/v1/health/ping")
