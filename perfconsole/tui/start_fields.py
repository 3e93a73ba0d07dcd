"""The start screen's target fields (target process, metrics URL, run name): their rows, prefilled from
the command line, each checked as it is typed by a Textual ``Validator`` over the field's own parser (the
one that reads it at start), whose failure is the parser's one-line reason."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator

from textual.containers import Horizontal
from textual.validation import ValidationResult, Validator
from textual.widget import Widget
from textual.widgets import Input, Label

from perfconsole.errors import UserError
from perfconsole.tui.shown import masked_host
from perfconsole.tui.target_fields import parse_metrics_url, parse_run_name, parse_target_process


class ParsedBy(Validator):
    """Valid when ``parser`` reads the value; else the parser's one-line reason."""

    def __init__(self, parser: Callable[[str], object]) -> None:
        super().__init__()
        self.parser = parser

    def validate(self, value: str) -> ValidationResult:
        try:
            self.parser(value)
        except UserError as exc:
            return self.failure(str(exc), value)
        return self.success()


PARSERS: dict[str, Callable[[str], object]] = {
    "target-process": parse_target_process,
    "metrics-url": parse_metrics_url,
    "run-name": parse_run_name,
}


def target_field_rows(options: argparse.Namespace | None) -> Iterator[Widget]:
    """``target`` (pid or name), ``metrics`` (Prometheus URL) and ``run name`` rows, prefilled from the
    command line's ``--target-pid`` / ``--target-process`` and ``--metrics-url`` (``options``)."""
    pid, name = getattr(options, "target_pid", None), getattr(options, "target_process", None)
    target = str(pid) if pid is not None else (name or "")
    metrics = masked_host(getattr(options, "metrics_url", None) or "")
    rows = (
        ("target", "target-process", target, "pid or name (empty: by port)"),
        ("metrics", "metrics-url", metrics, "the target's Prometheus URL"),
        ("run name", "run-name", "", "save the run as NAME (optional)"),
    )
    for label, field_id, value, placeholder in rows:  # called from compose: `with` nests as there
        with Horizontal(classes="field"):
            yield Label(label, classes="field-label")
            yield Input(
                value,
                placeholder=placeholder,
                id=field_id,
                compact=True,
                validators=[ParsedBy(PARSERS[field_id])],
                validate_on=["changed"],
            )


def field_error(field_id: str | None, value: str) -> str | None:
    """What the field's validator says of ``value``: None for other inputs; ``""`` for a good value; else
    the one-line reason."""
    parser = PARSERS.get(field_id or "")
    if parser is None:
        return None
    result = ParsedBy(parser).validate(value)
    return "" if result.is_valid else result.failure_descriptions[0]
