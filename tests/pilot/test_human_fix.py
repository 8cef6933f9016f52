"""A finding the human marks fix is fixed, and a fix mark the accept would leave is named
before the accept.

In the demo the second reviews leave a low finding the convergence rule would
commit as it is; pressing f on it in the triage makes a fix round that the demo
answers, and the third reviews no longer report it. A fix mark the human did not
touch (a high finding within `[loop] max_high`, the triage's suggestion) is named
in the checkpoint bar and the triage screen's header before the accept, with the
key that has it fixed; pressing that key makes the notice go and the fix round come.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from textual.widgets import DataTable, Static

from duo_tui.core.models import Stage
from duo_tui.demo import script as demo_script_module
from duo_tui.demo.later_rounds import NAME_THE_CODE
from duo_tui.demo.script import EXECUTOR, PLANNER
from duo_tui.providers.scripted import ScriptedAnswer
from duo_tui.ui.app import DuoApp
from duo_tui.ui.screens.triage import TriageScreen

from ._helpers import at_checkpoint, press_decision, wait_for

BELOW = "below the bar and won't be fixed"


def _bar(wb) -> str:  # type: ignore[no-untyped-def]
    return str(wb.query_one("#checkpoint", Static).render())


def _head(app) -> str:  # type: ignore[no-untyped-def]
    return str(app.screen.query_one("#triage-head", Static).render())


async def _mark_fix(pilot, app, wb, title: str) -> str:  # type: ignore[no-untyped-def]
    """Open the triage, press f on the finding titled `title`; its key."""
    await pilot.press("t")
    await wait_for(pilot, lambda: isinstance(app.screen, TriageScreen), what="the triage")
    row = next(i for i, g in enumerate(wb.triage_groups) if g.title == title)
    key = wb.triage_groups[row].key
    app.screen.query_one(DataTable).move_cursor(row=row)
    await pilot.press("f")
    await wait_for(pilot, lambda: wb.finding_decisions.get(key) == "fix", what="the fix mark")
    return key


async def test_f_on_a_low_finding_of_the_demo_makes_a_fix_round_that_fixes_it(
    tmp_path: Path,
) -> None:
    repo = tmp_path / "demo"
    app = DuoApp(demo=True, repo=repo, pace=0)
    async with app.run_test(size=(200, 60)) as pilot:
        wb = await at_checkpoint(pilot, app)
        rounds: list[int] = []
        while wb.ended is None:
            cp = wb.checkpoint
            assert cp is not None
            if cp.stage == Stage.TRIAGE:
                rounds.append(cp.round)
                titles = [g.title for g in wb.triage_groups]
                if cp.round == 2:
                    assert NAME_THE_CODE in titles and BELOW not in _bar(wb)  # deferred
                    key = await _mark_fix(pilot, app, wb, NAME_THE_CODE)
                    await press_decision(pilot, wb, "escape", "a")
                    assert wb.decisions_sent[-1].findings == {key: "fix"}
                elif cp.round == 3:
                    assert NAME_THE_CODE not in titles, "the third reviews see it fixed"
            if wb.ended is None and wb.checkpoint is not None:
                await press_decision(pilot, wb, "a")
            wb = await at_checkpoint(pilot, app)
        assert wb.ended.status == "converged", wb.ended.stop_reason
        branch = wb.ended.report["branch"]
    assert rounds == [1, 2, 3], "a fix round after the human's f"
    cart = subprocess.run(
        ["git", "show", f"{branch}:shop/cart.py"], cwd=repo, capture_output=True, text=True
    ).stdout
    assert "is already applied" in cart and "{self.code}" in cart, cart


HIGH = {
    "id": "F1",
    "severity": "high",
    "category": "correctness",
    "file": "shop/cart.py",
    "line_start": 23,
    "line_end": 23,
    "title": "Unknown codes are silently ignored",
    "detail": "apply_code returns without an error for a code it does not know",
    "suggestion": "Raise ValueError for an unknown code.",
}


def _one_high(reviewer: str, findings: list[dict[str, object]]) -> str:
    import json

    return json.dumps(
        {
            "reviewer": reviewer,
            "verdict": "comment",
            "score": 7,
            "summary": "one note",
            "findings": findings,
        }
    )


@pytest.fixture
def one_high_finding(monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo's reviewers both report one high finding in round 1, nothing later."""
    real = demo_script_module.demo_script

    def script():  # type: ignore[no-untyped-def]
        s = real()
        for model in (PLANNER, EXECUTOR):
            s[("review", model)] = [
                ScriptedAnswer(_one_high(model, [HIGH])),
                ScriptedAnswer(_one_high(model, [])),
            ]
        return s

    monkeypatch.setattr(demo_script_module, "demo_script", script)


async def test_a_suggested_fix_below_the_bar_is_named_before_the_accept(
    tmp_path: Path, one_high_finding: None
) -> None:
    app = DuoApp(demo=True, repo=tmp_path / "demo", pace=0)
    async with app.run_test(size=(200, 60)) as pilot:
        wb = await at_checkpoint(pilot, app)
        while wb.checkpoint is not None and wb.checkpoint.stage != Stage.TRIAGE:
            await press_decision(pilot, wb, "a")
            wb = await at_checkpoint(pilot, app)
        (group,) = wb.triage_groups
        assert group.decision == "fix" and group.severity == "high"
        bar = _bar(wb)
        assert BELOW in bar and group.key in bar and "press t, then f on it" in bar, bar
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, TriageScreen))
        head = _head(app)
        assert BELOW in head and group.key in head and "press f on it" in head, head
        await pilot.press("f")  # the human's own fix mark: nothing is left unfixed now
        await wait_for(pilot, lambda: BELOW not in _head(app), what="the notice to go")
        await pilot.press("escape")
        await wait_for(pilot, lambda: BELOW not in _bar(wb), what="the bar's notice to go")
        await press_decision(pilot, wb, "a")
        wb = await at_checkpoint(pilot, app)
        assert wb.checkpoint is not None and wb.checkpoint.stage == Stage.FIX


async def test_an_untouched_suggestion_below_the_bar_converges_as_the_notice_said(
    tmp_path: Path, one_high_finding: None
) -> None:
    app = DuoApp(demo=True, repo=tmp_path / "demo", pace=0)
    async with app.run_test(size=(200, 60)) as pilot:
        wb = await at_checkpoint(pilot, app)
        stages: list[Stage] = []
        while wb.ended is None:
            assert wb.checkpoint is not None
            stages.append(wb.checkpoint.stage)
            await press_decision(pilot, wb, "a")
            wb = await at_checkpoint(pilot, app)
        assert wb.ended.status == "converged"
    assert Stage.FIX not in stages, "accepting the suggestion commits without a fix round"
