"""The HdrHistogram bucket layout every recorder and merger shares: 3 significant digits, 1 µs .. 1 h.

The index arithmetic is HdrHistogram's (``hdrh.histogram.HdrHistogram._counts_index_for`` with
``lowest_trackable_value=1``), written out so that recording a value costs a few integer operations.
``tests/test_hdr.py`` checks it against the ``hdrhistogram`` package value by value.
"""

from __future__ import annotations

LOWEST_US = 1
HIGHEST_US = 3_600_000_000
"""One hour in microseconds: longer response times are recorded as one hour."""
SIGNIFICANT_DIGITS = 3

SUB_BUCKET_HALF_COUNT_MAGNITUDE = 10
"""log2 of half the sub-bucket count: 2 * 10**3 values need 2048 sub-buckets (2**11)."""
SUB_BUCKET_COUNT = 1 << (SUB_BUCKET_HALF_COUNT_MAGNITUDE + 1)
SUB_BUCKET_HALF_COUNT = SUB_BUCKET_COUNT // 2
_SUB_BUCKET_MASK = SUB_BUCKET_COUNT - 1


def _bucket_count() -> int:
    smallest_untrackable = SUB_BUCKET_COUNT
    buckets = 1
    while smallest_untrackable <= HIGHEST_US:
        smallest_untrackable <<= 1
        buckets += 1
    return buckets


BUCKET_COUNT = _bucket_count()
COUNTS_LEN = (BUCKET_COUNT + 1) * SUB_BUCKET_HALF_COUNT
"""Number of counters of a full histogram (23,552): 184 KiB at 8 bytes each."""


def index_of(value_us: int) -> int:
    """Counter index of a value in microseconds (clamped to 0 .. one hour)."""
    if value_us <= 0:
        return 0
    if value_us > HIGHEST_US:
        value_us = HIGHEST_US
    bucket = (value_us | _SUB_BUCKET_MASK).bit_length() - (SUB_BUCKET_HALF_COUNT_MAGNITUDE + 1)
    return ((bucket + 1) << SUB_BUCKET_HALF_COUNT_MAGNITUDE) + (value_us >> bucket) - SUB_BUCKET_HALF_COUNT


def lowest_of(index: int) -> int:
    """Lowest value (µs) counted at ``index``."""
    bucket = (index >> SUB_BUCKET_HALF_COUNT_MAGNITUDE) - 1
    sub_bucket = (index & (SUB_BUCKET_HALF_COUNT - 1)) + SUB_BUCKET_HALF_COUNT
    if bucket < 0:
        sub_bucket -= SUB_BUCKET_HALF_COUNT
        bucket = 0
    return sub_bucket << bucket


def highest_of(index: int) -> int:
    """Highest value (µs) counted at ``index``: what HdrHistogram reports for a percentile there."""
    bucket = max((index >> SUB_BUCKET_HALF_COUNT_MAGNITUDE) - 1, 0)
    return lowest_of(index) + (1 << bucket) - 1


def value_ms(index: int) -> float:
    """The value reported for ``index``, in milliseconds."""
    return highest_of(index) / 1000.0


def us_from_ms(response_time_ms: float) -> int:
    """A Locust response time (float ms) as whole microseconds."""
    return int(response_time_ms * 1000.0 + 0.5)
