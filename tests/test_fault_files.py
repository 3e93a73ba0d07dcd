"""Fault injection, hostile files: run.toml and data.json mutated (bit flips, truncation, NaN, huge numbers,
deep nesting, wrong types, a 50 MB file) are read by every command that lists, shows or compares runs.
No traceback, one-line errors or one-line "skipped" notes, exit 0/2/3, and no file changed."""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import shutil
import stat
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from cli_helpers import ROOT, run_perfconsole
from test_store_factories import make_result

from perfconsole.cli import main
from perfconsole.store.baselines import save_baseline
from perfconsole.store.run_save import save_run
from perfconsole.store.runs import list_runs

pytestmark = pytest.mark.timeout(300)

Mutation = Callable[[bytes, random.Random], bytes]


def _flip_bits(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        out[rng.randrange(len(out))] ^= 1 << rng.randrange(8)
    return bytes(out)


def _truncate(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(len(data))]


def _numbers(replacement: str) -> Mutation:
    def mutate(data: bytes, rng: random.Random) -> bytes:
        text = data.decode()
        spans = [m.span() for m in re.finditer(r"(?<=[=:] )-?\d+(\.\d+)?(?=[,\n])", text)]
        for start, end in sorted(rng.sample(spans, min(len(spans), 5)), reverse=True):
            text = text[:start] + replacement + text[end:]
        return text.encode()

    return mutate


def _wrong_types(data: bytes, rng: random.Random) -> bytes:
    text = data.decode()
    scalar = r"(?<=[=:] )(-?\d+(\.\d+)?|true|false|\"[^\"\n]*\")(?=[,\n])"
    spans = [m.span() for m in re.finditer(scalar, text)]
    choices = ['"x"', "[1, 2]", "{}" if text.lstrip().startswith("{") else "{ a = 1 }", "true", "null"]
    for start, end in sorted(rng.sample(spans, min(len(spans), 4)), reverse=True):
        text = text[:start] + rng.choice(choices) + text[end:]
    return text.encode()


def _deep(data: bytes, rng: random.Random) -> bytes:
    depth = 100_000
    if data.lstrip().startswith(b"{"):
        return b'{"format": "perfconsole-data", "result": ' + b"[" * depth + b"]" * depth + b"}"
    return data + b"\ndeep = " + b"[" * depth + b"]" * depth + b"\n"


def _huge_file(data: bytes, rng: random.Random) -> bytes:
    if data.lstrip().startswith(b"{"):
        pad = b'"' + b"x" * (50 * 1024 * 1024) + b'"'
        return data.rstrip()[:-1] + b', "padding": ' + pad + b"}\n"
    return data + b'padding = "' + b"x" * (50 * 1024 * 1024) + b'"\n'


MUTATIONS: dict[str, Mutation] = {
    "bitflip": _flip_bits,
    "truncate": _truncate,
    "nan": _numbers("nan"),
    "NaN-json": _numbers("NaN"),
    "inf": _numbers("inf"),
    "huge-int": _numbers("1" + "0" * 400),
    "huge-float": _numbers("1e400"),
    "wrong-types": _wrong_types,
}
ROUNDS = {"bitflip": 6, "truncate": 6, "wrong-types": 6}


def _digest(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def _csv(staging: Path) -> None:
    (staging / "locust_stats.csv").write_text("Type,Name\n")


def _store(tmp_path: Path) -> tuple[Path, str, str]:
    runs = tmp_path / "runs"
    good = save_run(runs, make_result(started_at=1_795_452_300.0), name="good", write_artifacts=_csv).name
    victim = save_run(runs, make_result(started_at=1_795_452_900.0), name="victim", write_artifacts=_csv).name
    save_baseline(runs, good, "base")
    save_baseline(runs, victim, "hit")
    return runs, good, victim


COMMANDS = [
    ["runs"],
    ["runs", "--json"],
    ["baseline", "list"],
    ["baseline", "show", "hit"],
    ["compare", "base", "victim"],
    ["compare", "good", "victim", "--json"],
    ["compare", "hit", "good"],
]


def _check_commands(runs: Path, capsys: pytest.CaptureFixture[str], label: str) -> None:
    before = _digest(runs)
    for command in COMMANDS:
        code = main([*command, "--runs-dir", str(runs)])  # an unexpected exception fails the test here
        out, err = capsys.readouterr()
        assert code in (0, 2, 3), (label, command, code, err)
        assert "Traceback" not in out + err, (label, command)
        for line in err.splitlines():
            assert line.startswith("perfconsole: "), (label, command, line)
            assert len(line) < 2000, (label, command, len(line))
        if command[0] in ("runs",) or command[:2] == ["baseline", "list"]:
            assert code == 0, (label, command, err)  # a listing never fails for one bad run
            assert "good" in out and "base" in out, (label, command)
    assert _digest(runs) == before, label


@pytest.mark.parametrize("filename", ["run.toml", "data.json"])
@pytest.mark.parametrize("mutation", sorted(MUTATIONS))
def test_mutated_files_give_one_line_errors_and_change_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], filename: str, mutation: str
) -> None:
    runs, _good, victim = _store(tmp_path)
    targets = [runs / victim / filename, runs / "baselines" / "hit" / filename]
    originals = {path: path.read_bytes() for path in targets}
    for round_ in range(ROUNDS.get(mutation, 1)):
        rng = random.Random(f"{mutation}-{filename}-{round_}")
        for path, original in originals.items():
            path.write_bytes(MUTATIONS[mutation](original, rng))
        _check_commands(runs, capsys, f"{mutation}/{filename}/{round_}")


