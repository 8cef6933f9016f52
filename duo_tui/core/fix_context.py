"""What a fix round is asked to fix, and starting one.

The round that ends in a fix says what to fix: a failed gate its output
(`gate_failure`), a triage the findings decided "fix" (`findings`). `FixRound`
holds that explicitly between the stage that ends a round and the fix that
follows, and builds the fix prompt's values from it (with the hunks the human
declined, their ids and their text, which the fix must not bring back as they
were: it works around them, or proposes one again saying why; the text is
kept in the task's `declined.patch` by `record_declined`). After a restart it holds
nothing, and the fix takes its findings from the stored triage of the
previous round (a corrupted file is a warning, and the fix goes ahead
without them).
"""

from __future__ import annotations

from duo_tui.core.carry_over import fix_lines
from duo_tui.core.convergence import MergedFinding
from duo_tui.core.models import Stage
from duo_tui.core.session import Task
from duo_tui.core.task_base import TaskBase
from duo_tui.prompts import untrusted
from duo_tui.safe_text import clean
from duo_tui.vcs.diff import hunk_patch, parse_diff

__all__ = ["DECLINED_HEADER", "FixRound", "declined_patch", "record_declined"]

DECLINED_HEADER = "The human declined these hunks of your earlier change:"
"""The first line of the fix prompt's declined section; each hunk id follows as `- id`."""

_DECLINED_MAX = 6000
"""How much of the declined hunks' text the fix prompt holds (the latest part)."""


def fix_why(*, findings: bool, gate: bool) -> str:
    """The fix prompt's opening: what went wrong, so a round after a failed gate alone
    does not tell the model that reviewers found problems."""
    if findings and gate:
        return (
            "Reviewers found problems in your change and the quality gate failed on it. "
            "Fix the findings listed below (the human chose these) and what makes the gate "
            "fail, and nothing else."
        )
    if gate:
        return (
            "The quality gate failed on your change (its output is below). Make it pass "
            "and change nothing else."
        )
    return (
        "Reviewers found problems in your change. Fix the findings listed below (the "
        "human chose these) and nothing else."
    )


def declined_patch(diff: str, refs: list[str]) -> str:
    """The part of `diff` that `refs` (hunk ids `path#n`, or whole files) name."""
    wanted = set(refs)
    parts: list[str] = []
    for f in parse_diff(diff):
        if f.binary:
            continue
        if f.path in wanted:
            parts.append(hunk_patch(f))
            continue
        hunks = [h for h in f.hunks if h.id in wanted]
        if hunks:
            parts.append(hunk_patch(f, hunks))
    return "".join(p if p.endswith("\n") else p + "\n" for p in parts)


def record_declined(runner: TaskBase, task: Task, diff: str, refs: list[str]) -> None:
    """Keep the text of the hunks the human declined (from the change they were shown
    in) with the task, for the fix prompts of its later rounds."""
    patch = declined_patch(diff, refs)
    if not patch:
        return
    rel = f"{task.id}/declined.patch"
    before = runner.store.read_artifact(rel) or ""
    runner.store.write_artifact(rel, before + patch)


class FixRound:
    """The fix round's inputs (set by the gate or triage that ends a round) and its start."""

    def __init__(self, runner: TaskBase) -> None:
        self.runner = runner
        self.findings: list[MergedFinding] = []
        """The merged findings the last triage decided to fix."""
        self.gate_failure = ""
        """The tail of the log of the gate that failed ("" when the gate passed)."""

    def start(self, task: Task, gate_only: bool = False) -> None:
        """The task's next round begins with a fix (after the gate only: no findings)."""
        task.round += 1
        task.phase = Stage.FIX
        task.pre_tree = (
            self.runner.worktree.snapshot() if self.runner.worktree is not None else None
        )
        if gate_only:
            self.findings = []
        self.runner.save()

    def context(self) -> dict[str, str]:
        """The fix prompt's values: the findings, the gate output, the declined hunks,
        and (`_files`) the files the findings name."""
        task = self.runner.session.task
        assert task is not None
        findings = self.findings
        gate = self.gate_failure
        if not findings and not gate:
            # a resumed fix: the findings to fix are those the stored triage decided
            rel = f"{task.id}/round-{task.round - 1}/triage.json"
            found, data = self.runner.round_json(rel, "the fix goes ahead without its findings")
            if found:
                lines = fix_lines(data)
                if data is not None and lines is None:
                    self.runner.notice(
                        f"{rel} does not hold a triage table; the fix goes ahead without its "
                        "findings",
                        "warning",
                    )
                fl = "Findings to fix:\n" + "\n".join(lines) if lines else ""
                return {
                    "why": fix_why(findings=True, gate=False),
                    "findings": untrusted("findings", fl),
                    "gate": "",
                    "declined": self._declined(task),
                    "_files": "",
                }
        text = []
        files: list[str] = []
        for m in findings:
            for i, f in m.members:
                loc = f"{f.file}:{f.line_start}-{f.line_end}" if f.file else "(whole change)"
                text.append(
                    f"- [{f.severity.value}] {f.title} at {loc} (reviewer {i + 1})\n  {f.detail}\n  Suggestion: {f.suggestion}"
                )
                if f.file:
                    files.append(f.file)
        return {
            "why": fix_why(findings=bool(text) or not gate, gate=bool(gate)),
            "findings": untrusted("review findings", "Findings to fix:\n" + "\n".join(text))
            if text
            else "",
            # redacted when stored; its controls made visible too (`ESC]52` is data here)
            "gate": untrusted("gate output", "The quality gate failed:\n" + clean(gate))
            if gate
            else "",
            "declined": self._declined(task),
            "_files": "\n".join(files),
        }

    def _declined(self, task: Task) -> str:
        """The declined hunks: their ids, what to do about them, and their text."""
        if not task.declined_hunks:
            return ""
        text = (
            DECLINED_HEADER
            + "\n"
            + "".join(f"- {ref}\n" for ref in task.declined_hunks)
            + "Do not bring them back as they were. If the gate fails or the task cannot be "
            "done without one, find another way that respects the decision; only if there is "
            "none, propose it again and say why in your reply. Either way, say in your reply "
            "what you did about each declined hunk."
        )
        patch = self.runner.store.read_artifact(f"{task.id}/declined.patch") or ""
        if patch:
            text += "\n\n" + untrusted("declined hunks", patch[-_DECLINED_MAX:])
        return text
