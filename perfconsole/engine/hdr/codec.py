"""Interval histograms on the wire and on disk.

On the wire (in Locust's worker reports, msgpack): the non-zero counters of an HdrHistogram in the shared
layout as one flat list ``[index_delta, count, index_delta, count, ...]`` (indices ascending, each delta
from the previous index), which msgpack packs in one or two bytes a number for typical latencies. Decoding
costs one step per non-zero counter, never a pass over the 23,552 counters of a full histogram, which is
what keeps the master (the console process) cheap.

On disk (``data.json``): HdrHistogram's standard compressed V2 encoding (base64), as the ``hdrhistogram``
package writes it, so that any HdrHistogram tool can read a run's histograms.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from itertools import accumulate

from perfconsole.engine.hdr.layout import COUNTS_LEN, HIGHEST_US, LOWEST_US, SIGNIFICANT_DIGITS

WIRE_KEY = "perfconsole_hdr"
"""Key of the histograms in a worker report's data (absent: a plain ``locust --worker``)."""
WIRE_VERSION = 1
LAYOUT = (LOWEST_US, HIGHEST_US, SIGNIFICANT_DIGITS)


def encode_counts(counts: Mapping[int, int]) -> list[int]:
    """Sparse counters as a flat delta-encoded list."""
    flat: list[int] = []
    previous = 0
    for index in sorted(counts):
        count = counts[index]
        if count:
            flat.append(index - previous)
            flat.append(count)
            previous = index
    return flat


def decode_counts(flat: list[int]) -> list[tuple[int, int]]:
    """(index, count) pairs of a flat delta-encoded list; ValueError if malformed. Runs in C-level passes
    (slices, accumulate, zip): the master decodes every counter of every report."""
    if len(flat) % 2:
        raise ValueError("odd length")
    if not flat:
        return []
    deltas, counts = flat[0::2], flat[1::2]
    if min(deltas) < 0 or min(counts) < 0:
        raise ValueError("negative value")
    indices = list(accumulate(deltas))
    if indices[-1] >= COUNTS_LEN:
        raise ValueError("counter index out of the layout")
    return list(zip(indices, counts, strict=True))


def to_hdrh_blob(pairs: Iterable[tuple[int, int]]) -> str:
    """HdrHistogram's standard base64 encoding of the given counters."""
    from hdrh.histogram import HdrHistogram

    from perfconsole.engine.hdr.layout import lowest_of

    histogram = HdrHistogram(LOWEST_US, HIGHEST_US, SIGNIFICANT_DIGITS)
    for index, count in pairs:
        if count:
            histogram.record_value(lowest_of(index), count)
    return histogram.encode().decode("ascii")


def from_hdrh_blob(blob: str) -> dict[int, int]:
    """Counters (by index of the shared layout) of a standard base64 HdrHistogram."""
    from hdrh.histogram import HdrHistogram

    from perfconsole.engine.hdr.layout import index_of

    histogram = HdrHistogram.decode(blob.encode("ascii"))
    counts: dict[int, int] = {}
    for item in histogram.get_recorded_iterator():
        index = index_of(int(item.value_iterated_to))
        counts[index] = counts.get(index, 0) + int(item.count_at_value_iterated_to)
    return counts


class WireInterval:
    """One endpoint's interval histogram of one second, as received."""

    __slots__ = (
        "second",
        "method",
        "name",
        "failures",
        "max_us",
        "flat",
        "extra_flat",
        "twin_flat",
        "twin_max_us",
    )

    def __init__(
        self,
        second: int,
        method: str,
        name: str,
        failures: int,
        max_us: int,
        flat: list[int],
        extra_flat: list[int] | None = None,
        twin_flat: list[int] | None = None,
        twin_max_us: int = 0,
    ):
        self.second = second
        self.method = method
        self.name = name
        self.failures = failures
        self.max_us = max_us
        self.flat = flat
        self.extra_flat = extra_flat
        """Coordinated-omission corrections (paced users), None when no paced user sent these."""
        self.twin_flat = twin_flat
        """Arrival-rate mode: the corrected twin's counters of this interval (scheduled requests from their
        scheduled start), replacing ``flat`` + ``extra_flat`` there; None: no scheduled request."""
        self.twin_max_us = twin_max_us


def wire_payload(drained: Mapping[int, Mapping[tuple[str, str], object]]) -> dict[str, object]:
    """A recorder's drained intervals as the value of ``data[WIRE_KEY]`` in a report."""
    intervals = []
    for second, endpoints in drained.items():
        for (method, name), interval in endpoints.items():
            counts = interval.counts  # type: ignore[attr-defined]
            extra = interval.extra  # type: ignore[attr-defined]
            row = [second, method, name, interval.failures, interval.max_us, encode_counts(counts)]  # type: ignore[attr-defined]
            twin = interval.twin  # type: ignore[attr-defined]
            if extra is not None or twin is not None:
                row.append(encode_counts(extra) if extra is not None else None)
            if twin is not None:
                row += [encode_counts(twin), interval.twin_max_us]  # type: ignore[attr-defined]
            intervals.append(row)
    return {"v": WIRE_VERSION, "layout": list(LAYOUT), "intervals": intervals}


def parse_payload(payload: object) -> list[WireInterval]:
    """The intervals of a report's ``data[WIRE_KEY]``; ValueError if it is not ours or malformed."""
    if not isinstance(payload, dict) or payload.get("v") != WIRE_VERSION:
        raise ValueError("unknown histogram payload version")
    if tuple(payload.get("layout") or ()) != LAYOUT:
        raise ValueError(f"histogram layout {payload.get('layout')} is not {list(LAYOUT)}")
    parsed = []
    for row in payload.get("intervals") or ():
        second, method, name, failures, max_us, flat = row[:6]
        extra = list(row[6]) if len(row) > 6 and row[6] is not None else None
        twin = list(row[7]) if len(row) > 7 and row[7] is not None else None
        twin_max = int(row[8]) if len(row) > 8 else 0
        parsed.append(
            WireInterval(
                int(second),
                str(method),
                str(name),
                int(failures),
                int(max_us),
                list(flat),
                extra,
                twin,
                twin_max,
            )
        )
    return parsed
