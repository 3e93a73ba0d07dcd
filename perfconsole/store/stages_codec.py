"""Stats per stage in saved runs (``data.json``, the JSON summary, ``stages.csv``).

Reading is tolerant: a stage entry that is not what this module writes is left out, never fatal (runs saved
before stages existed have none).
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Mapping
from typing import Any

from perfconsole.model.run import Percentiles
from perfconsole.model.stages import StageStats
from perfconsole.store.arrival_codec import figures_from_dict, figures_to_dict

STAGES_CSV = "stages.csv"
LABELS = ("p50", "p90", "p95", "p99", "p99.9", "max")
CSV_COLUMNS = [
    "Stage",
    "Label",
    "Kind",
    "Start (s)",
    "End (s)",
    "Request Count",
    "Failure Count",
    "Requests/s",
    "50%",
    "90%",
    "95%",
    "99%",
    "99.9%",
    "Max Response Time",
]


def _finite(value: float | None) -> float | None:
    return value if value is None or math.isfinite(value) else None


def _percentiles(p: Percentiles) -> dict[str, float | None]:
    return {label: _finite(p.get(label)) for label in LABELS}


def stage_to_dict(stage: StageStats) -> dict[str, Any]:
    return {
        "index": stage.index,
        "label": stage.label,
        "kind": stage.kind,
        "start_s": stage.start_s,
        "end_s": stage.end_s,
        "requests": stage.requests,
        "failures": stage.failures,
        "rps": _finite(stage.rps),
        "percentiles": _percentiles(stage.percentiles),
        **({"arrival": figures_to_dict(stage.arrival)} if stage.arrival is not None else {}),
    }


def stage_summary(stage: StageStats) -> dict[str, Any]:
    """The summary's flat form: ``p50_ms`` .. ``max_ms`` like its endpoints."""
    flat = {k: v for k, v in stage_to_dict(stage).items() if k not in ("percentiles", "arrival")}
    if stage.arrival is not None:
        flat["arrival"] = figures_to_dict(stage.arrival)
    flat["error_rate_pct"] = 100.0 * stage.fail_ratio
    for label in LABELS:
        flat[f"{label}_ms"] = _finite(stage.percentiles.get(label))
    return flat


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def stage_from_dict(data: object) -> StageStats | None:
    """A stage as written by :func:`stage_to_dict`, or None if it is not one."""
    if not isinstance(data, Mapping):
        return None
    index, start, end = _number(data.get("index")), _number(data.get("start_s")), _number(data.get("end_s"))
    requests, failures = _number(data.get("requests")), _number(data.get("failures"))
    label, kind = data.get("label"), data.get("kind")
    raw = data.get("percentiles")
    if None in (index, start, end, requests, failures) or not isinstance(raw, Mapping):
        return None
    if not isinstance(label, str) or not isinstance(kind, str):
        return None
    values = {label_: _number(raw.get(label_)) for label_ in LABELS}
    return StageStats(
        index=int(index or 0),
        label=label,
        kind=kind,
        start_s=float(start or 0.0),
        end_s=float(end or 0.0),
        requests=int(requests or 0),
        failures=int(failures or 0),
        percentiles=Percentiles(
            p50=values["p50"],
            p90=values["p90"],
            p95=values["p95"],
            p99=values["p99"],
            p999=values["p99.9"],
            max=values["max"],
        ),
        arrival=figures_from_dict(data.get("arrival")),
    )


def stages_from_list(data: object) -> tuple[StageStats, ...]:
    if not isinstance(data, list):
        return ()
    found = (stage_from_dict(item) for item in data)
    return tuple(stage for stage in found if stage is not None)


def _ms(value: float | None) -> str:
    return "N/A" if value is None else f"{value:.0f}" if value >= 100 else f"{value:.1f}"


def stages_csv(stages: Iterable[StageStats]) -> str:
    """``stages.csv``: one row a stage, Locust's column style, times in ms; an arrival-rate run adds the
    target and achieved iterations/s, dropped iterations and start lag p95 of each stage (empty for a stage
    without a rate)."""
    rows = list(stages)
    arrival = any(s.arrival is not None for s in rows)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS + (ARRIVAL_CSV_COLUMNS if arrival else []))
    for s in rows:
        p = s.percentiles
        writer.writerow(
            [s.index, s.label, s.kind, f"{s.start_s:.1f}", f"{s.end_s:.1f}", s.requests, s.failures]
            + [f"{s.rps:.2f}"]
            + [("N/A" if p.get(label) is None else f"{p.get(label):.3f}") for label in LABELS]
            + (_arrival_cells(s) if arrival else [])
        )
    return out.getvalue()


ARRIVAL_CSV_COLUMNS = ["Target Iterations/s", "Iterations/s", "Dropped Iterations", "Start Lag 95% (ms)"]


def _arrival_cells(stage: StageStats) -> list[str]:
    a = stage.arrival
    if a is None:
        return ["", "", "", ""]
    lag = "N/A" if a.start_lag_p95_ms is None else f"{a.start_lag_p95_ms:.3f}"
    return [f"{a.target_rate:.2f}", f"{a.achieved_rate:.2f}", str(a.dropped), lag]


def stages_table(stages: Iterable[StageStats]) -> list[str]:
    """The headless summary's section (also fits the console's 80 columns)."""
    rows = list(stages)
    if not rows:
        return []
    head = (
        f"{'#':>2} {'Stage':<22} {'Time (s)':>9} {'# reqs':>7} {'fail%':>6} {'req/s':>7} "
        f"{'p50':>6} {'p95':>6} {'p99':>6}"
    )
    lines = ["Stages (percentiles in ms)", head, "-" * len(head)]
    for s in rows:
        label = s.label if len(s.label) <= 22 else s.label[:21] + "…"
        span = f"{s.start_s:.0f}-{s.end_s:.0f}"
        p = s.percentiles
        lines.append(
            f"{s.index:>2} {label:<22} {span:>9} {s.requests:>7} {s.fail_ratio * 100:>6.1f} {s.rps:>7.1f} "
            f"{_ms(p.p50):>6} {_ms(p.p95):>6} {_ms(p.p99):>6}"
        )
    return lines
