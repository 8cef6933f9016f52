"""What a stage run takes, gives and raises: the contract of the checkpoint loop.

Each stage (`planning.py`, the `*_stage.py` modules) hands the runner's
checkpoint loop (`RunnerBase.stage` in `runner.py`) a `produce(StageCtx)` that
returns what it `Produced`; it raises `StageError` when the run failed (shown,
and fed back on a rerun), `StopSession` / `SessionBlocked` to end the session,
`TasksReplanned` when the task list changed under it. `AutoRule` and
`ExtraActions` are the loop's callbacks for autopilot and stage-specific actions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from duo_tui.core.events import UserDecision
from duo_tui.core.session import StageRun

__all__ = [
    "FATAL_FAULTS",
    "AutoRule",
    "ExtraActions",
    "Produced",
    "SessionBlocked",
    "StageCtx",
    "StageError",
    "StopSession",
    "TasksReplanned",
]


class StopSession(Exception):
    """End the session now; the message is the stop_reason in words."""


class SessionBlocked(StopSession):
    """The session cannot go on until the human acts (e.g. a commit refused for a secret):
    it ends `blocked`, and resuming it tries again from where it stood."""


class StageError(Exception):
    """A stage run failed; the message is shown to the human and fed back on rerun.

    `fatal` marks a failure a rerun by autopilot would not fix (a reply cut off
    even with the larger budget, a refusal): autopilot stops and names it.
    """

    def __init__(self, message: str, *, fatal: bool = False) -> None:
        super().__init__(message)
        self.fatal = fatal


class TasksReplanned(Exception):
    """The task list changed under the running task (a split, a switch to the full
    workflow): the pipeline starts over from where the session now stands."""


@dataclass
class Produced:
    """What one stage run produced, shown at its checkpoint."""

    summary: str
    artifact: str = ""  # the editable text (plan, raw edits, review JSON, commit message)
    data: dict[str, Any] = field(default_factory=dict)
    ok: bool = True  # False for a gate that failed (a result, not an error)
    label: str = ""  # names this result among alternatives after a rerun
    payload: Any = None


@dataclass
class StageCtx:
    """Inputs of one stage run."""

    model: str | None
    reason: str  # the human's rejection reason, for the rerun prompt
    error: str  # the previous attempt's error, for the rerun prompt
    attempt: int
    resume: bool  # the process restarted while this stage awaited a decision
    target: int | None = None  # rerun only this part (a reviewer), see UserDecision.target
    target_model: str | None = None  # ...with this model (for that part only)

    def feedback(self) -> str:
        parts = []
        if self.reason:
            parts.append(f"The human rejected the previous attempt: {self.reason}")
        if self.error:
            parts.append(f"The previous attempt failed:\n{self.error}")
        return "\n\n".join(parts)


FATAL_FAULTS = frozenset(
    {
        "auth",
        "bad_request",
        "config",
        "spend_limit",
        # A reply that did not end normally: cut off even after the retry with a larger
        # budget, refused, paused, ended for an unknown reason, or over the size limit.
        "cut_off",
        "refused",
        "paused",
        "unknown_ending",
        "too_large",
    }
)


AutoRule = Callable[[Produced | None, str | None, StageRun], UserDecision]
ExtraActions = Callable[[Produced], tuple[str, ...]]
