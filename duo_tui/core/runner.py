"""The async pipeline runner: stages, checkpoints, decisions, rounds, tasks.

The runner owns the session's progress. It emits events to its listeners and,
at every checkpoint, either decides by the convergence rule (autopilot) or
awaits a `UserDecision` from its driver (the TUI, or the headless runner).
Stage-specific work lives in `planning.py` (plan, align, sizing) and
`task_cycle.py` (execute, gate, triage, fix, commit; review in `review_stage.py`); this module holds
the machinery they share: events, persistence, the checkpoint loop and its
drivers. What a stage run takes, gives and raises is `stage_contract.py`; the
session's end (`finish_session`) is the pipeline's (`pipeline.py`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, Protocol

from duo_tui.config import Config
from duo_tui.core.artifacts import Alternative, RolesArtifact, checkpoint_data
from duo_tui.core.calls import CallFailed, CostCapReached, ModelCaller, StoreLike
from duo_tui.core.context import read_constitution
from duo_tui.core.events import (
    ArtifactReady,
    AwaitingDecision,
    Checkpoint,
    ErrorEvent,
    Event,
    Notice,
    StageFinished,
    StageStarted,
    UserDecision,
)
from duo_tui.core.models import Stage, StageState
from duo_tui.core.session import Decision, Session, StageRun
from duo_tui.core.stage_contract import (
    FATAL_FAULTS,
    AutoRule,
    ExtraActions,
    Produced,
    StageCtx,
    StageError,
    StopSession,
)
from duo_tui.errors import DiskFullError, DuoError
from duo_tui.prompts import render
from duo_tui.providers.base import Provider
from duo_tui.redact import redact
from duo_tui.store.atomic import find_disk_full


class Driver(Protocol):
    """Whoever answers checkpoints: the TUI or the headless runner."""

    async def decide(self, checkpoint: Checkpoint) -> UserDecision: ...


ACTIONS = ("accept", "reject", "rerun", "edit", "swap_roles", "autopilot", "stop")
_KNOWN = frozenset({*ACTIONS, "choose"})


class RunnerBase:
    """Shared machinery: events, persistence, the checkpoint loop, model calls."""

    def __init__(
        self,
        session: Session,
        *,
        config: Config,
        store: StoreLike,
        providers: Callable[[str], Provider],
        driver: Driver,
        repo: Path,
        worktree: Any = None,
        listeners: list[Callable[[Event], None]] | None = None,
    ) -> None:
        self.session = session
        self.config = config
        self.store = store
        self.driver = driver
        self.repo = repo
        if worktree is None:
            from duo_tui.vcs.guard import WorktreeGuardError

            # No fallback to the repository: without its own worktree a session never runs.
            raise WorktreeGuardError(
                "a session runs only in its own worktree and this one has none; "
                "resume it to recreate the worktree from its branch, or start a new session"
            )
        self.worktree = worktree
        self.listeners: list[Callable[[Event], None]] = list(listeners or [])
        self.caller = ModelCaller(
            session,
            store,
            providers,
            self.emit,
            max_cost_usd=config.loop.max_cost_usd,
            config=config,
        )
        self._resume_run: StageRun | None = None
        self._fatal = False  # the last failure cannot be fixed by rerunning

    # -- events and persistence -------------------------------------------------

    def emit(self, event: Event) -> None:
        for listener in list(self.listeners):
            listener(event)

    def save(self) -> None:
        self.session.touch()
        self.store.save(self.session)

    def notice(self, message: str, severity: str = "information") -> None:
        self.emit(Notice(message, severity))  # type: ignore[arg-type]

    def write_task_files(self) -> None:
        """`tasks.json`: the task list as it stands, beside session.json."""
        from duo_tui.core.plan_manifest import tasks_document

        s = self.session
        self.store.write_artifact(
            "tasks.json", tasks_document(s.tasks, s.replaced_tasks, s.size, s.size_why)
        )

    def log_decision(
        self, stage: Stage, decision: UserDecision, run: StageRun | None = None, **data: Any
    ) -> None:
        payload = dict(data)
        if decision.findings:
            payload["findings"] = dict(decision.findings)
        if decision.finding_reasons:
            payload["finding_reasons"] = dict(decision.finding_reasons)
        if decision.rejected_hunks:
            payload["rejected_hunks"] = list(decision.rejected_hunks)
        if decision.text is not None:
            payload["edited"] = True
        if decision.choice is not None:
            payload["choice"] = decision.choice
        if decision.target is not None:
            payload["target"] = decision.target
        if decision.recurring:
            payload["recurring"] = dict(decision.recurring)
        entry = Decision(
            stage=stage,
            round=run.round if run else 1,
            task_id=run.task_id if run else None,
            action=decision.action,
            by=decision.by,
            reason=redact(decision.reason),
            model=decision.model,
            data=payload,
        )
        self.store.append_decision(entry)
        self.session.decisions_logged += 1  # saved with the session: a lost line shows

    # -- prompts ------------------------------------------------------------------

    def system_prompt(self) -> str:
        return render("system", constitution=read_constitution(self.repo))

    @property
    def worktree_path(self) -> Path:
        """Where the session's files live: its worktree (`session_root()`)."""
        return self.session_root()

    def session_root(self) -> Path:
        """The session worktree, checked by the guard each time it is asked for.

        There is no fallback: a worktree that is gone or is not a session worktree
        stops the session (see `duo_tui.vcs.guard`); it is never replaced by the
        user's checkout. Asked before every edit, gate run and commit.
        """
        from duo_tui.vcs.guard import WorktreeGuardError, verify_session_worktree

        try:
            return verify_session_worktree(getattr(self.worktree, "path", None), self.repo)
        except WorktreeGuardError as exc:
            # Rerunning cannot fix a missing worktree: the session stops, saying why.
            raise StopSession(
                f"{exc}. Resume the session: its worktree is recreated from its branch"
            ) from None

    @property
    def autopilot(self) -> bool:
        return self.session.autopilot

    # -- the checkpoint loop ------------------------------------------------------

    async def stage(
        self,
        stage: Stage,
        produce: Callable[[StageCtx], Awaitable[Produced]],
        *,
        model: str | None = None,
        auto: AutoRule | None = None,
        edit: Callable[[Produced, str], Awaitable[Produced]] | None = None,
        choose: Callable[[Produced], Awaitable[Produced]] | None = None,
        reject_returns: bool = False,
        stream: str | None = None,
        role: str | None = None,
        extra: ExtraActions | None = None,
        on_failure: Callable[[], tuple[str, ...]] | None = None,
    ) -> tuple[Produced, UserDecision]:
        """Run `stage` until a decision accepts it (or, with reject_returns, rejects it).

        `extra(produced)` names stage-specific actions offered at the checkpoint of a
        good result (e.g. "split"). Choosing one ends the run as rejected and returns
        `(produced, decision)`: the caller acts on it and logs it with what it did.
        `on_failure()` names such actions at the checkpoint of a failed run; choosing one
        returns `(Produced(summary=error, ok=False), decision)` with the run left failed.
        """
        s = self.session
        task = s.task if stage not in (Stage.PLAN, Stage.ALIGN) else None
        resume = self._take_resume(stage, task.id if task else None, task.round if task else 1)
        run = StageRun(
            stage=stage,
            round=task.round if task else 1,
            task_id=task.id if task else None,
            model=model,
        )
        s.current = run
        s.runs.append(run)
        reason = ""
        error = ""
        attempt_model = model
        alternatives: list[Produced] = []
        target: tuple[int, str | None] | None = None  # the part to rerun, and its model
        while True:
            run.model = attempt_model
            run.move(StageState.RUNNING)
            self.save()
            self.emit(StageStarted(stage, run.round, run.task_id, stream, attempt_model, role))
            produced: Produced | None = None
            try:
                ctx = StageCtx(attempt_model, reason, error, run.attempt, resume)
                if target is not None:
                    ctx.target, ctx.target_model = target
                produced = await produce(ctx)
                run.move(StageState.AWAITING)
                error = ""
            except DiskFullError:
                raise  # not the stage's fault: the run stops, the session stays resumable
            except (StageError, CallFailed, DuoError) as exc:
                full = find_disk_full(exc)
                if full is not None:
                    raise full from exc
                error = redact(str(exc))
                run.error = error
                run.move(StageState.FAILED)
                self._fatal = (
                    isinstance(exc, CallFailed) and exc.error.kind.value in FATAL_FAULTS
                ) or (isinstance(exc, StageError) and exc.fatal)
                entry = f"{stage.value}: {error}"
                if entry not in s.errors:
                    s.errors.append(entry)
                self.emit(ErrorEvent(message=f"{stage.value} failed: {error}", stage=stage))
            except CostCapReached as exc:
                run.error = str(exc)
                run.move(StageState.FAILED)
                self.save()
                raise StopSession(str(exc)) from None
            resume = False
            if produced is not None:
                produced.label = (
                    produced.label or f"attempt {run.attempt} · {attempt_model or 'machine'}"
                )
                alternatives.append(produced)
            self.save()
            self.emit(
                StageFinished(
                    stage,
                    run.round,
                    run.task_id,
                    run.state,
                    produced.summary if produced else error,
                )
            )
            while True:
                extras = (
                    tuple(extra(produced))
                    if extra is not None
                    and produced is not None
                    and run.state == StageState.AWAITING
                    else ()
                )
                if on_failure is not None and produced is None and run.state == StageState.FAILED:
                    extras = tuple(on_failure())
                decision = await self._decide(
                    stage, run, produced, error, alternatives, auto, edit is not None, extras
                )
                act = decision.action
                if act == "autopilot":
                    s.autopilot = not s.autopilot
                    self.log_decision(stage, decision, run, autopilot=s.autopilot)
                    self.notice(f"autopilot {'on' if s.autopilot else 'off'}")
                    self.save()
                    continue
                if act in extras and produced is not None:
                    run.move(StageState.REJECTED)
                    self.save()
                    self.emit(
                        StageFinished(stage, run.round, run.task_id, run.state, produced.summary)
                    )
                    return produced, decision
                if act in extras and produced is None:
                    return Produced(summary=error, ok=False), decision
                if act not in _KNOWN:
                    self.log_decision(stage, decision, run, refused=True)
                    if self.autopilot:
                        raise StopSession(f"{stage.value}: {act!r} is not possible here")
                    self.notice(f"{stage.value}: {act!r} is not possible here", "warning")
                    continue
                refused = act == "accept" and (run.state != StageState.AWAITING or produced is None)
                # A refused accept is logged as such: the log must not read as if it was accepted.
                self.log_decision(stage, decision, run, **({"refused": True} if refused else {}))
                if act == "accept":
                    if refused or produced is None:
                        self.emit(
                            ErrorEvent(
                                message=f"{stage.value}: a failed or incomplete result cannot be accepted",
                                stage=stage,
                                what_to_do="Rerun it (r) or reject it with a reason (x).",
                            )
                        )
                        if self.autopilot:
                            raise StopSession(f"{stage.value} failed: {error}")
                        continue
                    run.move(StageState.ACCEPTED)
                    self.save()
                    self.emit(
                        StageFinished(stage, run.round, run.task_id, run.state, produced.summary)
                    )
                    return produced, decision
                if act == "stop":
                    raise StopSession(
                        decision.reason or f"stopped by the human at the {stage.value} checkpoint"
                    )
                if act == "swap_roles":
                    s.roles = s.roles.swapped()
                    self.notice(
                        f"roles swapped: planner {s.roles.planner}, executor {s.roles.executor}"
                    )
                    # the panes name the roles: they must name the new ones
                    self.emit(
                        ArtifactReady(
                            RolesArtifact(
                                s.roles.planner,
                                s.roles.executor,
                                tuple(s.roles.effective_reviewers()),
                            )
                        )
                    )
                    self.save()
                    continue
                if act == "edit":
                    if edit is None or decision.text is None or produced is None:
                        self.notice(f"{stage.value}: nothing to edit here", "warning")
                        continue
                    try:
                        produced = await edit(produced, decision.text)
                    except (StageError, DuoError) as exc:
                        self.emit(ErrorEvent(message=f"edit refused: {exc}", stage=stage))
                        continue
                    produced.label = f"edited by you (attempt {run.attempt})"
                    alternatives.append(produced)
                    self.save()
                    continue
                if act == "choose":
                    idx = decision.choice
                    if choose is None or idx is None or not 0 <= idx < len(alternatives):
                        self.notice("no such alternative", "warning")
                        continue
                    try:
                        produced = await choose(alternatives[idx])
                    except (StageError, DuoError) as exc:
                        self.emit(ErrorEvent(message=f"cannot use that result: {exc}", stage=stage))
                        continue
                    if run.state == StageState.FAILED:
                        run.move(StageState.RUNNING)
                        run.move(StageState.AWAITING)
                    self.save()
                    continue
                if act == "reject" and reject_returns and produced is not None:
                    run.move(StageState.REJECTED)
                    self.save()
                    self.emit(
                        StageFinished(stage, run.round, run.task_id, run.state, produced.summary)
                    )
                    return produced, decision
                # reject (with a reason) or rerun (optionally with another model)
                if act == "reject":
                    reason = decision.reason
                    if run.state == StageState.AWAITING:
                        run.move(StageState.REJECTED)
                elif decision.reason:
                    reason = decision.reason
                # a part's model is that part's (the stage decides what it means); else the stage's
                target = (decision.target, decision.model) if decision.target is not None else None
                if decision.model and target is None:
                    attempt_model = decision.model
                run.attempt += 1
                break

    def _take_resume(self, stage: Stage, task_id: str | None, rnd: int) -> bool:
        r = self._resume_run
        if r is not None and r.stage == stage and r.task_id == task_id and r.round == rnd:
            self._resume_run = None
            return True
        return False

    async def _decide(
        self,
        stage: Stage,
        run: StageRun,
        produced: Produced | None,
        error: str,
        alternatives: list[Produced],
        auto: AutoRule | None,
        editable: bool,
        extras: tuple[str, ...] = (),
    ) -> UserDecision:
        if self.autopilot and error and self._fatal:
            # A refused key, a bad request or a spent budget will not get better on a rerun.
            return UserDecision("stop", reason=f"{stage.value} failed: {error}", by="autopilot")
        if self.autopilot:
            rule = auto or default_auto
            d = rule(produced, error or None, run)
            d.by = "autopilot"
            return d
        actions = ["accept", "reject", "rerun", "swap_roles", "autopilot", "stop"]
        if editable:
            actions.insert(3, "edit")
        if len(alternatives) > 1:
            actions.append("choose")
        # Stage-specific actions come right after accept: they are the point of this stop.
        actions[1:1] = [a for a in extras if a not in actions]
        cp = Checkpoint(
            stage=stage,
            round=run.round,
            task_id=run.task_id,
            state=run.state,
            summary=produced.summary if produced else f"failed: {error}",
            actions=tuple(actions),
            artifact=produced.artifact if produced else "",
            error=error or None,
            alternatives=tuple(a.label for a in alternatives),
            data=checkpoint_data(
                produced.data if produced else {},
                [Alternative(a.label, a.artifact) for a in alternatives]
                if len(alternatives) > 1
                else (),
            ),
        )
        self.emit(AwaitingDecision(cp))
        return await self.driver.decide(cp)


def default_auto(produced: Produced | None, error: str | None, run: StageRun) -> UserDecision:
    """Autopilot: accept a good result; rerun a failed one once; then stop."""
    if produced is not None and error is None:
        return UserDecision("accept")
    if run.attempt < 2:
        return UserDecision("rerun")
    return UserDecision("stop", reason=f"{run.stage.value} failed twice: {error}")


class HeadlessDriver:
    """The driver of `duo-tui run`: autopilot decides; a checkpoint reached anyway stops."""

    async def decide(self, checkpoint: Checkpoint) -> UserDecision:
        return UserDecision(
            "stop",
            reason=f"{checkpoint.stage.value} needs a human decision: {checkpoint.summary}",
            by="autopilot",
        )


class QueueDriver:
    """A driver fed from an asyncio queue: the TUI bridge and tests put decisions in."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[UserDecision] = asyncio.Queue()
        self.pending: Checkpoint | None = None

    async def decide(self, checkpoint: Checkpoint) -> UserDecision:
        self.pending = checkpoint
        try:
            return await self.queue.get()
        finally:
            self.pending = None

    def answer(self, decision: UserDecision) -> None:
        self.queue.put_nowait(decision)
