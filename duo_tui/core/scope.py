"""A task's scope: the files it may touch, and what to do when its change strays or fails.

A task names the files it may touch. An executor's change that edits any other
file is out of scope: the execute checkpoint flags those files, autopilot declines
them (they are reverted like hunks the human declines), and the plan-to-code trace
counts them as scope creep. A task with no files named has no scope to enforce.

When a task's edits cannot be applied (typically because an earlier task already
changed the same lines), the checkpoint offers a way forward: rerun with the
current contents of the files the failed blocks named, skip the task, or merge it
with the previous task (one task with both tasks' files and criteria).
"""

from __future__ import annotations

from collections.abc import Iterable

from duo_tui.core.session import Task

#: Actions a failed execute checkpoint offers besides rerun.
SKIP = "skip_task"
MERGE = "merge_task"


def _norm(path: str) -> str:
    p = path.strip().replace("\\", "/")
    while p.startswith("./"):
        p = p[2:]
    return p


def out_of_scope(allowed: Iterable[str], changed: Iterable[str]) -> list[str]:
    """The changed files that are not among `allowed` (none when nothing is allowed:
    a task without files has no scope to enforce)."""
    scope = {_norm(p) for p in allowed if p and p.strip()}
    if not scope:
        return []
    return sorted({_norm(p) for p in changed if _norm(p) not in scope})


def failure_actions(index: int) -> tuple[str, ...]:
    """What a failed execute offers besides rerun: skip, and merge when a task precedes."""
    return (SKIP, MERGE) if index > 0 else (SKIP,)


def merged_task(previous: Task, task: Task) -> Task:
    """One task doing both: the later task's id, both tasks' files, goals and criteria.

    The previous task's commit (if any) stays; the merged task starts from the tree as
    it is now and may touch every file either task named."""
    files = list(dict.fromkeys([*previous.files, *task.files]))
    criteria = list(dict.fromkeys([*previous.criteria, *task.criteria]))
    goal = " ".join(g for g in (previous.goal, task.goal) if g)
    merged = task.model_copy(
        deep=True,
        update={
            "files": files,
            "criteria": criteria,
            "goal": goal,
            "title": f"{task.title} (merged with {previous.id})",
            "steps": list(dict.fromkeys([*previous.steps, *task.steps])),
        },
    )
    merged.pre_tree = None
    merged.oversize = None
    return merged
