"""Exit codes and log lines by Locust's rules: requests that fail, a run without requests, a quitting hook
that sets its own code (``--hook-exit-code N``), a line each process logs at INFO in ``test_start``."""

import logging

from locust import HttpUser, User, constant, events, task
from recorder import role


@events.init_command_line_parser.add_listener
def add_arguments(parser):
    parser.add_argument("--hook-exit-code", type=int, default=-1, help="quitting sets this exit code")


@events.test_start.add_listener
def on_test_start(environment, **kwargs):
    logging.info("exits.py: test_start in a %s", role(environment.runner))


@events.quitting.add_listener
def on_quitting(environment, **kwargs):
    code = environment.parsed_options.hook_exit_code
    if code >= 0:
        environment.process_exit_code = code


class Failing(HttpUser):
    wait_time = constant(0.2)

    @task
    def missing(self):
        self.client.get("/no-such-path")


class Idle(User):
    wait_time = constant(0.2)

    @task
    def nothing(self):
        pass
