"""Local worker processes: each in a process group of its own (stopped as a group), in the console session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from cli_helpers import free_port

from perfconsole.engine.workers.local import LocalWorkers

HEALTH = Path(__file__).resolve().parent.parent / "scenarios" / "health.py"


@pytest.mark.slow
def test_workers_get_a_process_group_of_their_own_in_the_consoles_session() -> None:
    """Own group: the terminal's Ctrl-C skips them and ``stop`` signals the group. Same session: on Linux a
    new session is a new scheduler autogroup, which slows a worker talking to a server on this machine."""
    workers = LocalWorkers(locustfiles=(HEALTH,), master_port=free_port(), count=2)
    workers.start()
    try:
        pids = workers.pids
        assert len(pids) == 2
        for pid in pids:
            assert os.getpgid(pid) == pid
            assert os.getsid(pid) == os.getsid(0)
    finally:
        workers.stop()
    assert workers.pids == []
    assert all(code is not None for code in workers.exited())
