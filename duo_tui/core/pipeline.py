"""`Pipeline`: the runner that plays a whole session, used by the TUI and `duo-tui run`."""

from __future__ import annotations

import asyncio
from typing import Any

from duo_tui.core.events import SessionEnded
from duo_tui.core.models import Mode, Stage
from duo_tui.core.planning import PlanningStages
from duo_tui.core.runner import RunnerBase
from duo_tui.core.session import Session, SessionStatus, StageRun, TaskState
from duo_tui.core.stage_contract import SessionBlocked, StopSession, TasksReplanned
from duo_tui.core.task_cycle import TaskCycle
from duo_tui.redact import redact


class Pipeline(PlanningStages, TaskCycle):
    """plan → align → (tasks: execute → gate → review → triage → fix … → commit)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._replay = False
        """Set by `resume_from`: `run` first redraws the finished stages from the files."""

    def resume_from(self, interrupted: StageRun | None) -> None:
        """Continue a persisted session: reuse the artifacts of a stage awaiting a decision."""
        s = self.session
        cur = s.current
        if cur is not None and cur.state.value == "awaiting_decision":
            self._resume_run = cur
        self._replay = True

    async def run(self) -> dict[str, Any]:
        s = self.session
        if self._replay:
            # a resumed session: redraw what its finished stages produced, from its files
            from duo_tui.core.replay import replay_events

            self._replay = False
            for event in replay_events(s, self.store, self.config.limits.to_limits()):
                self.emit(event)
        if s.status == SessionStatus.BLOCKED:  # resumed after a refused commit: try again
            s.status, s.stop_reason = SessionStatus.ACTIVE, None
            self.save()
        if s.status != SessionStatus.ACTIVE:
            return finish_session(self, s.status, s.stop_reason)
        self._warn_same_family()
        try:
            while True:
                try:
                    await self._play()
                    break
                except TasksReplanned:
                    # A split or a switch to the full workflow changed the task list:
                    # go on from where the session now stands (already saved).
                    continue
            s.current = None
            committed = [t for t in s.tasks if t.state == TaskState.COMMITTED]
            if not committed:
                return self._finish(
                    SessionStatus.STOPPED, "nothing was committed: every task was skipped or empty"
                )
            return self._finish(SessionStatus.CONVERGED, None)
        except SessionBlocked as stop:
            return self._finish(SessionStatus.BLOCKED, redact(str(stop)))
        except StopSession as stop:
            return self._finish(SessionStatus.STOPPED, redact(str(stop)))
        except asyncio.CancelledError:
            self.save()
            raise

    async def _play(self) -> None:
        """The stages from where the session stands to its last task."""
        s = self.session
        if not s.plan_accepted:
            await self.stage_plan()
        if not is_fast(s) and not s.aligned:
            await self.stage_align()
        if not s.tasks:
            self.decompose()
            await self.tasks_checkpoint()
        while s.task_index < len(s.tasks):
            task = s.tasks[s.task_index]
            if task.state in (TaskState.PENDING, TaskState.RUNNING):
                await self.run_task()
            s.task_index += 1
            self.save()

    def _finish(self, status: SessionStatus, reason: str | None) -> dict[str, Any]:
        report = finish_session(self, status, reason)
        decisions = getattr(self.store, "decisions", None)
        if callable(decisions):
            logged = decisions()
            report["decisions"] = [
                {
                    "stage": d.stage.value,
                    "round": d.round,
                    "task": d.task_id,
                    "action": d.action,
                    "by": d.by,
                    "reason": d.reason,
                    "model": d.model,
                }
                for d in logged
            ]
            lost = self.session.decisions_logged - len(logged)
            if lost > 0:
                report.setdefault("warnings", []).append(
                    f"{lost} of {self.session.decisions_logged} decision(s) are missing from "
                    "decisions.jsonl (deleted or cut short): this report lacks them"
                )
        try:
            trace = self.trace()
        except Exception as exc:  # the trace is a report, never a reason to fail the session
            self.notice(f"trace unavailable: {exc}", "warning")
        else:
            report["trace"] = trace.as_dict()
            if trace.unimplemented:
                self.notice(
                    "plan steps no hunk implements: " + ", ".join(trace.unimplemented), "warning"
                )
            if trace.scope_creep:
                self.notice(
                    f"{len(trace.scope_creep)} hunk(s) no plan step asked for (scope creep)",
                    "warning",
                )
        return report

    def _warn_same_family(self) -> None:
        s = self.session
        models = [s.roles.planner, s.roles.executor, *s.roles.effective_reviewers()]
        try:
            from duo_tui.providers.registry import family
        except ImportError:  # pragma: no cover
            return
        fams = {family(m) for m in models}
        if len(fams) == 1 and not s.demo:
            msg = (
                f"planner, executor and reviewers are all {fams.pop()} models: they share blind "
                "spots; duo-tui works best with two different model families"
            )
            if msg not in s.warnings:
                s.warnings.append(msg)
            self.notice(msg, "warning")


__all__ = ["Pipeline", "Stage"]


def finish_session(runner: RunnerBase, status: SessionStatus, reason: str | None) -> dict[str, Any]:
    s = runner.session
    s.status = status
    s.stop_reason = reason
    if status == SessionStatus.STOPPED:
        for t in s.tasks:
            if t.state == TaskState.RUNNING:
                t.state = TaskState.STOPPED
    runner.save()
    from duo_tui.core.report import build_report

    report = build_report(s)
    runner.emit(SessionEnded(status.value, reason, report))
    return report


def is_fast(session: Session) -> bool:
    return session.mode == Mode.FAST
