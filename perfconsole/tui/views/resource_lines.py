"""The resource panel's figure lines: generator, box, target, scraped metrics and limits (compact), with
per-process, per-core, target and connection detail on a wide panel.

Lines are lists of ``(text, role)`` spans (perfconsole.tui.text_layout); widgets map a role to a style, and
every mark also carries a symbol (``✓`` ``▲`` ``△`` ``!``) so it reads without colour.
"""

from __future__ import annotations

from perfconsole.model.resources import ProcessSample, ResourceSample
from perfconsole.model.run_warnings import WarningKind
from perfconsole.tui.formatting import cpu_bar, fmt_count, fmt_cpu, fmt_rss, fmt_trend
from perfconsole.tui.marks import WARNING_MARK
from perfconsole.tui.text_layout import HEAD_WIDTH, Line, Span, fields_line, fit_line, pack_spans
from perfconsole.tui.views.resource_limits import limit_lines
from perfconsole.tui.views.resource_state import ResourceState
from perfconsole.tui.views.saturation_banner import busy_generators

DETAIL_MIN_WIDTH = 100
"""From this width on the panel shows per-process, per-core and per-state detail."""
MAX_PROCESS_LINES = 8


def _process_item(process: ProcessSample, saturation_pct: float) -> Line:
    busy = (process.cpu_pct or 0.0) >= saturation_pct
    pid = f" pid {process.pid}" if process.pid is not None and str(process.pid) not in process.label else ""
    text = f"{process.label}{pid}  CPU {fmt_cpu(process.cpu_pct)}  RSS {fmt_rss(process.rss_bytes)}"
    return [(f"{WARNING_MARK} {text}" if busy else text, "bad" if busy else "")]


def generator_line(state: ResourceState, width: int) -> Line:
    sample = state.sample
    if sample is None or not sample.generator_processes:
        return fields_line("generator", [("not sampled yet", "dim")], width)
    processes = sample.generator_processes
    busiest = max(processes, key=lambda p: p.cpu_pct or 0.0)
    saturated = bool(busy_generators(state))
    busiest_text = f"busiest {fmt_cpu(busiest.cpu_pct)} {busiest.label}"
    return fields_line(
        "generator",
        [
            (f"{WARNING_MARK} {busiest_text}" if saturated else busiest_text, "bad" if saturated else ""),
            (f"total {fmt_cpu(sample.generator_cpu_pct)}", ""),
            (f"RSS {fmt_rss(sample.generator_rss_bytes)}", ""),
            (f"{len(processes)} proc", ""),
        ],
        width,
    )


def box_line(sample: ResourceSample | None, width: int, remote_target: bool = False) -> Line:
    """This machine's figures; with a target elsewhere, said to be the load generator's box."""
    if sample is None:
        return fields_line("box", [("not sampled yet", "dim")], width)
    system = sample.system
    cores = len(system.cpu_per_core_pct)
    whose: list[Span] = [("load generator's:", "dim")] if remote_target else []
    return fields_line(
        "box",
        whose
        + [
            (f"CPU {fmt_cpu(system.cpu_pct)} of {cores} core{'s' if cores != 1 else ''}", ""),
            (f"mem {fmt_cpu(system.memory_pct)}", ""),
            (f"swap {fmt_cpu(system.swap_pct)}", ""),
            (f"load {system.load_avg[0]:.2f}", ""),
        ],
        width,
    )


def target_line(state: ResourceState, width: int) -> Line:
    sample = state.sample
    target = sample.target if sample is not None else None
    if target is None and state.remote_target:
        why = [
            ("no process figures:", "dim"),
            (f"{state.remote_target} is not on this machine", "dim"),
            ("(its metrics: --metrics-url)", "dim"),
        ]
        return fields_line("target", why, width)
    if target is None:
        return fields_line(
            "target", [("not watched (--target-pid PID, --target-process NAME)", "dim")], width
        )
    fields: list[Span] = [(f"pid {target.pid}", "")] if target.pid is not None else []
    fields += [
        (f"CPU {fmt_cpu(target.cpu_pct)}", ""),
        (f"RSS {fmt_rss(target.rss_bytes)} {fmt_trend(state.rss_trend_mb_per_min)}", ""),
        (f"thr {fmt_count(target.threads)}", ""),
        (f"fds {fmt_count(target.open_fds)}", ""),
        (f"conn {fmt_count(target.connections)}", ""),
    ]
    if state.leak_suspected:
        fields.insert(2, (f"{WARNING_MARK} leak?", "bad"))
    return fields_line("target", fields, width)


