"""The Locust machinery a session runs on: the scenario, the demo target when no host is given, the
Environment and its runner (in process, or a master with local workers and every expected worker
connected), exact percentiles, the endpoint fold, Locust's lifecycle events and the resource monitor.

Built in steps the session calls in order (its collaborators attach between them); each part is kept as soon
as it runs, so that ``teardown`` stops whatever was started when a later step fails.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING

import locust
from locust.runners import LocalRunner, MasterRunner

from perfconsole.engine import preparation
from perfconsole.engine.cardinality import MAX_ENDPOINTS_ENV, EndpointFold, install_fold
from perfconsole.engine.events import Lifecycle, remove_listeners
from perfconsole.engine.hdr.hooks import HdrStats
from perfconsole.engine.locust_log import LocustLog
from perfconsole.engine.scenario import LoadedScenario, load_scenario
from perfconsole.engine.workers.local import LocalWorkers
from perfconsole.engine.workers.output import OperatorLog
from perfconsole.errors import UserError
from perfconsole.resources.monitor import ResourceMonitor
from perfconsole.user_mix import apply_profile_mix

if TYPE_CHECKING:
    from locust.env import Environment

    from perfconsole.config import Profile, Settings
    from perfconsole.demo_target.process import DemoTargetProcess
    from perfconsole.engine.plan import RunPlan


class LocustMachinery:
    """One session's Locust parts (None until built)."""

    def __init__(self, plan: RunPlan, settings: Settings, output_log: OperatorLog) -> None:
        self.plan, self.settings = plan, settings
        self.scenario: LoadedScenario | None = None
        self.host = ""
        self.demo_target: DemoTargetProcess | None = None
        self.env: Environment | None = None
        self.runner: LocalRunner | MasterRunner | None = None
        self.worker_count = 0
        self.master_port: int | None = None
        self.local_workers: LocalWorkers | None = None
        self.hdr: HdrStats | None = None
        """Exact percentiles (HdrHistograms merged from every load process)."""
        self.endpoint_fold: EndpointFold | None = None
        self.lifecycle: Lifecycle | None = None
        self.monitor: ResourceMonitor | None = None
        self._output_log = output_log
        self._log = LocustLog(output_log)
        self._uninstall_fold: Callable[[], None] = lambda: None

    # ----------------------------------------------------------------------------- the steps
    def start_runner(self, profile: Profile | None, status: Callable[[str], None]) -> None:
        """Load the scenario, choose the host (the demo target started when none is given), build the
        Environment and its runner; on a master, start the local workers and wait for every expected one."""
        plan, settings = self.plan, self.settings
        self._log.install()
        self.scenario = load_scenario(plan.scenario_path, plan.user_classes, plan.locustfiles)
        if profile is not None:  # before anything starts: an unknown class is an error
            apply_profile_mix(profile, self.scenario)
        choice = preparation.choose_host(plan, settings, self.scenario)
        self.host, self.demo_target = choice.host, choice.demo_target
        preparation.preflight(plan, settings, self.host)
        self.worker_count = preparation.worker_count(plan, settings)
        self.env = preparation.build_environment(
            plan, self.scenario, choice.environment_host, preparation.run_label(plan, profile)
        )
        external = max(0, plan.expect_workers - self.worker_count)
        self.endpoint_fold = EndpointFold(settings.max_endpoints)
        os.environ[MAX_ENDPOINTS_ENV] = str(settings.max_endpoints)  # local workers inherit it
        if self.worker_count == 0 and external == 0:
            self.runner = self.env.create_local_runner()
        else:
            self._start_master(self.env, external, status)

    def _start_master(self, env: Environment, external: int, status: Callable[[str], None]) -> None:
        runner = preparation.create_master(env, self.plan)
        self.runner = runner
        self.master_port = runner.server.port
        if self.worker_count:
            self.local_workers = preparation.local_workers(
                self.plan, self.master_port, self.worker_count, self._output_log
            )
            self.local_workers.start()
        expected = self.worker_count + external
        preparation.connect_workers(runner, self.plan, expected, external, self.local_workers, status)
        self.worker_count = expected

    def add_histograms(self) -> HdrStats:
        """Exact percentiles beside the runner (see perfconsole.engine.hdr.hooks)."""
        env, runner = self.require()
        self.hdr = HdrStats(
            env,
            runner.stats,
            local=isinstance(runner, LocalRunner),
            window_s=self.settings.window_s,
            endpoint_caches=bool(getattr(self.plan.parsed_options, "stats_history_enabled", False)),
        )
        return self.hdr

    def complete(self) -> None:
        """The endpoint fold installed, Locust's ``init`` event fired, the resource monitor started."""
        env, runner = self.require()
        assert self.hdr is not None and self.endpoint_fold is not None
        self._uninstall_fold = install_fold(env, runner, self.endpoint_fold, self.hdr.name_users())
        self.lifecycle = Lifecycle(env)
        self.lifecycle.init(runner)
        if self.plan.resources:
            self.monitor = preparation.resource_monitor(
                self.plan, self.settings, self.host, self.demo_target, self.worker_pids
            )

    # ----------------------------------------------------------------------------- reads, teardown
    def require(self) -> tuple[Environment, LocalRunner | MasterRunner]:
        if self.env is None or self.runner is None:
            raise UserError("the session is not prepared")
        return self.env, self.runner

    @property
    def worker_pids(self) -> list[int]:
        return self.local_workers.pids if self.local_workers else []

    def teardown(self) -> None:
        """Stop every part that was started (after Locust's quit, or a failed step); leaves no process."""
        if self.hdr is not None:
            self.hdr.close()
        self._uninstall_fold()
        if self.monitor is not None:
            self.monitor.close()
        if self.local_workers is not None:
            self.local_workers.stop()
        if self.demo_target is not None:
            self.demo_target.stop()
        self._log.uninstall()
        # the next session imports the locustfiles afresh: their listeners (and the runner's) go now
        remove_listeners(locust.events, preparation.locustfiles(self.plan), (self.runner, self.env))
