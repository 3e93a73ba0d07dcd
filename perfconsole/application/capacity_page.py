"""A capacity search as a self-contained web page: ``capacity.html`` beside the run (the knee chart as inline
SVG, the answers, every step), and the same chart as a section added to Locust's ``report.html``. Pure but for
:func:`write_capacity_page`.

No scripts, fonts or files fetched: the page opens offline, as the run directory is copied around.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from perfconsole.application.knee_chart import KneeChart, axis_value, knee_chart
from perfconsole.model.capacity import CapacityResult

CAPACITY_HTML = "capacity.html"
SECTION_ID = "perfconsole-capacity"
WIDTH, HEIGHT = 720, 360
LEFT, RIGHT, TOP, BOTTOM = 64, 72, 36, 56
PLOT_W, PLOT_H = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
RPS_COLOUR, P95_COLOUR = "#1f6fb2", "#d9822b"
PASS_COLOUR, FAIL_COLOUR, MARK_COLOUR = "#2e8b47", "#c62828", "#666666"
TICKS = 4


def _x(chart: KneeChart, level: float) -> float:
    return LEFT + chart.x(level) * PLOT_W


def _y(fraction: float) -> float:
    return TOP + (1 - fraction) * PLOT_H


def _text(x: float, y: float, text: str, anchor: str = "middle", colour: str = "#333333") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="{colour}" font-size="12">'
        f"{escape(text)}</text>"
    )


def _axes(chart: KneeChart) -> list[str]:
    parts = [
        f'<rect x="{LEFT}" y="{TOP}" width="{PLOT_W}" height="{PLOT_H}" fill="none" stroke="#bbbbbb"/>',
    ]
    for tick in range(TICKS + 1):
        fraction = tick / TICKS
        x, y = LEFT + fraction * PLOT_W, _y(fraction)
        parts.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{LEFT + PLOT_W}" y2="{y:.1f}" stroke="#eeeeee"/>')
        parts.append(_text(x, TOP + PLOT_H + 16, axis_value(chart.level_top * fraction)))
        parts.append(_text(LEFT - 6, y + 4, axis_value(chart.rps_top * fraction), "end", RPS_COLOUR))
        parts.append(
            _text(LEFT + PLOT_W + 6, y + 4, axis_value(chart.p95_top * fraction), "start", P95_COLOUR)
        )
    parts += [
        _text(LEFT + PLOT_W / 2, HEIGHT - 12, f"offered load ({chart.unit.strip()})"),
        _text(LEFT, TOP - 12, "achieved req/s", "start", RPS_COLOUR),
        _text(LEFT + PLOT_W, TOP - 12, "p95 ms", "end", P95_COLOUR),
    ]
    return parts


def _marks(chart: KneeChart) -> list[str]:
    parts = []
    for level, label, dash in ((chart.capacity, "SLO capacity", "6 4"), (chart.knee, "knee", "2 4")):
        if level is None:
            continue
        x = _x(chart, level)
        parts.append(
            f'<line x1="{x:.1f}" y1="{TOP}" x2="{x:.1f}" y2="{TOP + PLOT_H}" stroke="{MARK_COLOUR}" '
            f'stroke-dasharray="{dash}"/>'
        )
        parts.append(_text(x + 4, TOP + 14 + (14 if label == "knee" else 0), f"{label} {level:g}", "start"))
    return parts


def _lines(chart: KneeChart) -> list[str]:
    rps = [(_x(chart, p.level), _y(chart.y_rps(p.rps))) for p in chart.points]
    p95 = [(_x(chart, p.level), _y(chart.y_p95(p.p95_ms))) for p in chart.points if p.p95_ms is not None]
    parts = []
    for coords, colour in ((rps, RPS_COLOUR), (p95, P95_COLOUR)):
        if coords:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
    for point in chart.points:
        colour = PASS_COLOUR if point.passed else FAIL_COLOUR
        verdict = "pass" if point.passed else "fail"
        x = _x(chart, point.level)
        tip = f"step {point.step}: {point.level:g}{chart.unit}, {point.rps:.0f} req/s"
        if point.p95_ms is not None:
            tip += f", p95 {point.p95_ms:.0f} ms"
            parts.append(
                f'<rect x="{x - 3.5:.1f}" y="{_y(chart.y_p95(point.p95_ms)) - 3.5:.1f}" width="7" height="7" '
                f'fill="{colour}"><title>{escape(tip)} ({verdict})</title></rect>'
            )
        parts.append(
            f'<circle cx="{x:.1f}" cy="{_y(chart.y_rps(point.rps)):.1f}" r="4" fill="{colour}">'
            f"<title>{escape(tip)} ({verdict})</title></circle>"
        )
    return parts


def knee_svg(chart: KneeChart) -> str:
    """The knee chart as one ``<svg>`` element: req/s (left axis) and p95 (right axis) over the offered load,
    a dot per level (green: passed, red: failed), the SLO capacity and the knee as dashed lines."""
    body = "\n".join([*_axes(chart), *_marks(chart), *_lines(chart)])
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" '
        f'height="{HEIGHT}" font-family="sans-serif" role="img" aria-label="knee chart">\n{body}\n</svg>'
    )


def _answers(result: CapacityResult) -> list[str]:
    lines = [result.answer]
    if result.knee is not None:
        lines.append(result.knee.text)
    if result.binding is not None:
        lines.append(f"binding limit: {result.binding.text}")
    if result.slo:
        lines.append(f"judged by: {result.slo}")
    lines += result.notes
    return [f"<p>{escape(line)}</p>" for line in lines]


def capacity_section(result: CapacityResult, link: bool = False) -> str:
    """The search's answers and knee chart as one ``<section>`` (``link``: to capacity.html's steps)."""
    chart = knee_chart(result)
    parts = [
        f'<section id="{SECTION_ID}" style="font-family: sans-serif; margin: 1em; color: #222; '
        'background: #fff; padding: 1em;">',
        f"<h2>Capacity search ({escape(str(result.mode))}, {escape(str(result.state))})</h2>",
        *_answers(result),
        knee_svg(chart) if chart is not None else "<p>no step was measured</p>",
    ]
    if link:
        parts.append(f'<p><a href="{CAPACITY_HTML}">every step</a></p>')
    parts.append("</section>")
    return "\n".join(parts)


def steps_table(result: CapacityResult) -> str:
    """Every step, in the order held: phase, offered, achieved, p95, verdict and why."""
    head = "<tr><th>step</th><th>phase</th><th>offered</th><th>req/s</th><th>p95 ms</th><th>verdict</th>"
    rows = [head + "<th>why</th></tr>"]
    for step in result.steps:
        why = "; ".join([*step.invalid, *(b.text for b in step.breaches)])
        p95 = f"{step.p95_ms:.0f}" if step.p95_ms is not None else "-"
        cells = (step.index, step.phase, f"{step.level:g}{result.mode.unit}", f"{step.rps:.1f}", p95)
        rows.append(
            "<tr>"
            + "".join(f"<td>{escape(str(cell))}</td>" for cell in cells)
            + f"<td>{escape(step.verdict)}</td><td>{escape(why)}</td></tr>"
        )
    return (
        '<table border="1" cellpadding="4" style="border-collapse: collapse;">\n'
        + "\n".join(rows)
        + "\n</table>"
    )


def capacity_page(result: CapacityResult, title: str = "capacity search") -> str:
    """``capacity.html``: the section and every step's figures."""
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(title)}</title>\n</head>\n<body>\n{capacity_section(result)}\n"
        f'<section style="font-family: sans-serif; margin: 1em;">\n<h2>Steps</h2>\n{steps_table(result)}\n'
        "</section>\n</body>\n</html>\n"
    )


def with_section(report_html: str, section: str) -> str:
    """Locust's report with ``section`` before its ``</body>`` (after the report's own page), once."""
    if f'id="{SECTION_ID}"' in report_html:
        return report_html
    at = report_html.rfind("</body>")
    if at < 0:
        return report_html + section
    return report_html[:at] + section + "\n" + report_html[at:]


def write_capacity_page(
    directory: Path, result: CapacityResult, report_name: str = "report.html"
) -> list[Path]:
    """Write ``capacity.html`` into ``directory`` (a run's staging directory) and add the section to its
    Locust report when there is one; return the paths written."""
    page = directory / CAPACITY_HTML
    page.write_text(capacity_page(result), encoding="utf-8")
    written = [page]
    report = directory / report_name
    if report.is_file():
        report.write_text(with_section(report.read_text(encoding="utf-8"), capacity_section(result, True)))
        written.append(report)
    return written
