"""Measured and coordinated-omission corrected percentiles side by side, as text (summary, detail view)."""

from __future__ import annotations

from perfconsole.model.run import EndpointStats, RunSnapshot

TITLE = "Coordinated omission (paced users, arrival rate): measured / corrected, ms"
NAME_WIDTH = 24


def _ms(value: float | None) -> str:
    if value is None:
        return "N/A"
    return f"{value:.0f}" if value >= 100 else f"{value:.1f}"


def _line(e: EndpointStats) -> str:
    assert e.corrected is not None
    name = e.key if len(e.key) <= NAME_WIDTH else e.key[: NAME_WIDTH - 1] + "…"
    pairs = [
        f"{label} {_ms(e.cumulative.get(label)):>5}/{_ms(e.corrected.get(label)):<5}"
        for label in ("p50", "p95", "p99")
    ]
    return f"  {name:<{NAME_WIDTH}} " + " ".join(pairs)


def corrected_lines(snapshot: RunSnapshot) -> list[str]:
    """The title and one line an endpoint with corrected figures (total last): paced users' expected-interval
    correction, or in arrival-rate mode the time from the scheduled start; none without either."""
    rows = [e for e in (*snapshot.endpoints, snapshot.total) if e.corrected is not None]
    return [TITLE, *(_line(e) for e in rows)] if rows else []
