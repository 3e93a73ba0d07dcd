"""Exit codes as in Locust: a failed request or task exception fails a run (exit 1, or
``--exit-code-on-error``) unless config.toml's ``fail_on_errors = false``; no global throughput floor;
perfconsole's own codes (10 a threshold, 11 a regression) clear of Locust's and locust-plugins' (3)."""

from __future__ import annotations

import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from test_cli_locust_options import perfconsole, target  # noqa: F401 - the module's demo target fixture
from test_store_factories import make_result

from perfconsole.config import Limits, Thresholds, parse_settings
from perfconsole.demo_target.process import DemoTargetProcess
from perfconsole.errors import ExitCode
from perfconsole.headless.exit_status import exit_status
from perfconsole.model.run import ExceptionStats, ThresholdResult
from perfconsole.verdicts.thresholds import ERRORS_METRIC, errors_verdict

FAILING = """
from locust import HttpUser, constant, task


class Failing(HttpUser):
    wait_time = constant(0.2)

    @task
    def missing(self):
        self.client.get("/no-such-path")
"""


def errors_result(passed: bool) -> ThresholdResult:
    return ThresholdResult("Aggregated", ERRORS_METRIC, 0.0, 0.0 if passed else 3.0, passed, "=")


def exit_code(result: object, **kwargs: object) -> int:
    return exit_status(result, **kwargs).code  # type: ignore[arg-type]


def test_exit_code_follows_locust_for_errors_and_keeps_its_order() -> None:
    base = make_result()
    with_errors = replace(base, thresholds=(errors_result(False),))
    assert exit_code(with_errors) == 1
    assert exit_code(with_errors, exit_code_on_error=0) == 0  # as `locust --exit-code-on-error 0`
    assert exit_code(with_errors, exit_code_on_error=7) == 7
    assert exit_code(with_errors, exit_code_on_error=0, regressed=True) == 11
    assert exit_code(with_errors, exit_code_on_error=5, regressed=True) == 5  # Locust's rule before 11
    limit_failed = ThresholdResult("Aggregated", "p95", 100.0, 250.0, False)
    both = replace(base, thresholds=(errors_result(False), limit_failed))
    assert exit_code(both, exit_code_on_error=7) == 10  # a failed limit is 10 whatever errors say
    assert exit_code(both, process_exit_code=5) == 5  # a quitting hook's process_exit_code wins
    assert exit_code(both, process_exit_code=5, saved=False) == 2  # ... but a failed save beats it
    assert exit_code(replace(with_errors, interrupted=True)) == 130
    assert exit_code(replace(both, interrupted=True)) == 130  # 130 before 10
    assert exit_code(replace(base, thresholds=(errors_result(True),))) == 0


def test_perfconsole_codes_are_clear_of_locust_and_locust_plugins() -> None:
    assert {int(c) for c in ExitCode} == {0, 1, 2, 10, 11, 12, 13, 130}
    assert 3 not in {int(c) for c in ExitCode}  # locust-plugins' failed check


def test_exit_status_says_who_set_the_code() -> None:
    base = make_result()
    with_errors = replace(base, thresholds=(errors_result(False),))
    hook = exit_status(with_errors, process_exit_code=7)
    assert hook.line() == "Exit code 7: set by a quitting hook (environment.process_exit_code), as in Locust"
    zero = exit_status(with_errors, exit_code_on_error=0)
    assert zero.line() == "Exit code 0: requests failed or tasks raised (--exit-code-on-error 0)"
    assert "Locust's default --exit-code-on-error" in exit_status(with_errors).reason
    limit_failed = ThresholdResult("Aggregated", "p95", 100.0, 250.0, False)
    assert (
        exit_status(replace(base, thresholds=(limit_failed,))).reason
        == "a perfconsole threshold failed (p95)"
    )
    clean = replace(base, thresholds=())
    assert exit_status(clean, regressed=True).line() == "Exit code 11: a regression against the baseline"
    assert exit_status(clean).line() == "Exit code 0: the run completed"


