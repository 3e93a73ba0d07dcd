"""Pure rendering of resource samples for the console: figure lines, live limit marks, the saturation banner
and the resource charts (no Textual; tested on hand-built samples).

Lines are lists of ``(text, role)`` spans; widgets map a role to a style, and every mark also carries a
symbol (``✓`` ``▲`` ``△`` ``!``) so it reads without colour.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from perfconsole.config import ResourceThresholds
from perfconsole.model.resources import ProcessSample, ResourceSample
from perfconsole.model.run import Annotation
from perfconsole.model.run_warnings import RunWarning, WarningKind
from perfconsole.resources.saturation import saturation_warning
from perfconsole.resources.summary import ResourcePeaks
from perfconsole.tui.chart import ChartData, chart_t_end, time_chart
from perfconsole.tui.formatting import MISSING, fmt_bytes, fmt_duration
from perfconsole.tui.marks import BREACH_MARK, OK_MARK, PAST_BREACH_MARK, WARNING_MARK
from perfconsole.tui.render import annotation_mark

if TYPE_CHECKING:
    from perfconsole.resources.monitor import ResourceMonitor
    from perfconsole.tui.session_api import ConsoleSession

MB = 2**20


DETAIL_MIN_WIDTH = 100
"""From this width on the panel shows per-process, per-core and per-state detail."""
MAX_PROCESS_LINES = 8
HEAD_WIDTH = 11
"""Width of the ``generator`` / ``box`` / ``target`` ... labels in front of each line."""

Span = tuple[str, str]
"""``(text, role)``; roles: ``head``, ``ok``, ``bad``, ``warn``, ``dim`` or ``""`` (plain)."""
Line = list[Span]


@dataclass(frozen=True, slots=True)
class ResourceState:
    """Everything the resource panel and banner show, gathered from the session at one instant."""

    sample: ResourceSample | None
    limits: ResourceThresholds = field(default_factory=ResourceThresholds)
    peaks: ResourcePeaks | None = None
    samples: tuple[ResourceSample, ...] = ()
    """This run's samples, oldest first (only gathered when charts are drawn)."""
    rss_trend_mb_per_min: float | None = None
    leak_suspected: bool = False
    target_label: str | None = None
    """How the target was found, e.g. ``pid 123 (python3), listening on port 8000``."""
    saturation_pct: float = 90.0
    saturated_labels: frozenset[str] | None = None
    """Generator processes in a saturation episode now (the detector's hysteresis); None: judge by CPU."""
    annotations: tuple[Annotation, ...] = ()
    warnings: tuple[RunWarning, ...] = ()
    sampling: bool = True
    """False when the session samples no resources at all."""
    remote_target: str | None = None
    """The target's host when it is not on this machine (its process cannot be seen from here)."""


def current_run(samples: Sequence[ResourceSample]) -> tuple[ResourceSample, ...]:
    """The samples since the run clock last restarted (a new run after a stop starts again at 0 s)."""
    start = 0
    for index in range(1, len(samples)):
        if samples[index].elapsed_s < samples[index - 1].elapsed_s:
            start = index
    return tuple(samples[start:])


def state_from_session(session: ConsoleSession, *, with_samples: bool = False) -> ResourceState:
    """Read the session's ``resource_sample``, ``monitor``, ``warnings`` and ``annotations`` (a session
    without resource sampling gives an empty state)."""
    monitor = session.monitor
    sample = session.resource_sample
    annotations = session.annotations
    warnings = session.warnings
    if monitor is None:
        return ResourceState(sample, annotations=annotations, warnings=warnings, sampling=sample is not None)
    history = monitor.history
    fit = history.target_rss_trend()
    options = monitor.options
    detector = monitor.detector
    return ResourceState(
        sample=sample if sample is not None else history.last,
        limits=options.limits,
        peaks=history.peaks(),
        samples=current_run(history.samples) if with_samples else (),
        rss_trend_mb_per_min=fit.slope if fit is not None else None,
        leak_suspected=history.leak_suspected(),
        target_label=history.target_label,
        saturation_pct=options.saturation_pct,
        saturated_labels=detector.saturated,
        annotations=annotations,
        warnings=warnings,
        remote_target=remote_target_host(monitor),
    )


def remote_target_host(monitor: ResourceMonitor) -> str | None:
    """The target's host name if the monitor's target address is not on this machine, else None."""
    address = monitor.address
    if address is None or address.is_local:
        return None
    return str(address.host)


# ----------------------------------------------------------------------------------- small formatting
def fmt_cpu(value: float | None) -> str:
    return MISSING if value is None else f"{value:.0f}%"


def fmt_rss(value: float | int | None) -> str:
    return MISSING if value is None else fmt_bytes(int(value))


def fmt_count(value: float | int | None) -> str:
    return MISSING if value is None else f"{value:g}"


def fmt_trend(mb_per_min: float | None) -> str:
    return MISSING if mb_per_min is None else f"{mb_per_min:+.2f} MB/min"


