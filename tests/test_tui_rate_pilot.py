"""Pilot test: the console's arrival-rate dial on a real run (two worker processes, the demo target): ``R``
switches a closed-model run to a rate (validated in place), a change 100 -> 300 is reached within 2 s,
``]`` / ``[`` step it 10 %, the rate panel and the status bar show it, each level is a stage, ``R 0`` goes
back to the users' own loop."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import locust  # noqa: F401, I001  - first: gevent monkey-patching before any asyncio loop exists
import pytest
from engine_helpers import moved_out
from test_tui_pilot import wait_for

from perfconsole.config import default_settings
from perfconsole.engine.session import LoadSession
from perfconsole.tui.app import make_app
from perfconsole.tui.screens.rate_dialog import RateModal
from perfconsole.tui.widgets.rate_panel import RatePanel
from perfconsole.tui.widgets.status_bar import StatusBar

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]


def test_rate_dial_switches_steps_and_reaches_a_new_rate(
    demo_target: Any, make_session: Callable[..., LoadSession]
) -> None:
    session = make_session(host=demo_target.url, workers=2, users=10, spawn_rate=10.0, resources=False)
    session.start()
    app = make_app(default_settings(), session=session, refresh_s=0.5)

    def panel() -> str:
        return "\n".join(app.screen.query_one(RatePanel).lines)

    async def drive() -> float:
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, lambda: session.snapshot().user_count == 10, "the 10 users")
            assert panel() == ""  # closed model: no panel
            await pilot.press("R")
            assert isinstance(app.screen, RateModal)
            await pilot.press("f", "a", "s", "t", "enter")
            assert isinstance(app.screen, RateModal)  # refused in place
            assert "refused" in str(app.screen.query_one("#dialog-error").render())
            await pilot.press(
                "ctrl+a", "backspace", "backspace", "backspace", "backspace", "1", "0", "0", "enter"
            )
            assert not isinstance(app.screen, RateModal)
            await wait_for(pilot, lambda: "target 100/s" in panel(), "the rate panel at 100/s")
            await wait_for(
                pilot, lambda: (s := session.snapshot().arrival) is not None and s.achieved_rate > 95, "100/s"
            )
            await pilot.press("R")
            await pilot.press("3", "0", "0")
            await pilot.press("enter")
            changed = session.elapsed_s
            await wait_for(pilot, lambda: "target 300/s" in panel(), "the panel at 300/s")
            await pilot.pause(4.0)
            status = " ".join(str(app.screen.query_one(StatusBar).render()).split())
            assert "rate 300/s got" in status
            await pilot.press("right_square_bracket")
            await wait_for(pilot, lambda: "target 330/s" in panel(), "] to 330/s")
            await pilot.pause(1.0)  # a level held: stages are seen by a 0.1 s poll, a busy box may skip one
            await pilot.press("left_square_bracket")
            await wait_for(pilot, lambda: "target 297/s" in panel(), "[ to 297/s")
            await pilot.press("R", "0", "enter")
            await wait_for(pilot, lambda: panel() == "", "the panel gone: back to the closed model")
            session.stop()
            await wait_for(pilot, lambda: not session.state.is_live, "the stop")
            return changed

    changed = asyncio.run(drive())
    session.settle()
    result = session.result()
    assert result.arrival is not None
    after = [
        (round(s[0] - changed, 2), s[2])
        for s in result.arrival.seconds
        if changed <= s[0] and s[0] + 1 <= changed + 2
    ]
    print(f"whole seconds ending within 2 s of the console's change to 300/s (offset, started): {after}")
    controller = session.control.rate.controller
    assert controller is not None
    late = moved_out(controller, 300.0, changed + after[-1][0]) if after else 0.0
    print(f"late starts moved at most {late:.0f} out of the last")
    assert after and after[-1][1] + late >= 290
    levels = [s.label for s in result.stages if s.kind == "rate"]
    assert levels == ["100/s", "300/s", "330/s", "297/s"]
    notes = [a.text for a in result.annotations if a.kind == "rate"]
    assert notes[0].startswith("arrival rate: 100 iterations/s on 10 users")
    assert notes[1:4] == [
        "arrival rate 100 -> 300/s",
        "arrival rate 300 -> 330/s",
        "arrival rate 330 -> 297/s",
    ]
    assert notes[-1].startswith("arrival rate off")
