"""Stage 6, triage: the reviews' findings matched, decided one by one, and the verdict.

Each round starts afresh: only a finding the matcher calls the same as one of
the previous round keeps that round's decision (marked carried over); the
autopilot decides the rest itself, a human at the checkpoint otherwise. The
decisions, their sources and reasons go to the round's `triage.json`. Then the
round converges (the task goes on to its commit), the session stops (the same
critical finding back round after round, or no convergence within `[loop]
max_rounds`), or the findings to fix start the next round
(`fix_context.FixRound`). A finding the human marked fix always makes that
fix round; the convergence rule decides only the marks autopilot or the
triage's suggestion set.
"""

from __future__ import annotations

import json
from typing import Any

from duo_tui.core.artifacts import TriageArtifact, triage_groups
from duo_tui.core.carry_over import (
    SOURCE_AUTOPILOT,
    SOURCE_HUMAN,
    preselect,
    previous_findings,
    resolve,
)
from duo_tui.core.context import append_rule
from duo_tui.core.convergence import (
    MergedFinding,
    critical_fingerprints,
    group_table,
    judge,
    same_criticals,
    severity_counts,
)
from duo_tui.core.events import ArtifactReady, UserDecision
from duo_tui.core.fix_context import FixRound
from duo_tui.core.models import Finding, FindingDecision, Review, Stage
from duo_tui.core.session import RoundSummary, StageRun, Task
from duo_tui.core.stage_contract import Produced, StageCtx, StopSession
from duo_tui.core.task_base import TaskBase
from duo_tui.core.triage_round import correct_round, judge_round, rekey_preselection

__all__ = ["TriageStage"]


class TriageStage:
    """The triage stage of the task cycle."""

    def __init__(self, runner: TaskBase, fix: FixRound) -> None:
        self.runner = runner
        self.fix = fix

    async def run(self, reviews: list[Review]) -> None:
        """Triage the round's reviews: decide each finding, then converge, stop or fix."""
        s = self.runner.session
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
            merged = self.runner.merge(
                reviews, await judge_round(self.runner, self.runner.task_dir(task), reviews)
            )
            pre = preselect(merged, previous, prev_round, self.runner.limits())
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
                "max_high": self.runner.config.loop.max_high,
            }
            self.runner.store.write_artifact(
                f"{self.runner.task_dir(task)}/triage.json", json.dumps(table(), indent=2)
            )
            self.runner.emit(
                ArtifactReady(
                    TriageArtifact(triage_groups(rows), tuple(reviews), task.id, task.round)
                )
            )
            return Produced(summary=summary, data=data, payload=merged)

        def auto(produced: Produced | None, error: str | None, run: StageRun) -> UserDecision:
            # Autopilot decides every finding itself; the log then names it as the decider.
            return UserDecision("accept", findings={k: v.value for k, v in pre.decisions.items()})

        _produced, decision = await self.runner.stage(
            Stage.TRIAGE, produce, stream=None, role="triage", auto=auto
        )
        by = SOURCE_AUTOPILOT if decision.by == "autopilot" else "human"
        groups, corrected, corrections = correct_round(self.runner, s.current, table(), decision)
        if corrected is not None:
            merged = corrected
            rekey_preselection(pre, merged)
        res = resolve(merged, pre, decision.findings, decision.finding_reasons, by)
        if res.ignored:
            self.runner.notice(
                "decisions for findings that are not in this round were ignored: "
                + ", ".join(res.ignored),
                "warning",
            )
        decisions = res.decisions
        for key, d in decisions.items():
            if d == FindingDecision.ACCEPT_RISK and not res.reasons.get(key):
                self.runner.notice(f"{key}: accept-risk recorded without a reason", "warning")
        for key, rule in decision.recurring.items():
            if key not in decisions:
                continue
            path = append_rule(self.runner.repo, rule, f"session {s.id}, {key}")
            self.runner.notice(f"rule added to {path.relative_to(self.runner.repo)}")
        task.finding_decisions = decisions
        # the human's own "fix" means what it says: such a finding is fixed before the commit
        asked = [k for k, src in res.sources.items() if src == SOURCE_HUMAN]
        verdict = judge(merged, decisions, self.runner.config.loop.max_high, asked)
        summary = RoundSummary(
            task_id=task.id,
            round=task.round,
            findings=severity_counts(merged),
            fix=[m.key for m in merged if decisions[m.key] == FindingDecision.FIX],
            converged=verdict.clean,
            gate_passed=True,
        )
        s.rounds.append(summary)
        self.runner.store.write_artifact(
            f"{self.runner.task_dir(task)}/triage.json",
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
        self.runner.save()
        if verdict.clean:
            self.runner.notice(f"{task.id} round {task.round}: converged ({verdict.why})")
            left = [m for m in merged if decisions[m.key] == FindingDecision.FIX]
            if left:  # a suggested "fix" is not silently dropped: say what stays as it is
                limit = self.runner.config.loop.max_high
                named = "; ".join(f"{m.key} {m.title} ({m.severity.value})" for m in left)
                self.runner.notice(
                    f"{len(left)} finding(s) marked fix are not fixed before the commit "
                    f"(below the bar: only a critical one, more than {limit} high, or one the "
                    "human marked fix, make another round): "
                    f"{named}",
                    "warning",
                )
            task.phase = Stage.COMMIT
            self.runner.save()
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
        again = same_criticals(prev, crit, self.runner.limits())
        if again and same_criticals(prev2, crit, self.runner.limits()):
            raise StopSession(
                f"the models argue in circles: the same critical finding came back in rounds "
                f"{task.round - 2}–{task.round} of {task.id} ({again[0]})"
            )
        if task.round >= self.runner.config.loop.max_rounds:
            raise StopSession(
                f"no convergence after {task.round} round(s) of {task.id}: {verdict.why}"
            )
        fix = [m for m in merged if decisions[m.key] == FindingDecision.FIX]
        self.fix.findings = fix
        self.fix.gate_failure = ""
        self.fix.start(task)

    def _previous_triage(self, task: Task) -> tuple[int, Any]:
        """The latest earlier round of this task that was triaged: (round, its findings)."""
        for rnd in range(task.round - 1, 0, -1):
            found, data = self.runner.round_json(
                f"{task.id}/round-{rnd}/triage.json",
                "no decision is carried over from that round",
            )
            if found:
                return rnd, previous_findings(data)
        return 0, {}
