"""A shape that ends the run and a custom argument read at ``init``: for workers started elsewhere with the
command perfconsole prints."""

from _common import Pinger  # noqa: F401
from locust import LoadTestShape, events
from recorder import record


@events.init_command_line_parser.add_listener
def _(parser):
    parser.add_argument("--my-argument", type=str, default="", help="read at init")


@events.init.add_listener
def on_init(environment, runner, **kwargs):
    record(runner, f"init sees {environment.parsed_options.my_argument!r}")


class TwoThenNone(LoadTestShape):
    def tick(self):
        return (2, 10) if self.get_run_time() < 3 else None
