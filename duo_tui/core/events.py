"""Events the runner emits and decisions it awaits.

The runner never talks to a screen: it emits these events to its listeners (the
TUI bridge or the headless printer) and awaits a `UserDecision` for every
`Checkpoint` from its driver.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from duo_tui.core.artifacts import Artifact, ArtifactKind, CheckpointData
from duo_tui.core.enums import Stage, StageState

if TYPE_CHECKING:  # events are plain dataclasses: importing them must not load pydantic
    from duo_tui.core.models import Usage

# Streams are routed to panes by name: "plan", "exec", "gate", "review:<n>".
StreamName = str


@dataclass(frozen=True)
class StageStarted:
    stage: Stage
    round: int
    task_id: str | None
    stream: StreamName | None = None
    model: str | None = None
    role: str | None = None
    title: str = ""


@dataclass(frozen=True)
class TextDelta:
    stream: StreamName
    text: str


@dataclass(frozen=True)
class StreamReset:
    """The stream is about to be (re)filled from scratch, e.g. on a rerun."""

    stream: StreamName
    title: str = ""
    model: str | None = None


@dataclass(frozen=True)
class StreamFinished:
    stream: StreamName
    model: str | None
    usage: Usage
    complete: bool = True
    latency_s: float | None = None
    ttft_s: float | None = None
    ending: str | None = None  # the stop reason, or the fault that ended the stream


@dataclass(frozen=True)
class StageFinished:
    stage: Stage
    round: int
    task_id: str | None
    state: StageState
    summary: str = ""


@dataclass(frozen=True)
class ArtifactReady:
    """A finished artifact the UI renders: one of the typed payloads of `core.artifacts`
    (plan, diff, gate, review, triage, tasks, commit, trace, roles)."""

    data: Artifact
    stream: StreamName | None = None

    @property
    def kind(self) -> ArtifactKind:
        return self.data.kind


@dataclass(frozen=True)
class Retrying:
    stream: StreamName
    attempt: int
    max_attempts: int
    wait_s: float
    reason: str


@dataclass(frozen=True)
class Recovered:
    """A call that was retried answered after all, on attempt `attempt` of `max_attempts`."""

    stream: StreamName
    attempt: int
    max_attempts: int


@dataclass(frozen=True)
class ErrorEvent:
    message: str
    stage: Stage | None = None
    stream: StreamName | None = None
    what_to_do: str = ""
    partial_kept: bool = False


@dataclass(frozen=True)
class Notice:
    message: str
    severity: Literal["information", "warning", "error"] = "information"


@dataclass(frozen=True)
class StreamsRestored:
    """A resumed session's output, redrawn from its files (`core.replay`): these streams
    show what an earlier run produced, finished, not a call that is waiting or running."""

    streams: tuple[StreamName, ...]


@dataclass(frozen=True)
class UsageUpdate:
    by_model: dict[str, Usage]
    cost_usd: float
    cost_known: bool
    by_stage: dict[str, Usage] = field(default_factory=dict)


Action = Literal[
    "accept",
    "reject",
    "rerun",
    "edit",
    "swap_roles",
    "choose",
    "autopilot",
    "stop",
    "split",  # execute checkpoint: discard an oversize change, split the task, rerun part 1
    "full_workflow",  # execute checkpoint of a fast session: discard, align, size, continue
    "skip_task",  # a failed execute: skip the task whose edits cannot apply
    "merge_task",  # a failed execute: merge the task with the previous one, run it again
    "use_revision",  # align: replace the human's edited plan by the planner's proposed revision
]


@dataclass(frozen=True)
class Checkpoint:
    """The runner stops here until the driver answers with a UserDecision."""

    stage: Stage
    round: int
    task_id: str | None
    state: StageState  # awaiting_decision or failed
    summary: str
    actions: tuple[str, ...]
    artifact: str = ""  # editable text of the stage's output
    error: str | None = None
    alternatives: tuple[str, ...] = ()  # labels of results to choose from after a rerun
    data: CheckpointData = field(default_factory=CheckpointData)


@dataclass
class UserDecision:
    """The driver's answer to a checkpoint."""

    action: Action
    reason: str = ""
    model: str | None = None  # rerun with this model
    target: int | None = None  # rerun only this part of the stage (a reviewer's index)
    text: str | None = None  # edited artifact
    choice: int | None = None  # which alternative after a rerun
    findings: dict[str, str] = field(default_factory=dict)  # finding key -> FindingDecision
    finding_reasons: dict[str, str] = field(default_factory=dict)
    recurring: dict[str, str] = field(default_factory=dict)  # finding key -> constitution rule
    # triage: the human's splits and joins, in order (duo_tui.core.triage_corrections)
    regroup: list[dict[str, Any]] = field(default_factory=list)
    rejected_hunks: list[str] = field(default_factory=list)
    task_ops: dict[str, str] = field(default_factory=dict)  # task id -> skip/unskip/split/up/down
    # task id -> new fields (title, goal, files, criteria), at the plan checkpoint's task list
    task_edits: dict[str, dict[str, Any]] = field(default_factory=dict)
    size: str | None = None  # override the plan's size (S/M/L)
    by: str = "human"


@dataclass(frozen=True)
class AwaitingDecision:
    checkpoint: Checkpoint


@dataclass(frozen=True)
class SessionEnded:
    status: str
    stop_reason: str | None
    report: dict[str, Any]


Event = (
    StageStarted
    | TextDelta
    | StreamReset
    | StreamFinished
    | StageFinished
    | ArtifactReady
    | Retrying
    | Recovered
    | ErrorEvent
    | Notice
    | UsageUpdate
    | StreamsRestored
    | AwaitingDecision
    | SessionEnded
)
