"""A bounded CPU hog for tests and benchmarks whose verdicts must hold on a busy machine (imported as
``cpu_hog``; no tests here): one busy-loop process that ends by itself after ``seconds``."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

BUSY_LOOP = (
    "import sys, time\nend = time.monotonic() + float(sys.argv[1])\nwhile time.monotonic() < end:\n    pass\n"
)


@contextmanager
def cpu_hog(seconds: float = 60.0) -> Iterator[subprocess.Popen[bytes]]:
    """Keep one core busy for at most ``seconds`` (stopped earlier when the block ends)."""
    hog = subprocess.Popen(
        [sys.executable, "-c", BUSY_LOOP, str(seconds)], stdin=subprocess.DEVNULL, start_new_session=True
    )
    try:
        yield hog
    finally:
        hog.kill()
        hog.wait(timeout=10)
