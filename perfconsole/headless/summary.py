"""Text for headless runs: the progress line and perfconsole's summary sections (after Locust's own
tables). Pure functions."""

from __future__ import annotations

from perfconsole.model.run import EndpointStats, RunResult, RunSnapshot
from perfconsole.store.arrival_text import arrival_lines
from perfconsole.store.corrected import corrected_lines
from perfconsole.store.stages_codec import stages_table

NAME_WIDTH = 40


def _ms(value: float | None) -> str:
    return "N/A" if value is None else f"{value:.0f}"


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return "--:--"
    seconds = max(0, int(round(seconds)))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def progress_line(snap: RunSnapshot) -> str:
    """One line for stderr: state, users, req/s, p95, errors (failed requests and task exceptions, as
    Locust's errors rule counts them), time left."""
    total = snap.total
    in_tasks = sum(e.count for e in snap.exceptions)
    errors = f"errors {total.num_failures + in_tasks} ({total.fail_ratio:.1%}"
    errors += f", {in_tasks} in tasks)" if in_tasks else ")"
    p95 = total.current.p95 if total.current.p95 is not None else total.cumulative.p95
    left = _clock(snap.remaining_s) if snap.duration_s else "until stopped"
    if snap.end_reason and not snap.state.is_live:
        left = f"ended: {snap.end_reason}"
    else:
        left = f"left {left}"
    stage = f" | {snap.stage}" if snap.stage else ""
    return (
        f"[{_clock(snap.elapsed_s)}] {snap.state.value} | users {snap.user_count}/{snap.target_user_count} | "
        f"{total.current_rps:.1f} req/s | p95 {_ms(p95)} ms | {errors} | {left}{stage}"
    )


def _name(entry: EndpointStats) -> str:
    text = f"{entry.method} {entry.name}".strip()
    return text if len(text) <= NAME_WIDTH else text[: NAME_WIDTH - 1] + "…"


def stats_table(snap: RunSnapshot) -> str:
    """Request stats and response-time percentiles from the snapshot (when Locust's own tables are not at
    hand), as text."""
    return request_table(snap) + "\n\n" + percentile_table(snap)


def request_table(snap: RunSnapshot) -> str:
    """Requests, failures, times and rates per endpoint and in total."""
    rows = [*snap.endpoints, snap.total]
    head = (
        f"{'Type Name':<{NAME_WIDTH}} {'# reqs':>8} {'# fails':>14} | {'Avg':>7} {'Min':>7} {'Max':>7} "
        f"{'Med':>7} | {'req/s':>8} {'failures/s':>10}"
    )
    lines = [head, "-" * len(head)]
    for entry in rows:
        if entry is snap.total:
            lines.append("-" * len(head))
        fails = f"{entry.num_failures}({entry.fail_ratio * 100:.2f}%)"
        lines.append(
            f"{_name(entry):<{NAME_WIDTH}} {entry.num_requests:>8} {fails:>14} | {entry.avg_ms:>7.0f} "
            f"{_ms(entry.min_ms):>7} {entry.max_ms:>7.0f} {entry.median_ms:>7.0f} | "
            f"{entry.total_rps:>8.2f} {entry.total_fail_per_sec:>10.2f}"
        )
    return "\n".join(lines)


def percentile_table(snap: RunSnapshot) -> str:
    """perfconsole's percentiles (HdrHistogram) per endpoint and in total."""
    rows = [*snap.endpoints, snap.total]
    lines: list[str] = []
    head2 = (
        f"{'Type Name':<{NAME_WIDTH}} {'50%':>7} {'90%':>7} {'95%':>7} {'99%':>7} {'99.9%':>7} {'100%':>7} "
        f"{'# reqs':>8}"
    )
    lines += ["Response time percentiles (HdrHistogram, 3 significant digits)", head2, "-" * len(head2)]
    for entry in rows:
        if entry is snap.total:
            lines.append("-" * len(head2))
        c = entry.cumulative
        lines.append(
            f"{_name(entry):<{NAME_WIDTH}} {_ms(c.p50):>7} {_ms(c.p90):>7} {_ms(c.p95):>7} {_ms(c.p99):>7} "
            f"{_ms(c.p999):>7} {_ms(c.max):>7} {entry.num_requests:>8}"
        )
    return "\n".join(lines)


def validity_lines(result: RunResult) -> list[str]:
    """``Validity: valid`` or ``Validity: invalid: ...``, and each invalid stage."""
    if result.validity is None:
        return []
    lines = [f"Validity: {result.validity.run.text}"]
    labels = {stage.index: stage.label for stage in result.stages}
    lines += [
        f"  stage {index} ({labels.get(index, '?')}): {v.text}"
        for index, v in result.validity.stages
        if not v.valid and len(result.stages) > 1
    ]
    return lines


def summary_text(
    result: RunResult,
    run_dir: str | None,
    resource_lines: list[str] | None = None,
    locust_tables: list[str] | None = None,
) -> str:
    """The final summary: Locust's own end-of-run tables (``locust_tables``; else the snapshot's), then
    perfconsole's sections: HdrHistogram percentiles, stages, resource peaks, thresholds, warnings and where
    the files are."""
    if locust_tables:
        parts = [*locust_tables, percentile_table(result.final), ""]
    else:
        parts = [stats_table(result.final), ""]
    corrected = corrected_lines(result.final)
    if corrected:
        parts += [*corrected, ""]
    if len(result.stages) > 1:
        parts += [*stages_table(result.stages), ""]
    arrival = arrival_lines(result)
    if arrival:
        parts += [*arrival, ""]
    if resource_lines:
        parts += ["Resources (peaks)", *[f"  {line}" for line in resource_lines], ""]
    if result.thresholds:
        verdict = "all met" if result.thresholds_passed else "FAILED"
        parts.append(f"Thresholds: {verdict}")
        parts += [
            f"  {t.describe()}" for t in result.thresholds if not t.passed or len(result.thresholds) <= 12
        ]
    parts += validity_lines(result)
    if result.soak is not None:
        parts.append(f"Soak: {result.soak.text}")
        parts += [f"  {t.text} (limit {t.limit:g} {t.unit})" for t in result.soak.trends]
    for warning in result.warnings:
        parts.append(f"WARNING: {warning.text}")
    if result.end is not None and not result.interrupted:
        parts.append(f"Run ended: {result.end.reason}")
    if result.interrupted:
        parts.append("Run interrupted: results so far were written.")
    if run_dir:
        parts.append(f"Results: {run_dir}")
    return "\n".join(parts)
