"""Labels follow the session: the code pane names the executor after a swap, and the
rail's disagreement box does not show the previous round's counts."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Static

from duo_tui.core.models import Stage
from duo_tui.demo.script import EXECUTOR, PLANNER
from duo_tui.ui.app import DuoApp

from ._helpers import at_checkpoint, press_decision, wait_for


def _short(model: str) -> str:
    return model.split("/", 1)[-1]


async def test_swap_renames_the_plan_and_code_panes(tmp_path: Path) -> None:
    app = DuoApp(demo=True, repo=tmp_path / "demo", pace=0)
    async with app.run_test(size=(200, 60)) as pilot:
        wb = await at_checkpoint(pilot, app)
        code = wb.query_one("#pane-code")
        plan = wb.query_one("#pane-plan")
        assert _short(EXECUTOR) in str(code.border_title)
        await press_decision(pilot, wb, "s")
        await wait_for(pilot, lambda: _short(PLANNER) in str(code.border_title))
        assert _short(EXECUTOR) in str(plan.border_title)
        assert wb.models[:2] == [EXECUTOR, PLANNER]


async def test_round_two_does_not_show_round_ones_disagreement(tmp_path: Path) -> None:
    app = DuoApp(demo=True, repo=tmp_path / "demo", pace=0)
    async with app.run_test(size=(200, 60)) as pilot:
        wb = await at_checkpoint(pilot, app)
        box = wb.query_one("#disagree", Static)
        round_one = ""
        while True:
            cp = wb.checkpoint
            assert cp is not None
            if cp.stage == Stage.TRIAGE and cp.round == 1:
                round_one = str(box.render())
                assert "agreed" in round_one
            if cp.stage == Stage.REVIEW and cp.round == 2:
                break
            await press_decision(pilot, wb, "a")
            await at_checkpoint(pilot, app)
        assert round_one
        text = str(box.render())
        assert text != round_one and "round 2" in text
