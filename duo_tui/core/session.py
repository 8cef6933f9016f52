"""Session state: the persisted record of one requirement's journey to a commit.

A `Session` is the single source of truth that the runner mutates, the store
persists after every change, and the UI renders. Stage runs carry their state
through the state machine in `duo_tui.core.state`.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from duo_tui.core.models import (
    CallEnding,
    FindingDecision,
    Mode,
    Roles,
    Stage,
    StageState,
    Usage,
    utcnow,
)
from duo_tui.core.state import check_transition


class SessionStatus(StrEnum):
    ACTIVE = "active"
    CONVERGED = "converged"  # converged and committed
    STOPPED = "stopped"  # stopped without converging; stop_reason says why
    FAILED = "failed"
    BLOCKED = "blocked"  # a commit was refused (a secret in the change); resuming retries it


class TaskState(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    COMMITTED = "committed"
    SKIPPED = "skipped"
    STOPPED = "stopped"
    REPLACED = "replaced"  # split into smaller tasks, or dropped when a fast session went full


class StageRun(BaseModel):
    """One run of one stage (a rerun is a new StageRun)."""

    stage: Stage
    round: int = 1
    task_id: str | None = None
    state: StageState = StageState.PENDING
    model: str | None = None
    attempt: int = 1
    error: str | None = None
    interrupted: bool = False
    started_at: str | None = None
    finished_at: str | None = None
    artifact: str | None = None  # path of the stage's output, relative to the session dir
    calls: list[CallEnding] = Field(default_factory=list)  # how each model call ended

    def move(self, target: StageState) -> None:
        """Move through the state machine; raises InvalidTransition if illegal."""
        check_transition(self.stage.value, self.state, target)
        self.state = target
        if target == StageState.RUNNING:
            self.started_at = utcnow()
            self.error = None
        elif target != StageState.AWAITING:
            self.finished_at = utcnow()


class Decision(BaseModel):
    """One entry of the append-only decision log."""

    at: str = Field(default_factory=utcnow)
    stage: Stage
    round: int = 1
    task_id: str | None = None
    action: str  # accept, reject, rerun, edit, swap_roles, autopilot, finding, hunks, choose, ...
    by: str = "human"  # human | autopilot
    reason: str = ""
    model: str | None = None
    data: dict[str, Any] = Field(default_factory=dict)


class PlanStep(BaseModel):
    id: str
    text: str
    files: list[str] = Field(default_factory=list)


class Task(BaseModel):
    """An atomic unit of work ending in one commit."""

    id: str
    title: str
    goal: str = ""
    files: list[str] = Field(default_factory=list)
    criteria: list[str] = Field(default_factory=list)
    steps: list[str] = Field(default_factory=list)  # plan step ids this task implements
    est_lines: int | None = None
    state: TaskState = TaskState.PENDING
    phase: Stage = Stage.EXECUTE  # the next stage of this task's cycle
    round: int = 1
    commit: str | None = None
    commit_message: str | None = None
    pre_tree: str | None = None  # worktree snapshot before the current execute/fix
    gate_score: list[int] | None = None  # failure score of the last accepted gate run
    declined_hunks: list[str] = Field(default_factory=list)
    oversize: str | None = None  # set when the change outgrew the task bound
    split_from: str | None = None  # the id of the task this one is a part of
    critical_history: list[list[str]] = Field(default_factory=list)
    finding_decisions: dict[str, FindingDecision] = Field(default_factory=dict)
    usage: Usage = Field(default_factory=Usage)


class RoundSummary(BaseModel):
    task_id: str
    round: int
    findings: dict[str, int] = Field(default_factory=dict)  # severity -> count (merged)
    fix: list[str] = Field(default_factory=list)
    converged: bool = False
    gate_passed: bool | None = None


def slugify(text: str, limit: int = 40) -> str:
    words = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    if len(words) > limit:
        cut = words[: limit + 1].rfind("-")
        words = words[: cut if cut > limit // 2 else limit]
    slug = words.rstrip("-")
    return slug or "session"


class Session(BaseModel):
    """Everything decided and produced in one session; persisted as session.json."""

    id: str
    slug: str
    request: str
    mode: Mode = Mode.MANUAL
    autopilot: bool = False
    roles: Roles = Field(default_factory=Roles)
    created_at: str = Field(default_factory=utcnow)
    updated_at: str = Field(default_factory=utcnow)
    repo: str = ""
    branch: str | None = None
    worktree: str | None = None
    base_commit: str | None = None
    demo: bool = False
    status: SessionStatus = SessionStatus.ACTIVE
    stop_reason: str | None = None
    plan_version: int = 0
    # the plan version the human wrote (0: none); a planner's revision never replaces it
    # without the human's consent
    human_plan_version: int = 0
    plan_accepted: bool = False
    aligned: bool = False
    size: str | None = None
    size_override: str | None = None
    size_why: str = ""  # what the sizing rule saw (files, steps, lines; an override)
    steps: list[PlanStep] = Field(default_factory=list)
    tasks: list[Task] = Field(default_factory=list)
    # tasks taken out of the list by a split or a switch to the full workflow; their
    # artifacts stay in their folders, so their ids are never reused
    replaced_tasks: list[Task] = Field(default_factory=list)
    task_index: int = 0
    current: StageRun | None = None
    runs: list[StageRun] = Field(default_factory=list)
    rounds: list[RoundSummary] = Field(default_factory=list)
    usage_by_model: dict[str, Usage] = Field(default_factory=dict)
    usage_by_stage: dict[str, Usage] = Field(default_factory=dict)
    commits: list[str] = Field(default_factory=list)
    errors: list[str] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    # how many decisions were appended to decisions.jsonl: a shorter file lost some
    decisions_logged: int = 0
    gate_sandbox: str | None = None  # how the gate last ran, e.g. "sandbox: bubblewrap (...)"

    @property
    def cost_usd(self) -> float:
        return round(sum(u.cost_usd or 0.0 for u in self.usage_by_model.values()), 6)

    @property
    def cost_known(self) -> bool:
        return all(u.cost_usd is not None for u in self.usage_by_model.values())

    @property
    def task(self) -> Task | None:
        if 0 <= self.task_index < len(self.tasks):
            return self.tasks[self.task_index]
        return None

    @property
    def total_rounds(self) -> int:
        return sum(t.round for t in self.tasks if t.state != TaskState.PENDING) or (
            1 if self.tasks else 0
        )

    def add_usage(self, model: str, stage: Stage, usage: Usage) -> None:
        self.usage_by_model[model] = self.usage_by_model.get(model, Usage()) + usage
        self.usage_by_stage[stage.value] = self.usage_by_stage.get(stage.value, Usage()) + usage
        if self.task is not None and stage not in (Stage.PLAN, Stage.ALIGN):
            self.task.usage = self.task.usage + usage

    def touch(self) -> None:
        self.updated_at = utcnow()
