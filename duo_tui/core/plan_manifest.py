"""The plan manifest (the JSON block ending every plan), sizing and decomposition.

The planner proposes a size and tasks; the rules here decide. S and M run as
one task; L is split into atomic tasks of at most `max_files` files and about
`max_lines` changed lines each.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from duo_tui.core.session import PlanStep, Task

_FENCE = re.compile(r"```(?:json)?\s*\n(\{.*?\})\s*\n```", re.S)
_STEP_LINE = re.compile(r"^\s*(?:\d+[.)]|[-*])\s*\[(S\d+)\]\s*(.+)$", re.M)
_CONVENTIONAL = re.compile(
    r"^(feat|fix|refactor|perf|test|docs|chore|build|ci|style|revert)(\([\w./-]+\))?!?: \S.*$"
)


@dataclass
class PlanManifest:
    size: str | None = None
    commit: str | None = None
    steps: list[PlanStep] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _as_list(v: Any) -> list[str]:
    if isinstance(v, list):
        return [str(x) for x in v if str(x).strip()]
    if isinstance(v, str) and v.strip():
        return [v]
    return []


def parse_manifest(plan: str) -> PlanManifest:
    """Read the manifest from a plan; fall back to `[S1]` lines when there is none."""
    out = PlanManifest()
    blocks = _FENCE.findall(plan)
    data: dict[str, Any] | None = None
    for raw in reversed(blocks):
        try:
            cand = json.loads(raw)
        except json.JSONDecodeError:
            continue
        if isinstance(cand, dict) and ("steps" in cand or "tasks" in cand):
            data = cand
            break
    if data is None:
        out.problems.append("the plan has no JSON manifest; steps were read from the text")
        for sid, text in _STEP_LINE.findall(plan):
            files = re.findall(r"`([\w./-]+\.\w+)`", text)
            out.steps.append(PlanStep(id=sid, text=text.strip(), files=files))
        return out
    size = str(data.get("size") or "").upper()
    out.size = size if size in {"S", "M", "L"} else None
    commit = str(data.get("commit") or "").strip()
    out.commit = commit if _CONVENTIONAL.match(commit) else None
    for i, s in enumerate(data.get("steps") or [], 1):
        if isinstance(s, dict):
            out.steps.append(
                PlanStep(
                    id=str(s.get("id") or f"S{i}"),
                    text=str(s.get("text") or ""),
                    files=_as_list(s.get("files")),
                )
            )
    for i, t in enumerate(data.get("tasks") or [], 1):
        if not isinstance(t, dict):
            continue
        est = t.get("est_lines")
        msg = str(t.get("commit") or "").strip()
        out.tasks.append(
            Task(
                id=str(t.get("id") or f"T{i}"),
                title=str(t.get("title") or f"task {i}"),
                goal=str(t.get("goal") or ""),
                files=_as_list(t.get("files")),
                criteria=_as_list(t.get("criteria")),
                steps=_as_list(t.get("steps")),
                est_lines=int(est) if isinstance(est, int | float) else None,
                commit_message=msg if _CONVENTIONAL.match(msg) else None,
            )
        )
    return out


def is_conventional(subject: str) -> bool:
    return bool(_CONVENTIONAL.match(subject.strip()))


def classify(manifest: PlanManifest, max_files: int, max_lines: int) -> tuple[str, str]:
    """Decide S/M/L from the plan's files, steps and expected change size.

    Returns (size, why). The planner's proposal is only a hint: the rules win.
    """
    files = {f for s in manifest.steps for f in s.files} | {
        f for t in manifest.tasks for f in t.files
    }
    lines = sum(t.est_lines or 0 for t in manifest.tasks)
    steps = len(manifest.steps)
    if len(files) > max_files or lines > max_lines or steps > 6:
        size = "L"
    elif len(files) > 1 or lines > max_lines // 2 or steps > 3:
        size = "M"
    else:
        size = "S"
    why = f"{len(files)} file(s), {steps} step(s), ~{lines} changed lines"
    if manifest.size and manifest.size != size:
        why += f"; the planner proposed {manifest.size}"
    return size, why


def tasks_for(
    manifest: PlanManifest, size: str, max_files: int, request: str
) -> tuple[list[Task], list[str]]:
    """The ordered task list for a size; flags tasks that exceed the bound."""
    notes: list[str] = []
    all_steps = [s.id for s in manifest.steps]
    all_files = sorted({f for s in manifest.steps for f in s.files})
    if size != "L" or not manifest.tasks:
        if size == "L":
            notes.append("the plan is L but proposes no tasks: it runs as one task")
        files = sorted({f for t in manifest.tasks for f in t.files} | set(all_files))
        task = Task(
            id="T1",
            title=request.strip().splitlines()[0][:72] if request.strip() else "change",
            goal=request.strip(),
            files=files,
            criteria=[c for t in manifest.tasks for c in t.criteria],
            steps=all_steps,
            est_lines=sum(t.est_lines or 0 for t in manifest.tasks) or None,
            commit_message=manifest.commit
            or next((t.commit_message for t in manifest.tasks if t.commit_message), None),
        )
        return [task], notes
    tasks = [t.model_copy(deep=True) for t in manifest.tasks]
    for t in tasks:
        if len(t.files) > max_files:
            t.oversize = f"plans {len(t.files)} files (bound {max_files}); split it"
            notes.append(f"{t.id} {t.oversize}")
    return tasks, notes


def renumber(tasks: list[Task]) -> list[Task]:
    """Keep ids stable but unique after edits/splits (T1, T2, T2b...)."""
    seen: set[str] = set()
    for t in tasks:
        base = t.id
        n = 2
        while t.id in seen:
            t.id = f"{base}.{n}"
            n += 1
        seen.add(t.id)
    return tasks


def split_task(task: Task) -> list[Task]:
    """Split a task in two by its files (the first half, the rest)."""
    if len(task.files) < 2:
        return [task]
    half = (len(task.files) + 1) // 2
    a = task.model_copy(deep=True, update={"id": f"{task.id}a", "files": task.files[:half]})
    b = task.model_copy(deep=True, update={"id": f"{task.id}b", "files": task.files[half:]})
    a.title = f"{task.title} (part 1)"
    b.title = f"{task.title} (part 2)"
    a.oversize = b.oversize = None
    if task.est_lines:
        a.est_lines = b.est_lines = task.est_lines // 2
    return [a, b]
