"""The sweep before every command that writes the store (runs, the console, baseline save and delete):
crash leftovers recovered, kept aside or removed.

Stale staging directories in the runs directory (perfconsole.store.sweep) and worker logs in the temp
directory (perfconsole.engine.workers.logs); what was done is reported in one line each.
"""

from __future__ import annotations

from pathlib import Path

from perfconsole.engine.workers.logs import remove_stale_worker_logs
from perfconsole.store.sweep import sweep_runs_dir


def sweep_leftovers(runs_dir: Path, temp_dir: Path | None = None) -> list[str]:
    """Sweep; return report lines (empty when there was nothing to do). Never raises."""
    report = sweep_runs_dir(runs_dir)
    logs = remove_stale_worker_logs(temp_dir)
    lines = [f"recovered {name} (a crash had stopped its save at the last step)" for name in report.recovered]
    if report.set_aside:
        aside, why = report.set_aside[0]
        more = f" and {len(report.set_aside) - 1} more like it" if len(report.set_aside) > 1 else ""
        lines.append(
            f"kept aside {aside}{more} (a save killed before it was complete: {why}); "
            "not listed, remove when done"
        )
    if report.removed:
        megabytes = report.removed_bytes / (1024 * 1024)
        lines.append(
            f"removed {len(report.removed)} stale staging entr{'y' if len(report.removed) == 1 else 'ies'} "
            f"({megabytes:.1f} MB) left in {runs_dir} by killed saves"
        )
    if logs:
        lines.append(f"removed {len(logs)} worker log(s) left in {logs[0].parent} by killed runs")
    return lines
