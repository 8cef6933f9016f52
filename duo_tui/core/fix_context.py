"""What a fix round is asked to fix, and starting one.

The round that ends in a fix says what to fix: a failed gate its output
(`gate_failure`), a triage the findings decided "fix" (`findings`). `FixRound`
holds that explicitly between the stage that ends a round and the fix that
follows, and builds the fix prompt's values from it (with the hunks the human
declined, which the fix must not bring back). After a restart it holds
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

__all__ = ["FixRound"]


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
        if not task.declined_hunks:
            return ""
        return (
            "The human declined these hunks of your earlier change; do not reintroduce them: "
            + ", ".join(task.declined_hunks)
        )
