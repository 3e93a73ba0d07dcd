"""False regressions and detections of the noise-aware comparison, on real runs against the demo target.

    .venv/bin/python benchmarks/noise.py [--groups G] [--seconds S] [--users U]

Each group runs three headless runs against the demo target on 127.0.0.1: A, A' (the same target) and B
(the target's latency and jitter raised by 20 %), and compares A' and B with A. Half the groups run with
an extra CPU hog (a busy loop on one core). Printed: the false-regression rate over the A/A pairs (goal: at
most 1 in 20), the detection rate over the A/B pairs (goal: at least 19 in 20, with >= 2,000 requests a
side), and the cost of comparing two saved runs of 500 endpoints. Bounded: about groups x 3 x (seconds +
start-up); the defaults take about 5 minutes.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from cpu_hog import cpu_hog  # noqa: E402

from perfconsole.application.comparison_report import describe_change  # noqa: E402
from perfconsole.config import default_settings  # noqa: E402
from perfconsole.demo_target.process import start_demo_target  # noqa: E402
from perfconsole.store.baselines import resolve  # noqa: E402
from perfconsole.verdicts.regression import compare  # noqa: E402

LOCUSTFILE = """
from locust import HttpUser, constant, task

class Shopper(HttpUser):
    wait_time = constant(0.005)

    @task(3)
    def products(self):
        self.client.get("/api/products")

    @task
    def ping(self):
        self.client.get("/api/v1/health/ping")
"""
LATENCY_MS, JITTER_MS = 30.0, 6.0


def headless(tmp: Path, host: str, name: str, users: int, seconds: int) -> int:
    command = [sys.executable, "-m", "perfconsole", "run", "--headless", "-f", "steady.py", "--host", host]
    command += ["-u", str(users), "-r", str(users), "-t", f"{seconds}s", "--workers", "0"]
    command += ["--save", name, "--summary-json"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        command,
        cwd=tmp,
        capture_output=True,
        text=True,
        timeout=seconds + 90,
        stdin=subprocess.DEVNULL,
        env=env,
    )
    if done.returncode not in (0, 1):
        raise SystemExit(f"run {name} failed ({done.returncode}): {done.stderr[-500:]}")
    return int(json.loads(done.stdout)["total"]["requests"])


def compare_cost(tmp: Path) -> float:
    """Seconds to compare two saved runs of 500 endpoints with histograms (median of 3)."""
    import random

    from hdrh.histogram import HdrHistogram

    from perfconsole.store.baselines import resolve as load
    from perfconsole.store.run_save import save_run

    sys.path.insert(0, str(ROOT / "tests"))
    from dataclasses import replace

    from test_store_factories import make_endpoint, make_result, make_total

    rng = random.Random(1)

    def run(scale: float) -> Path:
        endpoints = tuple(make_endpoint(f"/api/e{i}", requests=400) for i in range(500))
        histograms = {}
        for e in (*endpoints, make_total(endpoints)):
            h = HdrHistogram(1, 3_600_000_000, 3)
            for _ in range(400):
                h.record_value(int(scale * rng.lognormvariate(10, 0.4)))
            histograms[e.key] = h.encode().decode("ascii")
        result = make_result(endpoints)
        return save_run(tmp / "runs", replace(result, histograms=histograms))

    a, b = load(tmp / "runs", run(1.0).name), load(tmp / "runs", run(1.3).name)
    times = []
    for _ in range(3):
        start = time.perf_counter()
        compare(a, b)
        times.append(time.perf_counter() - start)
    return sorted(times)[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--groups", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=7)
    parser.add_argument("--users", type=int, default=15)
    args = parser.parse_args()
    rules = default_settings().regression
    false_alarms = detections = 0
    fewest = 10**9
    with tempfile.TemporaryDirectory(prefix="perfconsole-noise-") as name:
        tmp = Path(name)
        (tmp / "steady.py").write_text(LOCUSTFILE)
        with start_demo_target(latency_ms=LATENCY_MS, jitter_ms=JITTER_MS, seed=1) as demo:
            for group in range(args.groups):
                hogged = group % 2 == 1
                with cpu_hog(3 * (args.seconds + 30)) if hogged else _nothing():
                    demo.control({"latency_ms": LATENCY_MS, "jitter_ms": JITTER_MS})
                    counts = [
                        headless(tmp, host=demo.url, name=f"a{group}", users=args.users, seconds=args.seconds)
                    ]
                    counts.append(headless(tmp, demo.url, f"aa{group}", args.users, args.seconds))
                    demo.control({"latency_ms": LATENCY_MS * 1.2, "jitter_ms": JITTER_MS * 1.2})
                    counts.append(headless(tmp, demo.url, f"b{group}", args.users, args.seconds))
                fewest = min(fewest, *counts)
                runs = tmp / "runs"
                base = resolve(runs, f"a{group}")
                same = compare(base, resolve(runs, f"aa{group}"), rules)
                slower = compare(base, resolve(runs, f"b{group}"), rules)
                false_alarms += same.regressed
                detections += slower.regressed
                total = next(r for r in slower.rows if r.endpoint == "Aggregated")
                where = "hog " if hogged else "idle"
                print(
                    f"group {group + 1:2d} {where} requests {min(counts):5d}..{max(counts):5d}"
                    f"  A/A {'REGRESSION' if same.regressed else 'ok':10s}"
                    f"  A/B {'REGRESSION' if slower.regressed else 'missed':10s}"
                    f"  A/B total {describe_change(total.metric('p95'))}",
                    flush=True,
                )
                if same.regressed:
                    print("   A/A:", "; ".join(f"{e} {describe_change(m)}" for e, m in same.regressions))
        cost = compare_cost(tmp)
    groups = args.groups
    print(f"false regressions (A/A): {false_alarms}/{groups} (goal <= {groups / 20:g})")
    print(f"detections (A/B, latency +20 %): {detections}/{groups} (goal >= {groups * 19 / 20:g})")
    print(f"fewest requests on a side: {fewest} (goal >= 2000)")
    print(f"compare two saved runs of 500 endpoints: {cost * 1000:.0f} ms")


class _nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


if __name__ == "__main__":
    main()
