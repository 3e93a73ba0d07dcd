"""Keep secrets off disk: redact credentials from URLs, header-like text, command lines and data.

Everything a store writes passes through here: URL userinfo (``http://user:***@host``), sensitive query
or form parameters (``?token=***``), ``Authorization``/``Cookie``-style headers, ``Bearer`` tokens, and
sensitive keys in dicts/JSON/Python reprs. Redaction is idempotent and errs on the side of hiding.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from perfconsole.store.atomic import atomic_write_bytes

MASK = "***"

_WEAK_NAME = r"(?:key|sig|pass|pw|auth|code)"
"""Short parameter names that are secrets only as whole names (``?key=...``)."""

_STRONG_PART = (
    r"(?:token|passw|pwd|secret|api[-_]?key|apikey|auth|cookie|session|signature|credential|jwt"
    r"|private[-_]?key|access[-_]?key)"
)
"""Fragments that make any parameter/header name sensitive (``access_token``, ``X-Api-Key``)."""

_SENSITIVE_NAME = re.compile(rf"(?i)^(?:[\w.-]*{_STRONG_PART}[\w.-]*|{_WEAK_NAME}|[\w.-]*[-_]key)$")

_SENSITIVE_DICT_KEY = re.compile(
    r"(?i)(?:token|passw|pwd|secret|api[-_]?key|apikey|cookie|authorization|credential|jwt"
    r"|private[-_]?key|access[-_]?key|session[-_]?id)"
)
"""Dict keys whose string values are secrets (``{"Authorization": ...}``, ``{"password": ...}``)."""

_URL_USERINFO = re.compile(r"(?i)\b(?P<scheme>[a-z][a-z0-9+.-]*://)(?P<userinfo>[^\s/?#@\"'<>\\]+)@")

_PARAM = re.compile(
    rf"(?i)(?<![\w.-])(?P<name>[\w.-]*{_STRONG_PART}[\w.-]*|{_WEAK_NAME}|[\w.-]*[-_]key)"
    r"(?P<sep>=)(?P<value>[^\s&;,#\"'<>\\]+)"
)
"""``name=value`` pairs: query strings, form bodies, ``--token=...`` flags."""

_HEADER = re.compile(
    r"(?i)(?<![\w-])(?P<name>(?:proxy-)?authorization|set-cookie|cookie"
    r"|[\w-]*(?:token|passw|secret|api[-_]?key|apikey|credential)[\w-]*)"
    r"(?P<sep>\\?['\"]?\s*:\s*\\?['\"]?)(?P<value>[^\r\n\"'<>,\\]+)"
)
"""``Name: value`` pairs: HTTP headers, Python/JSON dict entries, log lines."""

_BEARER = re.compile(r"(?i)\b(?P<scheme>bearer\s+)(?P<value>[A-Za-z0-9._~+/=-]+)")


def is_sensitive_name(name: str) -> bool:
    """True if a parameter/header/flag called ``name`` holds a secret."""
    return bool(_SENSITIVE_NAME.match(name.strip().lstrip("-")))


def _mask_userinfo(match: re.Match[str]) -> str:
    userinfo = match["userinfo"]
    user, colon, _password = userinfo.partition(":")
    masked = f"{user}:{MASK}" if colon else MASK
    return f"{match['scheme']}{masked}@"


def _mask_value(match: re.Match[str]) -> str:
    return f"{match['name']}{match['sep']}{MASK}"


_TRIGGERS = (
    "@", "token", "pass", "pw", "secret", "key", "auth", "cookie", "session", "sig", "credential", "jwt",
    "code", "api", "bearer",
)  # fmt: skip
"""Lower-case fragments of which every pattern above needs one (userinfo "@", a sensitive name, "bearer"):
text without any has nothing to redact. Checking them is ~30x cheaper than the patterns."""

_LONG = 4096
"""Longer text (a batch of a worker's output, a CSV) is redacted line by line, only where a trigger is."""


def _redact(text: str) -> str:
    text = _URL_USERINFO.sub(_mask_userinfo, text)
    text = _HEADER.sub(_mask_value, text)
    text = _PARAM.sub(_mask_value, text)
    return _BEARER.sub(lambda m: f"{m['scheme']}{MASK}", text)


def _regions(text: str, low: str, hits: list[str]) -> list[tuple[int, int]]:
    """Spans of whole lines holding a trigger, each with the lines after it up to the next non-blank one
    (a header's ``:`` may follow its name on a later line), merged."""
    starts = set()
    for word in hits:
        at = low.find(word)
        while at >= 0:
            starts.add(text.rfind("\n", 0, at) + 1)
            at = low.find(word, at + len(word))
    spans: list[tuple[int, int]] = []
    for start in sorted(starts):
        stop = text.find("\n", start)
        while 0 <= stop < len(text):  # then the next lines: blank ones and the first that is not
            following = text.find("\n", stop + 1)
            following = len(text) if following < 0 else following
            line, stop = text[stop + 1 : following], following
            if line.strip():
                break
        stop = len(text) if stop < 0 else stop
        if spans and start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], stop))
        else:
            spans.append((start, stop))
    return spans


