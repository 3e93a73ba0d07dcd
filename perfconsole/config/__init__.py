"""Typed settings read from config.toml (see config.toml at the project root for every key).

The package's face: import from here. Inside, by job: :mod:`.settings` (the dataclasses), :mod:`.validators`
(value checks shared with the CLI), :mod:`.schema` (the file's
declared schema, msgspec Structs), :mod:`.schema_errors` (msgspec's errors as one line in TOML terms),
:mod:`.reader` (the decoded file to :class:`Settings`: rules across keys),
:mod:`.loader` (a file merged over the packaged ``defaults.toml``).

No Locust, no Textual: importing this package must not start gevent's monkey-patching.
"""

from perfconsole.config.loader import (
    CONFIG_FILENAME,
    DEFAULT_CONFIG_TOML,
    default_settings,
    load_settings,
    parse_settings,
)
from perfconsole.config.schema import MAX_ENDPOINTS, MAX_WINDOW_S
from perfconsole.config.settings import (
    LIMIT_FIELDS,
    REGRESSION_METRICS,
    Arrival,
    Limits,
    Profile,
    RateStage,
    Regression,
    Resources,
    ResourceThresholds,
    Search,
    Settings,
    Soak,
    SpikeDrill,
    Stage,
    Thresholds,
)
from perfconsole.config.validators import (
    MAX_ARRIVAL_RATE,
    MAX_DURATION_S,
    MAX_SPAWN_RATE,
    MAX_USERS,
    MAX_WORKERS,
    parse_duration,
    validate_arrival_rate,
    validate_duration,
    validate_spawn_rate,
    validate_users,
    validate_workers,
)

__all__ = [
    "MAX_ARRIVAL_RATE",
    "Arrival",
    "RateStage",
    "validate_arrival_rate",
    "CONFIG_FILENAME",
    "DEFAULT_CONFIG_TOML",
    "LIMIT_FIELDS",
    "MAX_DURATION_S",
    "MAX_ENDPOINTS",
    "MAX_SPAWN_RATE",
    "MAX_USERS",
    "MAX_WINDOW_S",
    "MAX_WORKERS",
    "REGRESSION_METRICS",
    "Limits",
    "Profile",
    "Regression",
    "Search",
    "Soak",
    "ResourceThresholds",
    "Resources",
    "Settings",
    "SpikeDrill",
    "Stage",
    "Thresholds",
    "default_settings",
    "load_settings",
    "parse_duration",
    "parse_settings",
    "validate_duration",
    "validate_spawn_rate",
    "validate_users",
    "validate_workers",
]
