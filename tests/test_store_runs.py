"""Run snapshots: round trip, atomicity, corrupt files, safe names, no secrets on disk, listings."""

from __future__ import annotations

import hashlib
import json
import tomllib
from datetime import datetime
from pathlib import Path

import pytest
from test_store_factories import STARTED_AT, make_endpoint, make_result

from perfconsole.errors import StoreError
from perfconsole.headless.summary_json import summary_dict
from perfconsole.model.run import Annotation, ErrorStats, ExceptionStats
from perfconsole.store.run_save import save_run
from perfconsole.store.runs import DATA_FILE, RUN_FILE, list_runs, load_run


def tree_bytes(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (hidden ones too) with its content."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_round_trip_equals_original(tmp_path: Path) -> None:
    result = make_result()
    run_dir = save_run(tmp_path, result, name="before-fix", note="first try")
    assert run_dir.parent == tmp_path
    assert run_dir.name == "20261123T164500Z-notifications-light-before-fix"
    loaded = load_run(run_dir.name, tmp_path)
    assert loaded.result == result
    assert loaded.run_id == run_dir.name
    assert (loaded.name, loaded.note, loaded.kind) == ("before-fix", "first try", "final")
    assert loaded.endpoints[-1].key == "Aggregated"
    assert load_run(run_dir, tmp_path).result == result  # by path too


def test_metadata_is_human_readable_and_complete(tmp_path: Path) -> None:
    scenario = tmp_path / "scn.py"
    scenario.write_text("# scenario\n")
    result = make_result(scenario_path=str(scenario))
    run_dir = save_run(tmp_path / "runs", result, kind="manual")
    meta = tomllib.loads((run_dir / RUN_FILE).read_text())
    assert meta["format"] == "perfconsole-run" and meta["schema_version"] == 1
    assert meta["id"] == run_dir.name and meta["kind"] == "manual"
    assert meta["scenario_sha256"] == hashlib.sha256(b"# scenario\n").hexdigest()
    assert isinstance(meta["started_at"], datetime) and meta["started_at"].timestamp() == STARTED_AT
    assert meta["duration_s"] == 20.5
    assert set(meta["versions"]) == {"perfconsole", "locust", "python"}
    assert meta["hostname"] and meta["worker_count"] == 1 and meta["interrupted"] is False
    assert meta["settings"] == {"users": 10, "spawn_rate": 5.0, "tags": ["a"]}
    assert [a["text"] for a in meta["annotations"]] == ["users 0 -> 10", "cache flushed by hand"]
    assert meta["annotations"][1]["elapsed_s"] == 7.5
    assert [t["passed"] for t in meta["thresholds"]] == [True, False]
    assert meta["command_line"][:2] == ["perfconsole", "run"]
    data = json.loads((run_dir / DATA_FILE).read_text())
    assert data["format"] == "perfconsole-run-data" and len(data["result"]["history"]) == 5


def test_run_ids_are_unique(tmp_path: Path) -> None:
    first = save_run(tmp_path, make_result())
    second = save_run(tmp_path, make_result())
    assert first != second and second.name == first.name + "-2"


def test_artifacts_are_written_before_the_directory_appears(tmp_path: Path) -> None:
    seen: list[Path] = []

    def write(staging: Path) -> None:
        seen.append(staging)
        assert staging.parent == tmp_path and staging.name.startswith(".")
        assert not any(p.name.startswith("2026") for p in tmp_path.iterdir())
        (staging / "locust_stats.csv").write_text("Type,Name\nGET,/x\n")

    run_dir = save_run(tmp_path, make_result(), write_artifacts=write)
    assert len(seen) == 1 and not seen[0].exists()
    assert (run_dir / "locust_stats.csv").read_text() == "Type,Name\nGET,/x\n"


def test_id_taken_during_save_moves_to_next_id(tmp_path: Path) -> None:
    taken = tmp_path / "20261123T164500Z-notifications-light"
    calls: list[Path] = []

    def write(staging: Path) -> None:
        calls.append(staging)
        if len(calls) == 1:  # another process saves a run with the same id meanwhile
            taken.mkdir()
            (taken / "other.txt").write_text("theirs")

    run_dir = save_run(tmp_path, make_result(), write_artifacts=write)
    assert run_dir.name == taken.name + "-2" and len(calls) == 2
    assert [p.name for p in taken.iterdir()] == ["other.txt"]
    assert load_run(run_dir.name, tmp_path).run_id == run_dir.name
    assert sorted(p.name for p in tmp_path.iterdir()) == [taken.name, run_dir.name]


@pytest.mark.parametrize("error", [RuntimeError("disk on fire"), OSError(28, "No space left on device")])
def test_failing_artifacts_leave_nothing(tmp_path: Path, error: Exception) -> None:
    def write(staging: Path) -> None:
        (staging / "partial.csv").write_text("half")
        raise error

    with pytest.raises(StoreError) as info:
        save_run(tmp_path, make_result(), write_artifacts=write)
    assert "\n" not in str(info.value) and "cannot save run" in str(info.value)
    assert list(tmp_path.iterdir()) == []


def test_interrupt_during_save_leaves_nothing(tmp_path: Path) -> None:
    def write(staging: Path) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        save_run(tmp_path, make_result(), write_artifacts=write)
    assert list(tmp_path.iterdir()) == []


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def _drop_last_table(path: Path) -> None:
    text = path.read_text()
    path.write_text(text[: text.rindex("[[annotations]]")])


CORRUPTIONS = {
    "truncated data": (DATA_FILE, _truncate, "corrupt or truncated JSON"),
    "truncated metadata": (RUN_FILE, _truncate, "truncated"),
    "metadata lost its tail": (RUN_FILE, _drop_last_table, "truncated"),
    "garbage metadata": (RUN_FILE, lambda p: p.write_bytes(b"\x00\xff\xfe not toml"), "corrupt"),
    "foreign metadata": (RUN_FILE, lambda p: _replace_in(p, '"perfconsole-run"', '"other-tool"'), "not a"),
    "newer metadata": (
        RUN_FILE,
        lambda p: _replace_in(p, "schema_version = 1", "schema_version = 2"),
        "newer",
    ),
    "newer data": (
        DATA_FILE,
        lambda p: _replace_in(p, '"schema_version": 1', '"schema_version": 7'),
        "newer",
    ),
    "foreign data": (DATA_FILE, lambda p: p.write_text('{"hello": "world"}'), "not a"),
    "data not object": (DATA_FILE, lambda p: p.write_text("[1, 2]"), "not a JSON object"),
    "wrong type": (
        DATA_FILE,
        lambda p: _replace_in(p, '"num_requests": 1000', '"num_requests": "many"'),
        "integer",
    ),
    "missing field": (DATA_FILE, lambda p: _replace_in(p, '"started_at"', '"begun_at"'), "missing field"),
    "missing data": (DATA_FILE, lambda p: p.unlink(), "missing"),
    "unknown kind in metadata": (
        RUN_FILE,
        lambda p: _replace_in(p, 'kind = "final"', 'kind = "weekly"'),
        "kind: Invalid enum value 'weekly'",
    ),
    "wrong type in metadata": (
        RUN_FILE,
        lambda p: _replace_in(p, "interrupted = false", 'interrupted = "no"'),
        "interrupted: must be true or false, got a string",
    ),
    "metadata without its summary": (
        RUN_FILE,
        lambda p: _replace_in(p, "[summary]", "[summery]"),
        "missing field summary (truncated?)",
    ),
}


@pytest.mark.parametrize("case", sorted(CORRUPTIONS))
def test_corrupt_run_gives_one_line_error_and_changes_nothing(tmp_path: Path, case: str) -> None:
    filename, corrupt, expected = CORRUPTIONS[case]
    run_dir = save_run(tmp_path, make_result())
    corrupt(run_dir / filename)
    before = tree_bytes(tmp_path)
    with pytest.raises(StoreError) as info:
        load_run(run_dir.name, tmp_path)
    message = str(info.value)
    assert "\n" not in message
    assert str(run_dir / filename) in message
    assert expected in message
    assert tree_bytes(tmp_path) == before


@pytest.mark.parametrize(
    "name",
    ["..", "../escape", "/etc/passwd", "a/b", "", "a\x00b", "tab\tname", "x" * 65, ".hidden", "-x", "a b"],
)
def test_unsafe_names_are_refused(tmp_path: Path, name: str) -> None:
    runs = tmp_path / "runs"
    with pytest.raises(StoreError) as info:
        save_run(runs, make_result(), name=name)
    assert "\n" not in str(info.value)
    with pytest.raises(StoreError):
        load_run(name, runs)
    assert not runs.exists() or list(runs.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) in ([], ["runs"])


def test_no_secret_reaches_any_file(tmp_path: Path) -> None:
    secrets = [
        "HOSTPW1",
        "QUERYTOK2",
        "BEARER3",
        "EXCPW4",
        "NOTEKEY5",
        "CLIPW6",
        "SETHDR7",
        "COOKIE8",
        "TBPW9",
    ]
    result = make_result(
        endpoints=(make_endpoint("/api/items?token=QUERYTOK2&page=1"), make_endpoint("/api/users", "POST")),
        host="http://alice:HOSTPW1@127.0.0.1:8089",
        errors=(
            ErrorStats("GET", "/api/items", "HTTPError 401: request had Authorization: Bearer BEARER3", 4),
            ErrorStats("GET", "/api/users", "{'Cookie': 'sid=COOKIE8'}", 1),
        ),
        exceptions=(
            ExceptionStats(
                2, "login failed for /login?password=EXCPW4", 'File "x.py"\n  pw="x"?password=TBPW9'
            ),
        ),
        annotations=(Annotation(3.0, "rotated api_key=NOTEKEY5 by hand", "note", STARTED_AT + 3),),
        command_line=("perfconsole", "run", "--host", "http://bob:CLIPW6@127.0.0.1:8089"),
        settings={"users": 5, "headers": {"Authorization": "Bearer SETHDR7"}},
    )

    def write(staging: Path) -> None:
        (staging / "locust_stats.csv").write_text("Type,Name\nGET,/api/items?token=QUERYTOK2&page=1\n")
        (staging / "locust_failures.csv").write_text(
            'Method,Name,Error,Occurrences\nGET,/api/items,"Authorization: Bearer BEARER3",4\n'
        )
        (staging / "report.html").write_text(
            "<html><head><script>x={token:e}</script></head><body><script>window.templateArgs = "
            '{"host": "http://alice:HOSTPW1@127.0.0.1:8089", "name": "/api/items?token=QUERYTOK2"}'
            "</script></body></html>"
        )

    run_dir = save_run(tmp_path, result, note="cookie: Cookie: sid=COOKIE8", write_artifacts=write)
    files = tree_bytes(tmp_path)
    assert {Path(f).name for f in files} >= {RUN_FILE, DATA_FILE, "locust_stats.csv", "report.html"}
    for filename, content in files.items():
        for secret in secrets:
            assert secret.encode() not in content, f"{secret} leaked into {filename}"
    assert b"{token:e}" in (run_dir / "report.html").read_bytes()  # report code untouched
    loaded = load_run(run_dir.name, tmp_path)
    assert loaded.result.final.endpoints[0].name == "/api/items?token=***&page=1"
    summary = json.dumps(summary_dict(result))
    assert not any(secret in summary for secret in secrets)


def test_list_runs_newest_first_skipping_temp_and_broken(tmp_path: Path) -> None:
    old = save_run(tmp_path, make_result(started_at=STARTED_AT - 3600), note="older")
    new = save_run(tmp_path, make_result(), name="newer")
    broken_dir = save_run(tmp_path, make_result(started_at=STARTED_AT - 60))
    (broken_dir / RUN_FILE).write_text("format = [[[")
    (tmp_path / ".tmp-20261123T000000Z-half-abc").mkdir()
    (tmp_path / "notes.txt").write_text("not a run")
    broken: list[str] = []
    runs = list_runs(tmp_path, broken=broken)
    assert [r.run_id for r in runs] == [new.name, old.name]
    assert runs[1].note == "older" and runs[0].name == "newer"
    assert runs[0].summary["requests"] == 2000 and runs[0].thresholds_passed is False
    assert len(broken) == 1 and str(broken_dir / RUN_FILE) in broken[0]
    assert list_runs(tmp_path / "missing") == []


def test_latest_and_prefix_references(tmp_path: Path) -> None:
    save_run(tmp_path, make_result(started_at=STARTED_AT - 3600))
    newest = save_run(tmp_path, make_result(), name="last")
    assert load_run("latest", tmp_path).run_id == newest.name
    assert load_run("20261123T164500Z", tmp_path).run_id == newest.name
    with pytest.raises(StoreError, match="ambiguous"):
        load_run("2026", tmp_path)
    with pytest.raises(StoreError, match="no run"):
        load_run("1999", tmp_path)
