"""The workflow's enumerations: plain `StrEnum`s, no pydantic.

They live apart from the pydantic models so that the UI can name stages and
modes before the first frame without paying for pydantic's import and model
construction; `duo_tui.core.models` re-exports them.
"""

from __future__ import annotations

from enum import StrEnum


class Stage(StrEnum):
    """The eight stages of the workflow, in order."""

    PLAN = "plan"
    ALIGN = "align"
    EXECUTE = "execute"
    GATE = "gate"
    REVIEW = "review"
    TRIAGE = "triage"
    FIX = "fix"
    COMMIT = "commit"


STAGE_ORDER: tuple[Stage, ...] = tuple(Stage)


class StageState(StrEnum):
    """Where one stage run is in its life."""

    PENDING = "pending"
    RUNNING = "running"
    AWAITING = "awaiting_decision"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    FAILED = "failed"


class Mode(StrEnum):
    """manual: a checkpoint at every stage; auto: the convergence rule decides; fast: no align."""

    MANUAL = "manual"
    AUTO = "auto"
    FAST = "fast"


class Severity(StrEnum):
    """Finding severity, most severe first."""

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        """0 for critical .. 4 for info."""
        return list(Severity).index(self)


class FindingDecision(StrEnum):
    """What the human (or autopilot) decided about one finding."""

    PENDING = "pending"
    FIX = "fix"
    DISMISS = "dismiss"
    ACCEPT_RISK = "accept_risk"
    DEFER = "defer"
