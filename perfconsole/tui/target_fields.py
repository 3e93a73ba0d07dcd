"""Pure parsing of the start screen's target fields: the target process (pid or name), the metrics URL and
the name to save the run as. Bad values raise UserError with one line, shown in place."""

from __future__ import annotations

from perfconsole.errors import UserError
from perfconsole.hosts import validate_metrics_url
from perfconsole.store.names import validate_name


def parse_target_process(text: str) -> tuple[int | None, str | None]:
    """Empty -> (None, None): the process listening on the host's port; digits -> a pid; else a name."""
    text = text.strip()
    if not text:
        return None, None
    if text.isdigit():
        pid = int(text)
        if pid <= 0:
            raise UserError(f"target process: expected a pid above 0 or a process name, got {text!r}")
        return pid, None
    if text.startswith("-") or any(ch in text for ch in "/\\") or len(text) > 255:
        raise UserError(f"target process: expected a pid such as 4242 or a process name, got {text!r}")
    return None, text


def parse_metrics_url(text: str) -> str | None:
    """Empty -> None (config, or the demo target's /metrics); else the target's Prometheus endpoint."""
    text = text.strip()
    return validate_metrics_url(text, "metrics URL") if text else None


def parse_run_name(text: str) -> str | None:
    """Empty -> None (an unnamed run); else the name ``perfconsole runs NAME`` and ``compare`` accept."""
    text = text.strip()
    return validate_name(text, "run name") if text else None
