"""How long a capacity search takes, and how it grows with the resolution; what the margin-scaled step buys.

    .venv/bin/python benchmarks/capacity_search.py [--rounds N] [--rows fixed:20,fixed:10,fixed:5,margin:5]

(a row: step scale, resolution percent and optionally ``--search-step``, e.g. ``margin:5:200``)

The demo target with a simulated DB pool (`--db-pool-size 8 --latency-ms 40 --jitter-ms 0`: at most about
200 req/s, past it requests queue) on 127.0.0.1, judged by p95 < 200 ms and errors < 1 %. Each row is one
`perfconsole run --headless --find-capacity` (rate mode, in process: `--workers 0`) from 40/s with 2 s
settles, 5 s steps and a 6 s hold, at a resolution (`--search-resolution`) and a step scale (`fixed`:
doubling; `margin`: `--search-step-scale margin`). Prints per row: steps, the search's own seconds (from
its first step to its answer) and the command's wall seconds, the SLO capacity (level and req/s) and the
knee; and the load average before and after. Bounded: each run has `-t 4m` and a 5 minute timeout; the
four default rows take about 6-7 minutes. On a shared machine compare rows of one round (`--rounds 2`
interleaves them again), not figures across sessions.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from perfconsole.config import Search  # noqa: E402
from perfconsole.demo_target.process import start_demo_target  # noqa: E402
from perfconsole.model.capacity import (  # noqa: E402
    Breach,
    CapacityStep,
    EndpointFigures,
    SearchMode,
)
from perfconsole.model.percentiles import Percentiles  # noqa: E402
from perfconsole.verdicts.capacity_search import Finish, next_step  # noqa: E402

LOCUSTFILE = ROOT / "benchmarks" / "locustfile_pool.py"
CONFIG = """
[thresholds]
p95_ms = 200
error_rate_pct = 1
"""
SEARCH = ["--search-start", "40", "--search-settle", "2s", "--search-step-time", "5s"]
SEARCH += ["--search-confirm", "6s", "--search-min-requests", "50"]
RUN_BOUND = "4m"
TIMEOUT_S = 300


@dataclass(frozen=True)
class Row:
    scale: str
    resolution: float
    step: float = 100.0

    @property
    def name(self) -> str:
        step = "" if self.step == 100 else f" {self.step:g}"
        return f"{self.scale}{step} step, {self.resolution:g} %"

    @classmethod
    def parse(cls, text: str) -> Row:
        """``SCALE:RESOLUTION[:STEP]``, e.g. ``margin:5`` or ``margin:5:200``."""
        parts = text.split(":")
        if parts[0] not in ("fixed", "margin") or len(parts) not in (2, 3):
            raise SystemExit(f"--rows: expected fixed:PCT or margin:PCT[:STEP_PCT], got {text!r}")
        return cls(parts[0], float(parts[1]), float(parts[2]) if len(parts) == 3 else 100.0)


QUIET_LIMIT = 195.0
"""The planner's ideal target: every level below it passes at p95 40 ms (the pool's 40 ms a request), every
level at or above it fails."""


def quiet_steps(row: Row) -> int:
    """Steps the search plans for ``row`` against the ideal target: what a quiet machine would measure
    (the real runs add the steps a stall's failed step or failed hold costs)."""
    spec = Search(start=40, step_pct=row.step, step_scale=row.scale, resolution_pct=row.resolution)
    steps: list[CapacityStep] = []
    while not isinstance(decision := next_step(spec, SearchMode.RATE, steps), Finish):
        p95 = 40.0 if decision.level < QUIET_LIMIT else 1000.0
        breaches = () if p95 < 200 else (Breach("GET /api/products", "p95", p95, 200.0),)
        figures = EndpointFigures("", "Aggregated", 100, 0, Percentiles(p95=p95))
        steps.append(
            CapacityStep(
                len(steps) + 1,
                decision.phase,
                decision.level,
                0.0,
                0.0,
                5.0,
                figures,
                (),
                breaches,
                limit_ratio=p95 / 200,
            )
        )
    return len(steps)


def load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def search_once(row: Row, host: str, directory: Path) -> dict[str, object]:
    command = [sys.executable, "-m", "perfconsole", "run", "--headless", "-f", str(LOCUSTFILE)]
    command += ["--host", host, "--workers", "0", "-u", "10", "-t", RUN_BOUND, "--summary-json"]
    command += ["--find-capacity", "rate", *SEARCH, "--search-resolution", f"{row.resolution:g}"]
    command += ["--search-step-scale", row.scale, "--search-step", f"{row.step:g}"]
    began = time.monotonic()
    done = subprocess.run(
        command,
        cwd=directory,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    wall = time.monotonic() - began
    try:
        capacity = json.loads(done.stdout)["capacity"]
    except (ValueError, KeyError, TypeError):
        tail = done.stderr.strip().splitlines()[-3:]
        raise SystemExit(f"{row.name}: no summary (exit {done.returncode}): {tail}") from None
    return {"capacity": capacity, "wall_s": wall}


def report(row: Row, found: dict[str, object]) -> str:
    capacity = found["capacity"]
    assert isinstance(capacity, dict)
    steps = capacity["steps"]
    levels = " ".join(f"{s['level']:g}{'✓' if s['passed'] else '✗'}" for s in steps)
    slo = capacity["capacity"]
    slo_text = f"{slo:g}/s ({capacity['capacity_rps']:.0f} req/s)" if slo is not None else "none"
    knee = capacity.get("knee")
    knee_text = f"{knee['level']:g}/s ({knee['rps']:.0f} req/s)" if knee else "none"
    return (
        f"{row.name:<22} {len(steps):>3} steps {capacity['duration_s']:>5.0f} s search "
        f"{found['wall_s']:>5.0f} s wall  SLO capacity {slo_text:<18} knee {knee_text:<18} "
        f"{capacity['state']}\n{'':<22} levels: {levels}; {quiet_steps(row)} steps on a quiet machine"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--rows", default="fixed:20,fixed:10,fixed:5,margin:5")
    options = parser.parse_args()
    rows = [Row.parse(text) for text in options.rows.split(",")]
    print(f"load average before: {load()}")
    with (
        start_demo_target(latency_ms=40.0, jitter_ms=0.0, error_rate=0.0, db_pool_size=8, seed=1) as target,
        tempfile.TemporaryDirectory(prefix="perfconsole-capacity-bench-") as tmp,
    ):
        directory = Path(tmp)
        (directory / "config.toml").write_text(CONFIG, encoding="utf-8")
        for round_index in range(options.rounds):
            if options.rounds > 1:
                print(f"round {round_index + 1}")
            for row in rows:
                print(report(row, search_once(row, target.url, directory)), f"(load {load()})", flush=True)
    print(f"load average after: {load()}")


if __name__ == "__main__":
    main()
