"""Users over time of a locustfile's LoadTestShape, computed by calling its ``tick()`` with a fake clock.

The locustfile is imported in a child process (``python -m perfconsole.engine.shape_preview FILE CLASS``):
its module code and event listeners never touch the console's process, and a ``tick()`` that never ends
is cut off by the timeout. Shapes that need a live runner (``self.runner.user_count`` ...) have no preview.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

HORIZON_S = 3600
"""The preview stops here if the shape has not ended (it says so)."""
STEP_S = 1.0
PREVIEW_TIMEOUT_S = 15.0


Points = list[tuple[float, int]]


def users_over_time(tick_at: Callable[[float], Any], horizon_s: float = HORIZON_S) -> tuple[Points, bool]:
    """``(elapsed s, users)`` at every step until ``tick`` returns None (True) or the horizon (False)."""
    points: list[tuple[float, int]] = []
    elapsed = 0.0
    while elapsed <= horizon_s:
        result = tick_at(elapsed)
        if result is None:
            points.append((elapsed, 0))
            return points, True
        points.append((elapsed, int(result[0])))
        elapsed += STEP_S
    return points, False


def preview_shape(shape: Any, horizon_s: float = HORIZON_S) -> tuple[Points, bool]:
    """Points of ``shape`` (a LoadTestShape instance) under a fake clock."""
    clock = {"now": 0.0}
    shape.get_run_time = lambda: clock["now"]
    shape.get_current_user_count = lambda: 0

    def tick_at(elapsed: float) -> Any:
        clock["now"] = elapsed
        return shape.tick()

    return users_over_time(tick_at, horizon_s)


def compute_preview(
    locustfile: Path, shape_name: str, timeout_s: float = PREVIEW_TIMEOUT_S
) -> dict[str, Any]:
    """Blocking (gevent-cooperative under a patched subprocess): ``{"points": [...], "ends": bool}`` or
    ``{"error": "..."}``, computed in a child process."""
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "perfconsole.engine.shape_preview", str(locustfile), shape_name],
            capture_output=True,
            text=True,
            timeout=timeout_s,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        return {"error": f"no preview: tick() took more than {timeout_s:g}s"}
    try:
        answer: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return {"error": "no preview: the locustfile did not load"}
    return answer


def main(argv: list[str]) -> int:
    import locust  # noqa: F401  - gevent patches first, as in every entry point

    from perfconsole.engine.locustfiles import load_locustfiles

    path, name = Path(argv[0]), argv[1]
    try:
        _users, shapes = load_locustfiles([path])
        shape = shapes[name]
        points, ends = preview_shape(shape)
    except Exception as exc:  # the preview is optional: say why there is none
        print(json.dumps({"error": f"no preview: {type(exc).__name__}: {exc}"}))
        return 0
    print(json.dumps({"points": points, "ends": ends}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
