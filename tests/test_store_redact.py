"""Secrets never reach disk: redaction of URLs, headers, command lines, data and report files."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from perfconsole.store.redact import (
    redact_argv,
    redact_file_in_place,
    redact_obj,
    redact_text,
    redact_url,
)


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("http://alice:hunter2@127.0.0.1:8089/x", "hunter2"),
        ("https://ghp_abcdef123@localhost/", "ghp_abcdef123"),
        ("/api/x?token=tok123&page=2", "tok123"),
        ("/api/x?page=2&access_token=tok456", "tok456"),
        ("/login?user=bob&password=pw789", "pw789"),
        ("/v1?api_key=k1&apikey=k2&key=k3", "k1"),
        ("/v1?api_key=k1&apikey=k2&key=k3", "k2"),
        ("/v1?api_key=k1&apikey=k2&key=k3", "k3"),
        ("/cb#access_token=frag1", "frag1"),
        ("401 Client Error: Authorization: Bearer eyJhbGciOi.abc.def", "eyJhbGciOi"),
        ("request headers {'Cookie': 'sid=s3ss10n; theme=dark', 'Accept': '*/*'}", "s3ss10n"),
        ('{"X-Api-Key": "xk-999", "Accept": "json"}', "xk-999"),
        ("sent Bearer abc.def.ghi upstream", "abc.def.ghi"),
        ("Proxy-Authorization: Basic dXNlcjpwYXNz", "dXNlcjpwYXNz"),
        ("client_secret=cs-1 in form body", "cs-1"),
    ],
)
def test_secret_is_redacted(text: str, secret: str) -> None:
    redacted = redact_text(text)
    assert secret not in redacted
    assert "***" in redacted
    assert redact_text(redacted) == redacted  # idempotent


@pytest.mark.parametrize(
    "text",
    [
        "GET /api/notifications?page=2&limit=50",
        "users 0 -> 10 @ 5/s",
        "p99.9=40 ms, monkey=3",
        "HTTPError('503 Server Error: Service Unavailable for url: http://127.0.0.1:8089/api')",
    ],
)
def test_harmless_text_is_unchanged(text: str) -> None:
    assert redact_text(text) == text


def test_redact_url_keeps_user_and_structure() -> None:
    assert (
        redact_url("http://alice:pw@127.0.0.1:8089/a?token=t&x=1")
        == "http://alice:***@127.0.0.1:8089/a?token=***&x=1"
    )


def test_redact_argv_masks_flag_values() -> None:
    argv = (
        "perfconsole",
        "run",
        "--host",
        "http://u:pw1@127.0.0.1",
        "--api-key",
        "pw2",
        "--token=pw3",
        "-u",
        "5",
    )
    redacted = redact_argv(argv)
    assert not any(s in " ".join(redacted) for s in ("pw1", "pw2", "pw3"))
    assert redacted[-2:] == ("-u", "5")
    assert redacted[4] == "--api-key" and redacted[5] == "***"


def test_redact_obj_masks_sensitive_keys_and_nested_text() -> None:
    data = {
        "headers": {"Authorization": "Bearer zzz", "Accept": "json"},
        "password": "hunter2",
        "max_tokens": 3,
        "endpoints": {"/a?token=abc": [1, "see http://u:pw@localhost"]},
    }
    redacted = redact_obj(data)
    assert redacted == {
        "headers": {"Authorization": "***", "Accept": "json"},
        "password": "***",
        "max_tokens": 3,
        "endpoints": {"/a?token=***": [1, "see http://u:***@localhost"]},
    }


def test_redact_csv_file_keeps_columns(tmp_path: Path) -> None:
    path = tmp_path / "locust_failures.csv"
    rows = [
        ["Method", "Name", "Error", "Occurrences"],
        ["GET", "/api?token=abc123", "HTTPError('401 for url: http://127.0.0.1/api?token=abc123')", "3"],
        ["POST", "/login", '"Cookie: sid=abc123; x=1", headers', "1"],
    ]
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    path.write_text(buffer.getvalue())
    assert redact_file_in_place(path)
    text = path.read_text()
    assert "abc123" not in text
    parsed = list(csv.reader(io.StringIO(text)))
    assert [len(r) for r in parsed] == [4, 4, 4]
    assert parsed[1][3] == "3" and parsed[2][0] == "POST"
    assert not redact_file_in_place(path)  # nothing left to change


def test_redact_html_leaves_head_code_alone(tmp_path: Path) -> None:
    head = "<html><head><script>var o={token:e,auth:n};f('?key='+k)</script></head>"
    body = (
        '<body><script>window.templateArgs = {"host": "http://u:pw9@127.0.0.1", "name": "/a?token=t9"}'
        "</script></body></html>"
    )
    path = tmp_path / "report.html"
    path.write_text(head + body)
    redact_file_in_place(path)
    text = path.read_text()
    assert text.startswith(head)
    assert "pw9" not in text and "t9" not in text


def test_long_text_redacted_line_by_line_as_the_patterns_would_whole() -> None:
    """A long batch (a worker's output) is redacted only where a trigger is: the same result as the
    patterns run over the whole text, multi-line header forms and blank lines included."""
    import random

    from perfconsole.store.redact import _redact, redact_text

    pieces = [
        "plain words here " + "x" * 60,
        "GET /api?token=abc123&x=1",
        "Authorization: Bearer abc.def",
        "http://u:pw@h/x",
        "token\n\n: value",
        "x-api-key:  k1",
        "",
        "   ",
        "password=hunter2",
        "user@host",
        "code=5 sig=9",
        "İstanbul key=1",
        "\r",
    ]
    rng = random.Random(7)
    for _ in range(200):
        text = "\n".join(rng.choice(pieces) for _ in range(rng.randint(1, 400)))
        assert redact_text(text) == _redact(text)
    quiet = ("user 42 line 7 " + "x" * 60 + "\n") * 1000
    assert redact_text(quiet) is quiet  # nothing to redact: the text itself
