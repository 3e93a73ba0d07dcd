"""Each endpoint's window figures every few seconds of a run: ``endpoint_steps.csv`` in the run directory.

What the time cursor of a saved run shows in the endpoint table. One row per endpoint that had requests in
its window at a step: ``Elapsed (s)``, ``Type``, ``Name``, the whole-run ``Request Count`` and ``Failure
Count`` so far, then the window's (the last ``window_s`` seconds) ``Requests/s``, ``Failures/s`` and
response times ``50%``, ``95%``, ``99%``, ``99.9%``, ``Max Response Time`` (ms, from the HdrHistograms).

Bounded: a step is :data:`STEP_S` seconds and a run keeps at most :data:`MAX_STEPS` of them (past that
every other step goes and the step doubles), so the file holds at most ``MAX_STEPS`` x endpoints rows
(about 80 bytes each with 20-character names): a 1 h run at 100 endpoints keeps 720 steps, 5.8 MB; at 500
endpoints (the default endpoint cap), whatever the run's length, at most about 29 MB. Runs saved before
this file existed have none; reading is tolerant (a missing, special, oversized or malformed file gives no
rows, a bad row is left out).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from perfconsole.errors import StoreError
from perfconsole.store.safe_read import finite, read_text

STEPS_CSV = "endpoint_steps.csv"
STEP_S = 5
"""Seconds between two steps (until the run outgrows :data:`MAX_STEPS`)."""
MAX_STEPS = 720
"""Steps a run keeps: 1 h at 5 s; a longer run keeps every other one at 10 s, and so on."""
MAX_STEPS_BYTES = 64 * 2**20
"""Read no larger file: several times the largest this version writes at the default endpoint cap."""
COLUMNS = (
    "Elapsed (s)",
    "Type",
    "Name",
    "Request Count",
    "Failure Count",
    "Requests/s",
    "Failures/s",
    "50%",
    "95%",
    "99%",
    "99.9%",
    "Max Response Time",
)


@dataclass(frozen=True, slots=True)
class EndpointStep:
    """One endpoint's figures at one step: whole-run counts so far, window rates and percentiles (ms)."""

    elapsed_s: float
    method: str
    name: str
    requests: int
    failures: int
    rps: float
    fail_per_sec: float
    p50: float | None
    p95: float | None
    p99: float | None
    p999: float | None
    max: float | None

    @property
    def key(self) -> str:
        return f"{self.method} {self.name}".strip()


def _cell(value: float | None) -> str:
    return "" if value is None else f"{value:.4g}"


def step_lines(steps: Iterable[EndpointStep]) -> str:
    """The CSV rows (no header) of one step's endpoints."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for step in steps:
        writer.writerow(
            (
                f"{step.elapsed_s:.1f}",
                step.method,
                step.name,
                step.requests,
                step.failures,
                f"{step.rps:.2f}",
                f"{step.fail_per_sec:.2f}",
                *(_cell(v) for v in (step.p50, step.p95, step.p99, step.p999, step.max)),
            )
        )
    return out.getvalue()


def steps_csv(chunks: Iterable[str]) -> str:
    """The whole file: the header, then each step's rows as :func:`step_lines` gave them."""
    return ",".join(COLUMNS) + "\n" + "".join(chunks)


def _number(text: str) -> float | None:
    try:
        return finite(float(text)) if text else None
    except ValueError:
        return None


def _count(text: str) -> int | None:
    return int(text) if text.isdigit() else None


def _row(cells: list[str]) -> EndpointStep | None:
    if len(cells) != len(COLUMNS):
        return None
    elapsed, rps, fail = (_number(cells[i]) for i in (0, 5, 6))
    requests, failures = _count(cells[3]), _count(cells[4])
    if elapsed is None or rps is None or fail is None or requests is None or failures is None:
        return None
    if not cells[2]:
        return None
    p50, p95, p99, p999, pmax = (_number(text) for text in cells[7:])
    return EndpointStep(elapsed, cells[1], cells[2], requests, failures, rps, fail, p50, p95, p99, p999, pmax)


def read_steps(run_dir: Path) -> list[EndpointStep]:
    """The run's endpoint steps in file order (time order); empty when the run has none or the file cannot
    be read."""
    try:
        text = read_text(run_dir / STEPS_CSV, MAX_STEPS_BYTES)
    except StoreError:
        return []
    rows = csv.reader(io.StringIO(text))
    found: list[EndpointStep] = []
    try:
        if next(rows, None) != list(COLUMNS):
            return []
        for cells in rows:
            step = _row(cells)
            if step is not None:
                found.append(step)
    except csv.Error:  # a field past the csv module's limit, a NUL byte: the rows before it stay
        pass
    return found
