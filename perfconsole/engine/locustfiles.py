"""Locustfiles as Locust loads them: a file, a directory, a comma-separated list, user classes imported
from other modules. Expansion is Locust's ``parse_locustfile_paths``, loading is Locust's own
``merge_locustfiles_content`` (``load_locustfile`` per file, duplicates and imports handled as Locust does);
every failure becomes one ``ScenarioError`` line instead of Locust's ``sys.exit``.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from perfconsole.engine.locust.event_hooks import drop_listeners
from perfconsole.errors import ScenarioError

if TYPE_CHECKING:
    from locust import LoadTestShape, User


def expand_locustfiles(spec: str | Sequence[str]) -> tuple[Path, ...]:
    """``-f`` as Locust reads it (``a.py``, ``dir/``, ``a.py,b.py``): absolute paths of every locustfile."""
    from locust.argument_parser import parse_locustfile_paths

    items = [spec] if isinstance(spec, str) else list(spec)
    parts = [part.strip() for item in items for part in item.split(",") if part.strip()]
    if not parts:
        raise ScenarioError("no locustfile given")
    for part in parts:
        path = Path(part)
        if path.is_dir():
            continue
        if part.startswith(("http://", "https://")):
            continue  # Locust downloads it
        if not path.is_file() or path.suffix != ".py":
            raise ScenarioError(f"{part}: no such locustfile (a .py file or a directory of them)")
    captured = io.StringIO()
    try:
        with contextlib.redirect_stderr(captured):
            found = parse_locustfile_paths(parts)
    except SystemExit:
        raise ScenarioError(_first_line(captured.getvalue()) or f"{spec}: no locustfile found") from None
    return tuple(Path(p) for p in found)


def shape_name(shape: LoadTestShape) -> str:
    return type(shape).__name__


_PRELOADED: dict[tuple[str, ...], tuple[dict[str, type[User]], dict[str, LoadTestShape]]] = {}
"""Locustfiles the command line imported before its full parse (their ``init_command_line_parser``
listeners add custom arguments), kept for the engine's next load of the same files: one import per run, so
every listener is registered, and fires, once."""


def preload_locustfiles(
    paths: Sequence[Path],
) -> tuple[dict[str, type[User]], dict[str, LoadTestShape]]:
    """Import the locustfiles now (or return the import already made) and keep it for the engine's next
    :func:`load_locustfiles` of the same files."""
    resolved = [str(Path(p).resolve()) for p in paths]
    key = tuple(resolved)
    if key not in _PRELOADED:
        _PRELOADED[key] = _load_locustfiles(paths, resolved)
    users, shapes = _PRELOADED[key]
    return dict(users), dict(shapes)


def discard_preloaded(paths: Sequence[Path]) -> None:
    """The command line's import of these locustfiles will not run (the console's operator chose another
    scenario): forget it and take its modules' listeners out of ``locust.events`` (but for their custom
    arguments, which the command line may still give)."""
    import locust

    files = {str(Path(p).resolve()) for p in paths}
    for key in [k for k in _PRELOADED if files & set(k)]:
        del _PRELOADED[key]
    drop_listeners(
        locust.events,
        lambda name, handler: name != "init_command_line_parser" and _defined_in(handler) in files,
    )


def _defined_in(handler: object) -> str | None:
    code = getattr(getattr(handler, "__func__", handler), "__code__", None)
    return code.co_filename if code is not None else None


def load_locustfiles(
    paths: Sequence[Path],
) -> tuple[dict[str, type[User]], dict[str, LoadTestShape]]:
    """Import every locustfile (module code runs, listeners join ``locust.events``), or take the command
    line's import of them (once: a later run imports afresh, since Locust's runners change the classes, e.g.
    their ``host``); the user classes and the shapes by name, in Locust's order (its headless mode runs the
    first shape)."""
    resolved = [str(Path(p).resolve()) for p in paths]
    preloaded = _PRELOADED.pop(tuple(resolved), None)
    users, shapes = preloaded if preloaded is not None else _load_locustfiles(paths, resolved)
    return dict(users), dict(shapes)


def _load_locustfiles(
    paths: Sequence[Path], resolved: list[str]
) -> tuple[dict[str, type[User]], dict[str, LoadTestShape]]:
    from locust.main import merge_locustfiles_content

    captured = io.StringIO()
    try:
        with contextlib.redirect_stderr(captured):
            users, shapes, _tasks, _first_shape = merge_locustfiles_content(resolved)
    except SystemExit:
        message = _first_line(captured.getvalue()) or "locustfile could not be loaded"
        raise ScenarioError(f"{_label(paths)}: {message}") from None
    except SyntaxError as exc:
        where = exc.filename or _label(paths)
        raise ScenarioError(f"{where}: line {exc.lineno}: syntax error: {exc.msg}") from None
    except Exception as exc:  # the module's own code failed: say where and what, in one line
        where = _failing_place(exc, resolved) or _label(paths)
        raise ScenarioError(f"{where}: {type(exc).__name__}: {exc}") from None
    return dict(users), dict(shapes)


def select_user_classes(
    available: dict[str, type[User]], names: Sequence[str], where: str
) -> dict[str, type[User]]:
    """The named classes (all when none are named); an unknown name is one error line."""
    if not available:
        raise ScenarioError(f"{where}: no User class found (define a class deriving from locust.HttpUser)")
    if not names:
        return available
    unknown = [n for n in names if n not in available]
    if unknown:
        raise ScenarioError(
            f"{where}: unknown user class {', '.join(unknown)} (known: {', '.join(sorted(available))})"
        )
    return {n: available[n] for n in names}


def class_hosts(user_classes: dict[str, type[User]]) -> list[str] | None:
    """The selected classes' own ``host`` attributes when every one names a host, else None."""
    hosts = [getattr(cls, "host", None) for cls in user_classes.values()]
    if not hosts or not all(isinstance(h, str) and h for h in hosts):
        return None
    return sorted({str(h) for h in hosts})


def _label(paths: Sequence[Path]) -> str:
    return ",".join(str(p) for p in paths)


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[0] if lines else ""


def _failing_place(exc: BaseException, files: list[str]) -> str:
    tb = exc.__traceback__
    place = ""
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if name in files:
            place = f"{name}: line {tb.tb_lineno}"
        tb = tb.tb_next
    return place
