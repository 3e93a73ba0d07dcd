"""Test doubles for the console: they implement ``perfconsole.tui.session_api.ConsoleSession`` in full over
hand-built data (no Locust run happens); for view and snapshot tests only. Holds no tests itself."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from test_tui_data import ANNOTATIONS, history, snapshot

from perfconsole.config import Profile, ResourceThresholds, SpikeDrill
from perfconsole.model.capacity import CapacityResult, SearchMode
from perfconsole.model.resources import ResourceSample
from perfconsole.model.run import Annotation, HistoryPoint, RunSnapshot
from perfconsole.model.run_events import RunEvent
from perfconsole.model.run_warnings import RunWarning
from perfconsole.model.stages import StageStats
from perfconsole.resources.options import ResourceOptions
from perfconsole.resources.saturation import SaturationDetector
from perfconsole.resources.summary import ResourceHistory
from perfconsole.resources.target import TargetAddress
from perfconsole.verdicts.run_noise import RunNoise


class FakeDial:
    """The arrival-rate dial: its calls are recorded in the session's ``calls``."""

    def __init__(self, calls: list[str]) -> None:
        self.calls = calls

    def set_rate(self, rate: float) -> None:
        self.calls.append(f"set_rate {rate:g}")

    def leave(self) -> None:
        self.calls.append("leave_rate")


class FakeSearch:
    """The capacity search: never started here; its calls are recorded in the session's ``calls``."""

    def __init__(self, calls: list[str]) -> None:
        self.calls = calls
        self.running = False

    def start(self, mode: SearchMode | None = None) -> None:
        self.calls.append(f"search {mode or ''}".strip())

    def stop(self, reason: str = "stopped by operator") -> None:
        self.calls.append("stop_search")

    def result(self) -> CapacityResult | None:
        return None

    def progress(self) -> None:
        return None


class FakeSession:
    """A session frozen on one snapshot; controls are recorded in ``calls`` and change nothing else."""

    def __init__(self, snap: RunSnapshot) -> None:
        self._snapshot = snap
        self.paused = False
        self.spike_verdict = None
        self.closed = False
        self.calls: list[str] = []
        self.status_listeners: list[Callable[[str], None]] = []
        self.run_listeners: list[Callable[[RunEvent], None]] = []
        self.monitor: FakeMonitor | None = None
        self.resource_sample: ResourceSample | None = None
        self._notes: list[Annotation] = []
        self.stage_rows: tuple[StageStats, ...] = ()
        self.active_shape: str | None = None
        self.output_lines: list[str] = []
        self.arrival = FakeDial(self.calls)
        self.search = FakeSearch(self.calls)

    def snapshot(self) -> RunSnapshot:
        return self._snapshot

    def output_tail(self, count: int) -> list[str]:
        return self.output_lines[-count:]

    def live_noise(self, window: bool) -> RunNoise | None:
        return None

    @property
    def history(self) -> tuple[HistoryPoint, ...]:
        return history()

    @property
    def annotations(self) -> tuple[Annotation, ...]:
        return ANNOTATIONS + tuple(self._notes)

    @property
    def warnings(self) -> tuple[RunWarning, ...]:
        return ()

    def stages(self) -> tuple[StageStats, ...]:
        return self.stage_rows

    def annotate(self, text: str, kind: str = "note") -> Annotation:
        note = Annotation(self._snapshot.elapsed_s, text, kind)
        self._notes.append(note)
        return note

    def prepare(self) -> None:
        self.calls.append("prepare")

    def settle(self, timeout_s: float = 10.0) -> None:
        self.calls.append("settle")

    def close(self) -> None:
        self.closed = True

    def start(self) -> None:
        self.calls.append("start")

    def set_users(self, users: int, spawn_rate: float | None = None) -> None:
        self.calls.append(f"set_users {users} {spawn_rate}")

    def apply_profile(self, profile: Profile) -> None:
        self.calls.append(f"apply_profile {profile.name}")

    def pause(self) -> None:
        self.calls.append("pause")

    def resume(self) -> None:
        self.calls.append("resume")

    def stop(self) -> None:
        self.calls.append("stop")

    def fire_spike(self, drill: SpikeDrill | None = None) -> None:
        self.calls.append("fire_spike")


DEMO_LIMITS = ResourceThresholds(target_cpu_pct=70.0, memory_pct=80.0, db_pool_pct=80.0, queue_depth=1000.0)


@dataclass
class FakeMonitor:
    """The read side of ResourceMonitor (history, options, detector) over hand-built samples."""

    history: ResourceHistory = field(default_factory=ResourceHistory)
    options: ResourceOptions = field(
        default_factory=lambda: ResourceOptions(
            limits=DEMO_LIMITS
        )  # the limits config.toml sets for the demo
    )
    detector: SaturationDetector = field(default_factory=SaturationDetector)
    warnings: list[RunWarning] = field(default_factory=list)
    address: TargetAddress | None = None

    def feed(self, sample: ResourceSample) -> list[RunWarning]:
        """Record a sample as ResourceMonitor.poll does (detector first, then history)."""
        new = self.detector.observe_processes(sample.generator_processes)
        for warning in new:
            self.history.add_warning(warning.text)
        self.warnings.extend(new)
        self.history.add(sample)
        return new


class FakeResourceSession(FakeSession):
    """FakeSession with resource sampling: ``monitor``, ``resource_sample`` and ``warnings`` fed by hand."""

    def __init__(self, samples: list[ResourceSample], target_label: str | None = None) -> None:
        super().__init__(snapshot())
        self.monitor = FakeMonitor()
        self.monitor.history.target_label = target_label
        self._annotations = list(ANNOTATIONS)
        for sample in samples:
            self.feed(sample)

    def feed(self, sample: ResourceSample) -> None:
        assert self.monitor is not None
        for warning in self.monitor.feed(sample):
            self._annotations.append(Annotation(sample.elapsed_s, warning.text, "warning"))
        self.resource_sample = sample

    @property
    def warnings(self) -> tuple[RunWarning, ...]:
        return tuple(self.monitor.warnings) if self.monitor is not None else ()

    @property
    def annotations(self) -> tuple[Annotation, ...]:
        return tuple(sorted(self._annotations + self._notes, key=lambda a: a.elapsed_s))
