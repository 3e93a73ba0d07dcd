"""The demo target: a small HTTP API on loopback with tunable latency and errors, for trying scenarios.

Importing this package loads neither Flask nor gevent's server: ``process`` starts the target as a child
process (``perfconsole demo-target``); ``app`` and ``server`` are imported only in that child.
"""

from perfconsole.demo_target.options import DemoOptions
from perfconsole.demo_target.process import DemoTargetError, DemoTargetProcess, start_demo_target

__all__ = ["DemoOptions", "DemoTargetError", "DemoTargetProcess", "start_demo_target"]
