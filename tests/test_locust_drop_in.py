"""perfconsole as a drop-in for ``locust --headless``: the same locustfiles (tests/locust_projects, written
in Locust's documented styles) run by plain Locust and by ``perfconsole run --headless`` against one demo
target on 127.0.0.1 behave the same: the same hooks fire in each process, the same exit code, the same CSV
headers and endpoints, the same users per class.

Each case starts both commands at once (few users, 3 s of load) and makes all its checks on that pair.
"""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cli_helpers import free_port

from perfconsole.demo_target.process import DemoTargetProcess, start_demo_target

ROOT = Path(__file__).resolve().parent.parent
PROJECTS = Path(__file__).resolve().parent / "locust_projects"
HOOKS = f"{PROJECTS / 'hooks' / 'hooks.py'},{PROJECTS / 'hooks' / 'admin.py'}"
"""A comma-separated list of two locustfiles: every lifecycle hook, process_exit_code, fixed_count, tags and
class-level hosts."""
SHAPED = str(PROJECTS / "shaped")
"""A locustfile directory: a LoadTestShape and a user class imported from a module Locust does not load."""
CSV_TABLES = ("stats", "stats_history", "failures", "exceptions")
SETTINGS = "[thresholds]\nerror_rate_pct = 50\nmin_rps = 1\n"
RUN_TIMEOUT_S = 120
LOCUST_ONE_WORKER = ["--processes", "1", "--master-bind-port", "{port}", "--master-port", "{port}"]

pytestmark = pytest.mark.slow


@dataclass
class Outcome:
    code: int
    stdout: str
    stderr: str
    processes: list[tuple[str, ...]]
    """Per process (sorted): the ``role event`` lines its hooks wrote, sorted."""
    users: Counter[str]
    """User classes started (``on_start``), over all processes."""
    tasks: Counter[str]
    """``task started`` / ``task finished`` lines, over all processes."""
    csv_headers: dict[str, list[str]]
    endpoints: set[str]
    run_dir: Path | None


@pytest.fixture(scope="module")
def target() -> Iterator[DemoTargetProcess]:
    with start_demo_target(latency_ms=1) as demo:
        yield demo


