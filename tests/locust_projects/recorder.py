"""Shared by the test locustfiles: one line per event in $DROPIN_LOG (``pid role what``)."""

import os

from locust.runners import MasterRunner, WorkerRunner


def role(runner: object) -> str:
    if isinstance(runner, WorkerRunner):
        return "worker"
    if isinstance(runner, MasterRunner):
        return "master"
    return "local"


def record(runner: object, what: str) -> None:
    with open(os.environ["DROPIN_LOG"], "a") as log:
        log.write(f"{os.getpid()} {role(runner)} {what}\n")
