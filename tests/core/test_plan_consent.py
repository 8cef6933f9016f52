"""The human's words count: the demo's replan shows the rejection reason, and an edited
plan is never replaced by the planner's revision without the human's consent."""

from __future__ import annotations

from pathlib import Path

from duo_tui.core.events import Checkpoint, UserDecision
from duo_tui.core.models import Stage
from duo_tui.demo.script import _plan

from .helpers import run_manual

REASON = "Name the rounding rule for cents"
MARKER = "HUMAN-EDITED-PLAN"


def _first_plan(decision: UserDecision):  # type: ignore[no-untyped-def]
    done: list[Checkpoint] = []

    def policy(cp: Checkpoint, _n: int) -> UserDecision | None:
        if cp.stage == Stage.PLAN and "task_ops" not in cp.actions and not done:
            done.append(cp)
            return decision
        return None

    return policy, done


def test_the_demo_planner_uses_the_rejection_reason(demo_repo: Path) -> None:
    policy, _ = _first_plan(UserDecision("reject", reason=REASON))
    run = run_manual(demo_repo, None, policy)
    store = run.ws.store
    assert REASON not in (store.read_artifact("plan-v1.md") or "")
    assert f"- {REASON}" in (store.read_artifact("plan-v2.md") or "")
    assert run.report["converged"]


def _edited_then(align_answer: UserDecision | None):  # type: ignore[no-untyped-def]
    edited = _plan(1).replace("## Goal\n", f"## Goal\n{MARKER}\n")
    seen: list[Checkpoint] = []
    state = {"edited": False}

    def policy(cp: Checkpoint, _n: int) -> UserDecision | None:
        if cp.stage == Stage.PLAN and "task_ops" not in cp.actions:
            if not state["edited"]:
                state["edited"] = True
                return UserDecision("edit", text=edited)
            return None
        if cp.stage == Stage.ALIGN:
            seen.append(cp)
            if len(seen) == 1:
                return align_answer
        return None

    return policy, seen


def test_an_edited_plan_is_kept_unless_the_human_takes_the_revision(demo_repo: Path) -> None:
    policy, seen = _edited_then(None)  # accept at align: keep the edit
    run = run_manual(demo_repo, None, policy)
    session = run.ws.session
    plan = run.ws.store.read_artifact(f"plan-v{session.plan_version}.md") or ""
    assert MARKER in plan
    assert session.human_plan_version == session.plan_version
    cp = seen[0]
    assert "use_revision" in cp.actions
    assert "your edit" in cp.summary and "U uses it" in cp.summary
    # the planner's proposal is kept beside the session, not as a plan version
    assert run.ws.store.read_artifact(f"align/proposal-v{session.plan_version}.md")


def test_the_human_can_take_the_planners_revision(demo_repo: Path) -> None:
    policy, seen = _edited_then(UserDecision("use_revision"))
    run = run_manual(demo_repo, None, policy)
    session = run.ws.session
    plan = run.ws.store.read_artifact(f"plan-v{session.plan_version}.md") or ""
    assert MARKER not in plan
    assert session.plan_version > session.human_plan_version
    log = [d for d in run.ws.store.decisions() if d.stage == Stage.ALIGN]  # type: ignore[attr-defined]
    assert [d.action for d in log][:1] == ["use_revision"]
    assert len(seen) == 2  # the revised plan was checked again
