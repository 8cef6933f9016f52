"""Stages 3 and 7, execute and fix: the executor's edits, applied atomically.

The executor answers with SEARCH/REPLACE blocks (`duo_tui.core.edits`); they
are applied to the session worktree from the tree as it was before the task
(or round), all or nothing. The checkpoint shows the change with what is past
the task's bound (`task_bounds`) and any edit outside the task's files; a
human may edit the blocks, choose an earlier attempt, decline hunks (they are
reverted), or, at execute, skip, merge or split the task or switch a fast
session to the full workflow (`task_replan`). A fix round gets its prompt's
findings and gate output from `fix_context.FixRound`.
"""

from __future__ import annotations

from typing import Any

from duo_tui.core.context import file_contents
from duo_tui.core.edits import EditApplyError, apply_edits, parse_edits
from duo_tui.core.events import UserDecision
from duo_tui.core.fix_context import record_declined
from duo_tui.core.models import Stage
from duo_tui.core.scope import MERGE, SKIP, failure_actions, out_of_scope
from duo_tui.core.session import StageRun
from duo_tui.core.stage_contract import Produced, StageCtx, StageError
from duo_tui.core.task_base import TaskBase
from duo_tui.core.task_bounds import bound_notes, diff_size
from duo_tui.core.task_replan import skip_or_merge, split_oversize, switch_to_full_workflow
from duo_tui.limits import check_edit_sizes
from duo_tui.prompts import render
from duo_tui.vcs.revert import revert_hunks

__all__ = ["EditStage"]


class EditStage:
    """The execute and fix stages of the task cycle (one stage, two prompts)."""

    def __init__(self, runner: TaskBase) -> None:
        self.runner = runner

    async def run(self, kind: Stage, fix_context: dict[str, str] | None = None) -> None:
        """Execute (first round) or fix (later rounds): executor edits, applied atomically."""
        s = self.runner.session
        task = s.task
        assert task is not None
        wt = self.runner.worktree
        if task.pre_tree is None and wt is not None:
            task.pre_tree = wt.snapshot()
            self.runner.save()
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
            root = self.runner.session_root()  # the guard: never the user's checkout
            if wt is not None and task.pre_tree:
                wt.restore(task.pre_tree)
            parsed = parse_edits(text)
            if parsed.errors:
                raise StageError("the edits could not be parsed:\n" + "\n".join(parsed.errors))
            if not parsed.blocks:
                raise StageError("the answer holds no SEARCH/REPLACE block")
            check_edit_sizes(parsed.blocks, self.runner.config.limits.to_limits().edit_bytes)
            try:
                result = apply_edits(root, parsed.blocks)
            except EditApplyError as exc:
                failed_files[:] = sorted({f.path for f in exc.failures if f.path})
                raise
            diff = self.runner.current_diff()
            self.runner.store.write_artifact(f"{self.runner.task_dir(task)}/diff.patch", diff)
            self.runner.emit_diff(diff)
            files = sorted(set(result.changed) | set(result.created))
            summary = (
                f"{len(parsed.blocks)} edit(s) to {len(files)} file(s): "
                f"+{result.added_lines} −{result.deleted_lines}"
            )
            lines = result.added_lines + result.deleted_lines
            bound = bound_notes(self.runner, task, files, lines, offer=kind == Stage.EXECUTE)
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
            root = self.runner.session_root()  # the guard, before anything is restored or written
            if ctx.resume:
                diff = self.runner.current_diff()
                self.runner.emit_diff(diff)
                raw = (
                    self.runner.store.read_artifact(f"{self.runner.task_dir(task)}/{kind.value}.md")
                    or ""
                )
                files, lines = diff_size(diff)
                bound = bound_notes(self.runner, task, files, lines, offer=kind == Stage.EXECUTE)
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
                "task": self.runner.task_text(task),
                "plan": self.runner.plan_block(),
                "feedback": ctx.feedback(),
            }
            if kind == Stage.FIX and fix_context:
                prompt_values.update(fix_context)
                files += [f for f in fix_context.get("_files", "").split("\n") if f]
            # a rerun after blocks failed to apply sees those files as they are now
            files += [f for f in failed_files if f not in files]
            prompt_values["files"] = file_contents(root, files)
            model = ctx.model or s.roles.executor
            res = await self.runner.caller.call(
                role="executor",
                model=model,
                stage=kind,
                purpose=kind.value,
                stream="exec",
                system=self.runner.system_prompt(),
                prompt=render("execute" if kind == Stage.EXECUTE else "fix", **prompt_values),
                title=f"{task.id} {kind.value} · round {task.round}",
            )
            self.runner.store.write_artifact(
                f"{self.runner.task_dir(task)}/{kind.value}.md", res.text
            )
            try:
                return apply_text(res.text)
            except StageError:
                raise
            except Exception as exc:  # EditError and friends: the message names file and block
                raise StageError(str(exc)) from None

        async def edit(_: Produced, text: str) -> Produced:
            check_edit_sizes(
                parse_edits(text).blocks, self.runner.config.limits.to_limits().edit_bytes
            )
            self.runner.store.write_artifact(
                f"{self.runner.task_dir(task)}/{kind.value}.edited.md", text
            )
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

        retries = self.runner.config.loop.max_execute_retries

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

        produced, decision = await self.runner.stage(
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
            skip_or_merge(self.runner, task, decision)
        if decision.action == "split":
            split_oversize(self.runner, task, produced, decision)
        if decision.action == "full_workflow":
            switch_to_full_workflow(self.runner, task, produced, decision)
        if produced.data.get("fast_growth"):
            warning = str(produced.data.get("fast_note") or "")
            if warning and warning not in s.warnings:
                s.warnings.append(warning)
        if decision.rejected_hunks and wt is not None:
            self.runner.session_root()  # the guard: reverting writes files
            record_declined(
                self.runner,
                task,
                str(produced.data.get("diff") or self.runner.current_diff()),
                list(decision.rejected_hunks),
            )
            revert_hunks(wt, set(decision.rejected_hunks))
            task.declined_hunks = sorted(set(task.declined_hunks) | set(decision.rejected_hunks))
            diff = self.runner.current_diff()
            self.runner.store.write_artifact(
                f"{self.runner.task_dir(task)}/diff.accepted.patch", diff
            )
            self.runner.emit_diff(diff)
            self.runner.notice(f"{len(decision.rejected_hunks)} hunk(s) declined and reverted")
        task.phase = Stage.GATE
        self.runner.save()
