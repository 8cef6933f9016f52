"""The scripted demo answers a fix round for any finding the human marks fix: a low or
info finding of the one-task demo's second reviews, and each task's nit in the
three-task scenario. The fix applies, the next reviews no longer report what it
fixed, and the session converges (the demo never dead-ends on a human's "f")."""

from __future__ import annotations

import subprocess
from pathlib import Path

from duo_tui.core.events import Checkpoint, UserDecision
from duo_tui.core.models import Stage
from duo_tui.demo.large import REQUEST as LARGE_REQUEST
from duo_tui.demo.large import large_script
from duo_tui.demo.later_rounds import NAME_THE_CODE, README_CODES

from .helpers import run_manual


def _show(repo: Path, rev: str, path: str) -> str:
    return subprocess.run(
        ["git", "show", f"{rev}:{path}"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout


def _fix_everything_in(round_: int):  # type: ignore[no-untyped-def]
    def policy(cp: Checkpoint, _n: int) -> UserDecision | None:
        if cp.stage == Stage.TRIAGE and cp.round == round_:
            return UserDecision("accept", findings={g.key: "fix" for g in cp.data.groups})
        return None

    return policy


def test_the_demo_fixes_the_second_reviews_findings_the_human_marks_fix(demo_repo: Path) -> None:
    run = run_manual(demo_repo, answers=_fix_everything_in(2))
    assert run.report["converged"] is True, run.report
    triage = [cp for cp in run.checkpoints if cp.stage == Stage.TRIAGE]
    assert [cp.round for cp in triage] == [1, 2, 3]
    assert {g.title for g in triage[1].data.groups} == {NAME_THE_CODE, README_CODES}
    assert triage[2].data.groups == (), "the third reviews see both fixed"
    later = run.prompt(run.requests("fix")[1])
    assert NAME_THE_CODE in later and README_CODES in later
    branch = run.report["branch"]
    assert "discount code {self.code} is already applied" in _show(
        demo_repo, branch, "shop/cart.py"
    )
    assert "## Discount codes" in _show(demo_repo, branch, "README.md")


def test_every_task_of_the_large_demo_fixes_its_nit_when_the_human_marks_it(
    demo_repo: Path,
) -> None:
    run = run_manual(
        demo_repo, large_script(), answers=_fix_everything_in(1), request=LARGE_REQUEST
    )
    assert run.report["converged"] is True, run.report
    fixes = [(cp.task_id, cp.round) for cp in run.checkpoints if cp.stage == Stage.FIX]
    assert fixes == [("T1", 2), ("T2", 2), ("T3", 2)]
    assert all(cp.state.value != "failed" for cp in run.checkpoints)
    clean = [cp for cp in run.checkpoints if cp.stage == Stage.TRIAGE and cp.round == 2]
    assert [cp.data.groups for cp in clean] == [(), (), ()], "each fix made its nit go"
    branch = run.report["branch"]
    assert "SAVE25: 25%" in _show(demo_repo, branch, "shop/discounts.py")
    assert "width: int = 12" in _show(demo_repo, branch, "shop/receipt.py")
