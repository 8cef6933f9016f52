"""Stage 4, the quality gate: the configured commands run on the change, sandboxed.

The gate's log is redacted, stored with the round and shown as it streams. A
passing gate (or a failing one the human accepts) sends the task on to its
review; a failing one sends its output to the executor as a fix round
(`fix_context.FixRound`). A fix that makes the gate worse than the round
before is discarded and the session stops, saying so; so does a gate that
still fails in the task's last round (`[loop] max_rounds`), where the
checkpoint says beforehand that rejecting stops and accepting sends the
change to review: fixing a failing gate never loops without end.
"""

from __future__ import annotations

from duo_tui.core.artifacts import GateArtifact
from duo_tui.core.events import ArtifactReady, TextDelta, UserDecision
from duo_tui.core.fix_context import FixRound
from duo_tui.core.models import Stage
from duo_tui.core.session import StageRun
from duo_tui.core.stage_contract import Produced, StageCtx, StopSession
from duo_tui.core.task_base import TaskBase
from duo_tui.errors import DuoError
from duo_tui.redact import redact
from duo_tui.vcs.gate import run_gate
from duo_tui.vcs.sandbox import resolve_sandbox

__all__ = ["GateStage"]


class GateStage:
    """The gate stage of the task cycle."""

    def __init__(self, runner: TaskBase, fix: FixRound) -> None:
        self.runner = runner
        self.fix = fix

    async def run(self) -> bool:
        """Run the configured gate; returns True when it passed (or was accepted)."""
        s = self.runner.session
        task = s.task
        assert task is not None
        commands = list(self.runner.config.gate.commands)
        if not commands or self.runner.worktree is None:
            self.runner.notice("no gate configured ([gate] commands); going straight to review")
            task.phase = Stage.REVIEW
            self.runner.save()
            return True
        gate_cfg = self.runner.config.gate
        max_rounds = self.runner.config.loop.max_rounds
        try:
            sandbox = resolve_sandbox(gate_cfg.sandbox, gate_cfg.sandbox_read)
        except DuoError as exc:  # "bubblewrap" asked for and not usable: say how to get it
            raise StopSession(str(exc)) from None
        if s.gate_sandbox != sandbox.describe():
            s.gate_sandbox = sandbox.describe()
            if sandbox.mode == "off":
                self.runner.notice(f"gate {sandbox.describe()}", "warning")

        async def produce(ctx: StageCtx) -> Produced:
            self.runner.emit(
                TextDelta("gate", f"$ gate round {task.round} · {sandbox.describe()}\n")
            )
            result = await run_gate(
                commands,
                self.runner.session_root(),  # the guard: the gate runs only in the session worktree
                gate_cfg.timeout_s,
                on_output=lambda line: self.runner.emit(
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
            self.runner.store.write_artifact(f"{self.runner.task_dir(task)}/gate.log", log)
            score = list(result.failure_score())
            # the gate's own run time (the checkpoint's waiting is the human's, not the gate's)
            took = round(sum(r.duration_s for r in result.results), 3)
            self.runner.emit(ArtifactReady(GateArtifact(result.passed, log, took), "gate"))
            failed = [r.command for r in result.results if r.exit_code != 0 or r.timed_out]
            summary = "gate passed" if result.passed else "gate failed: " + ", ".join(failed)
            if not result.passed and task.round >= max_rounds:
                summary += (
                    f" — last round ({task.round} of [loop] max_rounds {max_rounds}): "
                    "reject stops the session, accept sends the change to review"
                )
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

        produced, decision = await self.runner.stage(
            Stage.GATE, produce, auto=auto, reject_returns=True, stream="gate", role="gate"
        )
        score = produced.data.get("score")
        previous = task.gate_score
        if (
            task.round > 1
            and previous is not None
            and score is not None
            and tuple(score) > tuple(previous)
            and self.runner.worktree is not None
            and task.pre_tree
        ):
            self.runner.session_root()  # the guard: restoring writes files
            self.runner.worktree.restore(task.pre_tree)
            self.runner.emit_diff(self.runner.current_diff())
            raise StopSession(
                f"the fix in round {task.round} of {task.id} made the gate worse "
                f"({_score_text(previous)} → {_score_text(score)}); the fix was discarded"
            )
        if produced.ok or decision.action == "accept":
            task.gate_score = score
            task.phase = Stage.REVIEW
            self.runner.save()
            return True
        # rejected (manual) or failed (auto): the failure goes to the executor as a fix,
        # unless this was the task's last round
        task.gate_score = score if previous is None else previous
        if task.round >= max_rounds:
            raise StopSession(
                f"the gate of {task.id} still fails after {task.round} round(s) "
                f"([loop] max_rounds {max_rounds}): {produced.summary.split(' — ')[0]}"
                + (
                    f"; the hunks you declined ({', '.join(task.declined_hunks)}) may be what "
                    "it needs"
                    if task.declined_hunks
                    else ""
                )
                + ". To go on: run it again with a higher [loop] max_rounds, or accept a "
                "failing gate at its checkpoint (a) to have the change reviewed as it is"
            )
        self.fix.gate_failure = produced.artifact[-6000:]
        self.fix.start(task, gate_only=True)
        return False


def _score_text(score: list[int]) -> str:
    if not score:
        return "passing"
    return f"{score[0]} failing command(s)" + (
        f", {score[1]} failing test(s)" if len(score) > 1 and score[1] else ""
    )
