"""perfconsole's layers, bottom first, and a checker that finds every import against them (imported by
the layer tests as ``layers``; no tests here).

A module may import its own unit (``perfconsole.engine.*`` inside the engine) and any unit of a lower layer;
units of one layer are siblings and do not import each other. Every import counts: module level, inside
functions (lazy), under ``TYPE_CHECKING``, and ``importlib.import_module("perfconsole....")`` with a
literal or f-string name. The picture and the reasons are in docs/architecture.md.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

LAYERS: tuple[tuple[str, ...], ...] = (
    ("errors", "model"),
    ("hosts", "user_mix"),
    ("config",),
    ("profiles",),
    ("resources", "store", "demo_target"),
    ("verdicts",),
    ("engine",),
    ("application",),
    ("headless", "tui"),
    ("cli",),
    ("__main__",),
)
"""Units (the name after ``perfconsole.``), bottom layer first."""


@dataclass(frozen=True, slots=True)
class Violation:
    module: str
    line: int
    imported: str
    why: str

    def __str__(self) -> str:
        return f"{self.module}:{self.line} imports {self.imported}: {self.why}"


def layer_of(unit: str, layers: tuple[tuple[str, ...], ...] = LAYERS) -> int | None:
    for index, units in enumerate(layers):
        if unit in units:
            return index
    return None


def module_name(path: Path, package_root: Path) -> str:
    parts = list(path.relative_to(package_root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_names(tree: ast.AST, module: str, is_package: bool) -> list[tuple[int, str]]:
    """(line, dotted name) of every import in a module, lazy ones and import_module calls included."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".") if is_package else module.split(".")[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            found.append((node.lineno, base))
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names if base == "perfconsole"]
        elif isinstance(node, ast.Call) and _is_import_module(node.func) and node.args:
            name = _literal_prefix(node.args[0])
            if name:
                found.append((node.lineno, name))
    return found


def _is_import_module(func: ast.expr) -> bool:
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    return name in ("import_module", "__import__")


def _literal_prefix(node: ast.expr) -> str:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr) and node.values:
        first = node.values[0]
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            return first.value.rstrip(".")
    return ""


def check(package_root: Path, layers: tuple[tuple[str, ...], ...] = LAYERS) -> list[Violation]:
    """Every import in the package under ``package_root`` that runs against the layers."""
    top = package_root.name
    violations: list[Violation] = []
    for path in sorted(package_root.rglob("*.py")):
        module = module_name(path, package_root)
        parts = module.split(".")
        unit = parts[1] if len(parts) > 1 else ""
        if not unit:
            continue  # the package's face (__version__)
        own = layer_of(unit, layers)
        if own is None:
            violations.append(Violation(module, 1, module, f"unit {unit!r} is in no layer: place it"))
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for line, name in imported_names(tree, module, path.name == "__init__.py"):
            target = name.split(".")
            if target[0] != top or len(target) < 2 or target[1] == unit:
                continue
            if target[1] in ("__version__",):
                continue
            theirs = layer_of(target[1], layers)
            if theirs is None:
                continue  # a name imported from the package face, or a unit reported above
            if theirs >= own:
                how = "a sibling in the same layer" if theirs == own else "a higher layer"
                violations.append(Violation(module, line, name, f"{how} ({target[1]} from {unit})"))
    return violations
