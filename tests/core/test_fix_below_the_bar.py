"""A finding marked fix below the convergence rule's bar (not critical; high within
`[loop] max_high`).

In manual mode a finding the human marks fix at the checkpoint always gets a fix
round: the executor is asked to fix it, then gate and review run again. Only the
marks the human did not touch (the triage's suggestion, or autopilot's in auto
mode) follow the rule: the round converges without fixing them, and says so,
naming them, so nothing marked fix is silently dropped.
"""

from __future__ import annotations

import json
from pathlib import Path

from duo_tui.core.events import Checkpoint, Notice, UserDecision
from duo_tui.core.models import Stage

from .helpers import (
    EXECUTOR,
    HARMLESS_FIX,
    PLANNER,
    finding,
    make_script,
    review,
    run_auto,
    run_manual,
)

# Both reviewers report the same high finding in round 1, nothing after the fix.
CASE = finding(
    "F1",
    "high",
    "Discount codes are matched case-sensitively",
    detail="apply_code looks the code up as typed; 'save10' is refused",
    line=23,
)


def _one_high_script():  # type: ignore[no-untyped-def]
    return make_script(
        {
            ("review", PLANNER): [review(PLANNER, [CASE]), review(PLANNER)],
            ("review", EXECUTOR): [review(EXECUTOR, [CASE]), review(EXECUTOR)],
            "fix": HARMLESS_FIX,
        }
    )


def _triage(run) -> list[Checkpoint]:  # type: ignore[no-untyped-def]
    return [cp for cp in run.checkpoints if cp.stage == Stage.TRIAGE]


def _unfixed_notes(run) -> list[str]:  # type: ignore[no-untyped-def]
    return [e.message for e in run.events if isinstance(e, Notice) and "not fixed" in e.message]


def test_a_medium_finding_the_human_marks_fix_gets_a_fix_round(demo_repo: Path) -> None:
    def policy(cp: Checkpoint, _n: int) -> UserDecision | None:
        if cp.stage != Stage.TRIAGE or cp.round != 1:
            return None
        groups = cp.data.groups
        medium = next(g for g in groups if g.severity == "medium")
        critical = next(g for g in groups if g.severity == "critical")
        decided = {g.key: "dismiss" for g in groups}
        decided |= {medium.key: "fix", critical.key: "accept_risk"}
        return UserDecision(
            "accept", findings=decided, finding_reasons={critical.key: "a test accepts it"}
        )

    run = run_manual(demo_repo, answers=policy)
    assert run.report["converged"] is True, run.report
    triage = _triage(run)
    assert [cp.round for cp in triage] == [1, 2], "the medium finding marked fix made a round"
    medium = next(g for g in triage[0].data.groups if g.severity == "medium")
    fixes = run.requests("fix")
    assert len(fixes) == 1
    assert medium.title in run.prompt(fixes[0]), "the executor is asked to fix it"
    assert len(run.requests("review")) == 4, "both reviewers review the fix"
    assert not _unfixed_notes(run), "nothing marked fix was left unfixed"
    store = run.ws.store
    first = json.loads(store.read_artifact("T1/round-1/triage.json") or "{}")
    assert first["sources"][medium.key] == "human"
    assert "the human marked" in first["verdict"] and medium.key in first["verdict"]
    logged = [d for d in store.decisions() if d.stage == Stage.TRIAGE and d.round == 1]
    assert logged[-1].by == "human" and logged[-1].data["findings"][medium.key] == "fix"


def test_a_high_finding_within_max_high_the_human_marks_fix_gets_a_fix_round(
    demo_repo: Path,
) -> None:
    def policy(cp: Checkpoint, _n: int) -> UserDecision | None:
        if cp.stage == Stage.TRIAGE and cp.round == 1:
            (high,) = cp.data.groups
            assert high.decision == "fix" and cp.data.max_high == 2  # the suggestion
            return UserDecision("accept", findings={high.key: "fix"})  # the human's own "f"
        return None

    run = run_manual(demo_repo, _one_high_script(), answers=policy)
    assert run.report["converged"] is True, run.report
    assert [cp.round for cp in _triage(run)] == [1, 2]
    assert len(run.requests("fix")) == 1 and CASE["title"] in run.prompt(run.requests("fix")[0])


def test_a_suggested_fix_below_the_bar_converges_and_is_named_in_manual_mode(
    demo_repo: Path,
) -> None:
    run = run_manual(demo_repo, _one_high_script())  # the human accepts the suggestion as is
    assert run.report["converged"] is True
    triage = _triage(run)
    assert len(triage) == 1 and not run.requests("fix"), "the rule decides a suggested mark"
    (high,) = triage[0].data.groups
    left = _unfixed_notes(run)
    assert len(left) == 1 and high.key in left[0] and CASE["title"] in left[0], left
    assert "critical" in left[0] and "high" in left[0], "it says what would make a round"


def test_auto_mode_keeps_the_convergence_rule_and_names_what_it_leaves(demo_repo: Path) -> None:
    run = run_auto(demo_repo, _one_high_script())
    assert run.report["converged"] is True
    assert not run.requests("fix"), "autopilot's fix mark within max_high makes no round"
    left = _unfixed_notes(run)
    assert len(left) == 1 and CASE["title"] in left[0] and "(high)" in left[0], left
    triage = json.loads(run.ws.store.read_artifact("T1/round-1/triage.json") or "{}")
    assert set(triage["sources"].values()) == {"autopilot"}


def test_the_rule_s_severity_names_are_the_models() -> None:
    from duo_tui.core import convergence_rule
    from duo_tui.core.models import Severity

    assert Severity.CRITICAL.value == convergence_rule.CRITICAL
    assert Severity.HIGH.value == convergence_rule.HIGH
