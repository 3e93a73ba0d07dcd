"""What the console shows, with secrets masked as they are in saved files.

Endpoint names can carry query tokens (``/api/items?token=...``), failures repeat them, a target URL may
hold a password: :func:`shown_snapshot` masks every text of a live snapshot before widgets see it, and
:func:`shown_text` any other line (messages, notes). The start screen shows a host with its password
masked and keeps the real one (:func:`masked_host`, :func:`unmasked_host`).
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

from perfconsole.model.run import EndpointStats, ErrorStats, ExceptionStats, RunSnapshot
from perfconsole.store.redact import redact_text


@lru_cache(maxsize=8192)
def shown_text(text: str) -> str:
    return redact_text(text)


def _endpoint(e: EndpointStats) -> EndpointStats:
    name = shown_text(e.name)
    return e if name == e.name else replace(e, name=name)


def _error(e: ErrorStats) -> ErrorStats:
    name, error = shown_text(e.name), shown_text(e.error)
    return e if (name, error) == (e.name, e.error) else replace(e, name=name, error=error)


def _exception(x: ExceptionStats) -> ExceptionStats:
    msg, trace = shown_text(x.msg), shown_text(x.traceback)
    return x if (msg, trace) == (x.msg, x.traceback) else replace(x, msg=msg, traceback=trace)


def shown_snapshot(snapshot: RunSnapshot) -> RunSnapshot:
    """``snapshot`` with host, endpoint names, failures and exceptions redacted."""
    return replace(
        snapshot,
        host=shown_text(snapshot.host),
        endpoints=tuple(_endpoint(e) for e in snapshot.endpoints),
        errors=tuple(_error(e) for e in snapshot.errors),
        exceptions=tuple(_exception(x) for x in snapshot.exceptions),
    )


def masked_host(host: str) -> str:
    """The host as an input field shows it: any password masked."""
    return shown_text(host) if host else host


def unmasked_host(value: str, original: str) -> str:
    """What the operator means by ``value``: the original host if they left the masked one unchanged."""
    return original if original and value.strip() == masked_host(original) else value
