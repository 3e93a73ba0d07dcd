"""The arrival-rate mode's messages between the master and its workers (Locust's custom messages; with
``--workers 0`` Locust's LocalRunner delivers them in process)."""

from __future__ import annotations

SHARE = "perfconsole_arrival_share"
"""Master to worker: ``{"curve": [[start_s, end_s|None, rate_from, rate_to], ...] | None, "now_s": run time
when sent, "ceiling": this worker's share of --max-users, "poisson": bool}``; ``curve`` None: leave the
mode."""
REPORT = "perfconsole_arrival_report"
"""Worker to master, each second: ``{"seconds": [[second, started, dropped, lag_flat, lag_max_us], ...],
"pool": users, "busy": users in an iteration, "backlog": iterations waiting for a user, "at": wall-clock
time when sent (the seconds before it are complete)}``."""
GROW = "perfconsole_arrival_grow"
"""Worker to master: ``{"need": users}``: no idle user at a scheduled time, the pool is below its ceiling."""
REPORT_INTERVAL_S = 1.0
