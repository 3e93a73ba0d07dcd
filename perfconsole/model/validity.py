"""Whether a run measured the target at all: ``valid``, or ``invalid`` with its reasons. Pure data."""

from __future__ import annotations

from dataclasses import dataclass

VALID = "valid"


@dataclass(frozen=True, slots=True)
class Validity:
    """The stamp of a run or of one stage: no reasons means valid."""

    reasons: tuple[str, ...] = ()

    @property
    def valid(self) -> bool:
        return not self.reasons

    @property
    def text(self) -> str:
        """``valid`` or ``invalid: generator saturated ...; worker lost ...``."""
        return VALID if self.valid else "invalid: " + "; ".join(self.reasons)


@dataclass(frozen=True, slots=True)
class RunValidity:
    """A run's stamp and each stage's (by the stage's 1-based index)."""

    run: Validity = Validity()
    stages: tuple[tuple[int, Validity], ...] = ()

    @property
    def valid(self) -> bool:
        return self.run.valid

    def stage(self, index: int) -> Validity:
        return next((v for i, v in self.stages if i == index), Validity())
