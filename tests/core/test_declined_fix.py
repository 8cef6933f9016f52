"""A declined hunk the gate needs: what the fix is told, and that the loop always ends.

The fix prompt carries the declined hunks (their ids and their text, with what to
do about them) and the failed gate's output; a gate that keeps failing ends the
task at `[loop] max_rounds` with a stop message that says how to go on.
"""

from __future__ import annotations

from pathlib import Path

from duo_tui.core.events import Checkpoint, UserDecision
from duo_tui.core.models import Mode, Stage, StageState

from .helpers import config, make_script, run_manual

MODULE = "shop/discounts.py#1"


def decline_module_reject_failing_gates(cp: Checkpoint, _n: int) -> UserDecision | None:
    """Decline the code table's module at execute; send every failing gate to a fix."""
    if cp.stage == Stage.EXECUTE and cp.state == StageState.AWAITING:
        return UserDecision("accept", rejected_hunks=[MODULE])
    if cp.stage == Stage.GATE and cp.summary.startswith("gate failed"):
        return UserDecision("reject", reason="the tests fail")
    return None


def test_fix_prompt_carries_the_declined_hunks_text_and_the_gate_output(demo_repo: Path) -> None:
    run = run_manual(demo_repo, answers=decline_module_reject_failing_gates, mode=Mode.FAST)
    prompt = run.prompt(run.requests("fix")[0])
    # the declined hunk: its id, what to do about it, and its text (as data)
    assert f"- {MODULE}\n" in prompt
    assert "find another way that respects the decision" in prompt
    assert '<untrusted-data source="declined hunks">' in prompt
    assert '+    "SAVE10": 10,' in prompt
    # the failed gate's output, and an opening that says the gate failed (no reviewer
    # has seen this change yet)
    assert "The quality gate failed on your change" in prompt
    assert "Reviewers found problems" not in prompt
    assert "The quality gate failed:" in prompt
    assert "No module named 'shop.discounts'" in prompt
    # the demo executor answers it: the gate passes and the session converges
    reply = run.ws.store.read_artifact("T1/round-2/fix.md")  # type: ignore[attr-defined]
    assert reply and f"You declined {MODULE}" in reply
    assert run.report["converged"], run.report["stop_reason"]
    assert not (run.worktree / "shop/discounts.py").exists()


# each round's fix applies (a new note) but never brings the module back
_NOTES = [
    f"notes/round{n}.md\n```markdown\n<<<<<<< SEARCH\n=======\nround {n}\n>>>>>>> REPLACE\n```\n"
    for n in range(2, 12)
]


def test_a_gate_that_keeps_failing_ends_at_max_rounds_with_a_way_on(demo_repo: Path) -> None:
    cfg = config()
    cfg.loop.max_rounds = 3
    run = run_manual(
        demo_repo,
        make_script({"fix": _NOTES}),
        decline_module_reject_failing_gates,
        config=cfg,
        mode=Mode.FAST,
    )
    r = run.report
    assert r["converged"] is False and r["committed"] is False
    assert len(run.requests("fix")) == 2  # rounds 2 and 3; no fourth
    reason = r["stop_reason"] or ""
    assert "the gate of T1 still fails after 3 round(s) ([loop] max_rounds 3)" in reason, reason
    assert f"the hunks you declined ({MODULE}) may be what it needs" in reason
    assert "run it again with a higher [loop] max_rounds" in reason
    assert "accept a failing gate at its checkpoint (a)" in reason
    # the last round's checkpoint said beforehand what reject and accept would do
    last = [c for c in run.checkpoints if c.stage == Stage.GATE][-1]
    assert "last round (3 of [loop] max_rounds 3)" in last.summary
    assert "reject stops the session, accept sends the change to review" in last.summary


def test_the_fix_prompt_opening_says_what_went_wrong() -> None:
    from duo_tui.core.fix_context import fix_why

    assert fix_why(findings=True, gate=False).startswith("Reviewers found problems")
    assert fix_why(findings=False, gate=True).startswith("The quality gate failed")
    both = fix_why(findings=True, gate=True)
    assert "Reviewers found problems" in both and "gate failed" in both
