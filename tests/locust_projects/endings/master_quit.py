"""A greenlet on the master (or the only process) quits the runner after 3 s, as Locust's
examples/extend_web_ui and stop_on_threshold do with ``environment.runner.quit()``."""

import gevent
from _common import Pinger  # noqa: F401
from locust import events
from locust.runners import WorkerRunner


def _quit_later(environment):
    gevent.sleep(3)
    environment.runner.quit()


@events.init.add_listener
def on_init(environment, **kwargs):
    if not isinstance(environment.runner, WorkerRunner):
        gevent.spawn(_quit_later, environment)
