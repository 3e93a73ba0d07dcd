"""What the console shows: secrets masked as they are in saved files, escape sequences and control
characters removed (perfconsole.model.terminal_text; saved files keep the raw text).

Endpoint names can carry query tokens (``/api/items?token=...``), failures repeat them, a target URL may
hold a password: :func:`shown_snapshot` masks every text of a live snapshot before widgets see it, and
:func:`shown_text` any other line (messages, notes). The start screen shows a host with its password
masked and keeps the real one (:func:`masked_host`, :func:`unmasked_host`).
"""

from __future__ import annotations

from dataclasses import fields, replace
from functools import lru_cache
from typing import TypeVar

from perfconsole.model.run import EndpointStats, ErrorStats, ExceptionStats, RunSnapshot
from perfconsole.model.terminal_text import safe_text
from perfconsole.store.loaded_run import LoadedRun
from perfconsole.store.redact import redact_text


@lru_cache(maxsize=8192)
def shown_text(text: str) -> str:
    return redact_text(safe_text(text))


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


Item = TypeVar("Item")


def shown_strings(item: Item, keep: tuple[str, ...] = ()) -> Item:
    """A dataclass ``item`` (a browser entry, an annotation, a threshold, a warning) with every plain
    ``str`` field but those in ``keep`` (keys) shown as the console may show it."""
    changes = {
        f.name: shown_text(value)
        for f in fields(item)  # type: ignore[arg-type]
        if f.name not in keep and type(value := getattr(item, f.name)) is str and shown_text(value) != value
    }
    return replace(item, **changes) if changes else item  # type: ignore[type-var]


def shown_run(run: LoadedRun) -> LoadedRun:
    """A run read from disk as the console shows it: every text from its files cleaned (the files keep
    theirs: what a target or a locustfile named is data)."""
    result = run.result
    shown_result = replace(
        result,
        final=shown_snapshot(result.final),
        annotations=tuple(shown_strings(a) for a in result.annotations),
        thresholds=tuple(shown_strings(t) for t in result.thresholds),
        warnings=tuple(shown_strings(w) for w in result.warnings),
        host=shown_text(result.host),
        scenario_path=shown_text(result.scenario_path),
        profile=None if result.profile is None else shown_text(result.profile),
    )
    return replace(
        run,
        run_id=shown_text(run.run_id),
        result=shown_result,
        baseline_name=None if run.baseline_name is None else shown_text(run.baseline_name),
    )
