"""A converged session opened again shows what it cost and that its panes are restored
output, finished, not stages waiting to run."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Static

from duo_tui.ui.app import DuoApp
from duo_tui.ui.widgets.stream_pane import StreamPane, StreamState

from ._helpers import at_checkpoint, wait_for


async def test_a_resumed_converged_session_shows_its_cost_and_restored_panes(
    tmp_path: Path,
) -> None:
    repo = tmp_path / "demo"
    app = DuoApp(demo=True, repo=repo, pace=0, autopilot=True, mode="auto")
    async with app.run_test(size=(160, 48)) as pilot:
        wb = await at_checkpoint(pilot, app)
        await wait_for(pilot, lambda: wb.ended is not None, timeout=60, what="convergence")
        assert wb.ended is not None and wb.ended.status == "converged"
        spent = float(wb.ended.report["cost_usd"])
        await pilot.press("q")
    assert spent > 0
    cost = f"${spent:.2f}"

    app = DuoApp(resume="", repo=repo, pace=0)
    async with app.run_test(size=(80, 24)) as pilot:
        wb = await at_checkpoint(pilot, app)
        plan = wb.query_one("#stream-plan", StreamPane)
        await wait_for(pilot, lambda: "Goal" in (plan._markdown_text or ""), what="the plan")
        status = wb.query_one("#status", Static)
        await wait_for(pilot, lambda: cost in str(status.render()), what=f"{cost} in the header")
        assert "$0.00" not in str(status.render())
        assert cost in str(wb.query_one("#checkpoint", Static).render())  # the same total
        # the restored panes say so, and are not waiting for anything
        await wait_for(pilot, lambda: plan.state is StreamState.RESTORED, what="plan restored")
        assert "restored" in plan.header_text and "waiting" not in plan.header_text
        for i in range(2):
            review = wb.query_one(f"#stream-review-{i}", StreamPane)
            assert review.state is StreamState.RESTORED, (i, review.header_text)
            assert "waiting" not in review.header_text
        gate = wb.query_one("#stream-gate", StreamPane)
        assert gate.state is StreamState.RESTORED and "streaming" not in gate.header_text
