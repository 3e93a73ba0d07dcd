"""Pilot tests of the resources panel: a real short run against the demo target (loopback, in-process
users) watched by pid and scraped, and the saturation banner driven by fed samples.
"""

from __future__ import annotations

import argparse
import asyncio
import re
from pathlib import Path
from typing import Any

import locust  # noqa: F401, I001  - first: gevent monkey-patching before any asyncio loop exists
import psutil
import pytest
from fakes import FakeResourceSession
from test_tui_data import SCENARIOS, settings
from test_tui_pilot import console_settings, dashboard, message, new_children, start_run, wait_for
from test_tui_resources_data import busy_warning, resource_sample

from perfconsole.config import SpikeDrill
from perfconsole.model.run import RunState
from perfconsole.tui.app import make_app
from perfconsole.tui.widgets.resources import (
    ResourceCharts,
    ResourceFigures,
    ResourcesPanel,
    SaturationBanner,
)

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS_DIR = ROOT / "scenarios"


def figures_text(app: Any) -> str:
    return dashboard(app).query_one(ResourceFigures).render().plain


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_panel_shows_the_watched_target_and_its_metrics_on_a_real_run(
    demo_target: Any, tmp_path: Path
) -> None:
    """Two in-process users against the demo target, watched by ``--target-pid`` and scraped through
    ``--metrics-url``: the panel shows the target's pid, CPU and RSS and the DB pool and queue figures."""
    settings_ = console_settings(demo_target.url, workers=0, spike=SpikeDrill(4, 4.0, 2.0), runs_dir=tmp_path)
    watch = argparse.Namespace(target_pid=demo_target.pid, metrics_url=f"{demo_target.url}/metrics")
    app = make_app(settings_, scenarios_dir=SCENARIOS_DIR, launch_options=watch, refresh_s=0.5)
    children_before = {p.pid for p in psutil.Process().children(recursive=True)}

    async def drive() -> Any:
        async with app.run_test(size=(100, 30)) as pilot:
            session = await start_run(pilot, app)
            assert session.plan.target_pid == demo_target.pid
            assert session.plan.metrics_url == f"{demo_target.url}/metrics"
            await pilot.press("m")
            assert dashboard(app).query_one("#views").current == "resources"

            def sampled() -> bool:
                sample = session.resource_sample
                return (
                    sample is not None
                    and sample.target is not None
                    and sample.target.cpu_pct is not None
                    and "db_pool_size" in sample.metrics
                    and "queue_depth" in sample.metrics
                )

            await wait_for(pilot, sampled, "a sample of the target with scraped metrics")
            await pilot.pause(0.8)  # one refresh of the panel
            shown = figures_text(app)
            sample = session.resource_sample
            assert sample.target.pid == demo_target.pid
            found = re.search(r"target +pid (\d+)  CPU (\d+)%  RSS (\d+)M", shown)
            assert found is not None, shown
            rss_mb = sample.target.rss_bytes / 2**20
            assert int(found[1]) == demo_target.pid and abs(int(found[3]) - rss_mb) < 0.5 * rss_mb
            pools = re.search(r"db pool (\d+)/(\d+) \(\d+%\)  queue (\d+)", shown)
            assert pools is not None, shown
            assert int(pools[2]) == sample.metrics["db_pool_size"] > 0
            assert "limits" in shown and "cpu" in shown and "pool" in shown
            assert "busiest" in shown and "console" in shown

            # m again: the charts alone; they plot this run's samples
            await pilot.press("m")
            panel = dashboard(app).query_one(ResourcesPanel)
            assert panel.mode == "charts" and message(app) == "resources: charts"
            assert not dashboard(app).query_one(ResourceFigures).display
            assert dashboard(app).query_one(ResourceCharts).display
            cpu_chart = dashboard(app).query_one("#res-chart-cpu")
            await wait_for(pilot, lambda: cpu_chart.data is not None, "the resource charts")
            assert any(v is not None for v in cpu_chart.data.series[1].values)  # target CPU plotted

            await pilot.press("s")
            assert session.snapshot().state == RunState.STOPPED
            await pilot.press("q")
            await wait_for(pilot, lambda: app.session is None, "the session closed", timeout_s=20)
            return session

    session = asyncio.run(drive())
    assert session.state == RunState.QUIT
    assert new_children(children_before) == []


def test_banner_shows_while_saturated_then_stays_dimmed() -> None:
    """A busy worker sample raises the banner (warning style, ``!``); a calm one dims it; it stays."""
    session = FakeResourceSession([resource_sample(1.0)])
    app = make_app(
        settings(),
        scenarios=SCENARIOS,
        session_factory=lambda choice: session,
        session=session,
        refresh_s=0.2,
    )  # type: ignore[arg-type]

    async def drive() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause(0.5)
            banner = dashboard(app).query_one(SaturationBanner)
            assert banner.banner is None and not banner.display

            session.feed(resource_sample(2.0, worker_cpu=97.0))
            await wait_for(pilot, lambda: banner.banner is not None, "the banner", timeout_s=5)
            assert banner.has_class("-active") and banner.display
            assert banner.render().plain == f"! {busy_warning(97.0)}"

            session.feed(resource_sample(3.0, worker_cpu=30.0))
            await wait_for(pilot, lambda: banner.has_class("-past"), "the dimmed banner", timeout_s=5)
            assert not banner.has_class("-active") and banner.display
            assert banner.render().plain.startswith("! generator saturated once, at 0:02")

    asyncio.run(drive())


def test_resources_key_in_help_and_palette() -> None:
    session = FakeResourceSession([resource_sample(1.0)])
    app = make_app(settings(), scenarios=SCENARIOS, session_factory=lambda choice: session, session=session)  # type: ignore[arg-type]

    async def drive() -> None:
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("question_mark")
            assert "Resources: show the panel" in str(app.screen.query_one("#help-text").render())
            await pilot.press("escape")
            await pilot.press("ctrl+p")
            await pilot.press(*"resources")
            await pilot.pause(0.5)
            await pilot.press("enter")
            await pilot.pause(0.3)
            assert dashboard(app).query_one("#views").current == "resources"

    asyncio.run(drive())
