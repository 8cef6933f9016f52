"""Manual mode: the human's decisions at each checkpoint, through a QueueDriver."""

from __future__ import annotations

import json
from pathlib import Path

from duo_tui.core.events import Checkpoint, ErrorEvent, Notice, UserDecision
from duo_tui.core.models import Mode, Stage, StageState
from duo_tui.demo.script import _plan
from duo_tui.vcs.diff import parse_diff

from .helpers import EXECUTOR, PLANNER, git_log, make_script, review, run_manual

REASON = "Keep money in integer cents and say how rounding works."


def at(stage: Stage, decision: UserDecision, nth: int = 0):  # type: ignore[no-untyped-def]
    """A policy answering the `nth` checkpoint of `stage` with `decision` (else accept)."""
    seen: dict[Stage, int] = {}

    def policy(cp: Checkpoint, _n: int) -> UserDecision | None:
        if cp.data.tasks is not None and cp.stage == Stage.PLAN and "size" in cp.actions:
            return None  # the task list checkpoint
        k = seen.get(cp.stage, 0)
        seen[cp.stage] = k + 1
        return decision if cp.stage == stage and k == nth else None

    return policy


def test_reject_plan_reason_goes_into_the_rerun_prompt(demo_repo: Path) -> None:
    run = run_manual(
        demo_repo, answers=at(Stage.PLAN, UserDecision("reject", reason=REASON)), mode=Mode.FAST
    )
    plans = run.requests("plan")
    assert len(plans) == 2
    assert REASON not in run.prompt(plans[0])
    assert REASON in run.prompt(plans[1])
    log = run.ws.store.decisions()  # type: ignore[attr-defined]
    rejects = [d for d in log if d.action == "reject"]
    assert len(rejects) == 1
    assert (
        rejects[0].stage == Stage.PLAN and rejects[0].reason == REASON and rejects[0].by == "human"
    )
    assert run.report["converged"]


def test_rerun_with_another_model_then_choose_the_first(demo_repo: Path) -> None:
    plan_a = _plan(1) + "\nPLAN-A-MARKER\n"
    plan_b = _plan(1) + "\nPLAN-B-MARKER\n"
    script = make_script({"plan": [plan_a, plan_b]})
    plan_cps: list[Checkpoint] = []

    def policy(cp: Checkpoint, _n: int) -> UserDecision | None:
        if cp.stage != Stage.PLAN or "size" in cp.actions:
            return None
        plan_cps.append(cp)
        if len(plan_cps) == 1:
            return UserDecision("rerun", model=EXECUTOR)
        if len(plan_cps) == 2:
            return UserDecision("choose", choice=0)
        return None

    run = run_manual(demo_repo, script, policy, mode=Mode.FAST)
    plans = run.requests("plan")
    assert [q.model for q in plans] == [PLANNER, EXECUTOR]
    assert "PLAN-B-MARKER" in plan_cps[1].artifact and len(plan_cps[1].alternatives) == 2
    # after choosing alternative 0 the plan is the first one again, as a new version
    assert "PLAN-A-MARKER" in plan_cps[2].artifact
    store = run.ws.store
    assert run.ws.session.plan_version == 3
    assert "PLAN-A-MARKER" in (store.read_plan(3) or "")  # type: ignore[attr-defined]
    assert "PLAN-A-MARKER" in run.prompt(run.requests("execute")[0])
    assert run.report["converged"]


def test_swap_roles_at_the_plan_checkpoint(demo_repo: Path) -> None:
    run = run_manual(demo_repo, answers=at(Stage.PLAN, UserDecision("swap_roles")))
    assert run.requests("plan")[0].model == PLANNER
    assert {q.model for q in run.requests("align")} == {PLANNER}
    assert {q.model for q in run.requests("revise")} == {EXECUTOR}
    assert run.requests("execute")[0].model == PLANNER
    assert run.ws.session.roles.executor == PLANNER and run.ws.session.roles.planner == EXECUTOR
    assert any(d.action == "swap_roles" for d in run.ws.store.decisions())  # type: ignore[attr-defined]
    assert run.report["converged"]


