"""The plan-to-code trace: which plan step (and task) each hunk serves.

A hunk is linked to the plan steps that name its file; a hunk whose file no
step names is scope creep, and so is a hunk in a file its own task does not
name (another task's file is not this task's to change); a step none of whose
files any hunk touched is not implemented (yet).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from duo_tui.core.session import PlanStep


@dataclass
class HunkTrace:
    hunk_id: str
    file: str
    task_id: str | None
    steps: list[str]


@dataclass
class Trace:
    hunks: list[HunkTrace] = field(default_factory=list)
    unimplemented: list[str] = field(default_factory=list)  # step ids
    scope_creep: list[str] = field(default_factory=list)  # hunk ids

    def as_dict(self) -> dict[str, object]:
        return {
            "hunks": [h.__dict__ for h in self.hunks],
            "unimplemented_steps": list(self.unimplemented),
            "scope_creep_hunks": list(self.scope_creep),
        }


def _norm(path: str) -> str:
    return path.strip().lstrip("./").replace("\\", "/")


def build_trace(
    steps: list[PlanStep],
    diffs: dict[str | None, str],
    task_files: dict[str, list[str]] | None = None,
) -> Trace:
    """`diffs` maps a task id to that task's unified diff; `task_files` a task id to the
    files that task may touch (a task without files has no scope to check)."""
    from duo_tui.vcs.diff import parse_diff

    trace = Trace()
    touched: set[str] = set()
    for task_id, diff in diffs.items():
        scope = {_norm(x) for x in (task_files or {}).get(task_id or "", [])}
        for f in parse_diff(diff or ""):
            path = _norm(f.path)
            touched.add(path)
            owners = [s.id for s in steps if path in {_norm(x) for x in s.files}]
            ids = [h.id for h in f.hunks] or [f.path]
            for hid in ids:
                trace.hunks.append(HunkTrace(hid, path, task_id, owners))
                if not owners or (scope and path not in scope):
                    trace.scope_creep.append(hid)
    for s in steps:
        files = {_norm(x) for x in s.files}
        if files and not files & touched:
            trace.unimplemented.append(s.id)
    return trace
