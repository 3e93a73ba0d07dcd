"""A real run with a spike drill against a demo target whose one-slot pool makes requests queue under the
spike: saved, opened read-only in the console (Pilot), scrubbed with the time cursor. Each endpoint's row
shows its window p95 of the spike at the spike and the calm value before it (endpoint_steps.csv)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

import gevent
import pytest
from engine_helpers import wait_for
from test_tui_data import SCENARIOS, settings

from perfconsole.application.recording import save_session
from perfconsole.config import SpikeDrill, default_settings
from perfconsole.demo_target.process import start_demo_target
from perfconsole.engine.plan import RunPlan
from perfconsole.engine.session import LoadSession
from perfconsole.store.endpoint_steps import STEPS_CSV, read_steps
from perfconsole.store.runs import read_run_metadata
from perfconsole.tui.app import make_app
from perfconsole.tui.screens.run_browser import RunDetailScreen
from perfconsole.tui.widgets.message_line import MessageLine
from perfconsole.tui.widgets.percentile_table import PercentileTable

pytestmark = pytest.mark.slow

LOCUSTFILE = '''"""Two endpoints of the demo API, each taking a slot of its database pool."""
from locust import HttpUser, constant, task


class TwoEndpoints(HttpUser):
    wait_time = constant(0.05)

    @task
    def products(self):
        self.client.get("/api/products")

    @task
    def loans(self):
        self.client.get("/api/loans")
'''
ENDPOINTS = ("GET /api/products", "GET /api/loans")
CALM_S, SPIKE_S, AFTER_S = 15.0, 12.0, 6.0


def saved_spike_run(tmp_path: Path) -> Path:
    """1 user, then 8 for ``SPIKE_S`` (a drill), then 1 again; one request at a time is served (10 ms)."""
    locustfile = tmp_path / "two.py"
    locustfile.write_text(LOCUSTFILE)
    run_settings = replace(default_settings(), runs_dir=tmp_path / "runs")
    with start_demo_target(latency_ms=10.0, jitter_ms=0.0, error_rate=0.0, db_pool_size=1, seed=1) as target:
        plan = RunPlan(scenario_path=locustfile, host=target.url, users=1, spawn_rate=10, workers=0)
        session = LoadSession(plan, run_settings)
        try:
            session.prepare()
            session.start()
            gevent.sleep(CALM_S)
            session.fire_spike(SpikeDrill(users=8, spawn_rate=80, duration_s=SPIKE_S))
            wait_for(lambda: session.snapshot().user_count == 8, 5, "the drill's users")
            wait_for(lambda: session.snapshot().user_count == 1, SPIKE_S + 5, "back to one user")
            gevent.sleep(AFTER_S)
            session.stop()
            session.settle(5)
            return save_session(session, run_settings)
        finally:
            session.close()


def test_a_real_spike_run_scrubbed_per_endpoint(tmp_path: Path) -> None:
    run_dir = saved_spike_run(tmp_path)
    assert STEPS_CSV in read_run_metadata(run_dir).files
    steps = read_steps(run_dir)
    assert {step.key for step in steps} == set(ENDPOINTS)
    app = make_app(replace(settings(), runs_dir=run_dir.parent), scenarios=SCENARIOS)

    async def drive() -> dict[str, dict[str, float]]:
        seen: dict[str, dict[str, float]] = {}
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("r", "enter")
            await pilot.pause(0.3)
            assert isinstance(app.screen, RunDetailScreen)
            table, line = app.screen.query_one(PercentileTable), app.screen.query_one(MessageLine)
            for _ in range(5):  # to the drill's annotation
                await pilot.press("n")
                await pilot.pause(0.1)
                if "spike drill" in line.message:
                    break
            assert "spike drill" in line.message, line.message
            for where, keys in (("spike", ("greater_than_sign",)), ("calm", ("less_than_sign",) * 2)):
                await pilot.press(*keys)
                await pilot.pause(0.2)
                rows = [[cell.plain for cell in table.get_row_at(i)] for i in range(table.row_count)]
                seen[where] = {row[0]: float(row[4]) for row in rows if row[0] in ENDPOINTS}
        return seen

    seen = asyncio.run(drive())
    for key in ENDPOINTS:
        # 8 users queue for one 10 ms slot: some 70 ms; one user alone waits for nobody
        assert seen["spike"][key] >= 2 * seen["calm"][key], (key, seen)
