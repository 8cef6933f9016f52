"""The typed payloads of the seam: one frozen dataclass per artifact, and a checkpoint's data.

`ArtifactReady.data` is one of the artifacts below and `Checkpoint.data` a
`CheckpointData`; the front ends dispatch on the type (`match`/`isinstance`) and
read attributes, never nested dicts by key. What the session stores on disk
(`triage.json`, `tasks.json`, `trace.json`) stays plain JSON, written by the core
as before; `from_row`/`from_dict` read it back for a resumed session's replay.

Plain dataclasses: importing this module (through `core.events`) loads no pydantic.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Literal

if TYPE_CHECKING:
    from duo_tui.core.align_history import AlignRound
    from duo_tui.core.models import Finding, Review
    from duo_tui.core.review_rerun import ReviewerSlot
    from duo_tui.core.session import Task
    from duo_tui.core.trace import Trace

ArtifactKind = Literal[
    "plan", "diff", "gate", "review", "triage", "tasks", "commit", "trace", "roles"
]


@dataclass(frozen=True)
class PlanArtifact:
    """A plan version: its markdown and where it came from (a model, "human", "restored")."""

    kind: ClassVar[ArtifactKind] = "plan"
    text: str
    version: int
    source: str


@dataclass(frozen=True)
class DiffArtifact:
    """The change in the worktree (a unified diff) of a task, or of no task."""

    kind: ClassVar[ArtifactKind] = "diff"
    diff: str
    task: str | None = None


@dataclass(frozen=True)
class GateArtifact:
    """One run of the quality gate: passed or not, its (redacted) log, its own run time."""

    kind: ClassVar[ArtifactKind] = "gate"
    passed: bool
    log: str
    duration_s: float | None = None


@dataclass(frozen=True)
class SeverityChange:
    """A finding a reviewer re-rated in the rebuttal."""

    title: str
    before: str
    after: str


@dataclass(frozen=True)
class Rebuttal:
    """How a reviewer changed its position after reading the other review."""

    conceded: tuple[str, ...] = ()
    contested: tuple[str, ...] = ()
    withdrawn: tuple[str, ...] = ()
    severity_changed: tuple[SeverityChange, ...] = ()
    summary: str = ""

    @classmethod
    def from_position(cls, position: Mapping[str, Any]) -> Rebuttal:
        """From the position record the core keeps in `rebuttal.json`."""
        return cls(
            conceded=tuple(str(t) for t in position.get("conceded") or ()),
            contested=tuple(str(t) for t in position.get("contested") or ()),
            withdrawn=tuple(str(t) for t in position.get("withdrawn") or ()),
            severity_changed=tuple(
                SeverityChange(
                    str(c.get("title", "")), str(c.get("from", "")), str(c.get("to", ""))
                )
                for c in position.get("severity_changed") or ()
                if isinstance(c, Mapping)
            ),
            summary=str(position.get("summary") or ""),
        )


@dataclass(frozen=True)
class ReviewArtifact:
    """One reviewer's parsed review (after a rebuttal, with its change of position)."""

    kind: ClassVar[ArtifactKind] = "review"
    index: int
    review: Review
    rebuttal: Rebuttal | None = None


@dataclass(frozen=True)
class CarriedDecision:
    """A decision taken over from the same finding of an earlier round."""

    decision: str
    round: int
    key: str
    reason: str = ""


@dataclass(frozen=True)
class GroupMember:
    """One reviewer's finding in a triage group."""

    reviewer: int
    finding: Finding


