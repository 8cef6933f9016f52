"""Input first: pane switches repaint little; border sides wait until keys pause.

(The driver-level input gate is a render speed-up: tests/perf_package/test_driver_gate.py.)
"""

from __future__ import annotations

import time
from pathlib import Path

from duo_tui.ui.app import DuoApp
from duo_tui.ui.panes import SIDES_QUIET_S, Pane
from duo_tui.ui.widgets.stream_log import StreamLog
from tests.pilot._helpers import at_checkpoint


async def test_switching_panes_does_not_repaint_the_text_views(tmp_path: Path) -> None:
    app = DuoApp(demo=True, repo=tmp_path / "demo", pace=0)
    async with app.run_test(size=(200, 50)) as pilot:
        # At the first checkpoint nothing streams: a stage starting (its pane's log
        # cleared) is not mistaken for a repaint caused by the focus change.
        await at_checkpoint(pilot, app)
        logs = list(app.screen.query(StreamLog))
        for log in logs:
            log._repaint_regions.clear()
        refreshed: list[StreamLog] = []
        for log in logs:
            original = log.refresh

            def spy(
                *regions: object, _log: StreamLog = log, _orig: object = original, **kw: object
            ) -> object:
                if not regions:
                    refreshed.append(_log)
                return _orig(*regions, **kw)  # type: ignore[operator]

            log.refresh = spy  # type: ignore[method-assign]
        for key in "2341":
            await pilot.press(key)
        assert refreshed == [], "a focus change repainted a whole text view"


async def test_border_sides_follow_when_keys_pause(tmp_path: Path) -> None:
    app = DuoApp(demo=True, repo=tmp_path / "demo", pace=0)
    async with app.run_test(size=(200, 50)) as pilot:
        await at_checkpoint(pilot, app)
        await pilot.pause()
        await pilot.press("2")
        code = app.screen.query_one("#pane-code", Pane)
        plan = app.screen.query_one("#pane-plan", Pane)
        accent = code.styles.border_left[1]
        assert code.has_class("-active") and not plan.has_class("-active")
        assert code.styles.border_top[1] == accent
        assert plan.styles.border_left[1] != accent
        # While keys keep coming the sides wait; once they pause, they are painted.
        app.last_key_at = time.monotonic()
        code.set_active(True)
        assert code._sides_pending
        await pilot.pause(SIDES_QUIET_S / 2)
        app.last_key_at = time.monotonic()
        await pilot.pause(SIDES_QUIET_S / 2)
        assert code._sides_pending
        await pilot.pause(SIDES_QUIET_S * 4)
        assert not code._sides_pending