def _start(
    tool: str,
    args: list[str],
    work: Path,
    host: str,
    worker: list[str] | None = None,
    settings: str | None = SETTINGS,
) -> list[subprocess.Popen[str]]:
    """The command (and, with ``worker``, one external ``locust --worker WORKER...`` for its master).
    ``settings``: perfconsole's config.toml (None: none, the built-in defaults)."""
    work.mkdir()
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(PROJECTS), str(ROOT)]),
        "DROPIN_HOST": host,
        "DROPIN_LOG": str(work / "events.log"),
    }
    if tool == "locust":
        command = [sys.executable, "-m", "locust", "--headless", "--only-summary"]
        command += ["--csv", str(work / "locust")]
    else:
        if settings is not None:
            (work / "config.toml").write_text(settings)
        command = [sys.executable, "-m", "perfconsole", "run", "--headless", "--runs-dir", str(work / "runs")]
    commands = [[*command, *args]]
    if worker is not None:
        commands.append([sys.executable, "-m", "locust", "--worker", *worker])
    return [
        subprocess.Popen(
            line,
            cwd=work,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for line in commands
    ]


def _outcome(procs: list[subprocess.Popen[str]], work: Path) -> Outcome:
    proc, *workers = procs
    try:
        stdout, stderr = proc.communicate(timeout=RUN_TIMEOUT_S)
        for worker in workers:  # an external worker quits when its master tells it to
            worker.communicate(timeout=RUN_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        for each in procs:
            each.kill()
        stdout, stderr = proc.communicate()
        pytest.fail(f"{proc.args} did not end within {RUN_TIMEOUT_S}s: {stderr[-2000:]}")
    return _read_outcome(proc, stdout, stderr, work)


def _read_outcome(proc: subprocess.Popen[str], stdout: str, stderr: str, work: Path) -> Outcome:
    """What an ended command left: its output, the events its hooks logged, its CSV files."""
    by_pid: dict[str, list[str]] = {}
    users: Counter[str] = Counter()
    tasks: Counter[str] = Counter()
    log = work / "events.log"
    for line in log.read_text().splitlines() if log.exists() else []:
        pid, role, what = line.split(" ", 2)
        if what.startswith("user "):
            users[what.removeprefix("user ")] += 1
        elif what.startswith("task "):
            tasks[what] += 1
        else:
            by_pid.setdefault(pid, []).append(f"{role} {what}")
    runs = sorted((work / "runs").glob("*/run.toml"))
    run_dir = runs[-1].parent if runs else None
    csv_dir, prefix = (run_dir, "locust") if run_dir is not None else (work, "locust")
    headers: dict[str, list[str]] = {}
    endpoints: set[str] = set()
    for table in CSV_TABLES:
        path = csv_dir / f"{prefix}_{table}.csv"
        if path.exists():
            with open(path, newline="") as handle:
                rows = list(csv.reader(handle))
            headers[table] = rows[0] if rows else []
            if table == "stats":
                endpoints = {f"{row[0]} {row[1]}".strip() for row in rows[1:]}
    return Outcome(
        code=proc.returncode,
        stdout=stdout,
        stderr=stderr,
        processes=sorted(tuple(sorted(events)) for events in by_pid.values()),
        users=users,
        tasks=tasks,
        csv_headers=headers,
        endpoints=endpoints,
        run_dir=run_dir,
    )


def _run_both(
    tmp_path: Path,
    host: str,
    args: list[str],
    locust_mode: list[str],
    perfconsole_mode: list[str],
    worker: list[str] | None = None,
    settings: str | None = SETTINGS,
) -> tuple[Outcome, Outcome]:
    """Plain Locust and perfconsole on the same locustfiles at the same time. ``{port}`` in a mode (and in
    ``worker``, the arguments of an external ``locust --worker``) is a free port, one per side."""
    started = {}
    for tool, mode in (("locust", locust_mode), ("perfconsole", perfconsole_mode)):
        port = str(free_port())  # never Locust's default 5557, which other tests' masters may hold
        side_worker = [a.replace("{port}", port) for a in worker] if worker is not None else None
        mode = [a.replace("{port}", port) for a in mode]
        started[tool] = _start(tool, [*args, *mode], tmp_path / tool, host, side_worker, settings)
    return _outcome(started["locust"], tmp_path / "locust"), _outcome(
        started["perfconsole"], tmp_path / "perfconsole"
    )


def _assert_same(plain: Outcome, ours: Outcome) -> None:
    context = f"locust stderr:\n{plain.stderr[-1500:]}\nperfconsole stderr:\n{ours.stderr[-1500:]}"
    assert ours.processes == plain.processes, context
    assert ours.code == plain.code, context
    assert ours.users == plain.users, context
    assert set(ours.csv_headers) == set(CSV_TABLES) == set(plain.csv_headers), context
    assert ours.csv_headers == plain.csv_headers
    assert ours.endpoints == plain.endpoints, context
    assert "Traceback" not in ours.stderr, context


HOOK_EVENTS = ("init", "quit 3", "quitting", "test_start", "test_stop")


EXTERNAL = ["--expect-workers", "1", "--master-bind-port", "{port}"]
EXTERNAL_WORKER = ["-f", HOOKS, "--master-port", "{port}", "-T", "read"]  # tags are the worker's own


@pytest.mark.parametrize(
    ("locust_mode", "perfconsole_mode", "worker", "roles"),
    [
        ([], ["--workers", "0"], None, ("local",)),
        (LOCUST_ONE_WORKER, ["--workers", "1"], None, ("master", "worker")),
        (["--master", *EXTERNAL], ["--workers", "0", *EXTERNAL], EXTERNAL_WORKER, ("master", "worker")),
    ],
    ids=["in-process", "master-and-worker", "external-worker"],
)
def test_hooks_exit_code_fixed_count_tags_and_class_host(
    locust_mode: list[str],
    perfconsole_mode: list[str],
    worker: list[str] | None,
    roles: tuple[str, ...],
    tmp_path: Path,
    target: DemoTargetProcess,
) -> None:
    args = ["-f", HOOKS, "-u", "3", "-r", "10", "-t", "3s", "-T", "read"]  # no --host: the classes name it
    plain, ours = _run_both(tmp_path, target.url, args, locust_mode, perfconsole_mode, worker)
    _assert_same(plain, ours)
    # every lifecycle hook fired once in every process, and quitting's process_exit_code decided the exit
    assert ours.processes == sorted(tuple(sorted(f"{role} {e}" for e in HOOK_EVENTS)) for role in roles)
    assert ours.code == 3
    assert ours.users == Counter({"Admin": 1, "Reader": 2})  # fixed_count 1, the rest by weight
    assert ours.endpoints == {"GET /api/v1/health/", "GET /api/v1/health/ping", "Aggregated"}  # -T read
    assert "embedded demo target" not in ours.stderr  # the classes' own host, no demo target
    assert ours.run_dir is not None
    assert '"locustfile": "hooks.py"' in (ours.run_dir / "report.html").read_text()
    if (
        "worker" in roles and worker is None
    ):  # what a worker printed reaches stdout as in Locust, and workers.log, prefixed
        init_lines = [out.stdout.count("hooks.py: init in pid") for out in (plain, ours)]
        assert init_lines == [2, 2], init_lines  # the master's and the worker's
        assert "[worker 1] hooks.py: init in pid" in (ours.run_dir / "workers.log").read_text()


def test_shape_in_a_directory_with_imported_classes(tmp_path: Path, target: DemoTargetProcess) -> None:
    args = ["-f", SHAPED, "-H", target.url, "-u", "5"]  # -u with a shape: Locust's warning, ignored
    plain, ours = _run_both(tmp_path, target.url, args, [], ["--workers", "0"])
    _assert_same(plain, ours)
    assert ours.code == 0
    assert ours.processes == [("local test_start", "local test_stop")]
    assert ours.users == Counter({"Browser": 3})  # the shape's last stage, not -u 5
    warning = "The following option(s) will be ignored: --users"
    assert warning in plain.stderr and warning in ours.stderr
    assert ours.run_dir is not None
    history = list(csv.reader(open(ours.run_dir / "locust_stats_history.csv", newline="")))
    assert max(int(row[1]) for row in history[1:]) == 3  # the shape's users, never the 5 of -u


@pytest.mark.parametrize(
    ("locust_mode", "perfconsole_mode"),
    [([], ["--workers", "0"]), (LOCUST_ONE_WORKER, ["--workers", "1"])],
    ids=["in-process", "master-and-worker"],
)
def test_stop_timeout_lets_tasks_finish_quietly(
    locust_mode: list[str], perfconsole_mode: list[str], tmp_path: Path, target: DemoTargetProcess
) -> None:
    args = ["-f", str(PROJECTS / "slow" / "slow.py"), *"-u 2 -r 10 -t 2s --stop-timeout 3".split()]
    plain, ours = _run_both(tmp_path, target.url, args, locust_mode, perfconsole_mode)
    _assert_same(plain, ours)
    assert ours.code == 0
    for outcome in (plain, ours):  # the tasks in flight at the end finished
        assert outcome.tasks["task started"] == 2, outcome.tasks  # one each, 2.5 s long: in flight at 2 s
        assert outcome.tasks["task finished"] == outcome.tasks["task started"], outcome.tasks
        assert "Traceback" not in outcome.stderr and "unexpected state" not in outcome.stderr, outcome.stderr


EXITS = str(PROJECTS / "exits" / "exits.py")
"""Failing requests, a user that makes none, a quitting hook setting ``--hook-exit-code``, INFO lines."""
LOCUST_TWO_WORKERS = ["--processes", "2", "--master-bind-port", "{port}", "--master-port", "{port}"]
LOG_LINE = re.compile(
    r"^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}\] \S+/(?P<level>[A-Z]+)/(?P<logger>[\w.]+): (?P<msg>.*)$"
)
"""Locust's log format (``locust.log.setup_logging``)."""
NO_DATA_SETTINGS = "[thresholds]\np95_ms = 1000\n"
"""A latency limit: a run without requests has no data for it, which fails nothing."""
MODES = [([], ["--workers", "0"]), (LOCUST_TWO_WORKERS, ["--workers", "2"])]
SPAWNED = ("All users spawned", "Spawning is complete")
"""Locust's INFO line at the end of spawning (the second when workers' reports come late on a busy box)."""


def _log_lines(stderr: str) -> list[tuple[str, str, str]]:
    return [
        (m["level"], m["logger"], m["msg"]) for line in stderr.splitlines() if (m := LOG_LINE.match(line))
    ]


@pytest.mark.parametrize(("locust_mode", "perfconsole_mode"), MODES, ids=["in-process", "two-workers"])
@pytest.mark.parametrize(
    ("case", "args", "settings", "code", "reason"),
    [
        ("errors-5", ["Failing", "--exit-code-on-error", "5"], None, 5, "requests failed or tasks raised"),
        ("errors-0", ["Failing", "--exit-code-on-error", "0"], None, 0, "requests failed or tasks raised"),
        ("no-requests", ["Idle"], NO_DATA_SETTINGS, 0, "the run completed and every threshold was met"),
        ("hook", ["Failing", "--hook-exit-code", "7"], None, 7, "set by a quitting hook"),
    ],
)
def test_exit_codes_and_log_lines_by_locusts_rules(
    case: str,
    args: list[str],
    settings: str | None,
    code: int,
    reason: str,
    locust_mode: list[str],
    perfconsole_mode: list[str],
    tmp_path: Path,
    target: DemoTargetProcess,
) -> None:
    """Without perfconsole settings (or with a latency limit and no requests) a run exits as plain Locust:
    ``--exit-code-on-error`` decides a run with failed requests, a quitting hook's code wins, no requests is
    0; the summary says who set the code; Locust's INFO lines appear, in Locust's format, in both."""
    common = ["-f", EXITS, "-H", target.url, "-u", "2", "-r", "10", "-t", "3s", *args]
    plain, ours = _run_both(tmp_path, target.url, common, locust_mode, perfconsole_mode, settings=settings)
    # (Locust's CSV is its last 1 s snapshot, which on a busy box may miss the run's end: not compared here)
    context = f"locust:\n{plain.stderr[-3000:]}\nperfconsole:\n{ours.stderr[-3000:]}"
    assert (plain.code, ours.code) == (code, code), context
    assert "Traceback" not in ours.stderr, context
    assert f"Exit code {code}: {reason}" in ours.stdout, ours.stdout[-1500:]
    if case == "no-requests":
        assert "no data Aggregated p95 (limit < 1000 ms)" in ours.stdout
    # Locust's log lines: its format, its INFO lines, the same lines from the locustfile in each process
    logs = {"plain": _log_lines(plain.stderr), "ours": _log_lines(ours.stderr)}
    for lines in logs.values():
        assert ("INFO", "locust.main", "Starting Locust 2.47.0") in lines, context
        assert ("INFO", "locust.main", "Run time limit set to 3 seconds") in lines, context
        assert ("INFO", "locust.main", "--run-time limit reached, shutting down") in lines, context
        assert ("INFO", "locust.main", f"Shutting down (exit code {code})") in lines, context
        spawned = [msg for _, logger, msg in lines if logger == "locust.runners" and msg.startswith(SPAWNED)]
        assert spawned, context
    children = "Bad response code from worker children"  # --processes' parent only: perfconsole has none
    own = {
        tool: sorted(msg for _, logger, msg in lines if logger == "root" and not msg.startswith(children))
        for tool, lines in logs.items()
    }
    assert own["ours"] == own["plain"] != [], context
    assert not re.search(r"^(INFO|WARNING|ERROR):root:", ours.stderr, flags=re.M), context


ENDINGS = PROJECTS / "endings"
END_CASES = {
    "shape-returns-none": ["-f", str(ENDINGS / "shape_none.py")],
    "master-runner-quit": ["-f", str(ENDINGS / "master_quit.py"), *"-u 2 -r 10 -t 40s".split()],
    "workers-stop-by-themselves": ["-f", str(ENDINGS / "self_stopping.py"), *"-u 4 -r 10 -t 40s".split()],
    "custom-argument-at-init": [
        "-f", str(ENDINGS / "custom_arg.py"), *"-u 2 -r 10 -t 3s --my-argument hello42".split()
    ],
}  # fmt: skip
"""Runs that something other than their clock ends (``-t 40s`` is far beyond their own end), and a custom
argument that ``init`` reads in every process."""
END_SLACK_S = 5.0
"""perfconsole ends within this of plain Locust started at the same moment (issue 15), both timed from their
load's start to their exit."""


def _run_both_timed(
    tmp_path: Path, args: list[str], locust_mode: list[str], perfconsole_mode: list[str], host: str
) -> tuple[Outcome, float, Outcome, float]:
    """Both tools started at once; each one's outcome and its seconds from the load's start (its first
    ``test_start``, so that starting worker processes does not count) to its exit."""
    import threading
    import time

    ended: dict[str, tuple[str, str, float]] = {}
    procs: dict[str, subprocess.Popen[str]] = {}
    for tool, mode in (("locust", locust_mode), ("perfconsole", perfconsole_mode)):
        port = str(free_port())
        procs[tool] = _start(
            tool, [*args, *(a.replace("{port}", port) for a in mode)], tmp_path / tool, host
        )[0]

    def wait(tool: str) -> None:
        try:
            out, err = procs[tool].communicate(timeout=RUN_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            procs[tool].kill()
            out, err = procs[tool].communicate()
            err += f"\n(killed: no end within {RUN_TIMEOUT_S}s)"
        ended[tool] = (out, err, time.time())

    threads = [threading.Thread(target=wait, args=(tool,)) for tool in procs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    outcomes: list[tuple[Outcome, float]] = []
    for tool in ("locust", "perfconsole"):
        out, err, at = ended[tool]
        work = tmp_path / tool
        started = work / "events.log.started"
        load_s = at - float(started.read_text().split()[0]) if started.exists() else float("inf")
        outcomes.append((_read_outcome(procs[tool], out, err, work), load_s))
    (plain, plain_s), (ours, ours_s) = outcomes
    return plain, plain_s, ours, ours_s


@pytest.mark.parametrize("case", END_CASES)
@pytest.mark.parametrize(
    ("locust_mode", "perfconsole_mode", "roles"),
    [
        (LOCUST_TWO_WORKERS, ["--workers", "2"], ("master", "worker", "worker")),
        ([], ["--workers", "0"], ("local",)),
    ],
    ids=["2-workers", "in-process"],
)
def test_runs_end_as_in_locust(
    case: str,
    locust_mode: list[str],
    perfconsole_mode: list[str],
    roles: tuple[str, ...],
    tmp_path: Path,
    target: DemoTargetProcess,
) -> None:
    plain, plain_s, ours, ours_s = _run_both_timed(
        tmp_path, END_CASES[case], locust_mode, perfconsole_mode, target.url
    )
    # Locust's own CSV may miss the last second when its runner quits (its writer greenlet dies with it):
    # these runs compare hooks, exit code and end time, which the CSV case tests above compare already
    context = f"locust stderr:\n{plain.stderr[-1500:]}\nperfconsole stderr:\n{ours.stderr[-1500:]}"
    assert ours.processes == plain.processes, context
    assert ours.code == plain.code == 0, context
    assert "Traceback" not in ours.stderr, context
    events = ["init", "quit 0", "quitting", "test_start", "test_stop"]
    if case == "custom-argument-at-init":  # init sees the argument in every process, workers too
        events.append("init sees 'hello42'")
    assert ours.processes == sorted(tuple(sorted(f"{role} {e}" for e in events)) for role in roles)
    print(f"{case}: load start to exit: perfconsole {ours_s:.1f}s, locust {plain_s:.1f}s")
    assert ours_s <= plain_s + END_SLACK_S, f"perfconsole {ours_s:.1f}s, locust {plain_s:.1f}s"
    assert ours.run_dir is not None
    toml = (ours.run_dir / "run.toml").read_text()
    assert "interrupted = false" in toml
    reasons = {
        "shape-returns-none": "Run ended: shape TwoThenNone ended",
        "master-runner-quit": "Run ended: the locustfile quit the runner",
        "workers-stop-by-themselves": (
            "Run ended: all 2 worker(s) stopped by themselves"
            if "worker" in roles
            else "Run ended: the locustfile quit the runner"
        ),
        "custom-argument-at-init": "Run ended: duration reached",
    }
    assert reasons[case] in ours.stdout, ours.stdout[-1500:]


def test_remote_workers_started_with_the_printed_command_see_the_argument_and_the_end(
    tmp_path: Path, target: DemoTargetProcess
) -> None:
    """Workers started elsewhere with the command perfconsole prints get the custom argument at ``init`` and
    quit when the shape ends the run, which is saved complete."""
    import shlex

    port, work = str(free_port()), tmp_path / "perfconsole"
    args = ["-f", str(ENDINGS / "remote_shape.py"), "--workers", "0", "--expect-workers", "2"]
    (master,) = _start(
        "perfconsole", [*args, "--master-bind-port", port, "--my-argument", "hello 42"], work, target.url
    )
    assert master.stderr is not None
    printed = ""
    for line in master.stderr:  # "waiting for workers: ...; start one elsewhere with: COMMAND"
        if "start one elsewhere with: " in line:
            printed = line.split("start one elsewhere with: ", 1)[1].strip()
            break
    command = shlex.split(printed)
    assert command[:2] == ["perfconsole", "worker"] and "--my-argument=hello 42" in command, printed
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(PROJECTS), str(ROOT)]), "DROPIN_HOST": target.url}
    env["DROPIN_LOG"] = str(work / "events.log")
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "perfconsole", *command[1:]],
            cwd=work,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(2)
    ]
    try:
        out, err = master.communicate(timeout=RUN_TIMEOUT_S)
        codes = [worker.wait(timeout=30) for worker in workers]  # they quit when the master tells them
    finally:
        for process in (master, *workers):
            if process.poll() is None:
                process.kill()
    assert master.returncode == 0, err[-2000:]
    assert codes == [0, 0]
    assert "Run ended: shape TwoThenNone ended" in out
    events = Counter(line.split(" ", 1)[1] for line in (work / "events.log").read_text().splitlines())
    assert events["worker init sees 'hello 42'"] == 2 and events["master init sees 'hello 42'"] == 1
    assert events["worker quit 0"] == 2 and events["master test_stop"] == 1
