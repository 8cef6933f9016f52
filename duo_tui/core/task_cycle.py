"""One task's cycle: execute → gate → review → triage → (fix → gate → ...) → commit."""

from __future__ import annotations

import json
from typing import Any

from duo_tui.core.artifacts import (
    CommitArtifact,
    GateArtifact,
    TasksArtifact,
    TriageArtifact,
    task_list,
    triage_groups,
)
from duo_tui.core.carry_over import fix_lines
from duo_tui.core.context import append_rule, file_contents
from duo_tui.core.convergence import (
    MergedFinding,
    critical_fingerprints,
    group_table,
    judge,
    same_criticals,
    severity_counts,
)
from duo_tui.core.events import ArtifactReady, TextDelta, UserDecision
from duo_tui.core.models import Finding, FindingDecision, Mode, Review, Stage, StageState
from duo_tui.core.plan_manifest import is_conventional, task_markdown
from duo_tui.core.review_stage import ReviewStage
from duo_tui.core.runner import (
    Produced,
    SessionBlocked,
    StageCtx,
    StageError,
    StopSession,
    TasksReplanned,
)
from duo_tui.core.scope import MERGE, SKIP, failure_actions, merged_task, out_of_scope
from duo_tui.core.session import RoundSummary, StageRun, Task, TaskState
from duo_tui.errors import DuoError
from duo_tui.limits import check_edit_sizes
from duo_tui.prompts import render, untrusted
from duo_tui.redact import redact
from duo_tui.safe_text import clean