@dataclass(frozen=True)
class TriageGroup:
    """Findings of the reviewers that the matcher calls the same (or one reviewer's alone)."""

    key: str
    kind: str  # agree | severity | only
    severity: str
    title: str
    members: tuple[GroupMember, ...]
    decision: str = "pending"
    source: str | None = None  # where the decision came from (see core.carry_over)
    carried: CarriedDecision | None = None
    by: str = ""  # "judge" or "human" when they made (or split) this grouping
    judge: tuple[dict[str, Any], ...] = ()  # the judge's verdicts (model text: untrusted)

    @property
    def member_keys(self) -> tuple[str, ...]:
        """The finding keys (`R<reviewer>:<finding id>`) the panes use."""
        return tuple(f"R{m.reviewer}:{m.finding.id}" for m in self.members)

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> TriageGroup:
        """From a row of `core.convergence.group_table` (as `triage.json` stores it)."""
        from duo_tui.core.models import Finding

        carried = row.get("carried")
        return cls(
            key=str(row["key"]),
            kind=str(row.get("kind", "only")),
            severity=str(row.get("severity", "")),
            title=str(row.get("title", "")),
            members=tuple(
                GroupMember(int(m["reviewer"]), Finding.model_validate(m["finding"]))
                for m in row.get("members") or ()
            ),
            decision=str(row.get("decision") or "pending"),
            source=str(row["source"]) if row.get("source") is not None else None,
            carried=CarriedDecision(
                decision=str(carried.get("decision", "")),
                round=int(carried.get("round") or 0),
                key=str(carried.get("key", "")),
                reason=str(carried.get("reason") or ""),
            )
            if isinstance(carried, Mapping)
            else None,
            by=str(row.get("by") or ""),
            judge=tuple(dict(v) for v in row.get("judge") or () if isinstance(v, Mapping)),
        )

    def as_row(self) -> dict[str, Any]:
        """The row as `group_table` makes it (with `source` and `carried` when set)."""
        row: dict[str, Any] = {
            "key": self.key,
            "kind": self.kind,
            "severity": self.severity,
            "title": self.title,
            "members": [
                {"reviewer": m.reviewer, "finding": m.finding.model_dump(exclude_none=True)}
                for m in self.members
            ],
            "decision": self.decision,
        }
        if self.source is not None:
            row["source"] = self.source
        if self.carried is not None:
            c = self.carried
            row["carried"] = {
                "decision": c.decision,
                "round": c.round,
                "key": c.key,
                "reason": c.reason,
            }
        if self.by:
            row["by"] = self.by
        if self.judge:
            row["judge"] = [dict(v) for v in self.judge]
        return row


def triage_groups(rows: Iterable[Mapping[str, Any]]) -> tuple[TriageGroup, ...]:
    """Typed groups from `group_table` rows."""
    return tuple(TriageGroup.from_row(r) for r in rows)


@dataclass(frozen=True)
class TriageArtifact:
    """A round's triage: the groups with their (preselected) decisions, and the reviews."""

    kind: ClassVar[ArtifactKind] = "triage"
    groups: tuple[TriageGroup, ...]
    reviews: tuple[Review, ...] = ()
    task: str | None = None
    round: int | None = None


@dataclass(frozen=True)
class TaskRow:
    """One task as the task list shows it (the fields of `plan_manifest.task_rows`)."""

    id: str
    title: str
    goal: str = ""
    files: tuple[str, ...] = ()
    criteria: tuple[str, ...] = ()
    steps: tuple[str, ...] = ()
    est_lines: int | None = None
    state: str = "pending"
    round: int = 1
    oversize: str | None = None
    commit: str | None = None
    split_from: str | None = None

    @classmethod
    def from_task(cls, t: Task) -> TaskRow:
        return cls(
            id=t.id,
            title=t.title,
            goal=t.goal,
            files=tuple(t.files),
            criteria=tuple(t.criteria),
            steps=tuple(t.steps),
            est_lines=t.est_lines,
            state=t.state.value,
            round=t.round,
            oversize=t.oversize,
            commit=t.commit,
            split_from=t.split_from,
        )


def task_list(tasks: Iterable[Task]) -> tuple[TaskRow, ...]:
    """The session's tasks as the rows the front ends show."""
    return tuple(TaskRow.from_task(t) for t in tasks)


@dataclass(frozen=True)
class TasksArtifact:
    """The session's task list, whenever it changed (empty: the tasks are being rebuilt)."""

    kind: ClassVar[ArtifactKind] = "tasks"
    tasks: tuple[TaskRow, ...]


@dataclass(frozen=True)
class CommitArtifact:
    """A task's commit on the session branch."""

    kind: ClassVar[ArtifactKind] = "commit"
    sha: str
    message: str
    task: str | None = None


@dataclass(frozen=True)
class TracedHunk:
    """One hunk of the change and the plan steps it implements."""

    hunk_id: str
    file: str
    task_id: str | None
    steps: tuple[str, ...]