def test_errors_verdict_counts_failures_and_task_exceptions() -> None:
    final = make_result().final
    clean = replace(final, total=replace(final.total, num_failures=0), exceptions=())
    (verdict,) = errors_verdict(clean, Thresholds())
    assert verdict.passed and verdict.actual == 0
    crashed = replace(clean, exceptions=(ExceptionStats(2, "boom", "tb"),))
    (verdict,) = errors_verdict(crashed, Thresholds())
    assert not verdict.passed and verdict.actual == 2
    assert "FAIL Aggregated errors 2 (limit = 0)" == verdict.describe()
    assert errors_verdict(crashed, Thresholds(fail_on_errors=False)) == ()


def test_fail_on_errors_in_config_merges_per_profile() -> None:
    settings = parse_settings(
        "[thresholds]\nfail_on_errors = true\n"
        "[profiles.chaos]\nusers = 1\nspawn_rate = 1\nthresholds = { fail_on_errors = false }\n"
    )
    assert settings.thresholds_for(None).errors_fail
    assert not settings.thresholds_for(settings.profile("chaos")).errors_fail
    assert settings.thresholds_for(settings.profile("light")).errors_fail
    assert settings.thresholds.default.min_rps is None  # floors only where a profile sets one
    merged = Thresholds(default=Limits(min_rps=5)).merged_over(settings.thresholds)
    assert merged.default.min_rps == 5 and merged.errors_fail
    with pytest.raises(Exception, match="fail_on_errors"):
        parse_settings('[thresholds]\nfail_on_errors = "yes"\n')


@pytest.fixture()
def failing_project(tmp_path: Path) -> Path:
    (tmp_path / "failing.py").write_text(FAILING)
    (tmp_path / "config.toml").write_text('[run]\nruns_dir = "runs"\n[thresholds]\nerror_rate_pct = false\n')
    return tmp_path


def failing_run(project: Path, url: str, *more: str) -> subprocess.CompletedProcess[str]:
    return perfconsole(
        project, "--headless", "-f", "failing.py", "-H", url, "-u", "1", "-r", "1", "-t", "2s",
        "--workers", "0", *more,
    )  # fmt: skip


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_a_failed_request_exits_1_and_exit_code_on_error_0_passes(
    failing_project: Path,
    target: DemoTargetProcess,  # noqa: F811
) -> None:
    done = failing_run(failing_project, target.url)
    assert done.returncode == 1, done.stderr[-2000:]
    assert "FAIL Aggregated errors" in done.stdout
    done = failing_run(failing_project, target.url, "--exit-code-on-error", "0")
    assert done.returncode == 0, done.stderr[-2000:]
    (failing_project / "config.toml").write_text(
        '[run]\nruns_dir = "runs"\n[thresholds]\nerror_rate_pct = false\nfail_on_errors = false\n'
    )
    done = failing_run(failing_project, target.url)
    assert done.returncode == 0, done.stderr[-2000:]  # config.toml says failures are fine here


@pytest.mark.slow
def test_one_exit_code_table_in_the_readme_and_in_run_help() -> None:
    import re
    import sys

    from perfconsole.errors import EXIT_CODES

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    section = readme.split("### Exit codes", 1)[1].split("\n#", 1)[0]
    rows = re.findall(r"^\| (\S+) \| ", section, flags=re.M)
    assert [r for r in rows if r not in ("code", "---")] == [code for code, _ in EXIT_CODES]
    help_text = subprocess.run(
        [sys.executable, "-m", "perfconsole", "run", "--help"], capture_output=True, text=True, timeout=60
    ).stdout
    listed = help_text.split("Exit codes:", 1)[1]
    for code, meaning in EXIT_CODES:
        assert f"{code:>4}  {meaning}" in listed


def test_progress_line_counts_task_exceptions_as_errors() -> None:
    from perfconsole.headless.summary import progress_line

    final = make_result().final
    clean = replace(final, total=replace(final.total, num_failures=0), exceptions=())
    assert "| errors 0 (0.0%) |" in progress_line(clean)
    crashed = replace(clean, exceptions=(ExceptionStats(4, "boom", "tb"), ExceptionStats(1, "bang", "tb")))
    assert "| errors 5 (0.0%, 5 in tasks) |" in progress_line(crashed)
