"""The demo's plan after a reject with a reason shows that reason in the plan pane."""

from __future__ import annotations

from pathlib import Path

from duo_tui.core.models import Stage
from duo_tui.ui.app import DuoApp
from duo_tui.ui.widgets.stream_pane import StreamPane

from ._helpers import at_checkpoint, press_decision, wait_for

REASON = "say how cents are rounded"


async def test_reject_reason_is_visible_in_the_demo_v2(tmp_path: Path) -> None:
    app = DuoApp(demo=True, repo=tmp_path / "demo", pace=0)
    async with app.run_test(size=(200, 60)) as pilot:
        wb = await at_checkpoint(pilot, app)
        assert wb.checkpoint is not None and wb.checkpoint.stage == Stage.PLAN
        await pilot.press("x")
        await pilot.pause()
        await pilot.press(*REASON)
        await press_decision(pilot, wb, "enter")
        await at_checkpoint(pilot, app)
        pane = wb.query_one("#stream-plan", StreamPane)
        await wait_for(pilot, lambda: REASON in pane.text)
        assert "v2" in str(wb.query_one("#pane-plan").border_title)
