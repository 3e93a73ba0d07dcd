"""How the master splits the target rate across workers: by what each one achieves. Pure.

A split is each worker's fraction of the target (they sum to 1). It starts even (``even``); every few
seconds the master compares what each worker started with what its fraction asked for over the same whole
seconds (``Load``) and moves rate from the workers that fell short to those that kept up (``rebalance``):
on a machine shared with the target, one worker process may get less CPU than the other, and an even
split then holds the whole run to twice the slower one's rate while the other has headroom.

- A worker is short when it started less than ``1 - SHORT`` of what it was asked for in two windows in a
  row (one short window is as often a stall of the machine, caught up in the next). Its new fraction is
  what it achieved over both less ``HEADROOM`` (so it catches up its backlog instead of lagging at its
  limit), never below ``MIN_EVEN`` of an even share; the fractions taken from the short workers go to the
  others in proportion to their fractions.
- Every worker short (the generator or the target is the limit, not the split): fractions in proportion to
  what each achieved.
- No worker short: each fraction moves back towards even by at most ``RELAX`` of the target, so a worker
  that was slow for a moment gets its share back and the split follows the machine when the load on it
  moves; near a worker's limit that probes it by small steps (one short check costs a little lag, no drop).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

SHORT = 0.02
"""A worker that started less than 98 % of what it was asked for is short."""
HEADROOM = 0.05
"""A short worker is asked for 5 % less than it achieved."""
RELAX = 0.01
"""With no worker short, each fraction moves at most this much (of the whole target) back towards even."""
MIN_EVEN = 0.2
"""No fraction goes below this much of an even share (a worker that achieved nothing gets the stale
check's verdict, not a share of 0)."""
MIN_ASKED = 200.0
"""Windows in which a worker was asked for fewer iterations are too small to judge: no change."""
CHANGE = 0.005
"""A new split is sent only when some fraction moved by more than this (of the whole target)."""


@dataclass(frozen=True, slots=True)
class Load:
    """One worker over the window: iterations its fraction asked for, and those it started."""

    asked: float
    started: int

    @property
    def achieved(self) -> float:
        """Started per asked (1: kept up)."""
        return self.started / self.asked if self.asked > 0 else 1.0


def even(nodes: Sequence[str]) -> dict[str, float]:
    """Equal fractions (exactly 1.0 for a single worker)."""
    return {node: 1.0 / len(nodes) for node in nodes} if nodes else {}


def rebalance(
    fractions: Mapping[str, float], loads: Mapping[str, Load], before: Mapping[str, Load] | None = None
) -> dict[str, float] | None:
    """The next split from the current ``fractions``, each worker's ``loads`` over the last window and
    ``before`` over the window before it (the same fractions; None: the first window since they were set);
    None: keep the current split (no change worth sending, too few iterations to judge, a worker not judged,
    or a worker short in this window only)."""
    nodes = sorted(fractions)
    if len(nodes) < 2 or any(n not in loads for n in nodes):
        return None
    if any(loads[n].asked < MIN_ASKED for n in nodes):
        return None
    floor = MIN_EVEN / len(nodes)
    short_now = [n for n in nodes if loads[n].achieved < 1.0 - SHORT]
    if short_now:
        if before is None or any(n not in before or before[n].achieved >= 1.0 - SHORT for n in short_now):
            return None  # short in this window only: wait for the next
        loads = {
            n: Load(loads[n].asked + before[n].asked, loads[n].started + before[n].started) for n in nodes
        }
    short = [n for n in nodes if loads[n].achieved < 1.0 - SHORT]
    if len(short) == len(nodes):
        done = {n: fractions[n] * loads[n].achieved for n in nodes}
        total = sum(done.values())
        new = {n: done[n] / total for n in nodes} if total > 0 else even(nodes)
    elif short:
        new = {n: max(floor, fractions[n] * loads[n].achieved * (1.0 - HEADROOM)) for n in short}
        rest = 1.0 - sum(new.values())
        keeping = sum(fractions[n] for n in nodes if n not in new)
        for n in nodes:
            if n not in new:
                new[n] = rest * fractions[n] / keeping
    else:
        new = {n: fractions[n] + max(-RELAX, min(RELAX, 1.0 / len(nodes) - fractions[n])) for n in nodes}
    new = _bounded(new, floor)
    if max(abs(new[n] - fractions[n]) for n in nodes) <= CHANGE:
        return None
    return new


def _bounded(fractions: dict[str, float], floor: float) -> dict[str, float]:
    """Every fraction at least ``floor``, the whole summing to 1."""
    raised = {n: max(floor, f) for n, f in fractions.items()}
    total = sum(raised.values())
    return {n: f / total for n, f in raised.items()}
