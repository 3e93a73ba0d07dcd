"""Pure parsing of the start screen's fields (bad values raise UserError, shown in place)."""

from __future__ import annotations

import argparse
import re

from perfconsole.config import validate_workers
from perfconsole.hosts import validate_target_url


def parse_tags(text: str) -> tuple[str, ...]:
    """``"api, auth slow"`` -> ``("api", "auth", "slow")`` (order kept, duplicates dropped)."""
    seen: dict[str, None] = {}
    for tag in re.split(r"[,\s]+", text.strip()):
        if tag:
            seen.setdefault(tag, None)
    return tuple(seen)


def parse_workers(text: str) -> int | None:
    """Empty -> None (one per CPU core); otherwise a count from 0 (in-process)."""
    text = text.strip()
    return validate_workers(text, "workers") if text else None


def parse_host(text: str) -> str | None:
    """Empty -> None (the demo target); otherwise an http(s) URL (any host)."""
    text = text.strip()
    return validate_target_url(text, "host") if text else None


def preset_tags(options: argparse.Namespace | None) -> tuple[str, str]:
    """The tags and exclude-tags fields as the command line (or locust.conf, LOCUST_TAGS ...) set them."""
    tags = getattr(options, "tags", None) or ()
    exclude = getattr(options, "exclude_tags", None) or ()
    return " ".join(tags), " ".join(exclude)


def preset_users_note(options: argparse.Namespace | None) -> str:
    """Said beside the profile when ``-u`` (command line, locust.conf, LOCUST_USERS) sets the users."""
    users = getattr(options, "num_users", None)
    return f" - users {users} from the command line or locust.conf" if users else ""
