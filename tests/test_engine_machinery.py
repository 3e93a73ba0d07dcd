"""The Locust machinery alone: built step by step against the real demo target (conftest), no user started,
and torn down leaving none of its listeners in Locust's process-wide events."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import locust
import pytest
from conftest import HEALTH
from locust.runners import LocalRunner

from perfconsole.config import default_settings
from perfconsole.demo_target.process import DemoTargetProcess
from perfconsole.engine.machinery import LocustMachinery
from perfconsole.engine.plan import RunPlan
from perfconsole.engine.workers.output import OperatorLog
from perfconsole.errors import UserError


def bound_to(owners: tuple[Any, ...]) -> int:
    """Listeners in ``locust.events`` that are methods of, or closures over, one of ``owners``."""
    found = 0
    for hook in vars(locust.events).values():
        for handler in getattr(hook, "_handlers", None) or ():
            function = getattr(handler, "__func__", handler)
            cells = [c.cell_contents for c in getattr(function, "__closure__", None) or () if _filled(c)]
            if getattr(handler, "__self__", None) in owners or any(c is o for c in cells for o in owners):
                found += 1
    return found


def _filled(cell: Any) -> bool:
    try:
        cell.cell_contents  # noqa: B018 - an empty cell raises
    except ValueError:
        return False
    return True


def test_an_unbuilt_machinery_refuses_and_tears_down_nothing(tmp_path: Path) -> None:
    settings = replace(default_settings(), runs_dir=tmp_path / "runs")
    machinery = LocustMachinery(RunPlan(scenario_path=HEALTH), settings, OperatorLog())
    with pytest.raises(UserError, match="not prepared"):
        machinery.require()
    assert machinery.worker_pids == [] and machinery.runner is None
    machinery.teardown()  # a failed first step: nothing to stop, no error
    machinery.teardown()


def test_built_in_process_step_by_step_then_torn_down(tmp_path: Path, demo_target: DemoTargetProcess) -> None:
    settings = replace(default_settings(), runs_dir=tmp_path / "runs")
    plan = RunPlan(scenario_path=HEALTH, host=demo_target.url, workers=0, resources=False)
    machinery = LocustMachinery(plan, settings, OperatorLog())
    machinery.start_runner(None, lambda line: None)
    env, runner = machinery.require()
    assert isinstance(runner, LocalRunner) and env.runner is runner
    assert machinery.host == demo_target.url and machinery.demo_target is None and machinery.worker_count == 0
    assert machinery.scenario is not None and machinery.endpoint_fold is not None and machinery.hdr is None
    hdr = machinery.add_histograms()
    assert machinery.hdr is hdr
    machinery.complete()
    assert machinery.lifecycle is not None and machinery.lifecycle.init_fired and machinery.monitor is None
    assert bound_to((runner, env)) > 0  # Locust's runner listens on the process-wide events
    runner.quit()
    machinery.teardown()
    assert bound_to((runner, env)) == 0
