"""A load session: one scenario, one Locust Environment, its runner and worker processes.

Blocking methods (``prepare``, ``finish``, ``close``) are gevent-cooperative: call them from a greenlet
(``perfconsole.engine.greenlets.run_blocking`` from a coroutine), never straight from a coroutine.
Control methods (``start``, ``set_users``, ``stop`` ...) return at once: the Locust calls they make run in
greenlets. Reads (``snapshot``, ``history``, ``annotations``) are cheap and never reset Locust's stats.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import gevent
import locust
from locust.env import Environment
from locust.runners import LocalRunner, MasterRunner
from locust.stats import stats_history

from perfconsole.config import Profile, Settings, SpikeDrill
from perfconsole.engine import stats_view
from perfconsole.engine.cardinality import MAX_ENDPOINTS_ENV, EndpointFold, install_fold
from perfconsole.engine.events import Lifecycle, remove_listeners, warn_common_options
from perfconsole.engine.hdr.hooks import HdrStats
from perfconsole.engine.hdr.stages import session_stage_key
from perfconsole.engine.history import RunHistory
from perfconsole.engine.locustfiles import class_hosts
from perfconsole.engine.plan import RunPlan
from perfconsole.engine.scenario import LoadedScenario, load_scenario
from perfconsole.engine.worker_loss import WorkerLossWatch
from perfconsole.engine.worker_output import OperatorLog
from perfconsole.engine.worker_wait import advertised_address, wait_for_workers, worker_command
from perfconsole.engine.workers import LocalWorkers
from perfconsole.errors import UserError
from perfconsole.hosts import dial_address, validate_target_url
from perfconsole.model.resources import ResourceSample
from perfconsole.model.run import (
    Annotation,
    HistoryPoint,
    RunResult,
    RunSnapshot,
    RunState,
    ThresholdResult,
)
from perfconsole.model.run_warnings import RunWarning
from perfconsole.model.stages import StageStats
from perfconsole.resources.monitor import ResourceMonitor
from perfconsole.resources.options import ResourceOptions
from perfconsole.user_mix import apply_profile_mix
from perfconsole.verdicts.drills import RecoveryVerdict, assess_recovery
from perfconsole.verdicts.resources import resource_verdicts

if TYPE_CHECKING:
    from locust import LoadTestShape

    from perfconsole.demo_target.process import DemoTargetProcess

SAMPLE_INTERVAL_S = 1.0
WORKER_REPORT_INTERVAL_S = 3.0
"""How often Locust workers send their stats to the master (locust.runners.WORKER_REPORT_INTERVAL)."""
WORKER_EXIT_WAIT_S = 5.0


class _LogCollector(logging.Handler):
    """Keeps Locust's warnings for the front end instead of letting them write over the console; each one
    also goes to the operator's log (console log view, headless stderr, workers.log)."""

    def __init__(self, output: OperatorLog) -> None:
        super().__init__(logging.WARNING)
        self.output = output

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        line = message.splitlines()[0] if message else ""
        self.output.add("locust", f"{record.levelname}: {line}")


