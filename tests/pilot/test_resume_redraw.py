"""`duo-tui resume` redraws every finished stage: the plan, the rail, the reviews."""

from __future__ import annotations

from pathlib import Path

from duo_tui.core.models import Stage
from duo_tui.ui.app import DuoApp
from duo_tui.ui.panes import ReviewPane
from duo_tui.ui.widgets.stream_pane import StreamPane

from ._helpers import at_checkpoint, press_decision, wait_for


async def test_resume_at_align_shows_the_accepted_plan(tmp_path: Path) -> None:
    repo = tmp_path / "demo"
    app = DuoApp(demo=True, repo=repo, pace=0)
    async with app.run_test(size=(160, 48)) as pilot:
        wb = await at_checkpoint(pilot, app)
        await press_decision(pilot, wb, "a")
        wb = await at_checkpoint(pilot, app)
        assert wb.checkpoint is not None and wb.checkpoint.stage == Stage.ALIGN
        await pilot.press("q")
    app = DuoApp(resume="", repo=repo, pace=0)
    async with app.run_test(size=(160, 48)) as pilot:
        wb = await at_checkpoint(pilot, app)
        plan = wb.query_one("#stream-plan", StreamPane)
        await wait_for(pilot, lambda: "Goal" in (plan._markdown_text or ""))
        assert plan.showing_markdown
        rail = wb.query_one("#rail")
        assert rail.states["plan"] == "accepted"  # type: ignore[attr-defined]


async def test_a_finished_session_resumes_with_its_panes_filled(tmp_path: Path) -> None:
    repo = tmp_path / "demo"
    app = DuoApp(demo=True, repo=repo, pace=0, autopilot=True, mode="auto")
    async with app.run_test(size=(160, 48)) as pilot:
        wb = await at_checkpoint(pilot, app)
        await wait_for(pilot, lambda: wb.ended is not None, timeout=60)
        assert wb.ended.status == "converged"
        await pilot.press("q")
    app = DuoApp(resume="", repo=repo, pace=0)
    async with app.run_test(size=(160, 48)) as pilot:
        wb = await at_checkpoint(pilot, app)
        assert wb.ended is not None
        plan = wb.query_one("#stream-plan", StreamPane)
        await wait_for(pilot, lambda: "Goal" in (plan._markdown_text or ""))
        review_a = wb.query_one("#pane-review-0", ReviewPane)
        await wait_for(pilot, lambda: bool(review_a.findings().rows))
        assert wb.triage_groups
        rail = wb.query_one("#rail")
        assert rail.states["commit"] == "accepted"  # type: ignore[attr-defined]
