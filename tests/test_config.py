"""Settings: loading config.toml, merging over defaults, validation errors, shared validators."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from perfconsole.config import (
    DEFAULT_CONFIG_TOML,
    Limits,
    Profile,
    Stage,
    Thresholds,
    default_settings,
    load_settings,
    parse_duration,
    parse_settings,
    validate_duration,
    validate_spawn_rate,
    validate_users,
    validate_workers,
)
from perfconsole.errors import ConfigError, ExitCode, UserError

ROOT = Path(__file__).resolve().parents[1]


def write(tmp_path: Path, text: str, name: str = "config.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def config_error(tmp_path: Path, text: str) -> str:
    """Load ``text`` from a file and return the one-line error it must produce."""
    path = write(tmp_path, text, "bad.toml")
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: ")
    assert caught.value.exit_code == ExitCode.USAGE
    return message


# ---------------------------------------------------------------------------------------------- valid files


def _without_demo_limits(data: dict[str, Any]) -> dict[str, Any]:
    """TOML data without the latency/error-rate limits config.toml sets for the demo scenarios."""
    out = {**data, "thresholds": {"fail_on_errors": data["thresholds"]["fail_on_errors"]}}
    resource_limits = dict.fromkeys(data["resources"]["thresholds"], False)
    out["resources"] = {**data["resources"], "thresholds": resource_limits}
    out["profiles"] = {
        name: {k: v for k, v in profile.items() if k != "thresholds"}
        for name, profile in data["profiles"].items()
    }
    return out


def test_shipped_file_matches_builtin_defaults_but_the_demo_limits() -> None:
    shipped = load_settings(ROOT / "config.toml")
    assert shipped.source == ROOT / "config.toml"
    builtin = default_settings()
    assert dataclasses.replace(shipped, source=None, thresholds=builtin.thresholds) != builtin  # profiles'
    profiles = {name: dataclasses.replace(p, thresholds=None) for name, p in shipped.profiles.items()}
    resources = dataclasses.replace(shipped.resources, thresholds=builtin.resources.thresholds)
    bare = dataclasses.replace(
        shipped, source=None, thresholds=builtin.thresholds, profiles=profiles, resources=resources
    )
    assert bare == builtin
    assert shipped.thresholds.default.p95_ms == 500 and shipped.profile("spike").thresholds is not None


def test_shipped_file_holds_exactly_the_packaged_defaults_and_demo_limits() -> None:
    """config.toml documents every key with the built-in value: key for key, value for value, the same TOML
    as the packaged defaults.toml (the comments are config.toml's own), plus the demo scenarios' limits."""
    import tomllib

    packaged = tomllib.loads(DEFAULT_CONFIG_TOML)
    shipped = tomllib.loads((ROOT / "config.toml").read_text(encoding="utf-8"))
    assert _without_demo_limits(shipped) == packaged
    assert _without_demo_limits(packaged) == packaged  # built in: no latency or error-rate limit anywhere
    packaged_file = ROOT / "perfconsole" / "config" / "defaults.toml"
    assert DEFAULT_CONFIG_TOML == packaged_file.read_text(encoding="utf-8")


def test_builtin_defaults_values() -> None:
    settings = default_settings()
    assert settings.source is None
    assert settings.host is None
    assert settings.workers is None
    assert settings.runs_dir == Path("runs")
    assert settings.default_profile == "light"
    assert settings.default_scenario == "notifications"
    flat = {
        name: (p.users, p.spawn_rate, p.duration_s)
        for name, p in settings.profiles.items()
        if not p.staged and p.arrival is None
    }
    assert flat == {
        "light": (10, 1.0, 60.0),
        "medium": (20, 2.0, 300.0),
        "heavy": (50, 5.0, 600.0),
        "spike": (100, 10.0, 180.0),
        "endurance": (50, 1.0, 1800.0),
    }
    assert all(p.description for p in settings.profiles.values())
    spike = settings.profile("open-spike").arrival
    assert spike is not None and [(s.until_s, s.rate) for s in spike.stages] == [
        (60, 50),
        (90, 400),
        (150, 50),
    ]
    # as plain Locust: no latency, error-rate or throughput limit; a failed request or task exception fails
    assert settings.thresholds.default == Limits() and settings.thresholds.endpoints == {}
    assert all(p.thresholds is None for p in settings.profiles.values())
    assert settings.thresholds.fail_on_errors is True and settings.thresholds.errors_fail
    assert (settings.spike.users, settings.spike.spawn_rate, settings.spike.duration_s) == (100, 20, 30)
    regression = settings.regression
    assert regression.relative == dict.fromkeys(["p50", "p95", "p99", "avg", "error_rate", "rps"], 0.10)
    assert (regression.min_abs_ms, regression.min_abs_error_rate_pct, regression.min_samples) == (5, 0.5, 50)
    resources = settings.resources
    assert resources.metrics_url is None and resources.health_path is None
    assert (resources.scrape_interval_s, resources.preflight_timeout_s) == (5, 5)
    limits = resources.thresholds  # none built in either; config.toml sets them for the demo
    assert (limits.target_cpu_pct, limits.memory_pct, limits.db_pool_pct, limits.queue_depth) == (None,) * 4
    shipped = load_settings(ROOT / "config.toml").resources.thresholds
    assert (shipped.target_cpu_pct, shipped.memory_pct, shipped.db_pool_pct, shipped.queue_depth) == (
        70,
        80,
        80,
        1000,
    )


def test_staged_profiles_derive_users_rate_and_duration() -> None:
    profiles = default_settings().profiles
    ramp_spike = profiles["ramp-spike"]
    assert ramp_spike.stages == (
        Stage(120, 100, 2),
        Stage(300, 100, 2),
        Stage(360, 200, 10),
        Stage(480, 50, 5),
    )
    assert (ramp_spike.users, ramp_spike.spawn_rate, ramp_spike.duration_s) == (200, 2, 480)
    stress = profiles["stress"]
    assert [s.users for s in stress.stages] == [100, 200, 300, 400, 0]
    assert [s.until_s for s in stress.stages[:4]] == [300, 600, 900, 1200]
    assert (stress.users, stress.duration_s) == (400, stress.stages[-1].until_s)


def test_load_without_path_uses_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert load_settings() == default_settings()
    write(tmp_path, "[run]\nworkers = 0\n")
    settings = load_settings()
    assert settings.source == Path("config.toml")
    assert settings.workers == 0


def test_partial_file_merges_over_defaults(tmp_path: Path) -> None:
    text = """
[run]
host = "http://127.0.0.1:8080/"
workers = 3
runs_dir = "out/runs"

[thresholds]
p95_ms = 300
min_rps = false

[profiles.light]
users = 5
spawn_rate = 0.5

[profiles.soak]
description = "two hours"
users = 30
spawn_rate = 3
duration = "2h"

[regression.relative_pct]
p95 = 20
"""
    settings = load_settings(write(tmp_path, text))
    assert settings.host == "http://127.0.0.1:8080"
    assert settings.workers == 3
    assert settings.runs_dir == Path("out/runs")
    assert settings.thresholds.default.p95_ms == 300
    assert settings.thresholds.default.p50_ms is None  # not built in
    assert settings.thresholds.default.min_rps is None
    assert settings.thresholds.errors_fail
    light = settings.profile("light")
    assert (light.users, light.spawn_rate, light.duration_s, light.description) == (5, 0.5, None, "")
    assert settings.profile("soak").duration_s == 7200
    assert settings.profile("stress").staged
    assert settings.regression.relative["p95"] == pytest.approx(0.20)
    assert settings.regression.relative["p50"] == pytest.approx(0.10)


def test_unknown_profile_names_known_ones() -> None:
    with pytest.raises(UserError) as caught:
        default_settings().profile("hevy")
    message = str(caught.value)
    assert "hevy" in message and "heavy" in message and "ramp-spike" in message


SHIPPED_LIMITS = """
[thresholds]
p50_ms = 200
p95_ms = 500
p99_ms = 1000
[thresholds.endpoints."/api/v1/health*"]
p95_ms = 100
[thresholds.endpoints."/api/auth/*"]
p95_ms = 500
[profiles.spike]
users = 100
spawn_rate = 10
thresholds = { p95_ms = 1000, p99_ms = 2000 }
"""
"""The limits config.toml sets for the demo scenarios (not built in)."""


def test_thresholds_for_merges_profile_over_global(tmp_path: Path) -> None:
    text = """
[profiles.quiet]
users = 2
spawn_rate = 1
thresholds = { p99_ms = 3000, min_rps = false, endpoints = { "/api/v1/health*" = { p50_ms = 20 } } }
"""
    settings = load_settings(write(tmp_path, text + SHIPPED_LIMITS))
    merged = settings.thresholds_for(settings.profile("quiet"))
    assert merged.default.p99_ms == 3000
    assert merged.default.p95_ms == 500
    assert merged.default.min_rps is None
    health = merged.endpoints["/api/v1/health*"]
    assert (health.p50_ms, health.p95_ms) == (20, 100)
    assert settings.thresholds_for(None) is settings.thresholds
    assert settings.thresholds_for(settings.profile("medium")) is settings.thresholds
    light = settings.thresholds_for(settings.profile("light"))  # a smoke run has no throughput floor
    assert light.default.min_rps is None and light.default.p95_ms == 500
    spike = settings.thresholds_for(settings.profile("spike"))
    assert (spike.default.p95_ms, spike.default.p99_ms, spike.default.p50_ms) == (1000, 2000, 200)


def test_limits_merge_keeps_switched_off_fields_off() -> None:
    base = Limits(p50_ms=200, p95_ms=500, min_rps=100)
    profile = Limits(p95_ms=800, off=frozenset({"min_rps"}))
    merged = profile.merged_over(base)
    assert (merged.p50_ms, merged.p95_ms, merged.min_rps) == (200, 800, None)
    assert Limits(p99_ms=900).merged_over(merged).min_rps is None
    assert Limits(min_rps=5).merged_over(merged).min_rps == 5
    assert merged.checked() == {"p50_ms": 200, "p95_ms": 800}


def test_profile_thresholds_dataclass_merge() -> None:
    base = Thresholds(default=Limits(p95_ms=500), endpoints={"/a*": Limits(p95_ms=100)})
    override = Thresholds(default=Limits(p99_ms=900), endpoints={"/a*": Limits(p50_ms=10), "/b": Limits()})
    merged = override.merged_over(base)
    assert merged.default == Limits(p95_ms=500, p99_ms=900)
    assert merged.endpoints["/a*"] == Limits(p50_ms=10, p95_ms=100)
    assert set(merged.endpoints) == {"/a*", "/b"}
    profile = Profile("x", 1, 1.0, None, thresholds=override)
    assert profile.thresholds is not None and not profile.staged


# ---------------------------------------------------------------------------------------------- error paths


@pytest.mark.parametrize(
    ("text", "key_path", "expected"),
    [
        ('[run]\nhots = "x"', "run.hots", "did you mean 'host'"),
        ("[profile.light]\nusers = 1", "profile", "did you mean 'profiles'"),
        ("[profiles.heavy]\nusers = -5\nspawn_rate = 1", "profiles.heavy.users", "from 1 to 100000"),
        ('[profiles.heavy]\nusers = "many"\nspawn_rate = 1', "profiles.heavy.users", "'many'"),
        ("[profiles.heavy]\nusers = 0\nspawn_rate = 1", "profiles.heavy.users", "whole number"),
        ("[profiles.heavy]\nusers = 1000001\nspawn_rate = 1", "profiles.heavy.users", "100000"),
        ("[profiles.heavy]\nusers = 2.5\nspawn_rate = 1", "profiles.heavy.users", "whole number"),
        ("[profiles.heavy]\nusers = 5\nspawn_rate = 0", "profiles.heavy.spawn_rate", "above 0"),
        ("[profiles.heavy]\nusers = 5", "profiles.heavy", "missing key 'spawn_rate'"),
        ("[profiles.heavy]\nusers = 5\nspawn_rate = 1\nduraton = 5", "profiles.heavy.duraton", "'duration'"),
        ('[profiles.heavy]\nusers = 5\nspawn_rate = 1\nduration = "5 min"', "profiles.heavy.duration", "90s"),
        ('[profiles.heavy]\nusers = 5\nspawn_rate = 1\nduration = "8d"', "profiles.heavy.duration", "7 days"),
        (
            "[profiles.heavy]\nusers = 5\nspawn_rate = 1\nduration = 0",
            "profiles.heavy.duration",
            "more than 0",
        ),
        (
            "[profiles.s]\nstages = [{ until = 60, users = 5, spawn_rate = 1 },"
            " { until = 30, users = 1, spawn_rate = 1 }]",
            "profiles.s.stages[1].until",
            "in order",
        ),
        (
            "[profiles.s]\nusers = 5\nstages = [{ until = 60, users = 5, spawn_rate = 1 }]",
            "profiles.s.users",
            "from its stages",
        ),
        ("[profiles.s]\nstages = [{ until = 60, users = 5 }]", "profiles.s.stages[0]", "'spawn_rate'"),
        (
            "[profiles.s]\nstages = [{ until = 60, users = 0, spawn_rate = 1 }]",
            "profiles.s.stages",
            "above 0",
        ),
        ("[profiles.s]\nstages = []", "profiles.s.stages", "non-empty list"),
        (
            "[profiles.s]\nstages = [{ until = 60, users = -1, spawn_rate = 1 }]",
            "profiles.s.stages[0].users",
            "0",
        ),
        (
            "[profiles.s]\nusers = 1\nspawn_rate = 1\nthresholds = { p95 = 5 }",
            "profiles.s.thresholds.p95",
            "p95_ms",
        ),
        ('[thresholds]\np95_ms = "fast"', "thresholds.p95_ms", "number above 0"),
        ("[thresholds]\np95_ms = -1", "thresholds.p95_ms", "number above 0"),
        ("[thresholds]\nerror_rate_pct = 150", "thresholds.error_rate_pct", "at most 100"),
        ('[thresholds.endpoints."/x"]\nmin_rps = 5', 'thresholds.endpoints."/x".min_rps', "total only"),
        ('[thresholds.endpoints."/x"]\np95 = 5', 'thresholds.endpoints."/x".p95', "p95_ms"),
        ('[run]\nhost = "http://10.0.0.5:8080/?x=1"', "run.host", "no query"),
        ('[run]\nhost = "ftp://127.0.0.1"', "run.host", "http(s) URL"),
        ('[run]\nhost = "127.0.0.1:8080"', "run.host", "http(s) URL"),
        ("[run]\nworkers = -1", "run.workers", "from 0"),
        ('[run]\nworkers = "four"', "run.workers", "'four'"),
        ("[run]\nworkers = true", "run.workers", "True"),
        ('[run]\ndefault_profile = "nope"', "run.default_profile", "known: light"),
        ('[run]\nruns_dir = ""', "run.runs_dir", "empty"),
        ("[run]\nruns_dir = 5", "run.runs_dir", "expected a string"),
        ("[spike]\nusers = 0", "spike.users", "whole number"),
        ('[spike]\nduration = "soon"', "spike.duration", "duration like"),
        ("[regression.relative_pct]\np75 = 10", "regression.relative_pct.p75", "unknown key"),
        ("[regression]\nmin_samples = 2.5", "regression.min_samples", "whole number"),
        ("[regression]\nmin_abs_ms = -1", "regression.min_abs_ms", "0 or more"),
        ('[resources]\nmetrics_url = "example.com/metrics"', "resources.metrics_url", "http(s) URL"),
        ('[resources]\nhealth_path = "health"', "resources.health_path", "starting with '/'"),
        ("[resources]\nscrape_interval_s = 0", "resources.scrape_interval_s", "more than 0"),
        ("[resources.thresholds]\ncpu_pct = 50", "resources.thresholds.cpu_pct", "unknown key"),
        ("[resources.thresholds]\nmemory_pct = 120", "resources.thresholds.memory_pct", "at most 100"),
        ('[search]\nstep_scale = "auto"', "search.step_scale", '"fixed" or "margin"'),
        ("profiles = 3", "profiles", "table of profiles"),
        ("run = [1]", "run", "expected a table"),
    ],
)
def test_invalid_values_give_one_line_naming_file_and_key(
    tmp_path: Path, text: str, key_path: str, expected: str
) -> None:
    message = config_error(tmp_path, text)
    assert f": {key_path}: " in message
    assert expected in message


def test_syntax_error_reports_line_number(tmp_path: Path) -> None:
    message = config_error(tmp_path, "[run]\nworkers = 2\nhost = \n")
    assert "invalid TOML" in message
    assert "line 3" in message


def test_missing_explicit_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load_settings(tmp_path / "absent.toml")


def test_directory_instead_of_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="directory"):
        load_settings(tmp_path)


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes(b'[run]\nhost = "caf\xe9"\n')
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_settings(path)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads unreadable files")
def test_unreadable_file(tmp_path: Path) -> None:
    path = write(tmp_path, "[run]\n")
    path.chmod(0)
    try:
        with pytest.raises(ConfigError, match="cannot read config"):
            load_settings(path)
    finally:
        path.chmod(0o600)


def test_parse_settings_names_given_file() -> None:
    with pytest.raises(ConfigError, match=r"^custom\.toml: run\.workers: "):
        parse_settings("[run]\nworkers = -3\n", "custom.toml")
    assert parse_settings("").profiles == default_settings().profiles


def test_default_toml_constant_is_valid_toml() -> None:
    import tomllib

    assert set(tomllib.loads(DEFAULT_CONFIG_TOML)) == {
        "display",
        "run",
        "profiles",
        "thresholds",
        "spike",
        "regression",
        "soak",
        "search",
        "resources",
    }


# ---------------------------------------------------------------------------------------------- validators


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("90s", 90), ("1m", 60), ("1h30m", 5400), ("3h30m10s", 12610), ("2d", 172800), (90, 90), ("90", 90)]
    + [(1.5, 1.5), ("0.5", 0.5), (" 5m ", 300), ("1M", 60), (0, 0)],
)
def test_parse_duration_accepts(value: object, seconds: float) -> None:
    assert parse_duration(value, "--duration") == seconds


@pytest.mark.parametrize(
    "value", ["", "abc", "5 minutes", "1x", "m", "-5", -5, True, None, float("nan"), [1]]
)
def test_parse_duration_rejects(value: object) -> None:
    with pytest.raises(UserError) as caught:
        parse_duration(value, "--duration")
    assert str(caught.value).startswith("--duration: ")
    assert "\n" not in str(caught.value)


def test_validate_duration_bounds() -> None:
    assert validate_duration("7d", "d") == 7 * 86400
    for bad in (0, "0s", 7 * 86400 + 1, "8d"):
        with pytest.raises(UserError, match="^d: "):
            validate_duration(bad, "d")


@pytest.mark.parametrize(("value", "users"), [(1, 1), ("10", 10), (10.0, 10), (100000, 100000)])
def test_validate_users_accepts(value: object, users: int) -> None:
    assert validate_users(value, "--users") == users


@pytest.mark.parametrize("value", [0, -1, 1.5, "x", "", True, 100001, None, float("inf")])
def test_validate_users_rejects(value: object) -> None:
    with pytest.raises(UserError, match=r"^--users: expected a whole number of users from 1 to 100000"):
        validate_users(value, "--users")


@pytest.mark.parametrize(("value", "rate"), [(0.5, 0.5), ("2", 2.0), (10000, 10000.0)])
def test_validate_spawn_rate_accepts(value: object, rate: float) -> None:
    assert validate_spawn_rate(value, "--spawn-rate") == rate


@pytest.mark.parametrize("value", [0, -1, 10001, "fast", float("inf"), True, None])
def test_validate_spawn_rate_rejects(value: object) -> None:
    with pytest.raises(UserError, match=r"^--spawn-rate: expected a spawn rate above 0"):
        validate_spawn_rate(value, "--spawn-rate")


def test_validate_workers() -> None:
    assert validate_workers(0, "w") == 0
    assert validate_workers("4", "w") == 4
    for bad in (-1, 1.5, "many", 10_000):
        with pytest.raises(UserError, match="^w: "):
            validate_workers(bad, "w")


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080",
        "http://localhost",
        "https://[::1]:8443/",
        "http://127.0.0.2/api",
        "http://staging-api:8000",
        "https://api.staging.example.com",
        "http://10.213.0.2:8080/base/",
    ],
)
def test_settings_accept_any_http_host(tmp_path: Path, url: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f'[run]\nhost = "{url}"\n[resources]\nmetrics_url = "{url}/metrics"\n')
    settings = load_settings(path)
    assert settings.host == url.rstrip("/")
    assert settings.resources.metrics_url == f"{url}/metrics"


@pytest.mark.parametrize("url", ["ftp://staging-api", "staging-api:8000", "http://:80", "http://h:99999"])
def test_settings_refuse_a_bad_host_in_one_line(tmp_path: Path, url: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f'[run]\nhost = "{url}"\n')
    with pytest.raises(ConfigError, match=r"run\.host: expected an http\(s\) URL") as caught:
        load_settings(path)
    assert "\n" not in str(caught.value)


@pytest.mark.slow
def test_pure_modules_import_neither_locust_nor_textual() -> None:
    code = (
        "import sys, perfconsole.config, perfconsole.profiles, perfconsole.verdicts.thresholds;"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'locust', 'gevent', 'textual'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip() == "[]"


def test_durations_are_plain_floats_in_the_settings(tmp_path: Path) -> None:
    # The store's records are strict: a schema type left in the settings (a float subclass) broke every save
    # of a run whose profile set its duration.
    settings = load_settings(
        write(
            tmp_path,
            '[profiles.short]\nusers = 2\nspawn_rate = 2\nduration = "5s"\n'
            '[profiles.staged]\nstages = [{ until = "3s", users = 1, spawn_rate = 1 }]\n',
        )
    )
    short, staged = settings.profiles["short"], settings.profiles["staged"]
    assert type(short.duration_s) is float and short.duration_s == 5.0
    assert type(staged.stages[0].until_s) is float and type(staged.duration_s) is float
    assert type(settings.spike.duration_s) is float and type(settings.resources.scrape_interval_s) is float
