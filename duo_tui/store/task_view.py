"""One task as its session files tell it: the task, and per round its diff, reviews, triage.

What the task detail screen shows, read from `<repo>/.duo/sessions/<id>/` only
(session.json, `<task>/task.md`, `<task>/round-<n>/...`, `<task>/commit.txt`),
so it works for a running session, a finished one, or one opened from history.
No Textual here: the screen renders what this returns.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from duo_tui.core.artifacts import TriageGroup
from duo_tui.core.models import Review
from duo_tui.core.session import Session, Task
from duo_tui.limits import SESSION_JSON_DEPTH, InputError, loads_json
from duo_tui.store.session_store import SESSION_FILE, SessionStore, round_dir

__all__ = ["RoundView", "TaskDetail", "load_task_detail", "read_session"]


@dataclass
class RoundView:
    """One round of a task: the change, the gate, the reviews and the triage."""

    round: int
    diff: str | None = None  # the change as accepted (declined hunks reverted)
    gate: str = ""  # "passed", "failed", "" when the gate has not run (or none is set)
    reviews: list[Review] = field(default_factory=list)
    triage: list[TriageGroup] = field(default_factory=list)  # groups, decision per group
    verdict: str = ""


@dataclass
class TaskDetail:
    task: Task
    rounds: list[RoundView] = field(default_factory=list)
    commit: str | None = None
    commit_message: str | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def diff(self) -> str | None:
        """The task's latest change (each round's diff is the whole change so far)."""
        for r in reversed(self.rounds):
            if r.diff is not None:
                return r.diff
        return None


def read_session(store: SessionStore) -> Session | None:
    """session.json alone (no log scans): cheap enough to call on a key press."""
    raw = store.read_artifact(SESSION_FILE)
    if raw is None:
        return None
    try:
        return Session.model_validate_json(raw)
    except (ValidationError, ValueError):
        return None


def _reviews(store: SessionStore, folder: str) -> list[Review]:
    out: list[Review] = []
    base = store.path / folder
    if not base.is_dir():
        return out
    for path in sorted(base.glob("review-*.json")):
        try:
            out.append(Review.model_validate_json(path.read_text(encoding="utf-8")))
        except (OSError, ValidationError, ValueError):
            continue
    return out


def load_task_detail(store: SessionStore, task: Task) -> TaskDetail:
    """Everything the session's files hold about `task` (missing files are simply absent)."""
    detail = TaskDetail(task=task)
    rounds = store.rounds_of(task.id)
    for n in rounds:
        folder = round_dir(task.id, n)
        view = RoundView(round=n)
        view.diff = store.read_artifact(f"{folder}/diff.accepted.patch") or store.read_artifact(
            f"{folder}/diff.patch"
        )
        view.reviews = _reviews(store, folder)
        raw = store.read_artifact(f"{folder}/triage.json")
        if raw:
            try:
                data = loads_json(raw, SESSION_JSON_DEPTH)
            except json.JSONDecodeError:
                detail.problems.append(f"{folder}/triage.json is not valid JSON")
                data = None
            except InputError as exc:
                detail.problems.append(f"{folder}/triage.json is unreadable: {exc}")
                data = None
            rows: list[dict[str, Any]] = []
            if isinstance(data, dict):
                decisions = data.get("decisions") or {}
                rows = [
                    dict(g, decision=decisions.get(g.get("key"), g.get("decision")))
                    for g in data.get("groups", [])
                    if isinstance(g, dict)
                ]
                view.verdict = str(data.get("verdict") or "")
            elif isinstance(data, list):  # written before the decisions were taken
                rows = [g for g in data if isinstance(g, dict)]
            view.triage = _groups(rows, f"{folder}/triage.json", detail.problems)
        if store.read_artifact(f"{folder}/gate.log") is not None:
            # A round reached its reviews only past the gate; a gate-only next round
            # means the gate failed and went to the executor as a fix.
            later = any(m > n for m in rounds)
            if view.reviews or view.triage:
                view.gate = "passed"
            elif later:
                view.gate = "failed"
            else:
                view.gate = "ran"
        detail.rounds.append(view)
    commit = store.read_artifact(f"{task.id}/commit.txt")
    if commit:
        sha, _, message = commit.partition("\n")
        detail.commit, detail.commit_message = sha.strip() or None, message.strip() or None
    if detail.commit is None and task.commit:
        detail.commit = task.commit
        detail.commit_message = task.commit_message
    return detail


def _groups(rows: list[dict[str, Any]], where: str, problems: list[str]) -> list[TriageGroup]:
    """The typed groups of a stored triage; a row that does not read is left out, named."""
    groups = []
    for row in rows:
        try:
            groups.append(TriageGroup.from_row(row))
        except (ValueError, KeyError, TypeError):
            problems.append(f"{where}: a group that does not read was left out")
    return groups
