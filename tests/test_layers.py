"""perfconsole's packages import downward only: import-linter's contracts in pyproject.toml (drawn in
docs/architecture.md) hold for the package, and they fail on an import against them, a lazy one included."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "perfconsole"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(project: Path) -> subprocess.CompletedProcess[str]:
    """``lint-imports`` over the package and pyproject.toml in ``project`` (its own copy is analysed: the
    current directory comes first on import-linter's path)."""
    if not LINT_IMPORTS.exists():
        pytest.fail(f"{LINT_IMPORTS} is missing: install the test extra (pip install -e '.[test]')")
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
def test_the_contracts_are_kept() -> None:
    proc = lint_imports(ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert re.search(r"Contracts: [1-9]\d* kept, 0 broken\.", proc.stdout), proc.stdout


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> str:
    """lint-imports' report over a copy of the package with four imports injected against the contracts."""
    project = tmp_path_factory.mktemp("project")
    shutil.copy(ROOT / "pyproject.toml", project)
    copy = project / "perfconsole"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    injected = {
        # a back-import inside a function: the model reaching up to the engine
        "model/injected_lazy.py": "def f():\n    from perfconsole.engine.session import LoadSession\n",
        # a sibling, relative and under TYPE_CHECKING: the store reading resources
        "store/injected_sibling.py": (
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..resources import sampler\n"
        ),
        # Textual below the console, lazily
        "engine/injected_textual.py": "def f():\n    import textual.app\n",
    }
    for name, text in injected.items():
        (copy / name).write_text(text)
    (copy / "newunit.py").write_text("x = 1\n")  # a unit placed in no layer
    proc = lint_imports(project)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    return proc.stdout


def test_a_lazy_back_import_is_found(broken: str) -> None:
    assert "perfconsole.model.injected_lazy -> perfconsole.engine.session (l.2)" in broken


def test_a_sibling_import_under_type_checking_is_found(broken: str) -> None:
    assert "perfconsole.store.injected_sibling -> perfconsole.resources" in broken


def test_textual_below_the_console_is_found(broken: str) -> None:
    assert "perfconsole.engine.injected_textual -> textual" in broken


def test_a_unit_in_no_layer_is_reported(broken: str) -> None:
    assert "perfconsole.newunit" in broken


def _dynamic_imports(path: Path) -> list[tuple[int, str]]:
    """(line, name prefix) of each ``import_module``/``__import__`` call with a literal or f-string name (a
    name held in a variable is not followed, as before import-linter)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.Call) and node.args):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name not in ("import_module", "__import__"):
            continue
        arg = node.args[0]
        if isinstance(arg, ast.JoinedStr) and arg.values:
            arg = arg.values[0]
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            found.append((node.lineno, arg.value))
    return found


def test_dynamic_imports_stay_inside_their_own_unit() -> None:
    """import-linter cannot see ``importlib.import_module(...)``: those calls may only name modules of the
    caller's own unit (cli loading its commands), so they can never run against the layers."""
    stray = []
    for path in sorted(PACKAGE.rglob("*.py")):
        unit = path.relative_to(PACKAGE).parts[0].removesuffix(".py")
        for line, name in _dynamic_imports(path):
            if not name.startswith(f"perfconsole.{unit}."):
                stray.append(f"{path.relative_to(ROOT)}:{line} imports {name!r}")
    assert not stray, "dynamic imports outside their unit:\n" + "\n".join(stray)


def test_the_dynamic_import_check_finds_one(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("import importlib\nimportlib.import_module(f'perfconsole.tui.{x}')\n")
    assert _dynamic_imports(module) == [(2, "perfconsole.tui.")]