@pytest.mark.parametrize("filename", ["run.toml", "data.json"])
@pytest.mark.parametrize("mutation", ["deep", "50MB"])
def test_deep_and_huge_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], filename: str, mutation: str
) -> None:
    runs, _good, victim = _store(tmp_path)
    mutate = _deep if mutation == "deep" else _huge_file
    for path in (runs / victim / filename, runs / "baselines" / "hit" / filename):
        path.write_bytes(mutate(path.read_bytes(), random.Random(0)))
    _check_commands(runs, capsys, f"{mutation}/{filename}")


def test_nan_summary_in_run_toml_is_listed_not_fatal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The issue's case: a float or NaN ``summary.requests`` broke ``runs`` and ``baseline list``."""
    runs, _good, victim = _store(tmp_path)
    for path in (runs / victim / "run.toml", runs / "baselines" / "hit" / "run.toml"):
        text = path.read_text()
        path.write_text(re.sub(r"(?m)^requests = \d+$", "requests = nan", text, count=1))
    assert len(list_runs(runs)) == 2
    _check_commands(runs, capsys, "nan-requests")
    main(["runs", "--runs-dir", str(runs)])
    assert victim in capsys.readouterr().out  # still listed, the odd figure shown as "-"
    assert main(["runs", "--json", "--runs-dir", str(runs)]) == 0
    listed = json.loads(capsys.readouterr().out)  # valid JSON: no NaN
    (odd,) = [r for r in listed["runs"] if r["id"] == victim]
    assert odd["summary"]["requests"] is None


def _special(path: Path, kind: str) -> None:
    """Replace ``path`` by a FIFO, or by a character device with /dev/null's numbers (root only)."""
    path.unlink(missing_ok=True)
    if kind == "fifo":
        os.mkfifo(path, 0o600)
        return
    try:
        os.mknod(path, 0o600 | stat.S_IFCHR, os.stat("/dev/null").st_rdev)
    except PermissionError:
        pytest.skip("mknod needs root")


