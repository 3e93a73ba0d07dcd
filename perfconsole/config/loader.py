"""Loading settings: config.toml (or a given file) merged over the packaged defaults (defaults.toml).

:func:`load_settings` reads the file with :mod:`tomllib`, merges it over the built-in defaults
(:data:`DEFAULT_CONFIG_TOML`, the text of the packaged ``defaults.toml``) and validates every value.
"""

from __future__ import annotations

import os
import stat
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from perfconsole.config.reader import Reader, join_path
from perfconsole.config.schema import DEFAULT_CONFIG_TOML
from perfconsole.config.settings import Settings
from perfconsole.errors import ConfigError

CONFIG_FILENAME = "config.toml"
MAX_CONFIG_BYTES = 16 * 1024 * 1024
"""A settings file is a few KB; anything past this is not one."""


_ITEM_TABLES = {"profiles", "thresholds.endpoints"}
"""Tables whose entries replace the built-in entry of the same name instead of merging into it."""


def _merge(base: Mapping[str, Any], override: Mapping[str, Any], path: str = "") -> dict[str, Any]:
    """``override`` over ``base``: tables merge key by key, except entries of :data:`_ITEM_TABLES`."""
    merged = dict(base)
    for key, value in override.items():
        key_path = join_path(path, key)
        inherited = merged.get(key)
        if path in _ITEM_TABLES or not isinstance(value, dict) or not isinstance(inherited, dict):
            merged[key] = value
        else:
            merged[key] = _merge(inherited, value, key_path)
    return merged


def default_settings() -> Settings:
    """The built-in settings (what the shipped config.toml holds)."""
    return Reader("built-in defaults").settings(tomllib.loads(DEFAULT_CONFIG_TOML), None)


def parse_settings(text: str, file: str = CONFIG_FILENAME, source: Path | None = None) -> Settings:
    """Settings from TOML text merged over the built-in defaults; ConfigError naming ``file`` on problems."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{file}: invalid TOML: {error}") from None
    except RecursionError:
        raise ConfigError(f"{file}: invalid TOML: nested too deeply") from None
    return Reader(file).settings(_merge(tomllib.loads(DEFAULT_CONFIG_TOML), data), source)


def load_settings(path: Path | None = None) -> Settings:
    """Settings from ``path``; None: ``./config.toml`` if it exists, else the built-in defaults."""
    if path is None:
        candidate = Path(CONFIG_FILENAME)
        if not candidate.is_file():
            return default_settings()
        path = candidate
    try:
        if path.is_dir():
            raise IsADirectoryError
        if not stat.S_ISREG(path.stat().st_mode):  # a FIFO would block the read forever
            raise ConfigError(f"{path}: cannot read config: not a regular file")
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | os.O_NOCTTY)
        with os.fdopen(fd, "rb") as handle:
            raw = handle.read(MAX_CONFIG_BYTES + 1)
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: cannot read config: it is a directory") from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot read config: {error.strerror or error}") from None
    if len(raw) > MAX_CONFIG_BYTES:
        raise ConfigError(f"{path}: cannot read config: over {MAX_CONFIG_BYTES // (1024 * 1024)} MB")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: not UTF-8 text (byte {error.start})") from None
    return parse_settings(text, str(path), path)