def cpu_bar(pct: float, width: int = 10) -> str:
    """``████░░░░░░`` for a 0-100 % value (clamped)."""
    filled = round(max(0.0, min(100.0, pct)) / 100 * width)
    return "█" * filled + "░" * (width - filled)


def fit_line(line: Line, width: int) -> Line:
    """Cut a line at ``width`` characters (spans past the edge are dropped or shortened)."""
    out: Line = []
    room = max(0, width)
    for text, role in line:
        if room <= 0:
            break
        out.append((text[:room], role))
        room -= len(text)
    return out


def line_text(line: Line) -> str:
    return "".join(text for text, _ in line)


def pack_spans(head: str, items: Sequence[Line], width: int, head_width: int = HEAD_WIDTH) -> list[Line]:
    """Items after a head label, packed into as many lines as ``width`` needs (an item never splits)."""
    lines: list[Line] = []
    current: Line = [(head.ljust(head_width), "head")]
    used = head_width
    for item in items:
        size = len(line_text(item))
        if used > head_width and used + 2 + size > width:
            lines.append(current)
            current, used = [(" " * head_width, "")], head_width
        if used > head_width:
            current.append(("  ", ""))
            used += 2
        current.extend(item)
        used += size
    lines.append(current)
    return [fit_line(line, width) for line in lines]


# ----------------------------------------------------------------------------------- saturation banner
@dataclass(frozen=True, slots=True)
class Banner:
    text: str
    active: bool
    """True while a generator process is saturated now; False: it happened earlier in this run (dimmed)."""


def busy_generators(state: ResourceState) -> list[ProcessSample]:
    """Generator processes saturated now, busiest first."""
    sample = state.sample
    if sample is None:
        return []
    if state.saturated_labels is not None:
        busy = [p for p in sample.generator_processes if p.label in state.saturated_labels]
    else:
        busy = [p for p in sample.generator_processes if (p.cpu_pct or 0.0) >= state.saturation_pct]
    return sorted(busy, key=lambda p: -(p.cpu_pct or 0.0))


def saturation_episodes(state: ResourceState) -> list[tuple[Annotation, RunWarning]]:
    """Each saturation episode of the run: the warning annotation pinned when it began, and its warning."""
    raised = {w.text: w for w in state.warnings if w.kind is WarningKind.SATURATION}
    return [(a, raised[a.text]) for a in state.annotations if a.kind == "warning" and a.text in raised]


def saturation_banner(state: ResourceState) -> Banner | None:
    """The banner while any generator process is saturated; dimmed once it happened in this run; else None."""
    busy = busy_generators(state)
    if busy:
        top = busy[0]
        more = f" (+{len(busy) - 1} more)" if len(busy) > 1 else ""
        reason = saturation_warning(top.label, top.cpu_pct or 0.0, state.saturation_pct)
        return Banner(f"{WARNING_MARK} {reason}{more}", active=True)
    past = saturation_episodes(state)
    if past:
        last, warning = past[-1]
        what = warning.detail or warning.text
        episodes = f"{len(past)} episodes, last" if len(past) > 1 else "once,"
        return Banner(
            f"{WARNING_MARK} generator saturated {episodes} at {fmt_duration(last.elapsed_s)}: {what} - "
            f"figures around then are unreliable (not saturated now)",
            active=False,
        )
    return None


# ----------------------------------------------------------------------------------- limits, live
@dataclass(frozen=True, slots=True)
class LimitMark:
    """One resource limit against the latest sample (live) and the run's peak (what the verdict uses)."""

    metric: str
    """``target_cpu_pct``, ``memory_pct``, ``db_pool_pct`` or ``queue_depth`` (perfconsole.resources)."""
    short: str
    name: str
    limit: float
    now: float | None
    peak: float | None
    unit: str

    @property
    def broken_now(self) -> bool:
        return self.now is not None and self.now >= self.limit

    @property
    def broken_earlier(self) -> bool:
        return self.peak is not None and self.peak >= self.limit

    @property
    def symbol(self) -> str:
        if self.broken_now:
            return BREACH_MARK
        if self.broken_earlier:
            return PAST_BREACH_MARK
        return OK_MARK if self.now is not None or self.peak is not None else "·"

    @property
    def role(self) -> str:
        if self.broken_now:
            return "bad"
        if self.broken_earlier:
            return "warn"
        return "ok" if self.now is not None or self.peak is not None else "dim"

    def text(self, long: bool = False) -> str:
        def value(v: float | None) -> str:
            return "n/a" if v is None else f"{v:.0f}{self.unit}"

        label = self.name if long else self.short
        text = f"{self.symbol} {label} {value(self.now)} <{self.limit:g}{self.unit}"
        if self.broken_earlier and not self.broken_now:
            text += f" peak {value(self.peak)}"
        return text


