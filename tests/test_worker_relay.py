"""Workers' output relayed in batches: complete, in order per worker, where Locust puts it (prints on stdout,
logs on stderr; stderr for both when stdout is a JSON document), one write per batch."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from test_cli_locust_options import perfconsole, target  # noqa: F401 - the module's demo target fixture

from perfconsole.demo_target.process import DemoTargetProcess
from perfconsole.engine.workers.output import Batch, OperatorLog, WorkerOutput
from perfconsole.headless.output import HeadlessOutput


class CountingStream(io.StringIO):
    def __init__(self) -> None:
        super().__init__()
        self.writes = 0

    def write(self, text: str) -> int:
        self.writes += 1
        return super().write(text)


def test_batches_are_complete_and_ordered_per_worker_and_stream() -> None:
    log = OperatorLog()
    output = WorkerOutput(2, log)
    out, err = CountingStream(), CountingStream()
    relay = HeadlessOutput(out, err)
    log.listeners.append(relay.relay)
    try:
        handles = [tuple(open(path, "ab") for path in output.files(i)) for i in range(2)]
        sent = 0
        for round_ in range(5):
            for index, (stdout, stderr) in enumerate(handles):
                for n in range(1000):
                    stdout.write(f"w{index} print {round_}-{n:04d}\n".encode())
                stderr.write(f"w{index} log {round_}\n".encode())
                stdout.write(b"w%d partial-" % index)  # a line cut by the buffer: waits for its end
                stdout.flush()
                stderr.flush()
                stdout.write(b"end\n")
                stdout.flush()
                sent += 1002
            writes_before = out.writes + err.writes
            assert output.poll() == 2 * 1002
            assert out.writes + err.writes - writes_before == 4  # one write per worker and stream
        for index, (stdout, stderr) in enumerate(handles):
            stdout.write(b"w%d no newline at exit" % index)
            stdout.close()
            stderr.close()
        assert output.poll() == 0  # an unfinished line waits ...
        assert output.poll(final=True) == 2  # ... until the worker is done
    finally:
        output.remove()
    shown = out.getvalue().splitlines()
    for index in range(2):
        mine = [line for line in shown if line.startswith(f"w{index} ")]
        expected = []
        for round_ in range(5):
            expected += [f"w{index} print {round_}-{n:04d}" for n in range(1000)] + [f"w{index} partial-end"]
        assert mine[:-1] == expected, mine[-3:]  # complete and in order, unprefixed as Locust's workers print
        assert mine[-1] == f"w{index} no newline at exit"
    logs = err.getvalue().splitlines()
    assert logs == [f"w{i} log {r}" for r in range(5) for i in range(2)]
    assert len(log.lines) == sent + 2
    assert log.lines[0] == "[worker 1] w0 print 0-0000"  # workers.log keeps the source


def test_json_stdout_keeps_workers_output_off_it() -> None:
    out, err = io.StringIO(), io.StringIO()
    relay = HeadlessOutput(out, err, data_only=True)
    relay.relay(Batch("worker 1", ("a print",), "stdout"))
    relay.relay(Batch("worker 2", ("a log line",), "stderr"))
    relay.relay(Batch("locust", ("WARNING: shown by Locust's own handler",)))
    relay.relay(Batch("sampler", ("OSError: boom",)))
    assert out.getvalue() == ""
    assert err.getvalue() == "a print\na log line\n[sampler] OSError: boom\n"


def test_operator_log_bounded_without_slowing() -> None:
    log = OperatorLog(max_lines=100)
    for n in range(50):
        log.add_batch(Batch("worker 1", tuple(f"line {n}-{i}" for i in range(10))))
    assert len(log.lines) == 100 and log.dropped == 400
    assert log.tail(2) == ["[worker 1] line 49-8", "[worker 1] line 49-9"]
    assert log.text().startswith("[perfconsole] 400 older line(s) dropped\n[worker 1] line 40-0\n")


def test_local_workers_log_as_the_headless_run_says() -> None:
    """Locust's --processes children share the parent's logging options; the console's workers keep to
    warnings (they land in its log view)."""
    import argparse

    from perfconsole.engine.plan import RunPlan
    from perfconsole.engine.preparation import worker_logging

    def plan(**options: object) -> RunPlan:
        return RunPlan(scenario_path=Path("x.py"), parsed_options=argparse.Namespace(**options))

    assert worker_logging(plan(headless=True, loglevel=None)) == {
        "loglevel": "INFO",
        "logfile": None,
        "skip_log_setup": False,
    }
    given = plan(headless=True, loglevel="DEBUG", logfile="run.log", skip_log_setup=True)
    assert worker_logging(given) == {"loglevel": "DEBUG", "logfile": "run.log", "skip_log_setup": True}
    assert worker_logging(plan(headless=False, loglevel="DEBUG")) == {}


def test_a_run_keeps_this_process_prints_off_a_json_stdout() -> None:
    import sys

    out, err = io.StringIO(), io.StringIO()
    held = sys.stdout
    with HeadlessOutput(out, err, data_only=True).run():
        print("a hook's print")
    assert sys.stdout is held
    with HeadlessOutput(out, err).run():
        assert sys.stdout is held  # without JSON, prints go where they go in Locust: stdout
    assert err.getvalue() == "a hook's print\n" and out.getvalue() == ""


PRINTING = """
from locust import HttpUser, constant, events, task


@events.test_start.add_listener
def on_test_start(environment, **kwargs):
    print("printed by test_start")


class Printer(HttpUser):
    wait_time = constant(0.1)

    @task
    def talk(self):
        for n in range(20):
            print(f"printed by a task {n}")
        self.client.get("/api/v1/health/")
"""


@pytest.mark.slow
@pytest.mark.timeout(240)
@pytest.mark.parametrize("workers", ["0", "2"])
def test_json_stdout_stays_the_document_while_users_print(
    workers: str,
    tmp_path: Path,
    target: DemoTargetProcess,  # noqa: F811
) -> None:
    """In process and with workers: with --summary-json stdout is the document; what the locustfile printed
    (its users, its hooks on master and workers) is complete on stderr."""
    (tmp_path / "printing.py").write_text(PRINTING)
    done = perfconsole(
        tmp_path, "--headless", "-f", "printing.py", "-H", target.url, "-u", "2", "-r", "2", "-t", "2s",
        "--workers", workers, "--summary-json", "--runs-dir", "runs",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    summary = json.loads(done.stdout)  # the document and nothing else
    assert summary["exit_code"] == 0
    hooks = done.stderr.count("printed by test_start")
    assert hooks == (1 if workers == "0" else 3), done.stderr[-2000:]  # the master's, then each worker's
    for n in range(20):
        assert done.stderr.count(f"printed by a task {n}\n") == done.stderr.count("printed by a task 0\n") > 0
