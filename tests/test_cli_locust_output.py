"""What a run prints and writes is Locust's own: ``--json`` is Locust's document, the end-of-run tables have
Locust's layout (11 percentiles, error report), ``--csv``/``--html``/``--logfile`` write where the user says.
Checked against plain ``locust --headless`` on the same locustfile and demo target."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from test_cli_locust_options import perfconsole, target  # noqa: F401 - the module's demo target fixture

from perfconsole.demo_target.process import DemoTargetProcess

MIXED = """
from locust import HttpUser, constant, task


class Mixed(HttpUser):
    wait_time = constant(0.2)

    @task
    def health(self):
        self.client.get("/api/v1/health/")

    @task
    def missing(self):
        self.client.get("/no-such-path")
"""


def table_layout(text: str) -> list[str]:
    """The lines that make the layout: headings, column headers and separators, without log prefixes."""
    keep = []
    for line in text.splitlines():
        line = line.split(": ", 1)[1] if "/INFO/locust" in line and ": " in line else line
        stripped = line.strip()
        if stripped.startswith(("Type ", "---", "Response time percentiles (approximated)", "Error report")):
            keep.append(line.rstrip())
        elif stripped.startswith("# occurrences"):
            keep.append(line.rstrip())
    # the end-of-run tables only (plain Locust also prints the request table every 2 s while running)
    last = max(i for i, line in enumerate(keep) if line.startswith("Response time percentiles"))
    start = max(i for i, line in enumerate(keep[:last]) if line.startswith("Type "))
    return keep[start:]


@pytest.mark.slow
@pytest.mark.timeout(240)
def test_json_tables_and_files_are_locusts(tmp_path: Path, target: DemoTargetProcess) -> None:  # noqa: F811
    (tmp_path / "mixed.py").write_text(MIXED)
    (tmp_path / "config.toml").write_text('[run]\nruns_dir = "runs"\n')
    common = ["-f", "mixed.py", "--headless", "-u", "2", "-r", "2", "-t", "3s", "-H", target.url, "--json"]
    plain = subprocess.run(
        [sys.executable, "-m", "locust", *common],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
        env={k: v for k, v in os.environ.items() if not k.startswith("LOCUST_")},
    )  # fmt: skip
    ours = perfconsole(
        tmp_path, *common, "--workers", "0", "--csv", "out/res", "--csv-full-history",
        "--html", "out/report_{u}.html", "--logfile", "out/locust.log",
    )  # fmt: skip
    assert plain.returncode == 1, plain.stderr[-2000:]  # a failed request: Locust exits 1
    assert ours.returncode == plain.returncode, ours.stderr[-3000:]

    locust_doc, our_doc = json.loads(plain.stdout), json.loads(ours.stdout)  # stdout is the JSON only
    assert isinstance(our_doc, list) and our_doc
    assert {tuple(sorted(e)) for e in our_doc} == {tuple(sorted(e)) for e in locust_doc}
    assert sorted((e["method"], e["name"]) for e in our_doc) == sorted(
        (e["method"], e["name"]) for e in locust_doc
    )

    layout = table_layout(plain.stderr)
    assert any("99.99%" in line and "100%" in line for line in layout)  # 11 percentiles
    assert any(line.startswith("Error report") for line in layout)
    assert table_layout(ours.stderr)[: len(layout)] == layout  # the same headers, widths, separators
    assert "errors" in ours.stderr and "Thresholds" in ours.stderr  # perfconsole's sections follow

    out = tmp_path / "out"
    for suffix in ("stats", "stats_history", "failures", "exceptions"):
        assert (out / f"res_{suffix}.csv").stat().st_size > 0
    header = (out / "res_stats.csv").read_text().splitlines()[0]
    assert header.startswith("Type,Name,Request Count,Failure Count")
    history = (out / "res_stats_history.csv").read_text()
    assert ",/api/v1/health/," in history and ",Aggregated," in history  # --csv-full-history: every entry
    assert "<html" in (out / "report_2.html").read_text().lower()  # {u} replaced as Locust does
    assert "locust" in (out / "locust.log").read_text()


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_summary_on_stdout_starts_with_locusts_tables(tmp_path: Path, target: DemoTargetProcess) -> None:  # noqa: F811
    (tmp_path / "mixed.py").write_text(MIXED.replace("@task\n    def missing", "def missing"))
    (tmp_path / "config.toml").write_text('[run]\nruns_dir = "runs"\n')
    done = perfconsole(
        tmp_path, "--headless", "-f", "mixed.py", "-u", "1", "-r", "1", "-t", "2s", "-H", target.url,
        "--workers", "0", "--only-summary",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    header = ["Type", "Name", "#", "reqs", "#", "fails", "|", "Avg", "Min", "Max", "Med", "|", "req/s"]
    assert lines[0].split() == [*header, "failures/s"]
    assert "Response time percentiles (approximated)" in lines
    assert "Thresholds: all met" in lines
    progress = [line for line in done.stderr.splitlines() if " | users " in line]
    assert progress == []  # --only-summary: no progress lines (Locust's log lines remain)


@pytest.mark.slow
def test_json_and_summary_json_together_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "mixed.py").write_text(MIXED)
    done = perfconsole(tmp_path, "--headless", "-f", "mixed.py", "--json", "--summary-json")
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "--summary-json" in done.stderr
