"""``perfconsole runs|compare|baseline`` through the real entry point: output and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from test_store_factories import STARTED_AT, make_endpoint, make_result

from perfconsole.cli import main
from perfconsole.errors import ExitCode
from perfconsole.store.run_save import save_run


@pytest.fixture
def runs(tmp_path: Path) -> tuple[Path, str, str]:
    """A runs dir with a normal run and a later, slower one (p95 of one endpoint doubled)."""
    runs_dir = tmp_path / "runs"
    fast = save_run(runs_dir, make_result(started_at=STARTED_AT - 600), name="fast", note="before")
    slow_endpoints = (
        make_endpoint(p95=40.0),
        make_endpoint("/api/users", "POST", p50=20.0, p95=40.0, p99=60.0),
    )
    slow = save_run(runs_dir, make_result(slow_endpoints), name="slow")
    return runs_dir, fast.name, slow.name


def test_runs_lists_newest_first(runs: tuple[Path, str, str], capsys: pytest.CaptureFixture[str]) -> None:
    runs_dir, fast, slow = runs
    assert main(["runs", "--runs-dir", str(runs_dir)]) == ExitCode.OK
    out = capsys.readouterr().out
    assert out.index(slow) < out.index(fast) and "before" in out
    assert main(["runs", "--runs-dir", str(runs_dir), "--json"]) == ExitCode.OK
    data = json.loads(capsys.readouterr().out)
    assert [r["id"] for r in data["runs"]] == [slow, fast]
    assert data["runs"][1]["note"] == "before" and data["runs"][0]["summary"]["requests"] == 2000


def test_compare_exit_codes(runs: tuple[Path, str, str], capsys: pytest.CaptureFixture[str]) -> None:
    runs_dir, fast, slow = runs
    assert main(["compare", fast, fast, "--runs-dir", str(runs_dir)]) == ExitCode.OK
    assert "RESULT: no regressions" in capsys.readouterr().out
    assert main(["compare", fast, slow, "--runs-dir", str(runs_dir)]) == ExitCode.REGRESSION
    out = capsys.readouterr().out
    assert "REGRESSION" in out and "GET /api/notifications" in out
    assert main(["compare", fast, slow, "--runs-dir", str(runs_dir), "--json"]) == ExitCode.REGRESSION
    data = json.loads(capsys.readouterr().out)
    assert data["regressed"] is True and data["current"] == slow and data["baseline"] == fast
    assert main(["compare", slow, fast, "--runs-dir", str(runs_dir)]) == ExitCode.OK  # faster is fine


@pytest.mark.parametrize("ref", ["../etc", "/etc/passwd", "no-such-run", ""])
def test_compare_bad_reference(
    runs: tuple[Path, str, str], capsys: pytest.CaptureFixture[str], ref: str
) -> None:
    runs_dir, fast, _slow = runs
    assert main(["compare", ref, fast, "--runs-dir", str(runs_dir)]) == ExitCode.USAGE
    err = capsys.readouterr().err
    assert err.startswith("perfconsole: error: ") and err.count("\n") == 1 and "Traceback" not in err


def test_baseline_lifecycle(runs: tuple[Path, str, str], capsys: pytest.CaptureFixture[str]) -> None:
    runs_dir, fast, slow = runs
    opts = ["--runs-dir", str(runs_dir)]
    assert main(["baseline", "save", fast, "main", "--note", "release 1", *opts]) == ExitCode.OK
    assert "main" in capsys.readouterr().out
    assert main(["baseline", "save", slow, "main", *opts]) == ExitCode.USAGE
    assert "--force" in capsys.readouterr().err
    assert main(["compare", "main", slow, *opts]) == ExitCode.REGRESSION
    assert "baseline main" in capsys.readouterr().out
    assert main(["baseline", "list", "--json", *opts]) == ExitCode.OK
    listed = json.loads(capsys.readouterr().out)["baselines"]
    assert [(b["name"], b["source_run"], b["note"]) for b in listed] == [("main", fast, "release 1")]
    assert main(["baseline", "show", "main", *opts]) == ExitCode.OK
    shown = capsys.readouterr().out
    assert fast in shown and "release 1" in shown and "GET /api/notifications" in shown
    assert main(["baseline", "save", slow, "main", "--force", *opts]) == ExitCode.OK
    assert main(["compare", "main", slow, *opts]) == ExitCode.OK
    assert main(["runs", *opts]) == ExitCode.OK
    assert "BASELINES (1)" in capsys.readouterr().out
    assert main(["baseline", "delete", "main", *opts]) == ExitCode.OK
    assert main(["baseline", "show", "main", *opts]) == ExitCode.USAGE
    assert main(["baseline", "save", fast, "../escape", *opts]) == ExitCode.USAGE
    assert not (runs_dir / "escape").exists() and not (runs_dir.parent / "escape").exists()


def test_corrupt_run_is_reported_not_raised(
    runs: tuple[Path, str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    runs_dir, fast, slow = runs
    (runs_dir / slow / "data.json").write_text('{"format": "perfconsole-run-data", "sche')
    assert main(["compare", fast, slow, "--runs-dir", str(runs_dir)]) == ExitCode.USAGE
    err = capsys.readouterr().err
    assert "data.json" in err and err.count("\n") == 1
    (runs_dir / slow / "run.toml").write_text("garbage = [")
    assert main(["runs", "--runs-dir", str(runs_dir)]) == ExitCode.OK
    captured = capsys.readouterr()
    assert "warning: skipped" in captured.err and fast in captured.out and slow not in captured.out


@pytest.mark.slow
def test_store_commands_do_not_import_textual_or_locust(runs: tuple[Path, str, str]) -> None:
    runs_dir, fast, slow = runs
    code = (
        "import sys\nfrom perfconsole.cli import main\n"
        f"rc = main(['compare', {fast!r}, {slow!r}, '--runs-dir', {str(runs_dir)!r}, '--json'])\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'locust'))\n"
        "print(rc, bad, file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stderr.strip().splitlines()[-1] == "11 []"