def redact_text(text: str) -> str:
    """Return ``text`` with every recognisable secret replaced by ``***``."""
    low = text.lower()
    hits = [word for word in _TRIGGERS if word in low]
    if not hits:
        return text
    if len(text) < _LONG or len(low) != len(text):
        return _redact(text)
    parts: list[str] = []
    done = 0
    for start, stop in _regions(text, low, hits):
        parts += [text[done:start], _redact(text[start:stop])]
        done = stop
    parts.append(text[done:])
    return "".join(parts)


def redact_url(url: str) -> str:
    """Redact userinfo and sensitive query/fragment parameters of one URL (or URL-like string)."""
    return redact_text(url)


def redact_argv(argv: Sequence[str]) -> tuple[str, ...]:
    """Redact a command line: values of sensitive flags (``--token X``, ``--password=X``) and any text."""
    redacted: list[str] = []
    mask_next = False
    for arg in argv:
        if mask_next:
            redacted.append(MASK)
            mask_next = False
            continue
        if arg.startswith("-") and len(arg) > 1:
            flag, equals, _value = arg.partition("=")
            if is_sensitive_name(flag):
                if equals:
                    redacted.append(f"{flag}={MASK}")
                else:
                    redacted.append(arg)
                    mask_next = True
                continue
        redacted.append(redact_text(arg))
    return tuple(redacted)


def redact_obj(obj: object) -> object:
    """Recursively redact strings in plain data (dicts, lists, tuples); other values pass through.

    String values under sensitive keys (``Authorization``, ``password``, ``api_key`` ...) are masked
    whole; dict keys themselves are redacted as text (endpoint names can carry query strings).
    """
    if isinstance(obj, str):
        return redact_text(obj)
    if isinstance(obj, dict):
        result: dict[object, object] = {}
        for key, value in obj.items():
            if isinstance(key, str) and isinstance(value, str) and value and _SENSITIVE_DICT_KEY.search(key):
                result[redact_text(key)] = MASK
            else:
                result[redact_obj(key)] = redact_obj(value)
        return result
    if isinstance(obj, list):
        return [redact_obj(item) for item in obj]
    if isinstance(obj, tuple):
        return tuple(redact_obj(item) for item in obj)
    return obj


def redact_html(text: str) -> str:
    """Redact an HTML report's data, leaving its bundled code alone.

    Locust's report inlines a minified JS bundle in ``<head>`` (where ``token:e`` is code, not a
    secret) and the run's data as JSON in ``<body>``; only the body is redacted.
    """
    body = text.lower().rfind("<body")
    if body < 0:
        return redact_text(text)
    return text[:body] + redact_text(text[body:])


def redact_file_in_place(path: Path) -> bool:
    """Redact a text file (CSV, HTML, JSON ...) atomically; returns True if anything changed.

    Bytes that are not UTF-8 are preserved as they are; only recognisable secrets change.
    """
    original = path.read_bytes()
    text = original.decode("utf-8", errors="surrogateescape")
    is_html = path.suffix.lower() in (".html", ".htm")
    redacted = redact_html(text) if is_html else redact_text(text)
    if redacted == text:
        return False
    atomic_write_bytes(path, redacted.encode("utf-8", errors="surrogateescape"))
    return True
