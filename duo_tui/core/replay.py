"""Redraw a resumed session: the events that show what its finished stages produced.

A resumed session continues from where it stood, but the panes of the stages it
already finished would be empty: their output was streamed to the previous
process. `replay_events` rebuilds that output from the session's files (its
cost so far, the plan, the task list, the latest diff, gate log, reviews and
triage, the trace) and the stage states from its runs, as ordinary events (with
`StreamsRestored` naming the panes so redrawn), so the UI needs no
special resume path. Anything missing or unreadable is skipped: a damaged file
must not stop the session from resuming.
"""

from __future__ import annotations

from typing import Any

from duo_tui.core.artifacts import (
    DiffArtifact,
    PlanArtifact,
    ReviewArtifact,
    TasksArtifact,
    TraceArtifact,
    TriageArtifact,
    TriageGroup,
    task_list,
)
from duo_tui.core.events import (
    ArtifactReady,
    Event,
    StageFinished,
    StreamReset,
    StreamsRestored,
    TextDelta,
    UsageUpdate,
)
from duo_tui.core.models import Review, Stage, StageState
from duo_tui.core.session import Session
from duo_tui.limits import DEFAULT_LIMITS, InputError, Limits, parse_json_text

#: Stage states that mean the stage is over (what the rail shows as done or failed).
_DONE = frozenset({StageState.ACCEPTED, StageState.REJECTED, StageState.FAILED})


def _slug(model: str) -> str:
    return model.replace("/", "-").replace(":", "-")


def _json(store: Any, path: str, limits: Limits) -> Any:
    """A stored JSON file; None when missing, over the limits, nested without end or not JSON."""
    try:
        raw = store.read_artifact(path, limit=limits.review_file_bytes, setting="review_file_mb")
        return parse_json_text(raw, limits, path) if raw else None
    except InputError:
        return None


def _last_round(session: Session) -> tuple[str, int] | None:
    """The task and round of the latest run that belongs to a task."""
    for run in reversed(session.runs):
        if run.task_id:
            return run.task_id, run.round
    return None


def _find(store: Any, task_id: str, rnd: int, names: tuple[str, ...]) -> tuple[int, str] | None:
    """The latest round (not after `rnd`) of `task_id` holding one of `names`."""
    for r in range(rnd, 0, -1):
        for name in names:
            text = store.read_artifact(f"{task_id}/round-{r}/{name}")
            if text is not None:
                return r, text
    return None


def _reviews(
    store: Any, session: Session, task_id: str, rnd: int, limits: Limits
) -> dict[int, Review]:
    out: dict[int, Review] = {}
    for i, model in enumerate(session.roles.effective_reviewers()):
        data = _json(store, f"{task_id}/round-{rnd}/review-{i}-{_slug(model)}.json", limits)
        if data is None:
            continue
        try:
            out[i] = Review.model_validate(data)
        except ValueError:
            continue
    return out


def _triage_groups(data: Any) -> tuple[TriageGroup, ...]:
    """A stored triage (the list written before the decision, or the decided dict),
    its groups showing the decisions that were taken (a row that does not read is left out)."""
    if isinstance(data, list):
        rows = [g for g in data if isinstance(g, dict) and "key" in g]
    elif not isinstance(data, dict) or not isinstance(data.get("groups"), list):
        return ()
    else:
        raw = data.get("decisions")
        decided: dict[str, Any] = raw if isinstance(raw, dict) else {}
        rows = []
        for g in data["groups"]:
            if isinstance(g, dict) and "key" in g:
                g = dict(g)
                if g["key"] in decided:
                    g["decision"] = decided[g["key"]]
                rows.append(g)
    groups = []
    for row in rows:
        try:
            groups.append(TriageGroup.from_row(row))
        except (ValueError, KeyError, TypeError):
            continue
    return tuple(groups)


def replay_events(session: Session, store: Any, limits: Limits = DEFAULT_LIMITS) -> list[Event]:
    """Events that redraw what the session's finished stages produced (its JSON files
    read within `limits`, the configured `[limits]`)."""

    events: list[Event] = []
    restored: list[str] = []  # the streams whose finished output is redrawn
    if session.usage_by_model:
        # what the session has cost so far (the header's total), before any new call
        events.append(
            UsageUpdate(
                by_model=dict(session.usage_by_model),
                cost_usd=session.cost_usd,
                cost_known=session.cost_known,
                by_stage=dict(session.usage_by_stage),
            )
        )
    if session.plan_version > 0:
        text = store.read_artifact(f"plan-v{session.plan_version}.md")
        if text:
            plan = PlanArtifact(text, session.plan_version, "restored")
            events.append(ArtifactReady(plan, "plan"))
            restored.append("plan")
    if session.tasks:
        events.append(ArtifactReady(TasksArtifact(task_list(session.tasks))))
    where = _last_round(session)
    if where is not None:
        task_id, rnd = where
        found = _find(store, task_id, rnd, ("diff.accepted.patch", "diff.patch"))
        if found is not None:
            events.append(ArtifactReady(DiffArtifact(found[1], task_id), "exec"))
        gate = _find(store, task_id, rnd, ("gate.log",))
        if gate is not None:
            events.append(StreamReset("gate", f"gate · round {gate[0]}", ""))
            events.append(TextDelta("gate", gate[1]))
            restored.append("gate")
        reviewed = next(
            (r for r in range(rnd, 0, -1) if _reviews(store, session, task_id, r, limits)),
            None,
        )
        if reviewed is not None:
            reviews = _reviews(store, session, task_id, reviewed, limits)
            for i, review in sorted(reviews.items()):
                events.append(ArtifactReady(ReviewArtifact(i, review), f"review:{i}"))
                restored.append(f"review:{i}")
            triage = _json(store, f"{task_id}/round-{reviewed}/triage.json", limits)
            groups = _triage_groups(triage)
            if groups:
                events.append(
                    ArtifactReady(
                        TriageArtifact(groups, tuple(reviews[i] for i in sorted(reviews)))
                    )
                )
    trace = _json(store, "trace.json", limits)
    if isinstance(trace, dict):
        events.append(ArtifactReady(TraceArtifact.from_dict(trace)))
    # the rail: each stage as its latest finished run left it
    last: dict[Stage, Any] = {}
    for run in session.runs:
        if run.state in _DONE:
            last[run.stage] = run
    for stage, run in last.items():
        events.append(StageFinished(stage, run.round, run.task_id, run.state, "restored"))
    if restored:  # last: after the rail's events, which finish the gate's stream
        events.append(StreamsRestored(tuple(restored)))
    return events
