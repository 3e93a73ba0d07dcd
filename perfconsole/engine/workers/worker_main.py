"""Entry point of a worker process: Locust's own ``locust --worker``, plus histograms and a parent watchdog.

``python -m perfconsole.engine.workers.worker_main LOCUST-ARGS...`` runs ``locust LOCUST-ARGS...`` unchanged,
with every request also recorded in HdrHistograms sent with each report (``perfconsole.engine.hdr``) and
its buffered output flushed every :data:`FLUSH_S` (a local worker's output is a file). When
``PERFCONSOLE_PARENT_PID`` is set and that process stops being our parent (the console was killed, even
with SIGKILL), the worker stops itself at once instead of waiting Locust's 60 s master-heartbeat timeout.
"""

import locust  # noqa: F401,I001  - first: gevent monkey-patching

import gc
import os
import signal
import sys
from typing import Any

import gevent

PARENT_CHECK_S = 1.0
PARENT_ENV = "PERFCONSOLE_PARENT_PID"
FLUSH_S = 0.2
"""Prints are block-buffered (a write per 8 KB, as Locust's workers writing to a pipe); flushed this often,
so that the operator sees them within a fraction of a second."""


def _flush_output() -> None:
    while True:
        gevent.sleep(FLUSH_S)
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass


def _watch_parent(parent_pid: int) -> None:
    while os.getppid() == parent_pid:
        gevent.sleep(PARENT_CHECK_S)
    os.kill(os.getpid(), signal.SIGTERM)  # Locust's own handler quits the worker


def _record_histograms(environment: Any, runner: Any = None, **_kwargs: Any) -> None:
    from locust.runners import WorkerRunner

    from perfconsole.engine.generator_lag import install_worker_lag
    from perfconsole.engine.hdr.hooks import install_worker_recorder

    if isinstance(runner if runner is not None else environment.runner, WorkerRunner):
        recorder = install_worker_recorder(environment)  # with the endpoint cap, as on the master
        install_worker_lag(environment)
        from perfconsole.engine.arrival.pacer import ArrivalPacer

        worker = runner if runner is not None else environment.runner

        def set_start_lag(start_lag: Any) -> None:  # arrival-rate mode, while the master asks for it
            recorder.start_lag = start_lag

        ArrivalPacer(worker, set_start_lag=set_start_lag)
        # As `locust --processes` does before it forks its workers: what exists now (Locust, the locustfile)
        # is never traversed by a collection again, so a full collection under load stays cheap.
        gc.collect()
        gc.freeze()


def main() -> None:
    locust.events.init.add_listener(_record_histograms)
    parent = os.environ.get(PARENT_ENV, "")
    if parent.isdigit():
        gevent.spawn(_watch_parent, int(parent))
        gevent.spawn(_flush_output)
    from locust.main import main as locust_main

    sys.argv = ["locust", *sys.argv[1:]]
    locust_main()


if __name__ == "__main__":
    main()
