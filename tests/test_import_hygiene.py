"""The engine, stores, resources and headless mode never import Textual (checked in a fresh interpreter)."""

from __future__ import annotations

import subprocess
import sys

import pytest

NO_TEXTUAL = [
    "perfconsole.engine.session",
    "perfconsole.engine.artifacts",
    "perfconsole.headless.run",
    "perfconsole.cli.run",
    "perfconsole.engine.plan_builder",
    "perfconsole.config",
    "perfconsole.verdicts.thresholds",
    "perfconsole.store",
    "perfconsole.resources",
    "perfconsole.demo_target.app",
]


@pytest.mark.slow
@pytest.mark.parametrize("module", NO_TEXTUAL)
def test_module_does_not_import_textual(module: str) -> None:
    code = (
        "import importlib, pkgutil, sys\n"
        f"mod = importlib.import_module({module!r})\n"
        "for info in pkgutil.walk_packages(getattr(mod, '__path__', []), mod.__name__ + '.'):\n"
        "    importlib.import_module(info.name)\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(len(bad))\n"
        "sys.exit(1 if bad else 0)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, f"{module} imported textual: {proc.stdout}{proc.stderr}"


@pytest.mark.slow
def test_cli_parser_builds_without_textual() -> None:
    """`perfconsole run --help` and friends must not pay for (or depend on) the TUI."""
    code = (
        "import sys\n"
        "from perfconsole.cli import build_parser\n"
        "build_parser()\n"
        "sys.exit(1 if 'textual' in sys.modules else 0)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr


@pytest.mark.slow
def test_the_check_itself_detects_textual() -> None:
    """Guard against a check that cannot fail: importing the TUI must be detected."""
    code = "import sys, textual\nsys.exit(1 if 'textual' in sys.modules else 0)\n"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
