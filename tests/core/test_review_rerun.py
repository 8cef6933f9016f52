"""Issue 19 item 9: at the review checkpoint the human reruns one reviewer (the other
review is kept), optionally with another model; the results are named by their models."""

from __future__ import annotations

from pathlib import Path

import pytest

from duo_tui.core.events import Checkpoint, UserDecision
from duo_tui.core.models import Mode, Stage
from duo_tui.core.review_rerun import RerunRefused, attempt_label, plan_rerun, reviewer_slots

from .helpers import EXECUTOR, PLANNER, finding, make_script, review, run_manual

OTHER = "openai/gpt-4o-mini"


def _script():  # type: ignore[no-untyped-def]
    nit = finding("F1", "low", "apply_code has no docstring")
    return make_script(
        {
            ("review", PLANNER): review(PLANNER),
            ("review", EXECUTOR): review(EXECUTOR),
            ("review", OTHER): review(OTHER, [nit]),
        }
    )


def _review_policy(*decisions: UserDecision):  # type: ignore[no-untyped-def]
    seen: list[Checkpoint] = []

    def policy(cp: Checkpoint, _n: int) -> UserDecision | None:
        if cp.stage != Stage.REVIEW:
            return None
        seen.append(cp)
        return decisions[len(seen) - 1] if len(seen) <= len(decisions) else None

    return policy, seen


def test_rerun_one_reviewer_with_another_model_keeps_the_other(demo_repo: Path) -> None:
    policy, seen = _review_policy(UserDecision("rerun", target=1, model=OTHER))
    run = run_manual(demo_repo, _script(), policy, mode=Mode.FAST)
    # A ran once; B ran with its model, then with the other model
    assert [q.model for q in run.requests("review")] == [PLANNER, EXECUTOR, OTHER]
    first, second = seen[0], seen[1]
    assert [r.model for r in first.data.reviewers] == [PLANNER, EXECUTOR]
    assert [r.name for r in first.data.reviewers] == ["A", "B"]
    assert second.data.models == (PLANNER, OTHER)
    # A's review is the same object's content; B's is the new model's (one finding)
    assert [len(r.findings) for r in second.data.reviews] == [0, 1]
    # the choose dialog names the models, never "machine"
    assert second.alternatives == (
        "attempt 1 · A claude-opus-4-7 · B gpt-5.5",
        "attempt 2 · A claude-opus-4-7 (kept) · B gpt-4o-mini (rerun)",
    )
    # the new model is the session's reviewer B from now on
    assert run.ws.session.roles.effective_reviewers() == [PLANNER, OTHER]
    log = [d for d in run.ws.store.decisions() if d.action == "rerun"]  # type: ignore[attr-defined]
    assert len(log) == 1 and log[0].data["target"] == 1 and log[0].model == OTHER


def test_choose_the_first_review_result_after_a_rerun(demo_repo: Path) -> None:
    policy, seen = _review_policy(
        UserDecision("rerun", target=1, model=OTHER), UserDecision("choose", choice=0)
    )
    run = run_manual(demo_repo, _script(), policy, mode=Mode.FAST)
    assert "choose" in seen[1].actions
    # after choosing attempt 1 its reviews (no findings) and its models are the round's
    third = seen[2]
    assert third.data.models == (PLANNER, EXECUTOR)
    assert [len(r.findings) for r in third.data.reviews] == [0, 0]
    assert run.ws.session.roles.effective_reviewers() == [PLANNER, EXECUTOR]
    triage = next(c for c in run.checkpoints if c.stage == Stage.TRIAGE)
    assert triage.data.groups == ()


def test_rerun_both_reviewers_reruns_both(demo_repo: Path) -> None:
    policy, seen = _review_policy(UserDecision("rerun"))
    run = run_manual(demo_repo, _script(), policy, mode=Mode.FAST)
    assert [q.model for q in run.requests("review")] == [PLANNER, EXECUTOR, PLANNER, EXECUTOR]
    assert seen[1].alternatives[1] == "attempt 2 · A claude-opus-4-7 · B gpt-5.5"


def test_plan_rerun_refuses_what_it_cannot_mean() -> None:
    models = [PLANNER, EXECUTOR]
    with pytest.raises(RerunRefused, match="per reviewer"):
        plan_rerun(models, None, OTHER)
    with pytest.raises(RerunRefused, match="no reviewer 3"):
        plan_rerun(models, 2, None)
    assert plan_rerun(models, None, None).rerun == frozenset({0, 1})
    only_a = plan_rerun(models, 0, OTHER)
    assert only_a.models == [OTHER, EXECUTOR] and only_a.rerun == frozenset({0})
    assert [s.name for s in reviewer_slots([PLANNER, EXECUTOR, OTHER])] == ["A", "B", "3"]
    assert "machine" not in attempt_label(1, models)
