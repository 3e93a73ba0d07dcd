"""The sampler's greenlets log an error and go on: an uncaught one would print a traceback on the
operator's terminal (pure: a stand-in session, the real Sampler)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import gevent

from perfconsole.engine.sampler import Sampler


class Log:
    def __init__(self) -> None:
        self.lines: list[tuple[str, str]] = []

    def add(self, source: str, text: str) -> None:
        self.lines.append((source, text))


def test_an_error_in_the_end_check_is_logged_and_the_check_goes_on(tmp_path: Path) -> None:
    log = Log()
    session: Any = SimpleNamespace(
        settings=SimpleNamespace(runs_dir=tmp_path),
        runner=object(),
        state=SimpleNamespace(is_live=True),
        output_log=log,
    )
    sampler = Sampler(session)
    checks: list[int] = []

    def failing_check(_runner: Any) -> None:
        checks.append(1)
        raise AttributeError("'NoneType' object has no attribute 'clients'")

    sampler._check_end = failing_check  # type: ignore[method-assign]
    glet = gevent.spawn(sampler.watch_end, 0.001)
    try:
        deadline = 200
        while len(checks) < 3 and deadline:
            gevent.sleep(0.01)
            deadline -= 1
        assert len(checks) >= 3 and not glet.dead  # it went on after the first error
        assert log.lines[0] == ("sampler", "AttributeError: 'NoneType' object has no attribute 'clients'")
    finally:
        glet.kill()
