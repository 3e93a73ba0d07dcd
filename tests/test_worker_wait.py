"""The wait for workers: the command for a worker elsewhere, who joined, and the one-line timeout."""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import locust  # noqa: F401  - first: gevent monkey-patching
import pytest

from perfconsole.engine.workers.wait import (
    advertised_address,
    joined_hosts,
    wait_for_workers,
    worker_command,
    worker_host,
)
from perfconsole.errors import UserError
from perfconsole.hosts import local_addresses


def runner_with(*client_ids: str) -> Any:
    nodes = [SimpleNamespace(id=client_id) for client_id in client_ids]
    return SimpleNamespace(clients=SimpleNamespace(ready=nodes))


def test_worker_hosts_from_locust_client_ids() -> None:
    assert worker_host("box-a_" + "f" * 32) == "box-a"
    assert worker_host("my_box_" + "0" * 32) == "my_box"
    runner = runner_with("a_" + "1" * 32, "b_" + "2" * 32, "a_" + "3" * 32)
    assert joined_hosts(runner) == ["a x2", "b"]


def test_the_command_names_the_address_to_dial(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    inside = tmp_path / "scenarios" / "health.py"
    command = worker_command(inside, "10.213.0.1", 5557, ("--tags", "api"))
    assert command == (
        "perfconsole worker -f scenarios/health.py --master-host 10.213.0.1 --master-port 5557 -- --tags api"
    )
    assert worker_command(Path("/elsewhere/x y.py"), "h", 1).startswith(
        "perfconsole worker -f '/elsewhere/x y.py' "
    )
    assert advertised_address("10.213.0.1") == "10.213.0.1"
    wildcard = advertised_address("0.0.0.0")
    assert wildcard in local_addresses() or wildcard == os.uname().nodename or "." in wildcard
    assert not wildcard.startswith("127.")


def test_progress_lines_and_the_timeout_line() -> None:
    runner = runner_with("box-a_" + "1" * 32)
    lines: list[str] = []
    with pytest.raises(UserError) as caught:
        wait_for_workers(runner, 2, 0.3, command="locust -f s.py --worker", report=lines.append)
    assert lines[0] == (
        "waiting for workers: 1 of 2 worker(s) joined (box-a); "
        "start one elsewhere with: locust -f s.py --worker"
    )
    assert str(caught.value) == "only 1 of 2 worker(s) connected within 0.3s (joined: box-a)"
    done: list[str] = []
    wait_for_workers(runner, 1, 5, command="c", report=done.append)
    assert done == ["all 1 worker(s) joined (box-a)"]
    with pytest.raises(UserError, match="^all 1 worker process"):
        wait_for_workers(
            runner,
            2,
            5,
            command=None,
            report=done.append,
            local_failure=lambda: "all 1 worker process(es) exited",
        )


def test_the_wait_ends_once_each_joined_worker_has_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    """A run started before a worker's first report would count from that worker's start (see
    wait_for_workers): the wait holds until every joined worker reported, or FIRST_REPORT_WAIT_S."""
    import gevent
    from locust.event import EventHook

    import perfconsole.engine.workers.wait as wait

    ids = ("a_" + "1" * 32, "b_" + "2" * 32)
    runner = runner_with(*ids)
    runner.environment = SimpleNamespace(events=SimpleNamespace(worker_report=EventHook()))
    reported: list[str] = []

    def report_later() -> None:
        for client_id in ids:
            gevent.sleep(0.05)
            reported.append(client_id)
            runner.environment.events.worker_report.fire(client_id=client_id, data={})

    later = gevent.spawn(report_later)
    wait_for_workers(runner, 2, 5, command=None, report=print)
    assert reported == list(ids)  # not before the second report
    later.join()
    assert not runner.environment.events.worker_report._handlers  # its listener removed
    monkeypatch.setattr(wait, "FIRST_REPORT_WAIT_S", 0.05)
    wait_for_workers(runner, 2, 5, command=None, report=print)  # no report comes: it goes on anyway
