"""The one host policy (perfconsole.hosts) and every entry point that uses it: pure checks, no traffic."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from perfconsole.errors import UserError
from perfconsole.hosts import (
    dial_address,
    display_url,
    is_loopback_host,
    is_on_this_machine,
    local_addresses,
    validate_metrics_url,
    validate_target_url,
)
from perfconsole.resources.target import find_target_process, target_address

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://staging-api:8000", "http://staging-api:8000"),
        ("https://api.staging.example.com/", "https://api.staging.example.com"),
        ("http://10.213.0.2:8080/base/", "http://10.213.0.2:8080/base"),
        ("HTTP://127.0.0.1", "HTTP://127.0.0.1"),
        ("https://[::1]:8443", "https://[::1]:8443"),
        ("  http://user:pw@host:81  ", "http://user:pw@host:81"),
    ],
)
def test_any_http_host_is_accepted(url: str, expected: str) -> None:
    assert validate_target_url(url, "--host") == expected


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://staging-api", "scheme"),
        ("staging-api:8000", "scheme"),
        ("http://:80", "no host"),
        ("http://host:99999", "bad port"),
        ("http://host:0", "bad port"),
        ("http://host:x", "bad port"),
        ("http://host/?a=1", "query"),
        ("http://a host", "space"),
        ("", "got ''"),
    ],
)
def test_bad_hosts_are_one_line_naming_the_source(url: str, reason: str) -> None:
    with pytest.raises(UserError) as caught:
        validate_target_url(url, "--host")
    message = str(caught.value)
    assert message.startswith("--host: expected an http(s) URL such as http://staging-api:8000")
    assert reason in message and "\n" not in message


def test_userinfo_never_appears_in_errors_or_display() -> None:
    with pytest.raises(UserError) as caught:
        validate_target_url("ftp://alice:s3cret@host", "run.host")
    assert "s3cret" not in str(caught.value) and "alice:***@host" in str(caught.value)
    assert display_url("https://alice:s3cret@host:8/p?q=1") == "https://alice:***@host:8/p?q=1"
    assert display_url("http://token@host") == "http://***@host"
    assert display_url("http://host/a@b") == "http://host/a@b"


def test_metrics_url_may_carry_a_query() -> None:
    assert validate_metrics_url("http://prom:9090/metrics?x=1", "--metrics-url").endswith("?x=1")
    with pytest.raises(UserError, match="^--metrics-url: "):
        validate_metrics_url("prom:9090", "--metrics-url")


def test_loopback_and_this_machine() -> None:
    for host in ("localhost", "127.0.0.1", "127.5.6.7", "::1", "[::1]", "::ffff:127.0.0.1", "a.localhost"):
        assert is_loopback_host(host), host
    for host in ("10.0.0.1", "staging.example.com", "0.0.0.0", "::"):
        assert not is_loopback_host(host), host
    assert "127.0.0.1" in local_addresses()
    assert is_on_this_machine(frozenset({"127.0.0.1"}))
    assert not is_on_this_machine(frozenset({"192.0.2.7"}))  # TEST-NET-1: never an interface here


def test_a_remote_target_has_no_guessed_process() -> None:
    address = target_address("http://192.0.2.7:8080")
    assert not address.is_local and address.port == 8080
    assert find_target_process(url="http://192.0.2.7:8080", auto=True) is None


def test_local_workers_dial_the_bound_address() -> None:
    assert dial_address("0.0.0.0") == "127.0.0.1"
    assert dial_address("*") == "127.0.0.1"
    assert dial_address("::") == "::1"
    assert dial_address("10.213.4.1") == "10.213.4.1"
    assert dial_address("127.0.0.1") == "127.0.0.1"


@pytest.mark.slow
def test_no_other_url_validator_is_left() -> None:
    """Every entry point goes through perfconsole.hosts: no loopback rule or private validator elsewhere."""
    found = subprocess.run(
        [
            "grep",
            "-rnE",
            r"^def (validate_url|validate_host|is_loopback_host|is_loopback)\(",
            str(ROOT / "perfconsole"),
        ],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    assert [line for line in found.splitlines() if "perfconsole/hosts.py:" not in line] == []


@pytest.mark.slow
@pytest.mark.parametrize("argv", [["run", "--headless"], ["console"]])
def test_cli_refuses_a_bad_host_in_one_line(argv: list[str]) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "perfconsole", *argv, "--host", "ftp://u:pw@staging"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert completed.returncode == 2
    assert completed.stderr.strip() == (
        "perfconsole: error: --host: expected an http(s) URL such as http://staging-api:8000, "
        "got 'ftp://u:***@staging' (the scheme must be http or https)"
    )


def test_the_summary_says_a_target_elsewhere_has_no_process() -> None:
    from perfconsole.resources.monitor import ResourceMonitor

    monitor = ResourceMonitor(host_url="http://192.0.2.7:8080")  # TEST-NET-1: never this machine
    try:
        monitor.poll()
        assert monitor.target is None
        assert (
            "target process: none, 192.0.2.7 is not on this machine (its metrics: --metrics-url)"
            in monitor.summary_lines()
        )
        assert monitor.to_dict()["target"]["elsewhere"] == "192.0.2.7"  # type: ignore[index]
    finally:
        monitor.close()
