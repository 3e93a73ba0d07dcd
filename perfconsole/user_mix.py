"""A profile's user-class mix: ``[profiles.NAME.weights]`` and ``[profiles.NAME.fixed_count]``.

Weights and fixed counts are Locust's own ``User.weight`` and ``User.fixed_count``: set on the classes the
master dispatches from, they hold in every mode (in-process, local and remote workers), since the master
decides how many users of each class every worker runs. Pure: imports neither Locust nor Textual.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from perfconsole.errors import UserError

MAX_WEIGHT = 1_000_000
MAX_FIXED_COUNT = 100_000


@dataclass(frozen=True, slots=True)
class UserMix:
    """Per-class weights and fixed counts of one profile (classes not named keep their own)."""

    weights: dict[str, float] = field(default_factory=dict)
    fixed_count: dict[str, int] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.weights or self.fixed_count)

    @property
    def class_names(self) -> list[str]:
        return list(dict.fromkeys([*self.weights, *self.fixed_count]))

    def describe(self) -> str:
        """``weights HealthCheckUser=10 AuthUser=0; fixed AdminUser=1`` (empty for no mix)."""
        parts = []
        if self.weights:
            parts.append("weights " + " ".join(f"{name}={value:g}" for name, value in self.weights.items()))
        if self.fixed_count:
            parts.append("fixed " + " ".join(f"{name}={value}" for name, value in self.fixed_count.items()))
        return "; ".join(parts)

    def to_dict(self) -> dict[str, dict[str, Any]]:
        """For run metadata: ``{"weights": {...}, "fixed_count": {...}}`` (only the parts that are set)."""
        out: dict[str, dict[str, Any]] = {}
        if self.weights:
            out["weights"] = dict(self.weights)
        if self.fixed_count:
            out["fixed_count"] = dict(self.fixed_count)
        return out


def parse_weights(value: object, where: str) -> dict[str, float]:
    """``{ClassName: weight}`` with weights from 0 to 1,000,000; UserError naming ``where`` otherwise."""
    table = _class_table(value, where)
    weights: dict[str, float] = {}
    for name, raw in table.items():
        number = raw if isinstance(raw, int | float) and not isinstance(raw, bool) else None
        if number is None or not math.isfinite(number) or not 0 <= number <= MAX_WEIGHT:
            raise UserError(f"{where}.{name}: expected a weight from 0 to {MAX_WEIGHT}, got {raw!r}")
        weights[name] = float(number)
    return weights


def parse_fixed_count(value: object, where: str) -> dict[str, int]:
    """``{ClassName: users}`` with whole numbers from 0; UserError naming ``where`` otherwise."""
    table = _class_table(value, where)
    counts: dict[str, int] = {}
    for name, raw in table.items():
        if isinstance(raw, bool) or not isinstance(raw, int) or not 0 <= raw <= MAX_FIXED_COUNT:
            raise UserError(f"{where}.{name}: expected a whole number of users from 0, got {raw!r}")
        counts[name] = raw
    return counts


def _class_table(value: object, where: str) -> dict[str, object]:
    if not isinstance(value, dict):
        raise UserError(f"{where}: expected a table of user class names, got {type(value).__name__}")
    for name in value:
        if not name.isidentifier():
            raise UserError(f"{where}: {name!r} is not a user class name")
    return dict(value)


def check_classes(mix: UserMix, profile: str, known: Iterable[str], where: str = "") -> None:
    """UserError naming the profile and the first class of its mix that the locustfile does not define."""
    names = list(known)
    for name in mix.class_names:
        if name not in names:
            origin = f" ({where})" if where else ""
            listed = ", ".join(names) or "none"
            raise UserError(f"profile {profile!r}: unknown user class {name!r}{origin}; known: {listed}")


def apply_mix(mix: UserMix, classes: Mapping[str, Any]) -> None:
    """Set ``weight`` and ``fixed_count`` on the loaded user classes (before the Environment is made:
    Locust drops classes whose weight and fixed count are both 0)."""
    for name, weight in mix.weights.items():
        if name in classes:
            classes[name].weight = int(weight) if float(weight).is_integer() else weight
    for name, count in mix.fixed_count.items():
        if name in classes:
            classes[name].fixed_count = count


def apply_profile_mix(profile: Any, scenario: Any) -> None:
    """Check a profile's mix (``profile.mix``, ``profile.name``) against every class of the locustfile
    (``scenario.info.user_classes``) and set it on the run's classes (``scenario.user_classes``);
    UserError if a class is unknown or no class would run."""
    mix: UserMix = profile.mix
    if not mix:
        return
    info, classes = scenario.info, scenario.user_classes
    check_classes(mix, profile.name, [u.name for u in info.user_classes], getattr(info.path, "name", ""))
    apply_mix(mix, classes)
    if classes and not any(c.weight > 0 or getattr(c, "fixed_count", 0) > 0 for c in classes.values()):
        raise UserError(f"profile {profile.name!r}: every user class has weight 0 and no fixed count")
