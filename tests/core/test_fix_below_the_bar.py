"""A finding marked fix that does not hold up convergence (not critical; high within
`[loop] max_high`) is not fixed before the commit: the round says so, naming it, so the
human's "fix" is never silently dropped (seen in the demo by a newcomer)."""

from __future__ import annotations

from pathlib import Path

from duo_tui.core.events import Checkpoint, Notice, UserDecision
from duo_tui.core.models import Stage

from .helpers import run_manual


def test_a_converged_round_names_the_findings_marked_fix_it_leaves(demo_repo: Path) -> None:
    def policy(cp: Checkpoint, _n: int) -> UserDecision | None:
        if cp.stage != Stage.TRIAGE:
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
    assert run.report["converged"] is True
    triage = [cp for cp in run.checkpoints if cp.stage == Stage.TRIAGE]
    assert len(triage) == 1, "one round: the medium finding marked fix made no fix round"
    medium = next(g for g in triage[0].data.groups if g.severity == "medium")
    notes = [e.message for e in run.events if isinstance(e, Notice)]
    left = [n for n in notes if "not fixed" in n]
    assert len(left) == 1, notes
    assert medium.key in left[0] and medium.title in left[0] and "medium" in left[0], left
    assert "critical" in left[0] and "high" in left[0], "it says what would make a round"
