"""The Locust options a worker needs on its own command line: one builder for local workers and for the
``perfconsole worker`` command printed for workers elsewhere.

Locust's master sends its parsed options to workers only with spawn messages, after ``init`` has fired on
the worker; tags are not sent at all. So a worker gets, on its command line: ``--tags`` / ``--exclude-tags``,
``--reset-stats``, and the locustfiles' custom arguments (``init`` then sees them as with Locust's own
``--processes``, whose workers are forks of the master).
"""

from __future__ import annotations

from perfconsole.engine.plan import RunPlan


def worker_locust_args(plan: RunPlan, *, shown: bool = False) -> tuple[str, ...]:
    """The arguments after ``--worker``; ``shown``: for printing (secret custom arguments masked)."""
    args: list[str] = []
    if plan.tags:
        args += ["--tags", *plan.tags]
    if plan.exclude_tags:
        args += ["--exclude-tags", *plan.exclude_tags]
    if getattr(plan.parsed_options, "reset_stats", False):
        args.append("--reset-stats")
    for argument in plan.custom_args:
        args += argument.shown() if shown else argument.tokens
    return tuple(args)
