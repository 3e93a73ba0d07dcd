"""The README's two set-up commands stay true: CI runs the test command, and the console command's parts
exist (the package installs a `perfconsole` script whose default is the console)."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    section = text.split("## Two commands", 1)[1].split("\n## ", 1)[0]
    return [block.strip() for block in re.findall(r"```sh\n(.*?)```", section, flags=re.S)]


def test_ci_runs_the_readme_test_command() -> None:
    launch, tests = readme_commands()
    assert tests == "bash scripts/test.sh"
    assert "bash scripts/test.sh" in (ROOT / ".ci" / "run").read_text()
    assert (ROOT / "scripts" / "test.sh").is_file()


@pytest.mark.slow
def test_launch_command_installs_the_console_script() -> None:
    launch, _ = readme_commands()
    assert "pip install" in launch and launch.endswith(".venv/bin/perfconsole")
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts == {"perfconsole": "perfconsole.cli:main"}
    help_text = subprocess.run(
        [sys.executable, "-m", "perfconsole", "--help"], capture_output=True, text=True, timeout=60
    ).stdout
    assert "--scenario" in help_text and "--load-profile" in help_text  # the console's own options
