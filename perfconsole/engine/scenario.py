"""Scenarios: locustfiles in ``scenarios/`` (or any path), described without importing, loaded for a run.

``describe_scenario`` reads a file with ``ast`` so the start screen can list every scenario without running
their module code; ``load_scenario`` imports the chosen one (module code runs, listeners register on the
global ``locust.events``).
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from perfconsole.errors import ScenarioError

if TYPE_CHECKING:
    from locust import LoadTestShape, User

USER_BASES = {"User", "HttpUser", "FastHttpUser"}
SHAPE_BASES = {"LoadTestShape"}


@dataclass(frozen=True, slots=True)
class UserClassInfo:
    name: str
    weight: int
    tags: tuple[str, ...] = ()
    fixed_count: int = 0
    """Locust's ``fixed_count``: that many users of the class whatever the weights (0: by weight)."""


@dataclass(frozen=True, slots=True)
class ScenarioInfo:
    path: Path
    name: str
    """File stem: what ``--scenario`` takes."""
    title: str
    """First line of the docstring (or the name)."""
    docstring: str
    user_classes: tuple[UserClassInfo, ...]
    tags: tuple[str, ...]
    shape_classes: tuple[str, ...] = ()


@dataclass(frozen=True)
class LoadedScenario:
    info: ScenarioInfo
    user_classes: dict[str, type[User]]
    shapes: list[LoadTestShape]


def _base_names(node: ast.ClassDef) -> set[str]:
    names = set()
    for base in node.bases:
        if isinstance(base, ast.Name):
            names.add(base.id)
        elif isinstance(base, ast.Attribute):
            names.add(base.attr)
    return names


def _literal(node: ast.AST | None) -> Any:
    try:
        return ast.literal_eval(node) if node is not None else None
    except ValueError:
        return None


def _tags_in(tree: ast.AST) -> set[str]:
    tags: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            fname = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if fname == "tag":
                tags.update(
                    a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)
                )
    return tags


def describe_scenario(path: Path) -> ScenarioInfo:
    """Describe a locustfile by reading it (no import). Raises ScenarioError with one line."""
    path = Path(path)
    try:
        source = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(f"{path}: no such locustfile") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{path}: cannot read locustfile ({exc})") from None
    try:
        tree = ast.parse(source, filename=str(path))
    except SyntaxError as exc:
        raise ScenarioError(f"{path}: line {exc.lineno}: syntax error: {exc.msg}") from None
    doc = ast.get_docstring(tree) or ""
    classes = {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}

    def derives(name: str, roots: set[str], seen: frozenset[str] = frozenset()) -> bool:
        node = classes.get(name)
        if node is None or name in seen:
            return False
        bases = _base_names(node)
        return bool(bases & roots) or any(derives(b, roots, seen | {name}) for b in bases)

    users: list[UserClassInfo] = []
    shapes: list[str] = []
    for name, node in classes.items():
        if derives(name, SHAPE_BASES):
            shapes.append(name)
            continue
        if not derives(name, USER_BASES):
            continue
        attrs = {
            t.id: stmt.value
            for stmt in node.body
            if isinstance(stmt, ast.Assign)
            for t in stmt.targets
            if isinstance(t, ast.Name)
        }
        if _literal(attrs.get("abstract")) is True:
            continue
        weight = _literal(attrs.get("weight"))
        fixed = _literal(attrs.get("fixed_count"))
        users.append(
            UserClassInfo(
                name,
                weight if isinstance(weight, int) else 1,
                tuple(sorted(_tags_in(node))),
                fixed if isinstance(fixed, int) and not isinstance(fixed, bool) and fixed > 0 else 0,
            )
        )
    title = doc.strip().splitlines()[0].strip() if doc.strip() else path.stem
    return ScenarioInfo(
        path=path,
        name=path.stem,
        title=title,
        docstring=doc,
        user_classes=tuple(users),
        tags=tuple(sorted(_tags_in(tree))),
        shape_classes=tuple(shapes),
    )


def discover_scenarios(directory: Path) -> list[ScenarioInfo]:
    """Every ``*.py`` locustfile in ``directory`` (sorted by name) that declares a User class."""
    found = []
    for path in sorted(Path(directory).glob("*.py")):
        if path.name.startswith("_"):
            continue
        try:
            info = describe_scenario(path)
        except ScenarioError:
            continue
        if info.user_classes:
            found.append(info)
    return found


def resolve_scenario(name_or_path: str, directory: Path) -> Path:
    """A scenario name (file stem in ``directory``) or a path to a locustfile in ``directory``; a path that
    leads out of it is refused (a locustfile elsewhere is ``-f FILE``, as in Locust)."""
    candidate = Path(name_or_path)
    if candidate.suffix == ".py" or "/" in name_or_path:
        resolved = candidate.resolve()
        if not resolved.is_relative_to(Path(directory).resolve()):
            raise ScenarioError(
                f"scenario {name_or_path!r} is outside {directory}: --scenario names a scenario there "
                "(a locustfile elsewhere is -f FILE)"
            )
        if not resolved.is_file():
            raise ScenarioError(f"{candidate}: no such locustfile")
        return resolved
    path = Path(directory) / f"{name_or_path}.py"
    if path.is_file():
        return path.resolve()
    known = ", ".join(s.name for s in discover_scenarios(directory)) or "none"
    raise ScenarioError(f"unknown scenario {name_or_path!r} (known in {directory}: {known})")


def load_scenario(
    path: Path, user_class_names: tuple[str, ...] = (), locustfiles: tuple[Path, ...] = ()
) -> LoadedScenario:
    """Import the run's locustfiles (``locustfiles``, else ``path``) with Locust's own loader. Raises
    ScenarioError on any failure, never exits."""
    from perfconsole.engine.locustfiles import load_locustfiles, select_user_classes

    files = locustfiles or (Path(path),)
    info = describe_scenario(files[0]) if files[0].is_file() else describe_scenario(path)
    where = ",".join(str(f) for f in files)
    available, shapes = load_locustfiles(files)
    user_classes = select_user_classes(available, user_class_names, where)
    return LoadedScenario(info=info, user_classes=user_classes, shapes=list(shapes.values()))


def default_scenarios_dir() -> Path:
    """``scenarios/`` in the working directory, else the one shipped beside the package (source checkout)."""
    cwd = Path.cwd() / "scenarios"
    if cwd.is_dir():
        return cwd
    return Path(sys.modules["perfconsole"].__file__ or ".").resolve().parent.parent / "scenarios"