def metrics_line(state: ResourceState, width: int) -> Line:
    sample = state.sample
    metrics = sample.metrics if sample is not None else {}
    if not metrics:
        failing = [w for w in state.warnings if w.kind is WarningKind.METRICS_UNAVAILABLE]
        if failing:
            return fields_line(
                "metrics", [(f"{WARNING_MARK} {failing[-1].text}"[: width - HEAD_WIDTH], "warn")], width
            )
        return fields_line("metrics", [("none scraped (--metrics-url URL)", "dim")], width)
    fields: list[Span] = []
    in_use, size = metrics.get("db_pool_in_use"), metrics.get("db_pool_size")
    if in_use is not None or size is not None:
        pct = sample.db_pool_pct if sample is not None else None
        share = f" ({pct:.0f}%)" if pct is not None else ""
        fields.append((f"db pool {fmt_count(in_use)}/{fmt_count(size)}{share}", ""))
    if "queue_depth" in metrics:
        fields.append((f"queue {fmt_count(metrics['queue_depth'])}", ""))
    if "requests_in_flight" in metrics:
        fields.append((f"in flight {fmt_count(metrics['requests_in_flight'])}", ""))
    if "server_rps" in metrics:
        fields.append((f"server {metrics['server_rps']:.1f} req/s", ""))
    known = {"db_pool_in_use", "db_pool_size", "queue_depth", "requests_in_flight", "server_rps"}
    fields.extend(
        (f"{role.replace('_', ' ')} {value:g}", "")
        for role, value in sorted(metrics.items())
        if role not in known
    )
    return fields_line("metrics", fields, width)


def resource_lines(state: ResourceState, width: int, detail: bool | None = None) -> list[Line]:
    """The panel's figures: one line each for generator, box, target, metrics and the limits (compact), or
    with per-process, per-core, target and connection detail (``detail``; default from ``width``)."""
    if detail is None:
        detail = width >= DETAIL_MIN_WIDTH
    if not state.sampling:
        return [[("resources are not sampled in this session", "dim")]]
    sample = state.sample
    indent = " " * HEAD_WIDTH
    lines: list[Line] = [generator_line(state, width)]
    if detail and sample is not None:
        processes = sample.generator_processes
        items = [_process_item(p, state.saturation_pct) for p in processes[:MAX_PROCESS_LINES]]
        if len(processes) > MAX_PROCESS_LINES:
            items.append([(f"+{len(processes) - MAX_PROCESS_LINES} more", "dim")])
        lines.extend(pack_spans("", items, width))
    lines.append(box_line(sample, width, remote_target=state.remote_target is not None))
    if detail and sample is not None and sample.system.cpu_per_core_pct:
        cores = [
            [(f"{index} {cpu_bar(pct)} {pct:3.0f}%", "bad" if pct >= state.saturation_pct else "")]
            for index, pct in enumerate(sample.system.cpu_per_core_pct)
        ]
        lines.extend(pack_spans("", cores, width))
    lines.append(target_line(state, width))
    if detail and sample is not None:
        if sample.target is not None:
            target = sample.target
            found = state.target_label or f"pid {target.pid}"
            tree = f", {target.process_count} processes" if target.process_count > 1 else ""
            peak = state.peaks.target_rss_bytes if state.peaks else None
            lines.append(fit_line([(indent, ""), (f"{found}{tree}; peak RSS {fmt_rss(peak)}", "dim")], width))
        if sample.target_connections:
            states = "  ".join(f"{name} {count}" for name, count in sorted(sample.target_connections.items()))
            total = sum(sample.target_connections.values())
            lines.append(fit_line([(indent, ""), (f"connections to target {total}: {states}", "")], width))
    lines.append(metrics_line(state, width))
    lines.extend(limit_lines(state, width, long=detail))
    return lines
