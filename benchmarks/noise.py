"""False regressions and detections of the noise-aware comparison, on real runs against the demo target.

    .venv/bin/python benchmarks/noise.py [--groups G] [--seconds S] [--users U] [--keep DIR]
    .venv/bin/python benchmarks/noise.py --rejudge DIR     # judge the runs kept in DIR again, run nothing

Each group runs three headless runs against the demo target on 127.0.0.1: A, A' (the same target) and B
(the target's latency and jitter raised by 20 %), and compares A' and B with A. Every other group runs
with an extra CPU hog (a busy loop on one core). Printed: the false-regression rate over the A/A pairs
(goal: at most 1 in 20), the detection rate over the A/B pairs (goal: at least 19 in 20, with >= 2,000
requests a side), each also for the groups with and without the hog, pairs not judged (a side stamped
invalid), the machine's load average before and after, and the cost of comparing two saved runs of 500
endpoints. The users pace themselves (30 ms between requests): a generator that leaves CPU to spare
measures the target, not its own queue; the target answers in about 100 ms. Bounded: about groups x 3 x
(seconds + start-up); the defaults (20 groups of 15 s runs) take about 20 minutes.
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
from perfconsole.config import Regression, default_settings  # noqa: E402
from perfconsole.demo_target.process import start_demo_target  # noqa: E402
from perfconsole.errors import UserError  # noqa: E402
from perfconsole.store.baselines import resolve  # noqa: E402
from perfconsole.verdicts.regression import Comparison, compare  # noqa: E402

LOCUSTFILE = """
from locust import HttpUser, constant, task

class Shopper(HttpUser):
    wait_time = constant(0.03)

    @task(3)
    def products(self):
        self.client.get("/api/products")

    @task
    def ping(self):
        self.client.get("/api/v1/health/ping")
"""
LATENCY_MS, JITTER_MS = 100.0, 20.0
"""A target's latency well above what a loaded 2-core machine adds to every request (the generator's
and the target's wait for a core, 10-30 ms at a load average of 8): B's +20 % is the target's change,
not diluted by the machine's share of the measured latency."""


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


def load_average() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def judge(runs: Path, group: int, rules: Regression) -> tuple[Comparison, Comparison]:
    base = resolve(runs, f"a{group}")
    return compare(base, resolve(runs, f"aa{group}"), rules), compare(base, resolve(runs, f"b{group}"), rules)


def verdict(comparison: Comparison, found: str) -> str:
    return "not judged" if comparison.invalid else found if comparison.regressed else "-"


def report(groups: list[tuple[bool, Comparison, Comparison]]) -> None:
    """The rates over all groups and split by the hog."""
    for title, kept in (
        ("all", groups),
        ("with the hog", [g for g in groups if g[0]]),
        ("without", [g for g in groups if not g[0]]),
    ):
        judged_aa = [same for _, same, _ in kept if not same.invalid]
        judged_ab = [slower for _, _, slower in kept if not slower.invalid]
        false_alarms = sum(c.regressed for c in judged_aa)
        detections = sum(c.regressed for c in judged_ab)
        refused = len(kept) - len(judged_aa), len(kept) - len(judged_ab)
        print(
            f"{title:13s} false regressions (A/A) {false_alarms}/{len(judged_aa)}"
            f"  detections (A/B, +20 %) {detections}/{len(judged_ab)}"
            f"  not judged (invalid) A/A {refused[0]} A/B {refused[1]}"
        )
    count = len(groups)
    print(f"goals: false regressions <= {count / 20:g}/{count}, detections >= {count * 19 / 20:g}/{count}")


def show(group: int, hogged: bool, counts: list[int], same: Comparison, slower: Comparison) -> None:
    total = next(r for r in slower.rows if r.endpoint == "Aggregated")
    where = "hog " if hogged else "idle"
    print(
        f"group {group + 1:2d} {where} requests {min(counts):5d}..{max(counts):5d}"
        f"  A/A {verdict(same, 'REGRESSION'):10s}  A/B {verdict(slower, 'REGRESSION'):10s}"
        f"  A/B total {describe_change(total.metric('p50'))}, {describe_change(total.metric('p95'))}",
        flush=True,
    )
    if same.regressed:
        print("   A/A:", "; ".join(f"{e} {describe_change(m)}" for e, m in same.regressions))


def rejudge(kept: Path, rules: Regression) -> None:
    """Judge the runs a --keep left in ``kept`` again (after a change of method), running nothing."""
    groups = []
    group = 0
    while (kept / "runs").is_dir():
        try:
            same, slower = judge(kept / "runs", group, rules)
        except UserError:
            break
        counts = [r.baseline_requests for r in same.rows if r.endpoint == "Aggregated"]
        counts += [r.current_requests for c in (same, slower) for r in c.rows if r.endpoint == "Aggregated"]
        show(group, group % 2 == 1, counts, same, slower)
        groups.append((group % 2 == 1, same, slower))
        group += 1
    report(groups)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--groups", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--users", type=int, default=32)
    parser.add_argument("--keep", type=Path, help="keep the runs in this directory (for --rejudge)")
    parser.add_argument("--rejudge", type=Path, help="judge the runs kept in this directory again")
    args = parser.parse_args()
    rules = default_settings().regression
    if args.rejudge:
        rejudge(args.rejudge, rules)
        return
    groups = []
    fewest = 10**9
    print(f"load average before: {load_average()} ({os.cpu_count()} cores)")
    with tempfile.TemporaryDirectory(prefix="perfconsole-noise-") as name:
        tmp = args.keep or Path(name)
        tmp.mkdir(parents=True, exist_ok=True)
        (tmp / "steady.py").write_text(LOCUSTFILE)
        with start_demo_target(latency_ms=LATENCY_MS, jitter_ms=JITTER_MS, seed=1) as demo:
            for group in range(args.groups):
                hogged = group % 2 == 1
                with cpu_hog(3 * (args.seconds + 30)) if hogged else _nothing():
                    demo.control({"latency_ms": LATENCY_MS, "jitter_ms": JITTER_MS})
                    counts = [headless(tmp, demo.url, f"a{group}", args.users, args.seconds)]
                    counts.append(headless(tmp, demo.url, f"aa{group}", args.users, args.seconds))
                    demo.control({"latency_ms": LATENCY_MS * 1.2, "jitter_ms": JITTER_MS * 1.2})
                    counts.append(headless(tmp, demo.url, f"b{group}", args.users, args.seconds))
                fewest = min(fewest, *counts)
                same, slower = judge(tmp / "runs", group, rules)
                show(group, hogged, counts, same, slower)
                groups.append((hogged, same, slower))
        cost = compare_cost(tmp)
    report(groups)
    print(f"fewest requests on a side: {fewest} (goal >= 2000)")
    print(f"load average after: {load_average()}")
    print(f"compare two saved runs of 500 endpoints: {cost * 1000:.0f} ms")


class _nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


if __name__ == "__main__":
    main()