def test_edit_plan_writes_a_new_version(demo_repo: Path) -> None:
    edited = _plan(1).replace("## Goal\n", "## Goal\nEDITED BY THE HUMAN.\n")
    run = run_manual(
        demo_repo, answers=at(Stage.PLAN, UserDecision("edit", text=edited)), mode=Mode.FAST
    )
    store = run.ws.store
    assert store.read_plan(1) == _plan(1)  # type: ignore[attr-defined]
    assert store.read_plan(2) == edited  # type: ignore[attr-defined]
    assert run.ws.session.plan_version == 2
    edits = [d for d in store.decisions() if d.action == "edit"]  # type: ignore[attr-defined]
    assert len(edits) == 1 and edits[0].data.get("edited") is True
    plan_cps = [c for c in run.checkpoints if c.stage == Stage.PLAN and "size" not in c.actions]
    assert plan_cps[-1].artifact == edited
    assert "EDITED BY THE HUMAN" in run.prompt(run.requests("execute")[0])
    assert len(run.requests("plan")) == 1  # an edit is not a rerun


CART_ONLY_FIX = """Fixing the stacking bug.

shop/cart.py
```python
<<<<<<< SEARCH
        self.discount_pct += pct
=======
        if self.discount_pct:
            raise ValueError("a discount code is already applied")
        self.discount_pct = pct
>>>>>>> REPLACE
```
"""