def limit_marks(state: ResourceState) -> list[LimitMark]:
    """One mark per configured limit: target CPU (peak: sustained), memory, DB pool and queue depth."""
    sample, peaks, limits = state.sample, state.peaks, state.limits
    now_target_cpu = sample.target.cpu_pct if sample is not None and sample.target is not None else None
    rows: list[tuple[str, str, str, float | None, float | None, float | None, str]] = [
        (
            "target_cpu_pct",
            "cpu",
            "target CPU",
            limits.target_cpu_pct,
            now_target_cpu,
            peaks.target_cpu_sustained_pct if peaks else None,
            "%",
        ),
        (
            "memory_pct",
            "mem",
            "memory",
            limits.memory_pct,
            sample.system.memory_pct if sample is not None else None,
            peaks.memory_pct if peaks else None,
            "%",
        ),
        (
            "db_pool_pct",
            "pool",
            "DB pool",
            limits.db_pool_pct,
            sample.db_pool_pct if sample is not None else None,
            peaks.db_pool_pct if peaks else None,
            "%",
        ),
        (
            "queue_depth",
            "queue",
            "queue depth",
            limits.queue_depth,
            sample.metrics.get("queue_depth") if sample is not None else None,
            peaks.metrics.get("queue_depth") if peaks else None,
            "",
        ),
    ]
    return [
        LimitMark(metric, short, name, limit, now, peak, unit)
        for metric, short, name, limit, now, peak, unit in rows
        if limit is not None
    ]


# ----------------------------------------------------------------------------------- figure lines
def _process_item(process: ProcessSample, saturation_pct: float) -> Line:
    busy = (process.cpu_pct or 0.0) >= saturation_pct
    pid = f" pid {process.pid}" if process.pid is not None and str(process.pid) not in process.label else ""
    text = f"{process.label}{pid}  CPU {fmt_cpu(process.cpu_pct)}  RSS {fmt_rss(process.rss_bytes)}"
    return [(f"{WARNING_MARK} {text}" if busy else text, "bad" if busy else "")]


def fields_line(head: str, fields: Sequence[Span], width: int) -> Line:
    """A head label and fields two spaces apart; fields that would pass ``width`` are left out whole
    (a figure is never cut in the middle)."""
    line: Line = [(head.ljust(HEAD_WIDTH), "head")]
    used = HEAD_WIDTH
    for index, (text, role) in enumerate(fields):
        gap = "  " if index else ""
        if used + len(gap) + len(text) > width:
            break
        if gap:
            line.append((gap, ""))
        line.append((text, role))
        used += len(gap) + len(text)
    return line


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


def limit_lines(state: ResourceState, width: int, long: bool = False) -> list[Line]:
    marks = limit_marks(state)
    if not marks:
        return [fit_line([("limits".ljust(11), "head"), ("none configured", "dim")], width)]
    return pack_spans("limits", [[(mark.text(long), mark.role)] for mark in marks], width)


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


# ----------------------------------------------------------------------------------- charts
def resource_charts(
    samples: Sequence[ResourceSample],
    marks: Sequence[tuple[float, str]] = (),
    minimum_span_s: float = 30.0,
) -> tuple[ChartData, ChartData, ChartData, ChartData]:
    """CPU (busiest generator process and target), target RSS, DB pool in use vs size and queue depth.

    Titles stay short (a chart can be 18 columns wide at 80x24); the figures lines carry the detail.
    """
    times = [s.elapsed_s for s in samples]
    t_end = chart_t_end([*times, *(t for t, _ in marks)], minimum_span_s)
    generator = [s.generator_max_cpu_pct if s.generator_processes else None for s in samples]
    target_cpu = [s.target.cpu_pct if s.target is not None else None for s in samples]
    rss = [
        s.target.rss_bytes / MB if s.target is not None and s.target.rss_bytes is not None else None
        for s in samples
    ]
    pool_use = [s.metrics.get("db_pool_in_use") for s in samples]
    pool_size = [s.metrics.get("db_pool_size") for s in samples]
    queue = [s.metrics.get("queue_depth") for s in samples]

    def last(column: Sequence[float | None]) -> float | None:
        return next((v for v in reversed(column) if v is not None), None)

    def num(value: float | None, unit: str = "") -> str:
        return MISSING if value is None else f"{value:.0f}{unit}"

    return (
        time_chart(
            "CPU%",
            times,
            [("gen", generator), ("target", target_cpu)],
            marks,
            t_end,
            latest=f"gen{num(last(generator))} tgt{num(last(target_cpu))}",
            floor=100.0,
        ),
        time_chart("target RSS MB", times, [("RSS", rss)], marks, t_end, fill=True, latest=num(last(rss))),
        time_chart(
            "DB pool",
            times,
            [("in use", pool_use), ("size", pool_size)],
            marks,
            t_end,
            latest=f"{num(last(pool_use))}/{num(last(pool_size))}",
        ),
        time_chart(
            "queue depth", times, [("queue", queue)], marks, t_end, fill=True, latest=num(last(queue))
        ),
    )


def chart_marks(annotations: Sequence[Annotation]) -> list[tuple[float, str]]:
    """Annotation marks for the time axis (``!`` for warnings, the dashboard's letters otherwise)."""
    return [(a.elapsed_s, annotation_mark(a.kind)) for a in annotations]