class TaskCycle(ReviewStage):
    """Stages 3-8 for the current task."""

    # -- execute / fix ------------------------------------------------------------

    async def stage_edit(self, kind: Stage, fix_context: dict[str, str] | None = None) -> None:
        """Execute (first round) or fix (later rounds): executor edits, applied atomically."""
        from duo_tui.core.edits import EditApplyError, apply_edits, parse_edits

        s = self.session
        task = s.task
        assert task is not None
        wt = self.worktree
        if task.pre_tree is None and wt is not None:
            task.pre_tree = wt.snapshot()
            self.save()
        # the files this change may touch: the task's, and at a fix the findings' files
        allowed = list(task.files)
        if task.files and kind == Stage.FIX and fix_context:
            allowed += [f for f in fix_context.get("_files", "").split("\n") if f]
        # files named by blocks that failed to apply: a rerun shows their current contents
        failed_files: list[str] = []

        def scope_notes(diff: str, files: list[str]) -> dict[str, Any]:
            stray = out_of_scope(allowed, files)
            if not stray:
                return {}
            return {
                "out_of_scope": stray,
                "scope_note": f"⚠ edits outside {task.id}'s files: {', '.join(stray)}",
            }

        def apply_text(text: str) -> Produced:
            root = self.session_root()  # the guard: never the user's checkout
            if wt is not None and task.pre_tree:
                wt.restore(task.pre_tree)
            parsed = parse_edits(text)
            if parsed.errors:
                raise StageError("the edits could not be parsed:\n" + "\n".join(parsed.errors))
            if not parsed.blocks:
                raise StageError("the answer holds no SEARCH/REPLACE block")
            check_edit_sizes(parsed.blocks, self.config.limits.to_limits().edit_bytes)
            try:
                result = apply_edits(root, parsed.blocks)
            except EditApplyError as exc:
                failed_files[:] = sorted({f.path for f in exc.failures if f.path})
                raise
            diff = self._current_diff()
            self.store.write_artifact(f"{self._dir(task)}/diff.patch", diff)
            self._emit_diff(diff)
            files = sorted(set(result.changed) | set(result.created))
            summary = (
                f"{len(parsed.blocks)} edit(s) to {len(files)} file(s): "
                f"+{result.added_lines} −{result.deleted_lines}"
            )
            lines = result.added_lines + result.deleted_lines
            bound = self._bound_notes(task, files, lines, offer=kind == Stage.EXECUTE)
            notes = list(bound.pop("notes"))
            scope = scope_notes(diff, files)
            if scope:
                notes.insert(0, scope["scope_note"])
            if notes:
                summary += " — " + "; ".join(notes)
            return Produced(
                summary=summary,
                artifact=text,
                data={"diff": diff, "files": files, "lines": lines, **bound, **scope},
                payload=text,
            )

        async def produce(ctx: StageCtx) -> Produced:
            root = self.session_root()  # the guard, before anything is restored or written
            if ctx.resume:
                diff = self._current_diff()
                self._emit_diff(diff)
                raw = self.store.read_artifact(f"{self._dir(task)}/{kind.value}.md") or ""
                files, lines = _diff_size(diff)
                bound = self._bound_notes(task, files, lines, offer=kind == Stage.EXECUTE)
                notes = list(bound.pop("notes"))
                scope = scope_notes(diff, files)
                if scope:
                    notes.insert(0, scope["scope_note"])
                return Produced(
                    summary="change restored after restart"
                    + (" — " + "; ".join(notes) if notes else ""),
                    artifact=raw,
                    data={"diff": diff, "files": files, "lines": lines, **bound, **scope},
                    payload=raw,
                )
            if wt is not None and task.pre_tree:
                wt.restore(task.pre_tree)
            files = list(task.files)
            prompt_values: dict[str, str] = {
                "task": self._task_text(task),
                "plan": self._plan_block(),
                "feedback": ctx.feedback(),
            }
            if kind == Stage.FIX and fix_context:
                prompt_values.update(fix_context)
                files += [f for f in fix_context.get("_files", "").split("\n") if f]
            # a rerun after blocks failed to apply sees those files as they are now
            files += [f for f in failed_files if f not in files]
            prompt_values["files"] = file_contents(root, files)
            model = ctx.model or s.roles.executor
            res = await self.caller.call(
                role="executor",
                model=model,
                stage=kind,
                purpose=kind.value,
                stream="exec",
                system=self.system_prompt(),
                prompt=render("execute" if kind == Stage.EXECUTE else "fix", **prompt_values),
                title=f"{task.id} {kind.value} · round {task.round}",
            )
            self.store.write_artifact(f"{self._dir(task)}/{kind.value}.md", res.text)
            try:
                return apply_text(res.text)
            except StageError:
                raise
            except Exception as exc:  # EditError and friends: the message names file and block
                raise StageError(str(exc)) from None

        async def edit(_: Produced, text: str) -> Produced:
            check_edit_sizes(parse_edits(text).blocks, self.config.limits.to_limits().edit_bytes)
            self.store.write_artifact(f"{self._dir(task)}/{kind.value}.edited.md", text)
            try:
                return apply_text(text)
            except StageError:
                raise
            except Exception as exc:
                raise StageError(str(exc)) from None

        async def choose(p: Produced) -> Produced:
            try:
                return apply_text(str(p.payload))
            except Exception as exc:
                raise StageError(str(exc)) from None

        retries = self.config.loop.max_execute_retries

        def auto(produced: Produced | None, error: str | None, run: StageRun) -> UserDecision:
            if produced is not None and error is None:
                # Autopilot splits only a change far over the bound, and only a task that
                # is not itself a part: one automatic split per planned task, so an executor
                # that keeps touching too much cannot make it split forever. A change a
                # little over the bound, and a fast session that grew, go on with the flag
                # (the report's tasks and warnings say so).
                far = bool(produced.data.get("far_oversize"))
                if far and task.split_from is None and "split" in offered(produced):
                    return UserDecision(
                        "split", reason=f"far over the bound: {task.oversize}; split automatically"
                    )
                stray = list(produced.data.get("out_of_scope") or [])
                if stray:
                    # edits outside the task's files are declined (reverted), like a
                    # human declining those files in the code pane
                    return UserDecision(
                        "accept",
                        reason=f"declined edits outside {task.id}'s files: {', '.join(stray)}",
                        rejected_hunks=stray,
                    )
                return UserDecision("accept")
            if run.attempt <= retries:
                return UserDecision("rerun")
            return UserDecision("stop", reason=f"{kind.value} failed {run.attempt} times: {error}")

        def offered(produced: Produced) -> tuple[str, ...]:
            if kind != Stage.EXECUTE:
                return ()
            out: list[str] = []
            if produced.data.get("splittable"):
                out.append("split")
            if produced.data.get("fast_growth") and not s.commits:
                out.append("full_workflow")
            return tuple(out)

        produced, decision = await self.stage(
            kind,
            produce,
            model=s.roles.executor,
            auto=auto,
            edit=edit,
            choose=choose,
            stream="exec",
            role="executor",
            extra=offered,
            on_failure=(lambda: failure_actions(s.task_index)) if kind == Stage.EXECUTE else None,
        )
        if decision.action in (SKIP, MERGE):
            self._skip_or_merge(task, decision)
        if decision.action == "split":
            self._split_oversize(task, produced, decision)
        if decision.action == "full_workflow":
            self._switch_to_full_workflow(task, produced, decision)
        if produced.data.get("fast_growth"):
            warning = str(produced.data.get("fast_note") or "")
            if warning and warning not in s.warnings:
                s.warnings.append(warning)
        if decision.rejected_hunks and wt is not None:
            from duo_tui.vcs.revert import revert_hunks

            self.session_root()  # the guard: reverting writes files
            revert_hunks(wt, set(decision.rejected_hunks))
            task.declined_hunks = sorted(set(task.declined_hunks) | set(decision.rejected_hunks))
            diff = self._current_diff()
            self.store.write_artifact(f"{self._dir(task)}/diff.accepted.patch", diff)
            self._emit_diff(diff)
            self.notice(f"{len(decision.rejected_hunks)} hunk(s) declined and reverted")
        task.phase = Stage.GATE
        self.save()

    def _skip_or_merge(self, task: Task, decision: UserDecision) -> None:
        """A task whose edits cannot apply: skip it, or merge it with the previous task
        (one task with both tasks' files, from the tree as it is now)."""
        from duo_tui.core.plan_manifest import renumber

        s = self.session
        run = s.current
        self._discard_change(task)
        idx = s.task_index
        if decision.action == SKIP:
            task.state = TaskState.SKIPPED
            self.log_decision(Stage.EXECUTE, decision, run, skipped=task.id)
            self.notice(f"{task.id} skipped: its change could not be applied")
        else:
            prev = s.tasks[idx - 1]
            merged = merged_task(prev, task)
            merged.state = TaskState.PENDING
            task.state = TaskState.REPLACED
            s.replaced_tasks.append(task)
            s.tasks[idx] = merged
            s.tasks = renumber(s.tasks, taken=[t.id for t in s.replaced_tasks])
            merged = s.tasks[idx]
            self.log_decision(
                Stage.EXECUTE, decision, run, merged_with=prev.id, files=list(merged.files)
            )
            self.notice(
                f"{task.id} merged with {prev.id}: it may now touch {', '.join(merged.files)}"
            )
        self.emit(ArtifactReady(TasksArtifact(task_list(s.tasks))))
        self.write_task_files()
        self.save()
        raise TasksReplanned(f"{task.id} {decision.action}")

    def _discard_change(self, task: Task) -> None:
        """Put the worktree back as it was before this task's execute."""
        if self.worktree is not None and task.pre_tree:
            self.session_root()  # the guard: restoring writes files
            self.worktree.restore(task.pre_tree)
        task.pre_tree = None
        self._emit_diff(self._current_diff())

    def _split_oversize(self, task: Task, produced: Produced, decision: UserDecision) -> None:
        """Discard the oversize change, split the task by the bound, run its first part."""
        from duo_tui.core.plan_manifest import renumber, split_by_bound

        s = self.session
        files = list(produced.data.get("files") or [])
        lines = int(produced.data.get("lines") or 0)
        parts = split_by_bound(
            task, files, lines, self.config.tasks.max_files, self.config.tasks.max_lines
        )
        if len(parts) < 2:  # pragma: no cover - "split" is only offered for 2+ files
            raise StageError(f"{task.id} cannot be split: it names one file")
        self._discard_change(task)
        run = s.current
        task.state = TaskState.REPLACED
        s.replaced_tasks.append(task)
        idx = s.task_index
        s.tasks[idx : idx + 1] = parts
        s.tasks = renumber(s.tasks, taken=[t.id for t in s.replaced_tasks])
        s.task_index = idx
        self.log_decision(
            Stage.EXECUTE,
            decision,
            run,
            split_into={p.id: list(p.files) for p in parts},
            discarded_files=files,
            oversize=task.oversize,
        )
        self.notice(
            f"{task.id} split into "
            + ", ".join(f"{p.id} ({', '.join(p.files)})" for p in parts)
            + f"; its change was discarded and {parts[0].id} runs now"
        )
        self.emit(ArtifactReady(TasksArtifact(task_list(s.tasks))))
        self.write_task_files()
        self.save()
        raise TasksReplanned(f"{task.id} split")

    def _switch_to_full_workflow(
        self, task: Task, produced: Produced, decision: UserDecision
    ) -> None:
        """A fast session outgrew itself: discard the change, align the plan, size it, go on.

        The session's mode becomes auto (autopilot on) or manual (off): the autopilot
        switch is kept as it was. Nothing was committed yet (the switch is offered only
        then), so every task of the fast run is replaced by the new decomposition.
        """
        s = self.session
        self._discard_change(task)
        run = s.current
        for t in s.tasks:
            t.state = TaskState.REPLACED
            t.pre_tree = None
        s.replaced_tasks.extend(s.tasks)
        s.tasks = []
        s.task_index = 0
        s.mode = Mode.AUTO if s.autopilot else Mode.MANUAL
        s.aligned = False
        s.size = None
        s.size_override = None
        s.size_why = ""
        self.log_decision(
            Stage.EXECUTE,
            decision,
            run,
            mode_from="fast",
            mode_to=s.mode.value,
            discarded_files=list(produced.data.get("files") or []),
        )
        self.notice(
            f"switched to the full workflow ({s.mode.value}): the change was discarded; "
            "the plan goes to alignment, then sizing and tasks"
        )
        self.emit(ArtifactReady(TasksArtifact(())))
        self.write_task_files()
        self.save()
        raise TasksReplanned("full workflow")

    def _bound_notes(
        self, task: Task, files: list[str], lines: int, offer: bool = False
    ) -> dict[str, Any]:
        """Warn about a change past its bound; flags for the execute checkpoint's actions.

        `notes` go into the checkpoint summary. `oversize`: in a session of several
        tasks (or an L one) the change is over the task bound (more files, or lines by
        more than 20 %); `splittable` when the task and its change name at least two
        files (then "split" is offered); `far_oversize` when it is more than twice the
        bound (then autopilot splits). `fast_growth`: a fast session's change past
        `[loop] fast_max_files` (then "full_workflow" is offered while no task has
        been committed). `offer` says whether the checkpoint offers those actions
        (execute does, fix does not), so the notes name the right keys.
        """
        s = self.session
        out: dict[str, Any] = {}
        notes: list[str] = []
        keys = offer and not self.autopilot  # name the keys only where a human decides
        if s.mode == Mode.FAST and len(files) > self.config.loop.fast_max_files:
            switch = keys and not s.commits
            notes.append(
                f"this fast session's change touches {len(files)} files; "
                + (
                    "W switches to the full workflow (plan alignment and tasks)"
                    if switch
                    else "consider the full workflow (plan alignment and tasks)"
                )
            )
            self.notice(notes[-1], "warning")
            out["fast_growth"] = True
            out["fast_note"] = (
                f"the fast session's change to {task.id} touched {len(files)} files "
                f"(fast mode's bound is {self.config.loop.fast_max_files}); it went on "
                "without plan alignment"
            )
        if len(s.tasks) > 1 or s.size == "L":
            mf, ml = self.config.tasks.max_files, self.config.tasks.max_lines
            if len(files) > mf or lines > ml * 1.2:
                task.oversize = f"the change touches {len(files)} files and {lines} lines (bound {mf} files, ~{ml} lines)"
                splittable = len({*task.files, *files}) >= 2
                how = (
                    "; S splits the task, a accepts it as is"
                    if keys and splittable
                    else "; accept it as is or reject it with a narrower brief"
                    if keys
                    else ""
                )
                notes.append(task.oversize + how)
                self.notice(f"{task.id}: {task.oversize}", "warning")
                self.emit(ArtifactReady(TasksArtifact(task_list(s.tasks))))
                out["oversize"] = True
                out["splittable"] = splittable
                out["far_oversize"] = len(files) > 2 * mf or lines > 2 * ml
        out["notes"] = notes
        return out

    # -- gate ---------------------------------------------------------------------

    async def stage_gate(self) -> bool:
        """Run the configured gate; returns True when it passed (or was accepted)."""
        s = self.session
        task = s.task
        assert task is not None
        commands = list(self.config.gate.commands)
        if not commands or self.worktree is None:
            self.notice("no gate configured ([gate] commands); going straight to review")
            task.phase = Stage.REVIEW
            self.save()
            return True
        from duo_tui.vcs.gate import run_gate
        from duo_tui.vcs.sandbox import resolve_sandbox

        gate_cfg = self.config.gate
        try:
            sandbox = resolve_sandbox(gate_cfg.sandbox, gate_cfg.sandbox_read)
        except DuoError as exc:  # "bubblewrap" asked for and not usable: say how to get it
            raise StopSession(str(exc)) from None
        if s.gate_sandbox != sandbox.describe():
            s.gate_sandbox = sandbox.describe()
            if sandbox.mode == "off":
                self.notice(f"gate {sandbox.describe()}", "warning")

        async def produce(ctx: StageCtx) -> Produced:
            self.emit(TextDelta("gate", f"$ gate round {task.round} · {sandbox.describe()}\n"))
            result = await run_gate(
                commands,
                self.session_root(),  # the guard: the gate runs only in the session worktree
                gate_cfg.timeout_s,
                on_output=lambda line: self.emit(
                    TextDelta("gate", line if line.endswith("\n") else line + "\n")
                ),
                passthrough_env=gate_cfg.env,
                sandbox=sandbox,
            )
            # Redacted as a whole (the commands too): this text is stored and goes into
            # the fix prompt sent to the model.
            log = redact(
                f"# {sandbox.describe()}\n\n"
                + "\n\n".join(f"$ {r.command}\n{r.output}" for r in result.results)
            )
            self.store.write_artifact(f"{self._dir(task)}/gate.log", log)
            score = list(result.failure_score())
            # the gate's own run time (the checkpoint's waiting is the human's, not the gate's)
            took = round(sum(r.duration_s for r in result.results), 3)
            self.emit(ArtifactReady(GateArtifact(result.passed, log, took), "gate"))
            failed = [r.command for r in result.results if r.exit_code != 0 or r.timed_out]
            summary = "gate passed" if result.passed else "gate failed: " + ", ".join(failed)
            return Produced(
                summary=summary,
                artifact=log,
                ok=result.passed,
                data={"passed": result.passed, "score": score},
                payload=result,
            )

        def auto(produced: Produced | None, error: str | None, run: StageRun) -> UserDecision:
            if produced is None:
                return (
                    UserDecision("rerun")
                    if run.attempt < 2
                    else UserDecision("stop", reason=f"gate could not run: {error}")
                )
            return (
                UserDecision("accept")
                if produced.ok
                else UserDecision("reject", reason="gate failed")
            )

        produced, decision = await self.stage(
            Stage.GATE, produce, auto=auto, reject_returns=True, stream="gate", role="gate"
        )
        score = produced.data.get("score")
        previous = task.gate_score
        if (
            task.round > 1
            and previous is not None
            and score is not None
            and tuple(score) > tuple(previous)
            and self.worktree is not None
            and task.pre_tree
        ):
            self.session_root()  # the guard: restoring writes files
            self.worktree.restore(task.pre_tree)
            self._emit_diff(self._current_diff())
            raise StopSession(
                f"the fix in round {task.round} of {task.id} made the gate worse "
                f"({_score_text(previous)} → {_score_text(score)}); the fix was discarded"
            )
        if produced.ok or decision.action == "accept":
            task.gate_score = score
            task.phase = Stage.REVIEW
            self.save()
            return True
        # rejected (manual) or failed (auto): the failure goes to the executor as a fix
        task.gate_score = score if previous is None else previous
        self._gate_failure = produced.artifact[-6000:]
        self._next_round(task, gate_only=True)
        return False

    async def stage_triage(self, reviews: list[Review]) -> None:
        from duo_tui.core.carry_over import SOURCE_AUTOPILOT, preselect, resolve
        from duo_tui.core.triage_round import correct_round, judge_round, rekey_preselection

        s = self.session
        task = s.task
        assert task is not None
        # A fresh start each round: only a finding the matcher calls the same as one of
        # the previous round keeps that round's decision (marked carried over).
        prev_round, previous = self._previous_triage(task)
        merged: list[MergedFinding] = []
        pre = preselect(merged)

        def table() -> list[dict[str, Any]]:
            rows = group_table(merged, {k: v.value for k, v in pre.decisions.items()})
            for row in rows:
                row["source"] = pre.sources.get(row["key"], "suggested")
                if row["key"] in pre.carried:
                    row["carried"] = pre.carried[row["key"]].as_dict()
            return rows

        async def produce(ctx: StageCtx) -> Produced:
            nonlocal merged, pre
            # the optional judge settles the uncertain pairs first (cached per round)
            merged = self.merge(reviews, await judge_round(self, self._dir(task), reviews))
            pre = preselect(merged, previous, prev_round, self.limits())
            counts = {
                k: sum(1 for m in merged if m.kind == k) for k in ("agree", "severity", "only")
            }
            summary = (
                f"{len(merged)} finding(s): {counts['agree']} agreed, {counts['severity']} severity "
                f"conflict(s), {counts['only']} seen by one reviewer only"
            )
            if pre.carried:
                summary += f"; {len(pre.carried)} carried over from round {prev_round}"
            rows = table()
            data = {
                "groups": rows,
                "reviews": reviews,
                "task": task.id,
                "round": task.round,
            }
            self.store.write_artifact(
                f"{self._dir(task)}/triage.json", json.dumps(table(), indent=2)
            )
            self.emit(
                ArtifactReady(
                    TriageArtifact(triage_groups(rows), tuple(reviews), task.id, task.round)
                )
            )
            return Produced(summary=summary, data=data, payload=merged)

        def auto(produced: Produced | None, error: str | None, run: StageRun) -> UserDecision:
            # Autopilot decides every finding itself; the log then names it as the decider.
            return UserDecision("accept", findings={k: v.value for k, v in pre.decisions.items()})

        _produced, decision = await self.stage(
            Stage.TRIAGE, produce, stream=None, role="triage", auto=auto
        )
        by = SOURCE_AUTOPILOT if decision.by == "autopilot" else "human"
        groups, corrected, corrections = correct_round(self, s.current, table(), decision)
        if corrected is not None:
            merged = corrected
            rekey_preselection(pre, merged)
        res = resolve(merged, pre, decision.findings, decision.finding_reasons, by)
        if res.ignored:
            self.notice(
                "decisions for findings that are not in this round were ignored: "
                + ", ".join(res.ignored),
                "warning",
            )
        decisions = res.decisions
        for key, d in decisions.items():
            if d == FindingDecision.ACCEPT_RISK and not res.reasons.get(key):
                self.notice(f"{key}: accept-risk recorded without a reason", "warning")
        for key, rule in decision.recurring.items():
            if key not in decisions:
                continue
            path = append_rule(self.repo, rule, f"session {s.id}, {key}")
            self.notice(f"rule added to {path.relative_to(self.repo)}")
        task.finding_decisions = decisions
        verdict = judge(merged, decisions, self.config.loop.max_high)
        summary = RoundSummary(
            task_id=task.id,
            round=task.round,
            findings=severity_counts(merged),
            fix=[m.key for m in merged if decisions[m.key] == FindingDecision.FIX],
            converged=verdict.clean,
            gate_passed=True,
        )
        s.rounds.append(summary)
        self.store.write_artifact(
            f"{self._dir(task)}/triage.json",
            json.dumps(
                {
                    "groups": groups,
                    "decisions": {k: v.value for k, v in decisions.items()},
                    "sources": res.sources,
                    "reasons": res.reasons,
                    "carried": {k: c.as_dict() for k, c in pre.carried.items()},
                    "verdict": verdict.why,
                    **({"corrections": corrections} if corrections else {}),
                },
                indent=2,
            ),
        )
        self.save()
        if verdict.clean:
            self.notice(f"{task.id} round {task.round}: converged ({verdict.why})")
            task.phase = Stage.COMMIT
            self.save()
            return
        # circles: the same critical finding back round after round
        crit = critical_fingerprints([m for m in merged if decisions[m.key] == FindingDecision.FIX])
        history = [[f.model_dump_json() for f in crit]]
        prev = [
            Finding.model_validate_json(x)
            for x in (task.critical_history[-1] if task.critical_history else [])
        ]
        prev2 = [
            Finding.model_validate_json(x)
            for x in (task.critical_history[-2] if len(task.critical_history) > 1 else [])
        ]
        task.critical_history = task.critical_history + history
        again = same_criticals(prev, crit, self.limits())
        if again and same_criticals(prev2, crit, self.limits()):
            raise StopSession(
                f"the models argue in circles: the same critical finding came back in rounds "
                f"{task.round - 2}–{task.round} of {task.id} ({again[0]})"
            )
        if task.round >= self.config.loop.max_rounds:
            raise StopSession(
                f"no convergence after {task.round} round(s) of {task.id}: {verdict.why}"
            )
        fix = [m for m in merged if decisions[m.key] == FindingDecision.FIX]
        self._fix_findings = fix
        self._gate_failure = ""
        self._next_round(task)

    def _previous_triage(self, task: Task) -> tuple[int, Any]:
        """The latest earlier round of this task that was triaged: (round, its findings)."""
        from duo_tui.core.carry_over import previous_findings

        for rnd in range(task.round - 1, 0, -1):
            found, data = self._round_json(
                f"{task.id}/round-{rnd}/triage.json",
                "no decision is carried over from that round",
            )
            if found:
                return rnd, previous_findings(data)
        return 0, {}

    def _next_round(self, task: Task, gate_only: bool = False) -> None:
        task.round += 1
        task.phase = Stage.FIX
        task.pre_tree = self.worktree.snapshot() if self.worktree is not None else None
        if gate_only:
            self._fix_findings = []
        self.save()

    def fix_context(self) -> dict[str, str]:
        task = self.session.task
        assert task is not None
        findings: list[MergedFinding] = getattr(self, "_fix_findings", [])
        gate = getattr(self, "_gate_failure", "")
        if not findings and not gate:
            # a resumed fix: the findings to fix are those the stored triage decided
            rel = f"{task.id}/round-{task.round - 1}/triage.json"
            found, data = self._round_json(rel, "the fix goes ahead without its findings")
            if found:
                lines = fix_lines(data)
                if data is not None and lines is None:
                    self.notice(
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
            "gate": untrusted("gate output", "The quality gate failed:\n" + gate) if gate else "",
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

    # -- commit -------------------------------------------------------------------

    def _adopt_unrecorded_commit(self, task: Task) -> bool:
        """Take over this task's commit if a crash hit between `git commit` and the save.

        Committing and recording the commit in session.json are two steps; a
        kill between them leaves the commit on the branch but not in the
        session. Committing again would find nothing to commit and mark the
        task skipped, so a duo commit (it carries the session trailer) sitting
        right on top of the last recorded one is adopted as this task's.
        """
        s = self.session
        wt = self.worktree
        known = s.commits[-1] if s.commits else s.base_commit
        if wt is None or not known:
            return False
        head = wt.head()
        if head == known:
            return False
        from duo_tui.vcs.commit import SESSION_TRAILER
        from duo_tui.vcs.gitcmd import run as git

        parents, _, body = git(wt.path, "log", "-1", "--format=%P%n%B", head).partition("\n")
        trailer = f"{SESSION_TRAILER}: {wt.branch}"
        if parents.split() != [known] or trailer not in (ln.strip() for ln in body.splitlines()):
            return False
        task.commit = head
        task.state = TaskState.COMMITTED
        task.pre_tree = None
        s.commits.append(head)
        subject = body.strip().splitlines()[0] if body.strip() else ""
        self.emit(ArtifactReady(CommitArtifact(head, subject, task.id)))
        self.notice(f"{task.id}: found its commit {head[:8]} made before the restart; kept it")
        self.save()
        return True

    def _commit_or_block(self, message: str) -> str:
        """Commit; a change holding a secret blocks the session, saying the way on."""
        from duo_tui.vcs.secret_scan import SecretsFound, blocked_reason

        assert self.worktree is not None
        try:
            return str(self.worktree.commit(message, allow_secrets=self.config.secrets.allow))
        except SecretsFound as exc:
            s = self.session
            assert s.task is not None
            raise SessionBlocked(
                blocked_reason(s.task.id, exc.hits, self.worktree.path, s.id)
            ) from None

    async def stage_commit(self) -> None:
        s = self.session
        task = s.task
        assert task is not None
        if self._adopt_unrecorded_commit(task):
            return

        def default_message() -> str:
            if task.commit_message and is_conventional(task.commit_message):
                return task.commit_message
            title = task.title.strip().rstrip(".")
            title = title[0].lower() + title[1:] if title else "apply reviewed change"
            return f"feat: {title}"[:72]

        async def produce(ctx: StageCtx) -> Produced:
            # Model text: shown, stored and committed with its controls made visible.
            message = clean(default_message())
            diff = self._current_diff()
            if not diff.strip():
                return Produced(
                    summary="nothing to commit: every change was declined",
                    artifact=message,
                    data={"message": message, "empty": True},
                    payload=message,
                )
            return Produced(
                summary=f"commit on {s.branch}: {message}",
                artifact=message,
                data={"message": message, "diff": diff},
                payload=message,
            )

        async def edit(p: Produced, text: str) -> Produced:
            subject = text.strip().splitlines()[0] if text.strip() else ""
            if not is_conventional(subject):
                raise StageError(
                    f"{subject!r} is not a conventional commit subject: type(scope): description"
                )
            task.commit_message = text.strip()
            return Produced(
                summary=f"commit on {s.branch}: {subject}",
                artifact=text.strip(),
                data=dict(p.data, message=text.strip()),
                payload=text.strip(),
            )

        produced, _ = await self.stage(Stage.COMMIT, produce, edit=edit, role="git")
        if produced.data.get("empty"):
            task.state = TaskState.SKIPPED
            self.notice(f"{task.id}: nothing to commit")
        elif self.worktree is not None:
            self.session_root()  # the guard: commit only in the session worktree
            sha = self._commit_or_block(str(produced.payload))
            task.commit = sha
            task.state = TaskState.COMMITTED
            s.commits.append(sha)
            self.store.write_artifact(f"{task.id}/commit.txt", f"{sha}\n{produced.payload}\n")
            self.emit(ArtifactReady(CommitArtifact(sha, str(produced.payload), task.id)))
            self.notice(
                f"{task.id} committed {sha[:8]} on {s.branch}: {str(produced.payload).splitlines()[0]}"
            )
        task.phase = Stage.COMMIT
        task.pre_tree = None
        self.save()

    # -- the whole cycle ----------------------------------------------------------

    async def run_task(self) -> None:
        s = self.session
        task = s.task
        assert task is not None
        task.state = TaskState.RUNNING
        self.save()
        if task.round == 1 and task.phase == Stage.EXECUTE:
            self.store.write_artifact(f"{task.id}/task.md", task_markdown(task))
        self.write_task_files()
        self.emit(ArtifactReady(TasksArtifact(task_list(s.tasks))))
        reviews: list[Review] | None = None
        while task.state == TaskState.RUNNING:
            phase = task.phase
            if phase == Stage.EXECUTE:
                await self.stage_edit(Stage.EXECUTE)
            elif phase == Stage.FIX:
                await self.stage_edit(Stage.FIX, self.fix_context())
            elif phase == Stage.GATE:
                await self.stage_gate()
            elif phase == Stage.REVIEW:
                reviews = await self.stage_review()
            elif phase == Stage.TRIAGE:
                if reviews is None:
                    reviews = self._load_reviews(task)
                    if reviews is None:  # unreadable: back to the review
                        continue
                await self.stage_triage(reviews)
                reviews = None
            elif phase == Stage.COMMIT:
                await self.stage_commit()
            else:  # pragma: no cover - phases are the six above
                raise StageError(f"unknown phase {phase}")


def _diff_size(diff: str) -> tuple[list[str], int]:
    """The files a unified diff touches and its changed (added + deleted) lines."""
    from duo_tui.vcs.diff import parse_diff

    files = parse_diff(diff)
    lines = sum(1 for f in files for h in f.hunks for ln in h.lines if ln[:1] in ("+", "-"))
    return sorted(f.path for f in files), lines


def _score_text(score: list[int]) -> str:
    if not score:
        return "passing"
    return f"{score[0]} failing command(s)" + (
        f", {score[1]} failing test(s)" if len(score) > 1 and score[1] else ""
    )


__all__ = ["StageState", "TaskCycle"]
