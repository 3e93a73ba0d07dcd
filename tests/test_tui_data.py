"""Hand-built, deterministic engine data for the console tests (no Locust run); holds no tests itself."""

from __future__ import annotations

import tempfile
from pathlib import Path

from perfconsole.config import Limits, Profile, Settings, SpikeDrill, Stage, Thresholds
from perfconsole.engine.scenario import ScenarioInfo, UserClassInfo
from perfconsole.model.run import (
    Annotation,
    EndpointStats,
    ErrorStats,
    ExceptionStats,
    HistoryPoint,
    Percentiles,
    RunSnapshot,
    RunState,
    WorkerInfo,
)


def endpoint(
    method: str, name: str, requests: int, failures: int, p95: float, rps: float = 10.0
) -> EndpointStats:
    pct = Percentiles(p50=p95 / 3, p90=p95 * 0.8, p95=p95, p99=p95 * 1.5, p999=p95 * 2, max=p95 * 3)
    return EndpointStats(
        method=method,
        name=name,
        num_requests=requests,
        num_failures=failures,
        avg_ms=p95 / 2,
        min_ms=1.0,
        max_ms=p95 * 3,
        median_ms=p95 / 3,
        avg_content_length=120.0,
        total_rps=rps,
        current_rps=rps * 1.1,
        current_fail_per_sec=failures / 100,
        total_fail_per_sec=failures / 120,
        cumulative=pct,
        current=Percentiles(p50=p95 / 4, p95=p95 * 0.9, p99=p95 * 1.2, p999=p95 * 1.5, max=p95 * 2),
    )


ENDPOINTS = (
    endpoint("GET", "/api/notifications/", 2400, 0, 42.0, 20.0),
    endpoint("GET", "/api/notifications/[id]/", 1600, 12, 620.0, 13.3),
    endpoint("POST", "/api/notifications/", 800, 0, 88.0, 6.7),
)
TOTAL = endpoint("", "Aggregated", 4800, 12, 310.0, 40.0)


def snapshot(state: RunState = RunState.RUNNING, workers: int = 2) -> RunSnapshot:
    return RunSnapshot(
        state=state,
        elapsed_s=95.0,
        user_count=40,
        target_user_count=40,
        spawn_rate=5.0,
        host="http://127.0.0.1:8000",
        endpoints=ENDPOINTS,
        total=TOTAL,
        errors=(
            ErrorStats("GET", "/api/notifications/[id]/", "HTTPError('500 Server Error')", 9),
            ErrorStats("GET", "/api/notifications/[id]/", "ConnectionResetError(104)", 3),
        ),
        exceptions=(
            ExceptionStats(2, "KeyError: 'id'", 'Traceback:\n  File "scenarios/x.py", line 12, in detail\n'),
        ),
        workers=tuple(
            WorkerInfo(f"worker-{i}", "running", 20, 35.0 + i, 80 * 1024 * 1024, True, 1000 + i)
            for i in range(workers)
        ),
        expected_workers=workers,
        duration_s=300.0,
        profile="medium",
        stage=None,
        timestamp=1_700_000_000.0,
    )


def history(seconds: int = 95) -> tuple[HistoryPoint, ...]:
    points = []
    for t in range(seconds + 1):
        users = min(40, t // 2 * 5) if t < 60 else 40
        spike = 1.0 if 60 <= t < 70 else 0.0
        points.append(
            HistoryPoint(
                elapsed_s=float(t),
                timestamp=1_700_000_000.0 + t,
                user_count=users + (40 if spike else 0),
                rps=users * 1.0 + spike * 30,
                fail_per_sec=spike * 2.0,
                p50_ms=20.0 + spike * 30 if t else None,
                p95_ms=60.0 + spike * 200 if t else None,
                p99_ms=90.0 + spike * 300 if t else None,
                total_requests=t * 40,
                total_failures=0,
            )
        )
    return tuple(points)


ANNOTATIONS = (
    Annotation(0.0, "started: 40 users at 5/s", "users"),
    Annotation(60.0, "spike drill: 40 -> 80 users at 20/s for 10s", "drill"),
    Annotation(75.0, "deploy of build 42", "note"),
)


UNSAVED_RUNS_DIR = Path(tempfile.gettempdir()) / "perfconsole-tests-never-written"
"""The runs directory of the fake sessions' settings: they cannot be saved, so nothing lands here (and
nothing in the repository); tests that save pass their own tmp path."""


def settings() -> Settings:
    return Settings(
        source=None,
        host=None,
        workers=0,
        runs_dir=UNSAVED_RUNS_DIR,
        profiles={
            "light": Profile("light", 4, 4.0, 60.0, description="Smoke load"),
            "medium": Profile("medium", 20, 2.0, 300.0, description="Typical daytime traffic"),
            "ramp": Profile(
                "ramp",
                20,
                2.0,
                None,
                stages=(Stage(30.0, 10, 2.0), Stage(60.0, 20, 2.0), Stage(90.0, 5, 5.0)),
                description="Ramp up and down",
            ),
        },
        thresholds=Thresholds(default=Limits(p95_ms=500.0, error_rate_pct=1.0)),
        spike=SpikeDrill(users=80, spawn_rate=20.0, duration_s=10.0),
        default_profile="medium",
        default_scenario="notifications",
    )


SCENARIOS = [
    ScenarioInfo(
        path=Path("scenarios/notifications.py"),
        name="notifications",
        title="Notifications inbox",
        docstring="Notifications inbox: list, detail, create, mark read.",
        user_classes=(
            UserClassInfo("NotificationsUser", 3, ("read", "write")),
            UserClassInfo("AdminUser", 1),
        ),
        tags=("read", "write"),
    ),
    ScenarioInfo(
        path=Path("scenarios/health.py"),
        name="health",
        title="Health checks",
        docstring="Health checks: liveness and readiness.",
        user_classes=(UserClassInfo("HealthUser", 1),),
        tags=(),
    ),
]
