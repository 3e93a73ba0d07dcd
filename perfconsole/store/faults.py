"""Fault injection for the crash tests: ``PERFCONSOLE_FAULT=<point>`` SIGKILLs the process at that point.

The points sit between the steps of an atomic save (see perfconsole.store.atomic), where a crash is most
likely to leave something half-done; tests set the variable in a child process and check what is left.
"""

from __future__ import annotations

import os
import signal

FAULT_ENV = "PERFCONSOLE_FAULT"
POINTS = ("artifacts-written", "staged-written", "staged-complete", "replace-exchanged", "replace-old-moved")


def fault_point(name: str) -> None:
    """Die here (SIGKILL, no cleanup) if the environment asks for this point."""
    assert name in POINTS, name
    if os.environ.get(FAULT_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)
