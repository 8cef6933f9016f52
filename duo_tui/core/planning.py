"""Plan, align and sizing stages: from a requirement to an accepted plan and tasks."""

from __future__ import annotations

import re

from duo_tui.core.align_history import (
    ALIGN_HISTORY_FILE,
    AlignHistory,
    history_markdown,
)
from duo_tui.core.artifacts import CheckpointData, PlanArtifact, TasksArtifact, task_list
from duo_tui.core.context import repo_overview
from duo_tui.core.events import ArtifactReady, UserDecision
from duo_tui.core.models import Stage
from duo_tui.core.plan_manifest import (
    classify,
    edit_task,
    parse_manifest,
    renumber,
    split_task,
    tasks_for,
)
from duo_tui.core.runner import RunnerBase
from duo_tui.core.session import PlanStep, Task, TaskState
from duo_tui.core.stage_contract import Produced, StageCtx, StageError
from duo_tui.prompts import render, untrusted
from duo_tui.safe_text import clean

_VERDICT = re.compile(r"^\s*VERDICT:\s*(ready|blocking)\s*$", re.I | re.M)


class PlanningStages(RunnerBase):
    """Stages 1-2 and the plan checkpoint's task list."""

    def _plan_text(self) -> str:
        s = self.session
        if s.plan_version <= 0:
            return ""
        return self.store.read_artifact(f"plan-v{s.plan_version}.md") or ""

    def _store_plan(self, text: str, source: str) -> str:
        s = self.session
        s.plan_version += 1
        self.store.write_plan(s.plan_version, text)
        m = parse_manifest(text)
        s.steps = m.steps
        self.emit(ArtifactReady(PlanArtifact(text, s.plan_version, source), "plan"))
        self.save()
        return text

    async def _edit_plan(self, _: Produced, text: str) -> Produced:
        """The human's edit of the plan becomes the next plan version."""
        self._store_plan(text, "human")
        self.session.human_plan_version = self.session.plan_version
        return self._plan_produced(text, f"plan v{self.session.plan_version} (edited by you)")

    def _plan_produced(self, text: str, summary: str) -> Produced:
        m = parse_manifest(text)
        notes = "; ".join(m.problems)
        return Produced(
            summary=summary + (f" ({notes})" if notes else ""),
            artifact=text,
            data={"plan": text, "steps": [st.model_dump() for st in m.steps]},
            payload=text,
        )

    async def stage_plan(self) -> None:
        s = self.session

        async def produce(ctx: StageCtx) -> Produced:
            if ctx.resume and s.plan_version > 0:
                text = self._plan_text()
                return self._plan_produced(text, f"plan v{s.plan_version} (restored)")
            prompt = render(
                "plan",
                request=untrusted("request", s.request),
                repo_overview=repo_overview(self.worktree_path),
                feedback=ctx.feedback(),
                max_files=str(self.config.tasks.max_files),
                max_lines=str(self.config.tasks.max_lines),
            )
            model = ctx.model or s.roles.planner
            res = await self.caller.call(
                role="planner",
                model=model,
                stage=Stage.PLAN,
                purpose="plan",
                stream="plan",
                system=self.system_prompt(),
                prompt=prompt,
                title="plan",
            )
            if not res.text.strip():
                raise StageError("the planner returned an empty plan")
            self._store_plan(res.text, model)
            return self._plan_produced(res.text, f"plan v{s.plan_version} by {model}")

        async def choose(p: Produced) -> Produced:
            self._store_plan(str(p.payload), "chosen")
            return self._plan_produced(str(p.payload), f"plan v{s.plan_version} (chosen)")

        await self.stage(
            Stage.PLAN,
            produce,
            model=s.roles.planner,
            edit=self._edit_plan,
            choose=choose,
            stream="plan",
            role="planner",
        )
        s.plan_accepted = True
        self.save()

    def _with_history(self, p: Produced, history: AlignHistory, proposal: str = "") -> Produced:
        """Every align round stays visible at the checkpoint, with the plan's diffs."""

        def read_plan(version: int) -> str:
            return self.store.read_artifact(f"plan-v{version}.md") or ""

        p.data["align_history"] = history_markdown(history, read_plan, proposal or None)
        p.data["align_rounds"] = list(history.rounds)
        return p

    async def stage_align(self) -> None:
        s = self.session
        max_rounds = self.config.loop.max_align_rounds
        history = AlignHistory.from_json(
            self.store.read_artifact(ALIGN_HISTORY_FILE),
            lambda why: self.notice(
                f"{ALIGN_HISTORY_FILE} is unreadable ({clean(why)}); the plan check's "
                "history starts afresh",
                "warning",
            ),
        )

        def keep() -> None:
            self.store.write_artifact(ALIGN_HISTORY_FILE, history.to_json())

        async def produce(ctx: StageCtx) -> Produced:
            if ctx.resume:
                restored = self._plan_produced(
                    self._plan_text(), f"plan v{s.plan_version} (restored)"
                )
                return self._with_history(restored, history)
            objections = ""
            verdict = "blocking"
            proposal = ""
            for i in range(1, max_rounds + 1):
                executor = ctx.model or s.roles.executor
                critique = await self.caller.call(
                    role="executor",
                    model=executor,
                    stage=Stage.ALIGN,
                    purpose="align",
                    stream="exec",
                    system=self.system_prompt(),
                    prompt=render(
                        "align",
                        plan=untrusted("plan", self._plan_text()),
                        repo_overview=repo_overview(self.worktree_path),
                    ),
                    title=f"plan check {i}",
                )
                self.store.write_artifact(f"align/check-{s.plan_version}.md", critique.text)
                found = _VERDICT.findall(critique.text)
                verdict = found[-1].lower() if found else "blocking"
                objections = critique.text
                rnd = history.add(s.plan_version, verdict, critique.text, executor)
                keep()
                if verdict == "ready" and not ctx.reason:
                    break
                revised = await self.caller.call(
                    role="planner",
                    model=s.roles.planner,
                    stage=Stage.ALIGN,
                    purpose="revise",
                    stream="plan",
                    system=self.system_prompt(),
                    prompt=render(
                        "revise",
                        plan=untrusted("plan", self._plan_text()),
                        objections=untrusted("executor objections", objections),
                        feedback=ctx.feedback(),
                    ),
                    title=f"plan revision {i}",
                )
                if revised.text.strip() and s.human_plan_version == s.plan_version:
                    # the human wrote this plan: the revision is only a proposal until
                    # the human takes it (U at the checkpoint); autopilot keeps the edit
                    self.store.write_artifact(f"align/proposal-v{s.plan_version}.md", revised.text)
                    proposal = revised.text
                    rnd.proposal = True
                    keep()
                    break
                if revised.text.strip():
                    self._store_plan(revised.text, s.roles.planner)
                    rnd.revised_to = s.plan_version
                    keep()
                ctx.reason = ""
            else:
                self.notice(
                    f"plan alignment stopped after {max_rounds} rounds with objections left",
                    "warning",
                )
            text = self._plan_text()
            summary = (
                f"plan v{s.plan_version}: executor says ready"
                if verdict == "ready"
                else f"plan v{s.plan_version}: objections remain after {max_rounds} round(s)"
            )
            if proposal:
                summary = (
                    f"plan v{s.plan_version} (your edit) kept; the executor objects and the "
                    "planner proposes a revision: U uses it, a keeps yours"
                )
            p = self._plan_produced(text, summary)
            p.data["objections"] = objections
            if proposal:
                p.data["proposal"] = proposal
            return self._with_history(p, history, proposal)

        def offered(p: Produced) -> tuple[str, ...]:
            return ("use_revision",) if p.data.get("proposal") else ()

        while True:
            produced, decision = await self.stage(
                Stage.ALIGN,
                produce,
                model=s.roles.executor,
                edit=self._edit_plan,
                stream="exec",
                role="executor",
                extra=offered,
            )
            if decision.action != "use_revision":
                break
            # the human's consent: the planner's revision becomes the plan, checked again
            self.log_decision(Stage.ALIGN, decision, s.current, replaced=s.plan_version)
            self._store_plan(str(produced.data["proposal"]), s.roles.planner)
        s.aligned = True
        self.save()

    def decompose(self) -> None:
        """Size the accepted plan and build the task list (the rules decide)."""
        s = self.session
        m = parse_manifest(self._plan_text())
        rule, why = classify(m, self.config.tasks.max_files, self.config.tasks.max_lines)
        size = rule
        if s.size_override in {"S", "M", "L"} and s.size_override != rule:
            size = s.size_override
            why += f"; the rule says {rule}, overridden by the human"
        s.size = size
        s.size_why = why
        tasks, notes = tasks_for(m, size, self.config.tasks.max_files, s.request)
        s.steps = m.steps or [
            PlanStep(id="S1", text=s.request, files=[f for t in tasks for f in t.files])
        ]
        s.tasks = renumber(tasks, taken=[t.id for t in s.replaced_tasks])
        s.task_index = 0
        for n in notes:
            self.notice(n, "warning")
        self.notice(f"size {size} ({why}): {len(s.tasks)} task(s)")
        self.emit(ArtifactReady(TasksArtifact(task_list(self.session.tasks))))
        self.write_task_files()
        self.save()

    def apply_task_edits(self, decision: UserDecision) -> None:
        """Reorder / skip / split / edit tasks as the human asked at the plan checkpoint."""
        ops = decision.task_ops
        s = self.session
        tasks = list(s.tasks)
        bound = self.config.tasks.max_files if s.size == "L" else None
        for tid, fields in decision.task_edits.items():
            target = next((t for t in tasks if t.id == tid), None)
            if target is None:
                self.notice(f"no task {tid} to edit", "warning")
                continue
            if target.state != TaskState.PENDING:
                self.notice(f"{tid} is {target.state.value}: only pending tasks can be edited")
                continue
            for problem in edit_task(target, dict(fields), bound):
                self.notice(problem, "warning")
            self.notice(f"{tid} edited: {', '.join(sorted(fields))}")
        for tid, op in ops.items():
            idx = next((i for i, t in enumerate(tasks) if t.id == tid), None)
            if idx is None:
                continue
            if op == "skip":
                tasks[idx].state = TaskState.SKIPPED
            elif op == "unskip":
                tasks[idx].state = TaskState.PENDING
            elif op == "split":
                tasks[idx : idx + 1] = split_task(tasks[idx])
            elif op == "up" and idx > 0:
                tasks[idx - 1], tasks[idx] = tasks[idx], tasks[idx - 1]
            elif op == "down" and idx < len(tasks) - 1:
                tasks[idx + 1], tasks[idx] = tasks[idx], tasks[idx + 1]
        s.tasks = renumber(tasks, taken=[t.id for t in s.replaced_tasks])
        self.emit(ArtifactReady(TasksArtifact(task_list(self.session.tasks))))
        self.write_task_files()
        self.save()

    async def tasks_checkpoint(self) -> None:
        """At the plan checkpoint the human may reorder, skip, split tasks or resize."""
        from duo_tui.core.events import AwaitingDecision, Checkpoint
        from duo_tui.core.models import StageState

        s = self.session
        while not self.autopilot:
            cp = Checkpoint(
                stage=Stage.PLAN,
                round=1,
                task_id=None,
                state=StageState.AWAITING,
                summary=f"size {s.size}: {len(s.tasks)} task(s); accept to start coding",
                actions=("accept", "task_ops", "task_edit", "size", "autopilot", "stop"),
                data=CheckpointData(tasks=task_list(s.tasks), size=s.size, size_why=s.size_why),
            )
            self.emit(AwaitingDecision(cp))
            d = await self.driver.decide(cp)
            extra = {"task_edits": dict(d.task_edits)} if d.task_edits else {}
            self.log_decision(
                Stage.PLAN,
                d,
                None,
                checkpoint="tasks",
                task_ops=dict(d.task_ops),
                size=d.size,
                **extra,
            )
            if d.action == "stop":
                from duo_tui.core.stage_contract import StopSession

                raise StopSession(d.reason or "stopped by the human at the task list")
            if d.action == "autopilot":
                s.autopilot = not s.autopilot
                continue
            if d.size and d.size in {"S", "M", "L"} and d.size != s.size:
                # The task list is rebuilt from the plan for the new size: earlier task
                # edits are dropped (the plan, not the old list, is the source).
                s.size_override = d.size
                self.decompose()
                continue
            if d.task_ops or d.task_edits:
                self.apply_task_edits(d)
                continue
            if d.action == "accept":
                from duo_tui.core.events import StageFinished

                self.emit(StageFinished(Stage.PLAN, 1, None, StageState.ACCEPTED, cp.summary))
                return


__all__ = ["PlanningStages", "Task"]
