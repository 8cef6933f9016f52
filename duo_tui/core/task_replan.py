"""What the execute checkpoint can do to the task list: skip, merge, split, go full.

A task whose edits cannot apply is skipped, or merged with the previous task
(one task with both tasks' files); a change far over the task bound is
discarded and its task split by the bound; a fast session that outgrew itself
switches to the full workflow (plan alignment, sizing, tasks). Each puts the
worktree back as it was before the task's execute, logs the decision, saves
the session and raises `TasksReplanned` so the pipeline goes on from where the
session now stands.
"""

from __future__ import annotations

from duo_tui.core.artifacts import TasksArtifact, task_list
from duo_tui.core.events import ArtifactReady, UserDecision
from duo_tui.core.models import Mode, Stage
from duo_tui.core.plan_manifest import renumber, split_by_bound
from duo_tui.core.scope import SKIP, merged_task
from duo_tui.core.session import Task, TaskState
from duo_tui.core.stage_contract import Produced, StageError, TasksReplanned
from duo_tui.core.task_base import TaskBase

__all__ = ["discard_change", "skip_or_merge", "split_oversize", "switch_to_full_workflow"]


def skip_or_merge(runner: TaskBase, task: Task, decision: UserDecision) -> None:
    """A task whose edits cannot apply: skip it, or merge it with the previous task
    (one task with both tasks' files, from the tree as it is now)."""
    s = runner.session
    run = s.current
    discard_change(runner, task)
    idx = s.task_index
    if decision.action == SKIP:
        task.state = TaskState.SKIPPED
        runner.log_decision(Stage.EXECUTE, decision, run, skipped=task.id)
        runner.notice(f"{task.id} skipped: its change could not be applied")
    else:
        prev = s.tasks[idx - 1]
        merged = merged_task(prev, task)
        merged.state = TaskState.PENDING
        task.state = TaskState.REPLACED
        s.replaced_tasks.append(task)
        s.tasks[idx] = merged
        s.tasks = renumber(s.tasks, taken=[t.id for t in s.replaced_tasks])
        merged = s.tasks[idx]
        runner.log_decision(
            Stage.EXECUTE, decision, run, merged_with=prev.id, files=list(merged.files)
        )
        runner.notice(
            f"{task.id} merged with {prev.id}: it may now touch {', '.join(merged.files)}"
        )
    runner.emit(ArtifactReady(TasksArtifact(task_list(s.tasks))))
    runner.write_task_files()
    runner.save()
    raise TasksReplanned(f"{task.id} {decision.action}")


def discard_change(runner: TaskBase, task: Task) -> None:
    """Put the worktree back as it was before this task's execute."""
    if runner.worktree is not None and task.pre_tree:
        runner.session_root()  # the guard: restoring writes files
        runner.worktree.restore(task.pre_tree)
    task.pre_tree = None
    runner.emit_diff(runner.current_diff())


def split_oversize(
    runner: TaskBase, task: Task, produced: Produced, decision: UserDecision
) -> None:
    """Discard the oversize change, split the task by the bound, run its first part."""
    s = runner.session
    files = list(produced.data.get("files") or [])
    lines = int(produced.data.get("lines") or 0)
    parts = split_by_bound(
        task, files, lines, runner.config.tasks.max_files, runner.config.tasks.max_lines
    )
    if len(parts) < 2:  # pragma: no cover - "split" is only offered for 2+ files
        raise StageError(f"{task.id} cannot be split: it names one file")
    discard_change(runner, task)
    run = s.current
    task.state = TaskState.REPLACED
    s.replaced_tasks.append(task)
    idx = s.task_index
    s.tasks[idx : idx + 1] = parts
    s.tasks = renumber(s.tasks, taken=[t.id for t in s.replaced_tasks])
    s.task_index = idx
    runner.log_decision(
        Stage.EXECUTE,
        decision,
        run,
        split_into={p.id: list(p.files) for p in parts},
        discarded_files=files,
        oversize=task.oversize,
    )
    runner.notice(
        f"{task.id} split into "
        + ", ".join(f"{p.id} ({', '.join(p.files)})" for p in parts)
        + f"; its change was discarded and {parts[0].id} runs now"
    )
    runner.emit(ArtifactReady(TasksArtifact(task_list(s.tasks))))
    runner.write_task_files()
    runner.save()
    raise TasksReplanned(f"{task.id} split")


def switch_to_full_workflow(
    runner: TaskBase, task: Task, produced: Produced, decision: UserDecision
) -> None:
    """A fast session outgrew itself: discard the change, align the plan, size it, go on.

    The session's mode becomes auto (autopilot on) or manual (off): the autopilot
    switch is kept as it was. Nothing was committed yet (the switch is offered only
    then), so every task of the fast run is replaced by the new decomposition.
    """
    s = runner.session
    discard_change(runner, task)
    run = s.current
    for t in s.tasks:
        t.state = TaskState.REPLACED
        t.pre_tree = None
    s.replaced_tasks.extend(s.tasks)
    s.tasks = []
    s.task_index = 0
    s.mode = Mode.AUTO if s.autopilot else Mode.MANUAL
    s.aligned = False
    s.size = None
    s.size_override = None
    s.size_why = ""
    runner.log_decision(
        Stage.EXECUTE,
        decision,
        run,
        mode_from="fast",
        mode_to=s.mode.value,
        discarded_files=list(produced.data.get("files") or []),
    )
    runner.notice(
        f"switched to the full workflow ({s.mode.value}): the change was discarded; "
        "the plan goes to alignment, then sizing and tasks"
    )
    runner.emit(ArtifactReady(TasksArtifact(())))
    runner.write_task_files()
    runner.save()
    raise TasksReplanned("full workflow")
