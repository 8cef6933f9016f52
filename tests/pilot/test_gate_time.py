"""The gate pane shows the gate's own run time, not the time the human took to decide."""

from __future__ import annotations

from pathlib import Path

from duo_tui.core.models import Stage
from duo_tui.ui.app import DuoApp
from duo_tui.ui.panes import CodePane

from ._helpers import at_checkpoint, press_decision


def _elapsed(pane) -> float:  # type: ignore[no-untyped-def]
    assert pane._ended is not None, "the gate pane still runs its clock"
    return float(pane._ended - pane._started)


async def test_gate_time_excludes_the_humans_thinking_time(tmp_path: Path) -> None:
    app = DuoApp(demo=True, repo=tmp_path / "demo", pace=0)
    async with app.run_test(size=(200, 60)) as pilot:
        wb = await at_checkpoint(pilot, app)
        while wb.checkpoint is not None and wb.checkpoint.stage != Stage.GATE:
            await press_decision(pilot, wb, "a")
            await at_checkpoint(pilot, app)
        pane = wb.query_one(CodePane).gate_stream()
        at_checkpoint_s = _elapsed(pane)
        await pilot.pause(2.0)  # the human thinks
        await press_decision(pilot, wb, "a")
        await pilot.pause()
        assert abs(_elapsed(pane) - at_checkpoint_s) < 0.5
        assert _elapsed(pane) < at_checkpoint_s + 1.0
