"""perfconsole's packages import downward only (layers in tests/layers.py, drawn in docs/architecture.md)."""

from __future__ import annotations

from pathlib import Path

import layers

PACKAGE = Path(__file__).resolve().parent.parent / "perfconsole"


def test_every_import_runs_downward() -> None:
    violations = layers.check(PACKAGE)
    assert not violations, "imports against the layers:\n" + "\n".join(map(str, violations))


def test_every_unit_is_placed_in_a_layer() -> None:
    units = {p.stem if p.is_file() else p.name for p in PACKAGE.iterdir() if not p.name.startswith("_")}
    units = {u for u in units if (PACKAGE / u).is_dir() or (PACKAGE / f"{u}.py").is_file()}
    placed = {unit for layer in layers.LAYERS for unit in layer}
    assert units <= placed, f"not in any layer: {sorted(units - placed)}"


def _package(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "perfconsole"
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_the_check_finds_a_back_import_even_a_lazy_one(tmp_path: Path) -> None:
    """Guard against a check that cannot fail: a model importing the engine inside a function is found."""
    root = _package(
        tmp_path,
        {
            "__init__.py": "",
            "model/__init__.py": "",
            "model/run.py": "def f():\n    from perfconsole.engine.session import LoadSession\n",
            "engine/__init__.py": "",
            "engine/session.py": "from perfconsole.model.run import X\n",
        },
    )
    found = layers.check(root)
    assert [(v.module, v.line, v.imported) for v in found] == [
        ("perfconsole.model.run", 2, "perfconsole.engine.session")
    ]


def test_the_check_finds_siblings_relative_and_dynamic_imports(tmp_path: Path) -> None:
    root = _package(
        tmp_path,
        {
            "__init__.py": "",
            "store/__init__.py": "from ..resources import sampler\n",
            "resources/sampler.py": "import importlib\nimportlib.import_module(f'perfconsole.tui.{x}')\n",
            "tui/app.py": "from perfconsole import model\n",
        },
    )
    found = sorted((v.module, v.imported) for v in layers.check(root))
    assert found == [
        ("perfconsole.resources.sampler", "perfconsole.tui"),
        ("perfconsole.store", "perfconsole.resources"),
    ]


def test_an_unplaced_unit_is_reported(tmp_path: Path) -> None:
    root = _package(tmp_path, {"__init__.py": "", "newthing/mod.py": "x = 1\n"})
    assert [v.why for v in layers.check(root)] == ["unit 'newthing' is in no layer: place it"]
