"""The endpoint cap: past ``[run] max_endpoints`` distinct names, new names fold into ``(other)`` per method.

A locustfile requesting ``/items/<id>`` without ``name=`` makes one Locust stats entry per URL: memory,
reports, the screen, saving and every file then grow with the URL count. :func:`fold_name` (pure) keeps
the first ``max_endpoints`` distinct (method, name) pairs and maps every later new one to
``(METHOD, "(other)")``; failures get the same bound on distinct error texts (URLs in error messages).

:func:`install_fold` applies one :class:`EndpointFold` where requests are counted: around the runner's
``RequestStats`` where users run (a worker process, or in-process with ``--workers 0``), and on a master
in front of Locust's ``worker_report`` handler (workers fold too, but each sees its own first names). The
HDR histograms use the same fold (``name_for``), so their keys always match Locust's entries.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from perfconsole.config.schema import BUILT_IN
from perfconsole.engine.locust.event_hooks import listen_first, stop_listening
from perfconsole.engine.locust.stats import wrap_logging
from perfconsole.model.run_warnings import RunWarning, WarningKind

OTHER_NAME = "(other)"
OTHER_ERROR = "(other errors: too many distinct messages)"
DEFAULT_MAX_ENDPOINTS = BUILT_IN.run.max_endpoints
MAX_ENDPOINTS_ENV = "PERFCONSOLE_MAX_ENDPOINTS"
"""How local worker processes learn the cap (they inherit the console's environment)."""

Key = tuple[str, str]


def fold_name(known: set[Key], method: str, name: str, cap: int) -> tuple[str, bool]:
    """``(name to count under, folded?)``; adds a newly kept pair to ``known``. Pure but for ``known``."""
    if name == OTHER_NAME:
        return name, True  # folded upstream (a worker)
    key = (method, name)
    if key in known:
        return name, False
    if len(known) < cap:
        known.add(key)
        return name, False
    return OTHER_NAME, True


class EndpointFold:
    """One process's (or one master's) fold: the kept names, and how many requests were folded."""

    def __init__(self, max_endpoints: int = DEFAULT_MAX_ENDPOINTS) -> None:
        self.max_endpoints = max_endpoints
        self.known: set[Key] = set()
        self.known_errors: set[tuple[str, str, str]] = set()
        self.folded = 0
        """Requests (or reported entries, on a master) counted under ``(other)`` since the last reset:
        counted once, where Locust's stats take the request (:meth:`name_for`)."""

    def name_for(self, method: str, name: str) -> str:
        """The name a request is counted under in Locust's stats (folded ones are counted)."""
        folded_name, folded = fold_name(self.known, method, name, self.max_endpoints)
        if folded:
            self.folded += 1
        return folded_name

    def name_of(self, method: str, name: str) -> str:
        """The same fold for the request's other records (its error, its histograms): not counted again."""
        return fold_name(self.known, method, name, self.max_endpoints)[0]

    def error_for(self, method: str, name: str, error: str) -> str:
        """The error text to count under: past the cap of distinct texts, one ``(other errors)`` entry."""
        key = (method, name, error)
        if key in self.known_errors or error == OTHER_ERROR:
            return error
        if len(self.known_errors) < self.max_endpoints:
            self.known_errors.add(key)
            return error
        return OTHER_ERROR

    def reset(self) -> None:
        self.known.clear()
        self.known_errors.clear()
        self.folded = 0

    def warning(self) -> RunWarning:
        return RunWarning(
            WarningKind.ENDPOINT_CAP,
            f"more than {self.max_endpoints} distinct endpoint names: new ones are counted in one "
            f"'{OTHER_NAME}' row per method ([run] max_endpoints; use name= in the locustfile to group URLs)",
        )


def cap_from_environment(default: int = DEFAULT_MAX_ENDPOINTS) -> int:
    value = os.environ.get(MAX_ENDPOINTS_ENV, "")
    return int(value) if value.isdigit() and int(value) > 0 else default


# --------------------------------------------------------------------------- the hooks


def _error_text(error: Any) -> str:
    from locust.stats import StatsError

    return str(StatsError.parse_error(error))


def fold_request_stats(stats: Any, fold: EndpointFold, recorder: Any = None) -> None:
    """Fold names (and error texts) on their way into a ``RequestStats`` where users run. With a
    ``recorder`` (an ``IntervalRecorder``, in a worker), each request is recorded here too, under its folded
    name, and its failure with the error: one call per request instead of a second ``request`` listener."""
    log_request: Callable[..., None] = stats.log_request
    log_error: Callable[..., None] = stats.log_error
    known = fold.known  # cleared in place on reset: a kept name skips the fold (this runs per request)
    record_failure = recorder.record_failure if recorder is not None else None

    def folded_request(method: str, name: str, response_time: Any, content_length: Any) -> None:
        if (method, name) not in known:
            name = fold.name_for(method, name)
        log_request(method, name, response_time, content_length)

    if recorder is not None:  # the fold, the recording and Locust's log_request in one call per request
        folded_request = recorder.request_path(log_request, known, fold.name_for)

    def folded_error(method: str, name: str, error: Any) -> None:
        folded = fold.name_of(method, name)
        if record_failure is not None:
            record_failure()
        text = _error_text(error)
        capped = fold.error_for(method, folded, text)
        log_error(method, folded, error if capped == text else capped)

    wrap_logging(stats, folded_request, folded_error)


def fold_worker_report(data: dict[str, Any], fold: EndpointFold) -> None:
    """On a master: rename a worker report's entries and errors in place, before Locust merges them."""
    from locust.stats import StatsError

    for entry in data.get("stats") or ():
        method = str(entry.get("method") or "")
        entry["name"] = fold.name_for(method, str(entry.get("name") or ""))
    errors = data.get("errors")
    if not isinstance(errors, dict) or not errors:
        return
    merged: dict[str, dict[str, Any]] = {}
    for error in errors.values():
        method = str(error.get("method") or "")
        name = fold.name_of(method, str(error.get("name") or ""))
        text = fold.error_for(method, name, str(error.get("error") or ""))
        key = StatsError.create_key(method, name, text)
        if key in merged:
            merged[key]["occurrences"] += error.get("occurrences", 0)
        else:
            merged[key] = {**error, "name": name, "error": text}
    data["errors"] = merged


def install_fold(
    environment: Any, runner: Any, fold: EndpointFold, name_users: list[Any]
) -> Callable[[], None]:
    """Apply ``fold`` for this runner (master or in-process) and to the histogram recorders/aggregators
    in ``name_users`` (objects with a ``name_for`` attribute); a new run starts a new fold. Returns the
    function that removes the event listeners again (Locust's events are process-wide)."""
    from locust.runners import MasterRunner

    events = environment.events

    def on_worker_report(client_id: str, data: dict[str, Any], **_kw: Any) -> None:
        try:
            fold_worker_report(data, fold)
        except Exception:  # noqa: S110 - never keep Locust from merging a report
            pass

    def on_test_start(**_kw: Any) -> None:
        fold.reset()

    if isinstance(runner, MasterRunner):
        listen_first(events.worker_report, on_worker_report)  # before Locust's own merge
    else:
        fold_request_stats(runner.stats, fold)
    for user in name_users:
        user.name_for = fold.name_of
    events.test_start.add_listener(on_test_start)

    def uninstall() -> None:
        stop_listening(events.worker_report, on_worker_report)
        stop_listening(events.test_start, on_test_start)

    return uninstall


def install_in_worker(environment: Any, recorder: Any) -> EndpointFold:
    """In a worker process (``perfconsole worker`` / local workers): fold its stats, and record each request
    in ``recorder`` on its way into them."""
    fold = EndpointFold(cap_from_environment())
    fold_request_stats(environment.runner.stats, fold, recorder)
    environment.events.test_start.add_listener(lambda **_kw: fold.reset())
    return fold