SPECIAL_COMMANDS = [
    *COMMANDS,
    ["baseline", "show", "base"],
    ["compare", "victim", "good"],
    ["baseline", "save", "victim", "copy"],
    ["baseline", "save", "good", "base", "--force"],
    [
        "run",
        "--headless",
        "--scenario",
        "health",
        "-t",
        "1s",
        "--host",
        "http://127.0.0.1:1",
        "--baseline=hit",
    ],
]
ANSWER_S = {"run": 20.0}
"""Subprocess timeouts: 5 s, but a run imports Locust first (2 s here on a busy box); a hang has no end."""


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["fifo", "chardev"])
@pytest.mark.parametrize("filename", ["run.toml", "data.json", "locust_stats.csv"])
def test_special_files_in_run_and_baseline_directories_never_hang(
    tmp_path: Path, kind: str, filename: str
) -> None:
    """A FIFO (which blocks an open for reading) or a device file in place of a run's or a baseline's file,
    and a lone run directory whose run.toml is one: every command answers (a subprocess timeout, not a
    timing assert), in one-line errors; listings still list the good run and say what they skipped."""
    runs, _good, victim = _store(tmp_path)
    for directory in (runs / victim, runs / "baselines" / "hit"):
        _special(directory / filename, kind)
    lone = runs / "20260101T000000Z-x"
    lone.mkdir()
    _special(lone / "run.toml", kind)
    (tmp_path / "scenarios").symlink_to(ROOT / "scenarios")
    answered_s: list[float] = []
    for command in SPECIAL_COMMANDS:
        started = time.monotonic()
        done = run_perfconsole([*command, "--runs-dir", str(runs)], tmp_path, ANSWER_S.get(command[0], 5.0))
        answered_s.append(time.monotonic() - started)
        assert done.returncode in (0, 2, 3, 11), (command, done.returncode, done.stderr)
        assert "Traceback" not in done.stdout + done.stderr, command
        for line in done.stderr.splitlines():
            assert line.startswith("perfconsole: "), (command, line)
        if command[0] == "run":
            assert done.returncode == 2 and "not a regular file" in done.stderr, done.stderr  # nothing ran
        if command[0] == "runs" or command[:2] == ["baseline", "list"]:
            assert done.returncode == 0 and "good" in done.stdout and "base" in done.stdout, command
            assert "not a regular file" in done.stderr + done.stdout, command
    if kind == "fifo":
        assert stat.S_ISFIFO((lone / "run.toml").lstat().st_mode)  # nothing replaced or removed it
    print(f"{kind} as {filename}: {len(answered_s)} commands answered, slowest {max(answered_s):.2f} s")


BINARY = bytes(range(256)) * 4  # not UTF-8 from its 129th byte


@pytest.mark.slow
@pytest.mark.parametrize("front", [["run", "--headless", "-t", "1s"], []], ids=["headless", "console"])
@pytest.mark.parametrize("source", ["--config", "locust.conf", "--settings", "fifo --config"])
def test_unreadable_config_files_are_one_line_and_exit_2(
    tmp_path: Path, front: list[str], source: str
) -> None:
    """A binary (or FIFO) config file: one line naming it, exit 2, before anything starts (headless and
    console alike; Locust's parser would print a traceback, or wait on the FIFO forever)."""
    path = tmp_path / ("locust.conf" if source == "locust.conf" else "odd.conf")
    if source.startswith("fifo"):
        os.mkfifo(path)
    else:
        path.write_bytes(BINARY)
    option = [] if source == "locust.conf" else [source.split()[-1], path.name]
    done = run_perfconsole([*front, *option], tmp_path, timeout=60)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    (line,) = done.stderr.splitlines()
    assert line.startswith(f"perfconsole: error: {path.name}: "), line
    assert ("not a regular file" if source.startswith("fifo") else "not UTF-8") in line


