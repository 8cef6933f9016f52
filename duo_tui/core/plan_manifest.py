"""The plan manifest (the JSON block ending every plan), sizing and decomposition.

The planner proposes a size and tasks; the rules here decide. S and M run as
one task; L is split into atomic tasks of at most `max_files` files and about
`max_lines` changed lines each.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
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
        except (json.JSONDecodeError, RecursionError):  # model text: may nest without end
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


def short_title(text: str, limit: int = 72) -> str:
    """The first line of `text` in at most `limit` characters, cut after a whole word
    (with "…" to say so), never in the middle of one."""
    line = text.strip().splitlines()[0].strip() if text.strip() else ""
    if len(line) <= limit:
        return line
    cut = line[: limit - 1]
    if " " in cut and not line[limit - 1].isspace():
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,.;:-") + "…"


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
            title=short_title(request) if request.strip() else "change",
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


def renumber(tasks: list[Task], taken: Iterable[str] = ()) -> list[Task]:
    """Keep ids stable but unique after edits/splits (T1, T2, T2b...).

    `taken` are ids that must not be reused (tasks replaced earlier in the
    session: their artifact folders keep those names).
    """
    seen: set[str] = set(taken)
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


# -- editing and splitting tasks -----------------------------------------------------------

EDITABLE = ("title", "goal", "files", "criteria")


def _lines_of(value: Any, sep: str) -> list[str]:
    """A list from a list, or from text split on `sep` characters; blanks dropped."""
    if isinstance(value, list | tuple):
        items = [str(v) for v in value]
    elif isinstance(value, str):
        items = re.split(f"[{re.escape(sep)}]", value)
    else:
        items = []
    return [i.strip() for i in items if i.strip()]


def _clean_path(path: str) -> str | None:
    """A repository-relative POSIX path, or None if it is absolute, leaves the repo or is .git."""
    p = path.strip().strip("`").replace("\\", "/")
    if not p or p.startswith("/") or re.match(r"^[A-Za-z]:", p):
        return None
    parts = PurePosixPath(p).parts
    if any(part in ("..", "") for part in parts) or parts[0] == ".git":
        return None
    return "/".join(part for part in parts if part != ".")


def edit_task(task: Task, fields: dict[str, Any], max_files: int | None) -> list[str]:
    """Apply the human's edit of a task (title, goal, files, criteria); returns problems.

    Files may come as a list or as text separated by commas or newlines, criteria
    as a list or one per line. A path that is absolute, leaves the repository or
    points into `.git/` is refused (and named in the problems); an empty title
    keeps the old one. With `max_files` (an L session), the plan-time oversize
    flag is recomputed from the new file list.
    """
    problems: list[str] = []
    unknown = sorted(set(fields) - set(EDITABLE))
    if unknown:
        problems.append(f"{task.id}: not editable: {', '.join(unknown)}")
    if "title" in fields:
        title = " ".join(str(fields["title"] or "").split())
        if title:
            task.title = title
        else:
            problems.append(f"{task.id}: a task needs a title; the old one is kept")
    if "goal" in fields:
        task.goal = str(fields["goal"] or "").strip()
    if "files" in fields:
        files: list[str] = []
        for raw in _lines_of(fields["files"], ",\n"):
            clean = _clean_path(raw)
            if clean is None:
                problems.append(f"{task.id}: refused file {raw!r} (outside the repository)")
            elif clean not in files:
                files.append(clean)
        task.files = files
        if max_files is not None:
            task.oversize = (
                f"plans {len(files)} files (bound {max_files}); split it"
                if len(files) > max_files
                else None
            )
    if "criteria" in fields:
        task.criteria = _lines_of(fields["criteria"], "\n")
    return problems


def _module_key(path: str) -> str:
    """Files that belong together share a key: `shop/cart.py` and `tests/test_cart.py`."""
    stem = PurePosixPath(path).stem.lower()
    for prefix in ("test_", "tests_"):
        if stem.startswith(prefix):
            stem = stem[len(prefix) :]
    for suffix in ("_test", "_tests", ".test", ".spec"):
        if stem.endswith(suffix):
            stem = stem[: -len(suffix)]
    return stem


def split_by_bound(
    task: Task, changed: list[str], lines: int, max_files: int, max_lines: int
) -> list[Task]:
    """Split an oversize task into parts whose file sets respect the bound.

    The files are the task's planned files (in plan order) then the files the
    change touched beyond them (sorted). A module and its test stay together
    where the bound allows. There are enough parts for the files
    (`ceil(files / max_files)`) and for the change's size (`ceil(lines /
    max_lines)`), at least two and at most one per file. Deterministic: the same
    task and change always give the same parts. A task of one file cannot be
    split: it comes back alone.
    """
    ordered = list(dict.fromkeys([*task.files, *sorted(set(changed) - set(task.files))]))
    n = len(ordered)
    if n < 2:
        return [task]
    want = max(2, math.ceil(n / max_files), math.ceil(lines / max_lines) if lines else 1)
    cap = max(1, min(max_files, math.ceil(n / min(want, n))))
    groups: dict[str, list[str]] = {}
    for f in ordered:
        groups.setdefault(_module_key(f), []).append(f)
    chunks: list[list[str]] = []
    for group in groups.values():
        for i in range(0, len(group), cap):
            piece = group[i : i + cap]
            if chunks and len(chunks[-1]) + len(piece) <= cap:
                chunks[-1].extend(piece)
            else:
                chunks.append(list(piece))
    if len(chunks) < 2:  # every file in one module: split it plainly
        chunks = [ordered[i : i + cap] for i in range(0, n, cap)]
    k = len(chunks)
    parts = []
    for i, chunk in enumerate(chunks):
        letter = "abcdefghijklmnopqrstuvwxyz"[i] if i < 26 else f"-{i + 1}"
        part = Task(
            id=f"{task.id}{letter}",
            title=f"{task.title} (part {i + 1}/{k})",
            goal=(
                (task.goal + "\n" if task.goal else "")
                + f"Part {i + 1} of {k}: change only the files listed; "
                "the other parts follow as their own tasks."
            ),
            files=chunk,
            criteria=list(task.criteria),
            steps=list(task.steps),
            est_lines=max(1, lines // k) if lines else None,
            commit_message=(
                f"{task.commit_message} (part {i + 1}/{k})" if task.commit_message else None
            ),
            split_from=task.id,
        )
        parts.append(part)
    return parts


def task_rows(tasks: list[Task]) -> list[dict[str, Any]]:
    """The task list as plain data: what the UI shows and `tasks.json` holds."""
    return [
        {
            "id": t.id,
            "title": t.title,
            "goal": t.goal,
            "files": list(t.files),
            "criteria": list(t.criteria),
            "steps": list(t.steps),
            "est_lines": t.est_lines,
            "state": t.state.value,
            "round": t.round,
            "oversize": t.oversize,
            "commit": t.commit,
            "split_from": t.split_from,
        }
        for t in tasks
    ]


def tasks_document(tasks: list[Task], replaced: list[Task], size: str | None, why: str) -> str:
    """`tasks.json`: the task list a session works through, for people and tools."""
    return json.dumps(
        {"size": size, "why": why, "tasks": task_rows(tasks), "replaced": task_rows(replaced)},
        indent=2,
    )


def task_markdown(task: Task) -> str:
    """`<task>/task.md`: the task as the executor is given it."""
    out = [f"# {task.id}: {task.title}", ""]
    if task.split_from:
        out += [f"Part of {task.split_from}.", ""]
    out += ["## Goal", task.goal or "(none)", "", "## Files it may touch"]
    out += [f"- `{f}`" for f in task.files] or ["(none named)"]
    out += ["", "## Completion criteria"]
    out += [f"- {c}" for c in task.criteria] or ["(none named)"]
    if task.steps:
        out += ["", "Plan steps: " + ", ".join(task.steps)]
    return "\n".join(out) + "\n"
