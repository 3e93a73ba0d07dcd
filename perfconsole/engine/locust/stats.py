"""Locust's stats objects, rewritten: the histograms' figures in its entries, the endpoint fold around its
logging.

Locust's own stats carry the histograms' figures: one source for every Locust-derived output.

Locust keeps each endpoint's response times as ``StatsEntry.response_times`` ({rounded ms: count}) and
computes every percentile it writes from it (the CSV files, the HTML report, its end-of-run tables). On the
master each worker report first adds the worker's rounded times (Locust's listener); ``correct_entry`` then
takes exactly those back out and puts the same requests in at the histogram's value rounded to whole ms.
Counts are unchanged, so Locust's totals, averages and rates are untouched.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from copy import copy
from typing import TYPE_CHECKING, Any

from perfconsole.engine.hdr.layout import COUNTS_LEN, highest_of

if TYPE_CHECKING:
    from locust.stats import StatsEntry

_MS_OF_INDEX: list[int | None] = [None] * COUNTS_LEN
"""Whole ms of each counter index (its highest value, rounded), filled as indexes occur: a run meets a few
thousand of the 23,552, and computing them all took the master tens of ms of CPU in a run's first report."""


def ms_of(index: int) -> int:
    """The whole ms Locust's entries count a counter index under."""
    ms = _MS_OF_INDEX[index]
    if ms is None:
        ms = _MS_OF_INDEX[index] = round(highest_of(index) / 1000.0)
    return ms


def correct_entry(entry: StatsEntry, locust_rounded: Mapping[Any, int], counts: Mapping[int, int]) -> None:
    """Swap one report's rounded times (already added by Locust) for the histogram's."""
    times = entry.response_times
    for key, count in locust_rounded.items():
        key = int(key)
        left = times.get(key, 0) - int(count)
        if left > 0:
            times[key] = left
        else:
            times.pop(key, None)
    add_ms(times, counts)
    _refresh_cache(entry)


def add_ms(times: dict[int, int], counts: Mapping[int, int]) -> None:
    """Add counters to a {whole ms: count} dict."""
    table = _MS_OF_INDEX
    get = times.get
    for index, count in counts.items():
        ms = table[index]
        if ms is None:
            ms = ms_of(index)
        times[ms] = get(ms, 0) + count


def replace_entry(entry: StatsEntry, times: Mapping[int, int]) -> None:
    """Set an entry's response times to the histogram's (in-process runs, where no report exists)."""
    from collections import defaultdict

    entry.response_times = defaultdict(int, times)
    _refresh_cache(entry)


def _refresh_cache(entry: StatsEntry) -> None:
    """The newest cached copy (made inside Locust's extend) gets the corrected times too."""
    cache = entry.response_times_cache
    if not cache:
        return
    newest = next(reversed(cache))
    cached = cache[newest]
    if cached.num_requests == entry.num_requests:
        cache[newest] = cached._replace(response_times=copy(entry.response_times))


PER_SECOND_KEPT_S = 60
"""Seconds of each entry's per-second request and failure counts kept on a master. Locust keeps every
second of the run (about 80 bytes per endpoint a second: 0.5 MiB a minute at 100 endpoints); its current
rates, and perfconsole's, read the last 12."""


def prune_per_second(entry: StatsEntry, keep_s: int = PER_SECOND_KEPT_S) -> None:
    """Drop an entry's per-second counts older than ``keep_s`` before its last request (oldest first: the
    seconds come in time order, a late one goes once it reaches the front)."""
    last = entry.last_request_timestamp
    if last is None:
        return
    oldest = int(last) - keep_s
    for per_second in (entry.num_reqs_per_sec, entry.num_fail_per_sec):
        while per_second:
            second = next(iter(per_second))
            if second >= oldest:
                break
            del per_second[second]


def wrap_logging(stats: Any, log_request: Callable[..., None], log_error: Callable[..., None]) -> None:
    """Replace a ``RequestStats``'s ``log_request``/``log_error`` (Locust's ``request`` listener calls them)
    on this instance; the replacements call the originals, taken beforehand, themselves."""
    setattr(stats, "log_request", log_request)  # noqa: B010 - an instance's method, replaced on purpose
    setattr(stats, "log_error", log_error)  # noqa: B010