@dataclass(frozen=True)
class TraceArtifact:
    """Plan steps against hunks: steps no hunk implements, hunks no step asked for."""

    kind: ClassVar[ArtifactKind] = "trace"
    hunks: tuple[TracedHunk, ...] = ()
    unimplemented_steps: tuple[str, ...] = ()
    scope_creep_hunks: tuple[str, ...] = ()

    @classmethod
    def from_trace(cls, trace: Trace) -> TraceArtifact:
        return cls(
            hunks=tuple(
                TracedHunk(h.hunk_id, h.file, h.task_id, tuple(h.steps)) for h in trace.hunks
            ),
            unimplemented_steps=tuple(trace.unimplemented),
            scope_creep_hunks=tuple(trace.scope_creep),
        )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TraceArtifact:
        """From `trace.json` (`Trace.as_dict`)."""
        return cls(
            hunks=tuple(
                TracedHunk(
                    str(h.get("hunk_id", "")),
                    str(h.get("file", "")),
                    h.get("task_id"),
                    tuple(str(st) for st in h.get("steps") or ()),
                )
                for h in data.get("hunks") or ()
                if isinstance(h, Mapping)
            ),
            unimplemented_steps=tuple(str(s) for s in data.get("unimplemented_steps") or ()),
            scope_creep_hunks=tuple(str(s) for s in data.get("scope_creep_hunks") or ()),
        )


@dataclass(frozen=True)
class RolesArtifact:
    """The session's models after a swap or a reviewer's rerun with another model."""

    kind: ClassVar[ArtifactKind] = "roles"
    planner: str
    executor: str
    reviewers: tuple[str, ...]


Artifact = (
    PlanArtifact
    | DiffArtifact
    | GateArtifact
    | ReviewArtifact
    | TriageArtifact
    | TasksArtifact
    | CommitArtifact
    | TraceArtifact
    | RolesArtifact
)


@dataclass(frozen=True)
class Alternative:
    """One result to choose from after a rerun."""

    label: str
    text: str


@dataclass(frozen=True)
class CheckpointData:
    """What a checkpoint shows beside its summary and editable artifact.

    Every field is optional: a stage fills those it has (execute/fix the diff, review
    and triage the groups, align its history, the plan checkpoint the task list).
    """

    diff: str | None = None
    groups: tuple[TriageGroup, ...] = ()
    reviews: tuple[Review, ...] = ()
    reviewers: tuple[ReviewerSlot, ...] = ()  # review: who can be rerun on their own
    models: tuple[str, ...] = ()  # review: every reviewer's model
    tasks: tuple[TaskRow, ...] | None = None  # the plan checkpoint's task list
    size: str | None = None
    size_why: str = ""
    align_history: str = ""
    align_rounds: tuple[AlignRound, ...] = ()
    objections: str = ""
    proposal: str = ""
    alternatives: tuple[Alternative, ...] = ()
    preview_note: str = ""  # review: whose matches the groups are (the judge comes later)
    max_high: int | None = None  # triage: the convergence rule's `[loop] max_high`


def checkpoint_data(
    data: Mapping[str, Any], alternatives: Iterable[Alternative] = ()
) -> CheckpointData:
    """The checkpoint's view of what a stage produced (`Produced.data`, the core's own)."""
    tasks = data.get("tasks")
    return CheckpointData(
        diff=str(data["diff"]) if data.get("diff") is not None else None,
        groups=triage_groups(data.get("groups") or ()),
        reviews=tuple(data.get("reviews") or ()),
        reviewers=tuple(data.get("reviewers") or ()),
        models=tuple(data.get("models") or ()),
        tasks=tuple(tasks) if tasks is not None else None,
        size=data.get("size"),
        size_why=str(data.get("size_why") or ""),
        align_history=str(data.get("align_history") or ""),
        align_rounds=tuple(data.get("align_rounds") or ()),
        objections=str(data.get("objections") or ""),
        proposal=str(data.get("proposal") or ""),
        alternatives=tuple(alternatives),
        preview_note=str(data.get("preview_note") or ""),
        max_high=int(data["max_high"]) if data.get("max_high") is not None else None,
    )