class LoadSession:
    """Owns the Environment, the runner, local workers and (when no host is given) the demo target."""

    def __init__(self, plan: RunPlan, settings: Settings) -> None:
        self.plan = plan
        self.settings = settings
        self.profile: Profile | None = plan.profile
        self.state = RunState.PREPARING
        self.env: Environment | None = None
        self.runner: LocalRunner | MasterRunner | None = None
        self.scenario: LoadedScenario | None = None
        self.demo_target: DemoTargetProcess | None = None
        self.local_workers: LocalWorkers | None = None
        self.host = ""
        self.worker_count = 0
        self.started_at = 0.0
        self.ended_at = 0.0
        self.duration_s: float | None = None
        self.spike_verdict: RecoveryVerdict | None = None
        self.monitor: ResourceMonitor | None = None
        self.resource_sample: ResourceSample | None = None
        """The latest resource sample (None until the first tick, or when sampling is off)."""
        self._warnings: list[RunWarning] = []
        self._t0 = 0.0
        self._stopped_elapsed: float | None = None
        self._history = RunHistory()
        self._annotations: list[Annotation] = []
        self._target_users = 0
        self._max_target = 0
        self._spawn_rate = 1.0
        self._paused_at: tuple[int, float] | None = None
        self._spike: tuple[float, float, float] | None = None  # start, end, observe-until (elapsed s)
        self._greenlets: list[gevent.Greenlet] = []
        self._start_greenlet: gevent.Greenlet | None = None
        self._deadline: gevent.Greenlet | None = None
        self._spike_greenlet: gevent.Greenlet | None = None
        self.endpoint_fold: EndpointFold | None = None
        self._uninstall_fold: Callable[[], None] = lambda: None
        self._worker_watch = WorkerLossWatch(self._announce, self._add_warning, self._respawn_after_loss)
        self.output_log = OperatorLog()
        """Workers' output and Locust's warnings for the operator (log view, stderr, workers.log)."""
        self._log = _LogCollector(self.output_log)
        self._closed = False
        self.listeners: list[Callable[[Annotation], None]] = []
        """Called with every new annotation (from the engine's greenlets)."""
        self.status_listeners: list[Callable[[str], None]] = []
        """Called with progress lines while preparing (e.g. how to start external workers)."""
        self.master_port: int | None = None
        self.hdr: HdrStats | None = None
        """Exact percentiles (HdrHistograms merged from every load process)."""
        self.process_exit_code: int | None = None
        """``environment.process_exit_code`` as the ``quitting`` hooks left it (None: not set)."""
        self.lifecycle: Lifecycle | None = None
        self._stop_greenlet: gevent.Greenlet | None = None
        self._manual = False

    # ----------------------------------------------------------------------------- lifecycle (blocking)
    def prepare(self) -> None:
        """Load the scenario, start the demo target if needed, build the runner, connect the workers."""
        try:
            self._prepare()
        except BaseException:
            self.state = RunState.FAILED
            self.close()
            raise

    def _prepare(self) -> None:
        locust_logger = logging.getLogger("locust")
        if self._log not in locust_logger.handlers:
            locust_logger.addHandler(self._log)
            locust_logger.propagate = False
        self.scenario = load_scenario(self.plan.scenario_path, self.plan.user_classes, self.plan.locustfiles)
        if self.profile is not None:  # before anything starts: an unknown class is an error
            apply_profile_mix(self.profile, self.scenario)
        host = self.plan.host or self.settings.host
        own_hosts = class_hosts(self.scenario.user_classes)
        if host:
            self.host = validate_target_url(host, "--host" if self.plan.host else "run.host")
        elif own_hosts:  # every user class names its host: Locust uses them, no demo target
            self.host = validate_target_url(own_hosts[0], "a user class's host")  # each keeps its own
        else:
            from perfconsole.demo_target.process import start_demo_target

            self.demo_target = start_demo_target(**self.plan.demo_target_options)
            self.host = self.demo_target.url
        self._preflight()
        workers = self.plan.workers if self.plan.workers is not None else self.settings.workers
        self.worker_count = (os.cpu_count() or 1) if workers is None else workers
        if self.worker_count < 0:
            raise UserError(f"--workers must be 0 or more, got {self.worker_count}")
        files = self.locustfiles
        self.env = Environment(
            user_classes=list(self.scenario.user_classes.values()),
            events=locust.events,
            host=None if own_hosts and not host else self.host,
            stop_timeout=self.plan.stop_timeout_s,
            tags=list(self.plan.tags) or None,
            exclude_tags=list(self.plan.exclude_tags) or None,
            locustfile=files[0].name,
            parsed_locustfiles=[str(f) for f in files],
            available_shape_classes={type(s).__name__: s for s in self.scenario.shapes},
            parsed_options=self.plan.parsed_options,
            reset_stats=bool(getattr(self.plan.parsed_options, "reset_stats", False)),
            profile=self._run_label(),
        )
        external = max(0, self.plan.expect_workers - self.worker_count)
        self.endpoint_fold = EndpointFold(self.settings.max_endpoints)
        os.environ[MAX_ENDPOINTS_ENV] = str(self.settings.max_endpoints)  # local workers inherit it
        if self.worker_count == 0 and external == 0:
            self.runner = self.env.create_local_runner()
        else:
            self._start_master(external)
        assert self.runner is not None
        self.hdr = HdrStats(
            self.env,
            self.runner.stats,
            local=isinstance(self.runner, LocalRunner),
            window_s=self.settings.window_s,
        )
        self._uninstall_fold = install_fold(self.env, self.runner, self.endpoint_fold, self.hdr.name_users())
        self.lifecycle = Lifecycle(self.env)
        self.lifecycle.init(self._require_runner())
        if self.plan.resources:
            self.monitor = self._resource_monitor()
        self._greenlets.append(gevent.spawn(stats_history, self.runner))
        self._greenlets.append(gevent.spawn(self._sample_loop))
        self.state = RunState.READY

    def _start_master(self, external: int) -> None:
        """The master on its address, local workers started, and every expected worker connected."""
        assert self.env is not None
        bind, port = self.plan.master_bind_host, self.plan.master_bind_port
        try:
            runner = self.env.create_master_runner(bind, port)
        except SystemExit:  # Locust exits when the port is taken
            raise UserError(f"cannot listen for workers on {bind}:{port}: address in use?") from None
        self.runner = runner
        self.master_port = runner.server.port
        if self.worker_count:
            self.local_workers = LocalWorkers(
                locustfiles=self.locustfiles,
                master_port=self.master_port,
                count=self.worker_count,
                tags=self.plan.tags,
                exclude_tags=self.plan.exclude_tags,
                reset_stats=bool(getattr(self.plan.parsed_options, "reset_stats", False)),
                master_host=dial_address(bind),
                log=self.output_log,
            )
            self.local_workers.start()
        expected = self.worker_count + external
        command = (
            worker_command(
                self.locustfiles,
                advertised_address(bind),
                self.master_port,
                self.plan.tags,
                self.plan.exclude_tags,
            )
            if external
            else None
        )
        wait_for_workers(
            runner,
            expected,
            self.plan.expect_workers_max_wait_s,
            command=command,
            report=self._status,
            local_failure=self._local_workers_failure,
            local_tail=lambda: self.local_workers.log_tail(3) if self.local_workers is not None else "",
        )
        self.worker_count = expected

    def _local_workers_failure(self) -> str | None:
        workers = self.local_workers
        if workers is not None and workers.processes and len(workers.exited()) == len(workers.processes):
            return f"all {workers.count} worker process(es) exited before connecting: {workers.log_tail()}"
        return None

    def _run_label(self) -> str | None:
        """Locust's ``--profile`` (a label grouping runs, in its report), else the load profile's name."""
        label = vars(self.plan.parsed_options).get("profile") if self.plan.parsed_options else None
        return str(label) if label else (self.profile.name if self.profile else None)

    def _status(self, line: str) -> None:
        for listener in list(self.status_listeners):
            listener(line)

    def _preflight(self) -> None:
        """The target answers (and its health path is 2xx) before any worker or user starts."""
        from perfconsole.resources.preflight import preflight

        options = self.settings.resources
        health_path = self.plan.health_path or options.health_path
        preflight(self.host, health_path=health_path, timeout_s=options.preflight_timeout_s)

    def _resource_monitor(self) -> ResourceMonitor:
        options = ResourceOptions.from_settings(self.settings)
        changes: dict[str, Any] = {}
        if self.plan.metrics_url:
            changes["metrics_url"] = self.plan.metrics_url
        elif not options.metrics_url and self.demo_target is not None:
            changes["metrics_url"] = f"{self.demo_target.url}/metrics"  # the demo target's, out of the box
        if self.plan.target_pid is not None:
            changes["target_pid"] = self.plan.target_pid
        elif self.demo_target is not None and not self.plan.target_process:
            changes["target_pid"] = self.demo_target.pid
        if self.plan.target_process:
            changes["target_name"] = self.plan.target_process
        return ResourceMonitor(
            replace(options, **changes),
            host_url=self.host,
            local_worker_pids=self.worker_pids,
            console_pid=os.getpid(),
        )

    def finish(self) -> None:
        """End the run for good: stop users and collect the workers' final stats (Locust's quit)."""
        runner = self.runner
        if runner is None:
            return
        self._kill_control_greenlets()
        if self.state in (RunState.SPAWNING, RunState.RUNNING, RunState.STOPPING):
            self._mark_stopped("run finished")
        self._join_stop()
        runner.quit()  # on a master, workers send a final report before exiting
        self._record_sample()
        self.state = RunState.QUIT
        if self.lifecycle is not None:
            self.process_exit_code = self.lifecycle.quitting()
        if self.local_workers is not None:  # their quit hooks' output belongs to this run's log
            self.local_workers.wait_exited(WORKER_EXIT_WAIT_S)
            self.local_workers.poll_output(final=True)

    def fire_quit(self, exit_code: int) -> None:
        """Locust's ``quit`` event with the process's exit code (once; ``close`` fires it if nobody did)."""
        if self.lifecycle is not None:
            self.lifecycle.quit(exit_code)

    @property
    def locustfiles(self) -> tuple[Path, ...]:
        files = tuple(Path(f).resolve() for f in self.plan.locustfiles)
        return files or (Path(self.plan.scenario_path).resolve(),)

    def _join_stop(self) -> None:
        """Let a stop in progress end (users finishing within --stop-timeout, then ``test_stop``) before
        quitting, so that quit never stops the same users a second time."""
        glet = self._stop_greenlet
        if glet is not None and not glet.dead and glet is not gevent.getcurrent():
            glet.join(timeout=self.plan.stop_timeout_s + 70.0)

    def close(self) -> None:
        """Stop everything this session started; idempotent; leaves no process behind."""
        if self._closed:
            return
        self._closed = True
        try:
            if self.runner is not None and self.state != RunState.QUIT:
                self._kill_control_greenlets()
                try:
                    with gevent.Timeout(10):
                        self._join_stop()
                        self.runner.quit()
                except (gevent.Timeout, Exception):
                    pass
            if self.lifecycle is not None:
                try:
                    with gevent.Timeout(10):
                        if not self.lifecycle.quitting_fired:
                            self.process_exit_code = self.lifecycle.quitting()
                        code = self.process_exit_code
                        self.fire_quit(code if code is not None else 0)
                except gevent.Timeout:
                    pass
        finally:
            for glet in self._greenlets:
                glet.kill(block=False)
            if self.hdr is not None:
                self.hdr.close()
            self._uninstall_fold()
            if self.monitor is not None:
                self.monitor.close()
            if self.local_workers is not None:
                self.local_workers.stop()
            if self.demo_target is not None:
                self.demo_target.stop()
            logging.getLogger("locust").removeHandler(self._log)
            # the next session imports the locustfiles afresh: their listeners (and the runner's) go now
            remove_listeners(locust.events, self.locustfiles, (self.runner, self.env))
            if self.state != RunState.FAILED:
                self.state = RunState.QUIT

    # ----------------------------------------------------------------------------- control (non-blocking)
    def start(self) -> None:
        """Start the plan: a staged profile (or the scenario's shape) or users at a spawn rate."""
        self._require_runner()
        if self.state in (RunState.STOPPED, RunState.STOPPING):
            self._reset_run_state()
        if self.monitor is not None:
            self.monitor.reset()  # resource history and peaks are per run
        self.started_at = time.time()
        self._manual = False
        self._t0 = time.monotonic()
        self._stopped_elapsed = None
        self.ended_at = 0.0
        plan, profile = self.plan, self.profile
        shape = self._shape_for_start()
        if shape is not None:
            self._start_shape(shape)
            if self.profile is None:  # the locustfile's own shape: it ends the run itself
                self.duration_s = _shape_duration(shape)
                self.annotate(f"started shape: {type(shape).__name__}", kind="profile")
            else:
                self.duration_s = plan.duration_s or _shape_duration(shape)
                self.annotate(f"started {profile.name if profile else 'staged profile'}", kind="profile")
        else:
            users = plan.users or (profile.users if profile else 1)
            default_rate = 1.0 if plan.users is not None else float(users)  # -u alone: Locust's 1/s
            rate = plan.spawn_rate or (profile.spawn_rate if profile else default_rate)
            self.duration_s = (
                plan.duration_s if plan.duration_s is not None else (profile.duration_s if profile else None)
            )
            self._spawn(users, rate)
            self.annotate(f"started: {users} users at {rate:g}/s", kind="users")
        self.state = RunState.SPAWNING
        if self.hdr is not None:
            self.hdr.aggregator.stages.watch(
                lambda: session_stage_key(self), lambda: (time.time(), self.elapsed_s)
            )
        self._arm_deadline()

    def set_users(self, users: int, spawn_rate: float | None = None) -> None:
        """Re-target the running test (keeps stats). Leaves any staged shape: the operator took over."""
        self._require_running()
        rate = spawn_rate if spawn_rate is not None else self._spawn_rate
        before = self._target_users
        self._leave_shape("users")
        self._paused_at = None
        self._spawn(users, rate)
        self.annotate(f"users {before} -> {users} at {rate:g}/s", kind="users")

    def apply_profile(self, profile: Profile) -> None:
        """Switch profile mid-run: a staged one starts its stages now; a flat one sets users and duration."""
        self._require_running()
        if self.profile is not None and profile.mix != self.profile.mix:
            self.annotate(f"{profile.name}: user-class mix kept as started (set when the run is prepared)")
        self.profile = profile
        self._paused_at = None
        self._manual = False
        self._leave_shape()
        if profile.staged:
            from perfconsole.engine.shapes import StagedShape

            shape = StagedShape.from_profile(profile)
            self._start_shape(shape)
            total = _shape_duration(shape)
            self.duration_s = self.elapsed_s + total if total is not None else None
        else:
            self._spawn(profile.users, profile.spawn_rate)
            self.duration_s = self.elapsed_s + profile.duration_s if profile.duration_s is not None else None
        self._arm_deadline()
        self.annotate(f"profile -> {profile.name}", kind="profile")

    def pause(self) -> None:
        """Drop to 0 users, remembering the level to resume to."""
        self._require_running()
        if self._paused_at is not None:
            return
        self._leave_shape("pause")
        self._paused_at = (self._target_users, self._spawn_rate)
        self._spawn(0, max(self._spawn_rate, float(self._target_users) or 1.0))
        self.annotate("paused (0 users)", kind="users")

    def resume(self) -> None:
        self._require_running()
        if self._paused_at is None:
            return
        users, rate = self._paused_at
        self._paused_at = None
        self._spawn(users, rate)
        self.annotate(f"resumed: {users} users at {rate:g}/s", kind="users")

    def output_tail(self, count: int) -> list[str]:
        """The operator log's last lines: workers' output and Locust's warnings, prefixed by source."""
        return self.output_log.tail(count)

    @property
    def active_shape(self) -> str | None:
        """The shape the run follows now (a locustfile's class name or a staged profile's name), or None."""
        shape = self.env.shape_class if self.env else None
        return _shape_title(shape) if shape is not None else None

    @property
    def paused(self) -> bool:
        return self._paused_at is not None

    def stop(self) -> None:
        """Stop all users; the workers stay connected so the run can be started again."""
        self._require_runner()
        if self.state not in (RunState.SPAWNING, RunState.RUNNING):
            return
        self._kill_control_greenlets()
        self._mark_stopped("stopped by operator")
        self._spawn_stop()

    def _spawn_stop(self) -> None:
        self._stop_greenlet = gevent.spawn(self._require_runner().stop)
        self._greenlets.append(self._stop_greenlet)

    def settle(self, timeout_s: float = 10.0) -> None:
        """Blocking: after a stop, wait until users are stopped and the workers' last stats have arrived
        (they report every 3 s), so a snapshot taken next holds every request of the run."""
        runner = self._require_runner()
        deadline = time.monotonic() + timeout_s
        while runner.user_count and time.monotonic() < deadline:
            gevent.sleep(0.1)
        if isinstance(runner, MasterRunner):
            gevent.sleep(min(WORKER_REPORT_INTERVAL_S + 0.5, max(0.0, deadline - time.monotonic())))
        self._record_sample()

    def fire_spike(self, drill: SpikeDrill | None = None) -> None:
        """Jump to the drill's users for its duration, then back to the level before; annotated."""
        self._require_running()
        if self._spike_greenlet is not None and not self._spike_greenlet.dead:
            raise UserError("a spike drill is already running")
        drill = drill or self.settings.spike
        self.spike_verdict = None
        self._spike_greenlet = gevent.spawn(self._run_spike, drill)

    def annotate(self, text: str, kind: str = "note") -> Annotation:
        note = Annotation(
            elapsed_s=round(self.elapsed_s, 1), text=" ".join(text.split()), kind=kind, timestamp=time.time()
        )
        self._annotations.append(note)
        for listener in list(self.listeners):
            listener(note)
        return note

    # ----------------------------------------------------------------------------- reads
    @property
    def elapsed_s(self) -> float:
        if not self._t0:
            return 0.0
        if self._stopped_elapsed is not None:
            return self._stopped_elapsed
        return time.monotonic() - self._t0

    @property
    def history(self) -> tuple[HistoryPoint, ...]:
        return tuple(self._history.points)

    @property
    def annotations(self) -> tuple[Annotation, ...]:
        return tuple(self._annotations)

    @property
    def worker_pids(self) -> list[int]:
        return self.local_workers.pids if self.local_workers else []

    def snapshot(self) -> RunSnapshot:
        runner = self.runner
        if runner is None:
            return RunSnapshot(
                state=self.state,
                elapsed_s=0.0,
                user_count=0,
                target_user_count=0,
                spawn_rate=0.0,
                host=self.host,
                endpoints=(),
                total=stats_view.empty_total(),
                timestamp=time.time(),
            )
        if self.hdr is not None:
            self.hdr.flush()
        endpoints, total = stats_view.all_endpoints(runner.stats, self.hdr)
        shaped = self.env is not None and self.env.shape_class is not None
        return RunSnapshot(
            state=self.state,
            elapsed_s=self.elapsed_s,
            user_count=runner.user_count,
            # a shape sets its own targets through the runner
            target_user_count=runner.target_user_count if shaped else self._target_users,
            spawn_rate=float(getattr(runner, "spawn_rate", 0) or 0) if shaped else self._spawn_rate,
            host=self.host,
            endpoints=endpoints,
            total=total,
            errors=stats_view.errors(runner.stats),
            exceptions=stats_view.exceptions(runner),
            workers=stats_view.workers(runner),
            expected_workers=self.worker_count,
            duration_s=self.duration_s,
            profile=self.profile.name if self.profile else None,
            stage=self._stage_label(),
            timestamp=time.time(),
            window_s=self.settings.window_s,
        )

    def result(self, interrupted: bool = False) -> RunResult:
        """The run so far, without verdicts (perfconsole.application evaluates them)."""
        self._note_fallback()
        plan = self.plan
        settings: dict[str, object] = {
            "users": self._max_target or plan.users or (self.profile.users if self.profile else 0),
            "spawn_rate": plan.spawn_rate or (self.profile.spawn_rate if self.profile else 0.0),
            "duration_s": self.duration_s or 0.0,
            "workers": self.worker_count,
            "tags": list(plan.tags),
            "exclude_tags": list(plan.exclude_tags),
            "user_classes": list(plan.user_classes),
            "demo_target": self.demo_target is not None,
            **(self.profile.mix.to_dict() if self.profile else {}),
        }
        return RunResult(
            final=self.snapshot(),
            history=self.history,
            annotations=self.annotations,
            thresholds=(),
            interrupted=interrupted,
            started_at=self.started_at,
            ended_at=self.ended_at or time.time(),
            scenario_path=str(plan.scenario_path),
            profile=self.profile.name if self.profile else None,
            settings=settings,
            host=self.host,
            worker_count=self.worker_count,
            command_line=plan.command_line,
            resources={} if self.monitor is None else self.monitor.to_dict(resource_verdicts(self.monitor)),
            warnings=self.warnings,
            stages=self.stages(),
        )

    def encoded_histograms(self) -> dict[str, str]:
        """The whole run's histograms in HdrHistogram's standard encoding (for saving; a few ms each)."""
        return self.hdr.encoded() if self.hdr is not None else {}

    def stages(self) -> tuple[StageStats, ...]:
        """Figures per stage of the run so far (see perfconsole.engine.hdr.stages)."""
        if self.hdr is None:
            return ()
        return self.hdr.aggregator.stages.stats(time.time(), self.elapsed_s)

    @property
    def csv_history_rows(self) -> list[list[Any]]:
        """Rows of Locust's ``_stats_history.csv`` recorded each second of the run."""
        return list(self._history.csv_rows)

    # ----------------------------------------------------------------------------- internals
    def _require_runner(self) -> LocalRunner | MasterRunner:
        if self.runner is None:
            raise UserError("the session is not prepared")
        return self.runner

    def _require_running(self) -> None:
        self._require_runner()
        if self.state not in (RunState.SPAWNING, RunState.RUNNING):
            raise UserError(f"no run in progress (state: {self.state})")

    def _reset_run_state(self) -> None:
        self._history.clear()
        self._annotations.clear()
        self._worker_watch.reset()
        self._warnings.clear()
        self.spike_verdict = None
        self._spike = None
        self._paused_at = None
        self._max_target = 0
        if self.hdr is not None:
            self.hdr.reset()

    def _spawn(self, users: int, rate: float) -> None:
        runner = self._require_runner()
        if self._start_greenlet is not None and not self._start_greenlet.dead:
            self._start_greenlet.kill(block=False)
        self._target_users = users
        self._spawn_rate = rate
        self._max_target = max(self._max_target, users)
        self._start_greenlet = gevent.spawn(runner.start, users, rate)

    def _shape_for_start(self) -> LoadTestShape | None:
        plan, profile = self.plan, self.profile
        own = self.scenario_shape()
        if own is not None:  # as in Locust: the locustfile's shape runs, -u/-r/-t get a warning
            self.profile = None
            warn_common_options(own, users=plan.users, spawn_rate=plan.spawn_rate, run_time=plan.duration_s)
            return own
        if plan.users is not None:
            return None
        if profile is not None and profile.staged:
            from perfconsole.engine.shapes import StagedShape

            return StagedShape.from_profile(profile)
        return None

    def scenario_shape(self) -> LoadTestShape | None:
        """The locustfile's shape this plan runs (``use_scenario_shape``), or None."""
        if not self.plan.use_scenario_shape or self.scenario is None or not self.scenario.shapes:
            return None
        if self.plan.shape_name is None:
            return self.scenario.shapes[0]
        for shape in self.scenario.shapes:
            if type(shape).__name__ == self.plan.shape_name:
                return shape
        known = ", ".join(type(s).__name__ for s in self.scenario.shapes)
        raise UserError(f"unknown shape class {self.plan.shape_name!r} (known: {known})")

    def _start_shape(self, shape: LoadTestShape, reset_clock: bool = True) -> None:
        runner = self._require_runner()
        env = self.env
        assert env is not None
        shape.runner = runner
        env.shape_class = shape
        if runner.state not in ("spawning", "running"):
            runner.start_shape()  # fresh run: sets the runner ready and resets the shape's clock
            return
        if reset_clock:
            shape.reset_time()
        runner.shape_last_tick = None
        if runner.shape_greenlet is None:
            runner.shape_greenlet = runner.greenlet.spawn(runner.shape_worker)

    def _leave_shape(self, control: str | None = None) -> None:
        """Stop following the shape; with ``control`` (the operator's action) the run is manual from now
        on, which the annotations and the stage label ("manual") say."""
        runner = self.runner
        if runner is None or self.env is None or self.env.shape_class is None:
            return
        if control is not None:
            shape = f"{_shape_title(self.env.shape_class)} ({self._stage_label()})"
            self.annotate(f"left shape {shape}: manual control by {control}", kind="profile")
            self._manual = True
        if runner.shape_greenlet is not None:
            runner.shape_greenlet.kill(block=False)
            runner.shape_greenlet = None
        runner.shape_last_tick = None
        self.env.shape_class = None
        self._target_users = runner.target_user_count or self._target_users

    def _arm_deadline(self) -> None:
        if self._deadline is not None:
            self._deadline.kill(block=False)
            self._deadline = None
        if self.duration_s:
            self._deadline = gevent.spawn(self._deadline_loop)

    def _deadline_loop(self) -> None:
        while self.duration_s and self.elapsed_s < self.duration_s:
            gevent.sleep(min(0.5, max(0.05, self.duration_s - self.elapsed_s)))
        self._deadline = None
        if self.state in (RunState.SPAWNING, RunState.RUNNING):
            self._mark_stopped("duration reached")
            self._spawn_stop()

    def _kill_control_greenlets(self) -> None:
        for glet in (self._deadline, self._spike_greenlet, self._start_greenlet):
            if glet is not None and glet is not gevent.getcurrent():
                glet.kill(block=False)
        self._deadline = self._spike_greenlet = self._start_greenlet = None

    def _mark_stopped(self, why: str) -> None:
        self._record_sample()
        self.annotate(why, kind="users")
        self._stopped_elapsed = self.elapsed_s
        self.ended_at = time.time()
        self.state = RunState.STOPPED

    def _run_spike(self, drill: SpikeDrill) -> None:
        before_users, before_rate = self._target_users, self._spawn_rate
        shape = self.env.shape_class if self.env else None
        start = self.elapsed_s
        self.annotate(
            f"spike drill: {before_users} -> {drill.users} users at {drill.spawn_rate:g}/s for "
            f"{drill.duration_s:g}s",
            kind="drill",
        )
        self._leave_shape()
        self._spawn(drill.users, drill.spawn_rate)
        gevent.sleep(drill.duration_s)
        if self.state not in (RunState.SPAWNING, RunState.RUNNING):
            return
        end = self.elapsed_s
        if shape is not None:
            self._start_shape(shape, reset_clock=False)  # the staged profile goes on by its own clock
        else:
            self._spawn(before_users, max(before_rate, drill.spawn_rate))
        self.annotate(f"spike drill over: back to {before_users} users", kind="drill")
        self._spike = (start, end, end + 60.0)

    def _stage_label(self) -> str | None:
        shape = self.env.shape_class if self.env else None
        if shape is None:
            return "manual" if self._manual else None
        describe = getattr(shape, "current_label", None)
        if callable(describe):
            label = describe()
            return str(label) if label is not None else None
        return type(shape).__name__

    def _record_sample(self) -> None:
        runner, env = self.runner, self.env
        if runner is None or env is None or not self._t0:
            return
        full = bool(getattr(self.plan.parsed_options, "stats_history_enabled", False))  # --csv-full-history
        self._history.record(env, self.elapsed_s, self._current_total_percentiles(runner.stats.total), full)

    def _current_total_percentiles(self, total: Any) -> tuple[float | None, float | None, float | None]:
        """p50, p95, p99 of the current window: the histograms' (Locust's if there are none)."""
        if self.hdr is not None:
            self.hdr.flush()
            p50, _p90, p95, p99, *_rest = self.hdr.current("", "Aggregated")
            return p50, p95, p99
        p = total.get_current_response_time_percentile if total.num_requests else None
        return (float(p(0.5)), float(p(0.95)), float(p(0.99))) if p else (None, None, None)

    def _note_fallback(self) -> None:
        note = self.hdr.fallback_note() if self.hdr is not None else None
        if note and note not in self._warnings:
            self._warnings.append(note)
            self.annotate(note.text, kind="warning")

    def _sample_loop(self) -> None:
        while True:
            gevent.sleep(SAMPLE_INTERVAL_S)
            try:
                self._tick()
            except Exception as exc:  # never let a sampling hiccup kill the loop
                self.output_log.add("sampler", f"{type(exc).__name__}: {exc}")

    def _tick(self) -> None:
        runner = self.runner
        if runner is None:
            return
        if self.state in (RunState.SPAWNING, RunState.RUNNING):
            if runner.state == "running":
                self.state = RunState.RUNNING
            elif runner.state == "stopped" and not (self._start_greenlet and not self._start_greenlet.dead):
                self._mark_stopped("run ended (shape finished)")
            self._record_sample()
        self._watch_workers(runner)
        self._warn_fold()
        self._note_fallback()
        if self.local_workers is not None:
            self.local_workers.poll_output()
        self._sample_resources()
        if self._spike is not None and self.spike_verdict is None:
            start, end, observe_until = self._spike
            verdict = assess_recovery(self._history.points, start, end, self.elapsed_s, observe_until - end)
            if verdict is not None:
                self.spike_verdict = verdict
                self.annotate(f"drill verdict: {verdict.text}", kind="drill")

    def _sample_resources(self) -> None:
        if self.monitor is None:
            return
        hostname = socket.gethostname()
        workers = stats_view.workers(self.runner) if self.runner is not None else ()
        if self.local_workers is not None:  # measured with psutil already; heartbeats add nothing
            workers = tuple(w for w in workers if not w.id.startswith(f"{hostname}_"))
        update = self.monitor.poll(elapsed_s=self.elapsed_s, workers=workers)
        self.resource_sample = update.sample
        for warning in update.warnings:
            self._add_warning(warning)
            self.annotate(warning.text, kind="warning")

    @property
    def warnings(self) -> tuple[RunWarning, ...]:
        """Reasons the figures may be unreliable (generator saturation ...), one line each."""
        return tuple(self._warnings)

    def resource_thresholds(self) -> tuple[ThresholdResult, ...]:
        """Resource limits, and a failed ``workers lost`` check while a lost worker is away."""
        checked = resource_verdicts(self.monitor) if self.monitor is not None else ()
        return checked + self._worker_watch.thresholds()

    def _watch_workers(self, runner: LocalRunner | MasterRunner) -> None:
        clients = getattr(runner, "clients", None)
        if clients is None:
            return
        self._worker_watch.check(
            clients.values(), running=self.state in (RunState.SPAWNING, RunState.RUNNING)
        )

    def _warn_fold(self) -> None:
        fold = self.endpoint_fold
        if fold is not None and fold.folded and fold.warning() not in self._warnings:
            self._add_warning(fold.warning())
            self._announce(fold.warning().text, "warning")

    def _announce(self, line: str, kind: str) -> None:
        self.annotate(line, kind=kind)
        self._status(line)  # stderr in headless runs, the message line in the console

    def _add_warning(self, warning: RunWarning) -> None:
        if warning not in self._warnings:
            self._warnings.append(warning)

    def _respawn_after_loss(self) -> None:
        """The target users again over the remaining workers (Locust's own rebalancing call)."""
        runner = self._require_runner()
        if self.env is not None and self.env.shape_class is not None:
            rate = float(getattr(runner, "spawn_rate", 0) or self._spawn_rate)
            self._greenlets.append(gevent.spawn(runner.start, runner.target_user_count, rate))
        else:
            self._spawn(self._target_users, self._spawn_rate)


def _shape_title(shape: LoadTestShape) -> str:
    name = getattr(shape, "profile_name", None)
    return str(name) if name else type(shape).__name__


def _shape_duration(shape: LoadTestShape) -> float | None:
    total = getattr(shape, "duration_s", None)
    return float(total) if isinstance(total, int | float) else None
