"""The triage stage's two additions to the matcher: the judge, and the human's corrections.

`judge_round` asks the configured judge (`[triage] judge`) about the round's
uncertain pairs through the session's `ModelCaller` (so the call is journalled,
in the transcript, and costed with the session: the cost line and the export
count it under the triage stage and the judge's model). Its answer is cached in
the round's folder (`triage-judge.json`): a rerun or a resumed session with the
same reviews makes no second call. A failed or malformed judge leaves the
matcher's result, with a warning.

`correct_round` replays the human's splits and joins (`UserDecision.regroup`)
on the round's triage table, logs each as a human correction in the decision
log, and gives back the corrected table and findings.
"""

from __future__ import annotations

import json
from typing import Any

from duo_tui.core.carry_over import SOURCE_SUGGESTED, Preselection
from duo_tui.core.convergence import MergedFinding, auto_decision
from duo_tui.core.events import UserDecision
from duo_tui.core.models import Review, Stage, TriageResult, Usage
from duo_tui.core.session import Decision, StageRun
from duo_tui.core.task_base import TaskBase
from duo_tui.core.triage_corrections import apply_corrections, merged_from_groups

__all__ = ["JUDGE_FILE", "correct_round", "judge_round", "rekey_preselection"]

#: The judge's cached answer, in the round's folder.
JUDGE_FILE = "triage-judge.json"


async def judge_round(runner: TaskBase, folder: str, reviews: list[Review]) -> TriageResult | None:
    """The judged match of the round's two reviews, or None (no judge, or not two reviews)."""
    from duo_tui.core.triage import match_reviews
    from duo_tui.core.triage_judge_run import run_judge

    roles = runner.session.roles
    model = runner.config.triage.judge_model(roles.planner, roles.executor)
    if model is None or len(reviews) != 2:
        return None
    a, b = reviews
    result = match_reviews(a, b, limits=runner.limits())
    # a damaged cache (bad JSON, nested without end, over the limits) only costs a new call
    _found, cache = runner.round_json(f"{folder}/{JUDGE_FILE}", "the judge is asked again")

    async def call(system: str, prompt: str, schema: dict[str, Any]) -> tuple[str, Usage]:
        runner.notice(f"triage judge: asking {model} about the pairs the matcher is unsure of")
        res = await runner.caller.call(
            role="judge",
            model=model,
            stage=Stage.TRIAGE,
            purpose="triage_judge",
            stream="judge",
            system=system,
            prompt=prompt,
            json_schema=schema,
            schema_name="duo_triage_judge",
            title="triage judge",
        )
        return res.text, res.usage

    out = await run_judge(a, b, result, model, call, cache)
    if out.cache_entry is not None:
        runner.store.write_artifact(f"{folder}/{JUDGE_FILE}", json.dumps(out.cache_entry, indent=2))
    if out.error:
        runner.notice(out.summary(), "warning")
    elif out.candidates:
        runner.notice(out.summary())
    return out.result


def correct_round(
    runner: TaskBase,
    run: StageRun | None,
    groups: list[dict[str, Any]],
    decision: UserDecision,
) -> tuple[list[dict[str, Any]], list[MergedFinding] | None, list[dict[str, Any]]]:
    """Apply the human's splits and joins of `decision` to the triage table `groups`.

    Returns (the corrected table, its findings or None when nothing changed, the
    corrections that applied). Each applied correction is one decision-log entry,
    action ``correct``, by the human; one that no longer applies is a warning.
    """
    if not decision.regroup:
        return groups, None, []
    groups, applied, errors = apply_corrections(groups, list(decision.regroup))
    for why in errors:
        runner.notice(f"triage correction not applied: {why}", "warning")
    for c in applied:
        runner.store.append_decision(
            Decision(
                stage=Stage.TRIAGE,
                round=run.round if run else 1,
                task_id=run.task_id if run else None,
                action="correct",
                by="human",
                reason=f"{c['op']} by hand",
                data={"correction": c},
            )
        )
        runner.session.decisions_logged += 1
    return groups, (merged_from_groups(groups) if applied else None), applied


def rekey_preselection(pre: Preselection, merged: list[MergedFinding]) -> None:
    """After a correction: drop the keys a join removed; a split half (``G3b``) starts
    from its pair's (``G3``) preselected decision and source."""
    keys = {m.key for m in merged}
    for table in (pre.decisions, pre.sources, pre.carried):
        for k in [k for k in table if k not in keys]:
            del table[k]
    for m in merged:
        if m.key not in pre.decisions:
            base = m.key.rstrip("abcdefghijklmnopqrstuvwxyz")
            pre.decisions[m.key] = pre.decisions.get(base, auto_decision(m))
            pre.sources[m.key] = pre.sources.get(base, SOURCE_SUGGESTED)