@pytest.mark.parametrize("duration", ["-1e308", "1e308", "-5.0", "nan"])
def test_absurd_durations_are_shown_as_unknown(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], duration: str
) -> None:
    """The issue's case: ``duration_s = -1e308`` was listed as a 309-digit duration."""
    runs, _good, victim = _store(tmp_path)
    for path in (runs / victim / "run.toml", runs / "baselines" / "hit" / "run.toml"):
        path.write_text(re.sub(r"(?m)^duration_s = .*$", f"duration_s = {duration}", path.read_text()))
    for command in (["runs"], ["baseline", "list"]):
        assert main([*command, "--runs-dir", str(runs)]) == 0
        out = capsys.readouterr().out
        rows = [line for line in out.splitlines() if line.startswith(("hit ", victim))]
        assert rows and all(row.split()[3] == "-" for row in rows), rows  # the DUR column
        assert not re.search(r"\d{12}", out), out
    assert [r["duration_s"] for r in json_runs(runs, capsys) if r["id"] == victim] == [None]


def json_runs(runs: Path, capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    main(["runs", "--json", "--runs-dir", str(runs)])
    return list(json.loads(capsys.readouterr().out)["runs"])


@pytest.mark.slow
@pytest.mark.parametrize("scenario", ["../../../etc/passwd", "/etc/passwd", "scenarios/../../x.py"])
def test_a_scenario_outside_the_scenarios_directory_is_refused(tmp_path: Path, scenario: str) -> None:
    (tmp_path / "scenarios").symlink_to(ROOT / "scenarios")
    for front in (["run", "--headless", "-t", "1s"], []):
        done = run_perfconsole([*front, "--scenario", scenario], tmp_path, timeout=60)
        assert done.returncode == 2, done.stderr
        (line,) = done.stderr.splitlines()
        assert f"scenario {scenario!r} is outside" in line and "-f FILE" in line, line


@pytest.mark.slow
def test_baseline_save_refuses_to_copy_a_special_file_the_run_does_not_list(tmp_path: Path) -> None:
    """A FIFO dropped into a complete run's directory: the run lists and compares, but copying it into a
    baseline would block, so `baseline save` refuses in one line and leaves nothing behind."""
    runs, good, _victim = _store(tmp_path)
    os.mkfifo(runs / good / "extra.pipe")
    done = run_perfconsole(["baseline", "save", good, "third", "--runs-dir", str(runs)], tmp_path, timeout=5)
    assert done.returncode == 2, done.stderr
    assert done.stderr.splitlines() == [
        f"perfconsole: error: {runs / good / 'extra.pipe'}: is a FIFO, not a regular file: not read"
    ]
    assert sorted(p.name for p in (runs / "baselines").iterdir()) == ["base", "hit"]


@pytest.mark.slow
def test_the_sweep_neither_opens_nor_follows_what_a_staging_directory_holds(tmp_path: Path) -> None:
    """A killed save's staging directory (its owner pid gone) holding, besides a complete run, a FIFO and a
    symlink to a file outside: the sweep (here before `baseline delete`) answers, recovers the run, and
    neither opens the FIFO nor changes the mode of the file the link points to."""
    runs, good, _victim = _store(tmp_path)
    dead = subprocess.Popen(["true"])
    dead.wait()
    staged = runs / f".tmp-20261201T000000Z-staged-{dead.pid}-0123abcd"
    shutil.copytree(runs / good, staged)
    os.mkfifo(staged / "extra.pipe")
    outside = tmp_path / "outside.txt"
    outside.write_text("not ours")
    outside.chmod(0o644)
    (staged / "link").symlink_to(outside)
    done = run_perfconsole(["baseline", "delete", "nosuch", "--runs-dir", str(runs)], tmp_path, timeout=5)
    assert done.returncode == 2, done.stderr
    assert (
        done.stderr.splitlines()[0]
        == "perfconsole: recovered 20261201T000000Z-staged (a crash had stopped its save at the last step)"
    )
    assert stat.S_IMODE(outside.stat().st_mode) == 0o644
