"""The helpers every stage of a task shares: its folder, its text, the current diff
and trace, and the merge of its reviews (the base of the task-cycle stages)."""

from __future__ import annotations

import json
from typing import Any

from duo_tui.core.artifacts import DiffArtifact, TraceArtifact
from duo_tui.core.convergence import (
    MergedFinding,
    merge_reviews,
)
from duo_tui.core.events import ArtifactReady
from duo_tui.core.models import Review, TriageResult
from duo_tui.core.runner import (
    RunnerBase,
)
from duo_tui.core.session import Task, TaskState
from duo_tui.core.trace import Trace, build_trace
from duo_tui.limits import InputError, Limits, parse_json_text
from duo_tui.prompts import untrusted
from duo_tui.safe_text import clean


def _slug(model: str) -> str:
    return model.replace("/", "-").replace(":", "-")


class TaskBase(RunnerBase):
    """What the stages of one task (execute to commit) share."""

    # -- helpers ------------------------------------------------------------------

    def _dir(self, task: Task) -> str:
        return f"{task.id}/round-{task.round}"

    def limits(self) -> Limits:
        """The configured `[limits]`: every reader of model output in the session obeys them."""
        return self.config.limits.to_limits()

    def _round_json(self, relpath: str, instead: str) -> tuple[bool, Any]:
        """A JSON file of an earlier stage or round of this session: (found, its value).

        The file is not trusted to be what the session wrote: one over the
        `[limits]`, nested without end, or not JSON at all is a warning naming
        it and what happens `instead`, and reads as (True, None); the session
        goes on. A missing file is (False, None).
        """
        limits = self.limits()
        try:
            text = self.store.read_artifact(
                relpath, limit=limits.review_file_bytes, setting="review_file_mb"
            )
            if text is None:
                return False, None
            return True, parse_json_text(text, limits, relpath)
        except InputError as exc:
            self.notice(f"{clean(str(exc))}; {instead}", "warning")
            return True, None

    def _task_text(self, task: Task) -> str:
        lines = [f"Task {task.id}: {task.title}"]
        if task.goal:
            lines.append(f"Goal: {task.goal}")
        if task.files:
            lines.append("Files it may touch: " + ", ".join(task.files))
        if task.criteria:
            lines.append("Completion criteria:\n" + "\n".join(f"- {c}" for c in task.criteria))
        return untrusted("task", "\n".join(lines))

    def _plan_block(self) -> str:
        s = self.session
        text = self.store.read_artifact(f"plan-v{s.plan_version}.md") or ""
        return untrusted("plan", text) if text else ""

    def _current_diff(self) -> str:
        return self.worktree.diff() if self.worktree is not None else ""

    def _emit_diff(self, diff: str) -> None:
        task = self.session.task
        self.emit(ArtifactReady(DiffArtifact(diff, task.id if task else None), "exec"))
        self.emit(ArtifactReady(TraceArtifact.from_trace(self.trace(diff))))

    def trace(self, current: str | None = None) -> Trace:
        """Hunks of every committed task plus the current change, linked to plan steps."""
        s = self.session
        diffs: dict[str | None, str] = {}
        for t in s.tasks:
            if t.state == TaskState.COMMITTED and t.commit and self.worktree is not None:
                diffs[t.id] = self._commit_diff(t.commit)
        if current is not None and s.task is not None:
            diffs[s.task.id] = current
        scopes = {t.id: list(t.files) for t in s.tasks}
        trace = build_trace(s.steps, diffs, scopes)
        if s.task is not None:
            self.store.write_artifact("trace.json", json.dumps(trace.as_dict(), indent=2))
        return trace

    def _commit_diff(self, sha: str) -> str:
        from duo_tui.vcs.gitcmd import run

        assert self.worktree is not None
        return run(self.worktree.path, "show", "--format=", "--no-color", sha, strip=False)

    def merge(
        self, reviews: list[Review], result: TriageResult | None = None
    ) -> list[MergedFinding]:
        return merge_reviews(reviews, self.limits(), result)