def test_rejected_hunk_is_reverted_committed_without_and_declined(demo_repo: Path) -> None:
    rejected: list[str] = []

    def policy(cp: Checkpoint, _n: int) -> UserDecision | None:
        if cp.stage == Stage.EXECUTE and cp.state == StageState.AWAITING:
            files = {f.path: f for f in parse_diff(cp.data.diff or "")}
            hunk = files["tests/test_discounts.py"].hunks[0].id
            rejected.append(hunk)
            return UserDecision("accept", rejected_hunks=[hunk])
        return None

    run = run_manual(demo_repo, make_script({"fix": CART_ONLY_FIX}), policy, mode=Mode.FAST)
    r = run.report
    assert rejected == ["tests/test_discounts.py#1"]
    assert not (run.worktree / "tests/test_discounts.py").exists()
    assert (run.worktree / "shop/discounts.py").exists()
    assert r["converged"] and r["committed"]
    from subprocess import run as sh

    files = sh(
        ["git", "show", "--name-only", "--format=", r["commit"]],
        cwd=demo_repo,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert "tests/test_discounts.py" not in files and "shop/discounts.py" in files
    fix_prompt = run.prompt(run.requests("fix")[0])
    assert "declined" in fix_prompt and "tests/test_discounts.py#1" in fix_prompt
    hunks = [d for d in run.ws.store.decisions() if d.data.get("rejected_hunks")]  # type: ignore[attr-defined]
    assert hunks and hunks[0].data["rejected_hunks"] == ["tests/test_discounts.py#1"]


BAD_EXECUTE = """shop/cart.py
```python
<<<<<<< SEARCH
this line is nowhere in the file
=======
something else
>>>>>>> REPLACE
```
"""


def test_failed_stage_cannot_be_accepted(demo_repo: Path) -> None:
    from duo_tui.demo.script import demo_script

    good = demo_script()["execute"][0].text
    script = make_script({"execute": [BAD_EXECUTE, good]})
    states: list[StageState] = []

    def policy(cp: Checkpoint, _n: int) -> UserDecision | None:
        if cp.stage != Stage.EXECUTE:
            return None
        states.append(cp.state)
        if len(states) == 1:
            return UserDecision("accept")  # refused: the stage failed
        if len(states) == 2:
            return UserDecision("rerun")
        return None

    run = run_manual(demo_repo, script, policy, mode=Mode.FAST)
    assert states == [StageState.FAILED, StageState.FAILED, StageState.AWAITING]
    refusals = [
        e for e in run.events if isinstance(e, ErrorEvent) and "cannot be accepted" in e.message
    ]
    assert len(refusals) == 1 and refusals[0].stage == Stage.EXECUTE
    accepts = [
        d
        for d in run.ws.store.decisions()  # type: ignore[attr-defined]
        if d.stage == Stage.EXECUTE and d.action == "accept"
    ]
    assert [d.data.get("refused", False) for d in accepts] == [True, False]
    executes = run.requests("execute")
    assert len(executes) == 2
    assert "The previous attempt failed" in run.prompt(executes[1])
    assert run.report["converged"] and run.report["committed"]
    # the failed attempt never reached the gate
    gate_logs = list((run.ws.store.path).glob("T1/round-1/gate.log"))  # type: ignore[attr-defined]
    assert len(gate_logs) == 1


def triage_answer(make: dict[str, str], reasons: bool = True):  # type: ignore[no-untyped-def]
    """Answer the first triage with a decision for every finding group by severity."""

    def policy(cp: Checkpoint, _n: int) -> UserDecision | None:
        if cp.stage != Stage.TRIAGE or cp.round != 1:
            return None
        groups = cp.data.groups
        findings = {g.key: make.get(g.severity, "dismiss") for g in groups}
        why = (
            {
                k: "a single code per cart is enforced upstream"
                for k, v in findings.items()
                if v == "accept_risk"
            }
            if reasons
            else {}
        )
        return UserDecision("accept", findings=findings, finding_reasons=why)

    return policy


def test_dismiss_everything_converges_in_round_one(demo_repo: Path) -> None:
    run = run_manual(demo_repo, answers=triage_answer({}), mode=Mode.FAST)
    r = run.report
    assert r["converged"] and r["committed"] and r["rounds"] == 1
    assert run.requests("fix") == []
    assert r["findings_by_round"][0]["findings"]["critical"] == 1
    assert r["findings_by_round"][0]["fix"] == []
    triage = [d for d in run.ws.store.decisions() if d.stage == Stage.TRIAGE]  # type: ignore[attr-defined]
    assert triage and set(triage[0].data["findings"].values()) == {"dismiss"}


def test_accept_risk_records_the_reason(demo_repo: Path) -> None:
    run = run_manual(demo_repo, answers=triage_answer({"critical": "accept_risk"}), mode=Mode.FAST)
    r = run.report
    assert r["converged"] and r["rounds"] == 1
    triage = json.loads(run.ws.store.read_artifact("T1/round-1/triage.json"))  # type: ignore[attr-defined]
    risky = [k for k, v in triage["decisions"].items() if v == "accept_risk"]
    assert len(risky) == 1
    assert triage["reasons"][risky[0]] == "a single code per cart is enforced upstream"
    log = [d for d in run.ws.store.decisions() if d.stage == Stage.TRIAGE]  # type: ignore[attr-defined]
    assert log[0].data["finding_reasons"] == {
        risky[0]: "a single code per cart is enforced upstream"
    }
    assert not any(isinstance(e, Notice) and "without a reason" in e.message for e in run.events)


def test_accept_risk_without_reason_warns(demo_repo: Path) -> None:
    run = run_manual(
        demo_repo, answers=triage_answer({"critical": "accept_risk"}, reasons=False), mode=Mode.FAST
    )
    assert any(isinstance(e, Notice) and "without a reason" in e.message for e in run.events)


def test_autopilot_toggle_finishes_without_more_checkpoints(demo_repo: Path) -> None:
    def policy(cp: Checkpoint, _n: int) -> UserDecision | None:
        return UserDecision("autopilot") if cp.stage == Stage.EXECUTE else None

    run = run_manual(demo_repo, answers=policy)
    assert run.report["converged"] and run.report["committed"] and run.report["rounds"] == 2
    assert run.checkpoints[-1].stage == Stage.EXECUTE
    assert [c.stage for c in run.checkpoints].count(Stage.EXECUTE) == 1
    log = run.ws.store.decisions()  # type: ignore[attr-defined]
    toggles = [d for d in log if d.action == "autopilot"]
    assert len(toggles) == 1 and toggles[0].by == "human" and toggles[0].data["autopilot"] is True
    after = log[log.index(toggles[0]) + 1 :]
    assert after and all(d.by == "autopilot" for d in after)
    assert run.ws.session.autopilot is True


def test_clean_manual_run_stops_at_every_stage(demo_repo: Path) -> None:
    script = make_script(
        {("review", PLANNER): review(PLANNER), ("review", EXECUTOR): review(EXECUTOR)}
    )
    run = run_manual(demo_repo, script)
    stages = [c.stage for c in run.checkpoints]
    assert stages == [
        Stage.PLAN,
        Stage.ALIGN,
        Stage.PLAN,
        Stage.EXECUTE,
        Stage.GATE,
        Stage.REVIEW,
        Stage.TRIAGE,
        Stage.COMMIT,
    ]
    assert run.report["converged"]
    assert (
        git_log(demo_repo, run.report["branch"])[0] == "feat(cart): add percentage discount codes"
    )
