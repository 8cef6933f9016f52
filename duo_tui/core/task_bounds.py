"""A task's bound: is a change too big for its task, or for a fast session?

`bound_notes` looks at the files and lines a change touches and says, for
the execute (or fix) checkpoint, what is past the bound: a change over the
task bound (more files, or lines by more than 20 %) in a session of several
tasks, which may then be split, and a fast session's change past `[loop]
fast_max_files`, which may then switch to the full workflow. `diff_size`
measures a change from its unified diff.
"""

from __future__ import annotations

from typing import Any

from duo_tui.core.artifacts import TasksArtifact, task_list
from duo_tui.core.events import ArtifactReady
from duo_tui.core.models import Mode
from duo_tui.core.session import Task
from duo_tui.core.task_base import TaskBase

__all__ = ["bound_notes", "diff_size"]


def bound_notes(
    runner: TaskBase, task: Task, files: list[str], lines: int, offer: bool = False
) -> dict[str, Any]:
    """Warn about a change past its bound; flags for the execute checkpoint's actions.

    `notes` go into the checkpoint summary. `oversize`: in a session of several
    tasks (or an L one) the change is over the task bound (more files, or lines by
    more than 20 %); `splittable` when the task and its change name at least two
    files (then "split" is offered); `far_oversize` when it is more than twice the
    bound (then autopilot splits). `fast_growth`: a fast session's change past
    `[loop] fast_max_files` (then "full_workflow" is offered while no task has
    been committed). `offer` says whether the checkpoint offers those actions
    (execute does, fix does not), so the notes name the right keys.
    """
    s = runner.session
    out: dict[str, Any] = {}
    notes: list[str] = []
    keys = offer and not runner.autopilot  # name the keys only where a human decides
    if s.mode == Mode.FAST and len(files) > runner.config.loop.fast_max_files:
        switch = keys and not s.commits
        notes.append(
            f"this fast session's change touches {len(files)} files; "
            + (
                "W switches to the full workflow (plan alignment and tasks)"
                if switch
                else "consider the full workflow (plan alignment and tasks)"
            )
        )
        runner.notice(notes[-1], "warning")
        out["fast_growth"] = True
        out["fast_note"] = (
            f"the fast session's change to {task.id} touched {len(files)} files "
            f"(fast mode's bound is {runner.config.loop.fast_max_files}); it went on "
            "without plan alignment"
        )
    if len(s.tasks) > 1 or s.size == "L":
        mf, ml = runner.config.tasks.max_files, runner.config.tasks.max_lines
        if len(files) > mf or lines > ml * 1.2:
            task.oversize = f"the change touches {len(files)} files and {lines} lines (bound {mf} files, ~{ml} lines)"
            splittable = len({*task.files, *files}) >= 2
            how = (
                "; S splits the task, a accepts it as is"
                if keys and splittable
                else "; accept it as is or reject it with a narrower brief"
                if keys
                else ""
            )
            notes.append(task.oversize + how)
            runner.notice(f"{task.id}: {task.oversize}", "warning")
            runner.emit(ArtifactReady(TasksArtifact(task_list(s.tasks))))
            out["oversize"] = True
            out["splittable"] = splittable
            out["far_oversize"] = len(files) > 2 * mf or lines > 2 * ml
    out["notes"] = notes
    return out


def diff_size(diff: str) -> tuple[list[str], int]:
    """The files a unified diff touches and its changed (added + deleted) lines."""
    from duo_tui.vcs.diff import parse_diff

    files = parse_diff(diff)
    lines = sum(1 for f in files for h in f.hunks for ln in h.lines if ln[:1] in ("+", "-"))
    return sorted(f.path for f in files), lines
