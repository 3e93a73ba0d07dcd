"""A custom argument (Locust's add_command_line_argument example) read in ``init`` in every process."""

from _common import Pinger  # noqa: F401
from locust import events
from recorder import record


@events.init_command_line_parser.add_listener
def _(parser):
    parser.add_argument("--my-argument", type=str, default="", help="read at init")


@events.init.add_listener
def on_init(environment, runner, **kwargs):
    record(runner, f"init sees {environment.parsed_options.my_argument!r}")
