"""The helpers every stage of a task shares: its folder, its text, the current diff
and trace, earlier rounds' files, and the merge of its reviews.

`TaskBase` is the runner as the task-cycle stages see it: each stage object
(`edit_stage`, `gate_stage`, `review_stage`, `triage_stage`, `commit_stage`,
...) holds the runner and calls these helpers and `RunnerBase`'s machinery
(events, persistence, the checkpoint loop, model calls) through it.
"""

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


def file_slug(model: str) -> str:
    """A model string as it appears in a file name of the round (`review-0-<slug>.json`)."""
    return model.replace("/", "-").replace(":", "-")


class TaskBase(RunnerBase):
    """What the stages of one task (execute to commit) share."""

    # -- helpers ------------------------------------------------------------------

    def task_dir(self, task: Task) -> str:
        """The folder of the task's current round (`T1/round-2`), relative to the session."""
        return f"{task.id}/round-{task.round}"

    def limits(self) -> Limits:
        """The configured `[limits]`: every reader of model output in the session obeys them."""
        return self.config.limits.to_limits()

    def round_json(self, relpath: str, instead: str) -> tuple[bool, Any]:
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

    def task_text(self, task: Task) -> str:
        """The task as the prompts show it (untrusted text: the plan's words)."""
        lines = [f"Task {task.id}: {task.title}"]
        if task.goal:
            lines.append(f"Goal: {task.goal}")
        if task.files:
            lines.append("Files it may touch: " + ", ".join(task.files))
        if task.criteria:
            lines.append("Completion criteria:\n" + "\n".join(f"- {c}" for c in task.criteria))
        return untrusted("task", "\n".join(lines))

    def plan_block(self) -> str:
        """The accepted plan as the prompts show it (untrusted), or "" when there is none."""
        s = self.session
        text = self.store.read_artifact(f"plan-v{s.plan_version}.md") or ""
        return untrusted("plan", text) if text else ""

    def current_diff(self) -> str:
        """The worktree's change against the session branch's HEAD."""
        return self.worktree.diff() if self.worktree is not None else ""

    def emit_diff(self, diff: str) -> None:
        """Show `diff` in the code pane, with the trace that links its hunks to plan steps."""
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
        """The reviews' findings matched into one list (within the session's `[limits]`;
        `result`: a match already made, e.g. the judge's)."""
        return merge_reviews(reviews, self.limits(), result)
