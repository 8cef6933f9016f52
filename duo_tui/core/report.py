"""The JSON report of a session (`duo-tui run --json`), as DESIGN.md specifies."""

from __future__ import annotations

from typing import Any

from duo_tui.core.models import Severity
from duo_tui.core.session import Session, SessionStatus, TaskState


def build_report(s: Session) -> dict[str, Any]:
    final: dict[str, int] = {sev.value: 0 for sev in Severity}
    per_task_last: dict[str, dict[str, int]] = {}
    for r in s.rounds:
        per_task_last[r.task_id] = r.findings
    for counts in per_task_last.values():
        for k, v in counts.items():
            final[k] = final.get(k, 0) + v
    committed = any(t.state == TaskState.COMMITTED for t in s.tasks)
    return {
        "session": s.id,
        "converged": s.status == SessionStatus.CONVERGED,
        "committed": committed,
        "branch": s.branch,
        "commit": s.commits[-1] if s.commits else None,
        "commits": list(s.commits),
        "rounds": sum(t.round for t in s.tasks if t.state != TaskState.PENDING),
        "stop_reason": s.stop_reason,
        "cost_usd": s.cost_usd if s.cost_known else None,
        "cost_known": s.cost_known,
        "findings": final,
        "findings_by_round": [r.model_dump() for r in s.rounds],
        "tasks": [
            {
                "id": t.id,
                "title": t.title,
                "state": t.state.value,
                "rounds": t.round,
                "commit": t.commit,
                "files": t.files,
                "oversize": t.oversize,
            }
            for t in s.tasks
        ],
        "size": s.size,
        "mode": s.mode.value,
        "usage": {m: u.model_dump() for m, u in s.usage_by_model.items()},
        "usage_by_stage": {k: u.model_dump() for k, u in s.usage_by_stage.items()},
        "calls": call_endings(s),
        "errors": list(s.errors),
        "warnings": list(s.warnings),
        "gate_sandbox": s.gate_sandbox,
    }


def call_endings(s: Session) -> list[dict[str, Any]]:
    """How every model call ended, per stage run: `end_turn`, `length`, `max_tokens`, ..."""
    return [
        {"stage": r.stage.value, "round": r.round, "task": r.task_id, **c.model_dump()}
        for r in s.runs
        for c in r.calls
    ]
