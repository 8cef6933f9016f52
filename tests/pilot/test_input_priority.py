"""Input first: pane switches repaint little; border sides wait until keys pause.

(The driver-level input gate is a render speed-up: tests/perf_package/test_driver_gate.py.)
"""

from __future__ import annotations

import time
from pathlib import Path

from duo_tui.ui.app import DuoApp
from duo_tui.ui.panes import SIDES_QUIET_S, Pane
from duo_tui.ui.widgets.stream_log import StreamLog
from tests.pilot._helpers import at_checkpoint, wait_for


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
        # Settle first: on a busy machine the checkpoint's own layout (the pane room, the
        # header fitted to the width) may still be landing; wait for a quiet 0.3 s.
        for _ in range(20):
            refreshed.clear()
            await pilot.pause(0.3)
            if not refreshed:
                break
        assert refreshed == [], "the text views never stopped repainting on their own"
        for key in "2341":
            await pilot.press(key)
        await pilot.pause()
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
        # the old pane fades after the next refresh: on a busy machine, wait for it
        await wait_for(
            pilot,
            lambda: code.has_class("-active") and not plan.has_class("-active"),
            what="pane 2 active alone",
        )
        await wait_for(
            pilot,
            lambda: code.styles.border_left[1] == accent and code.styles.border_top[1] == accent,
            what="the accent on pane 2",
        )
        await wait_for(
            pilot, lambda: plan.styles.border_left[1] != accent, what="the plan pane faded"
        )
        # While keys keep coming the sides wait; once they pause, they are painted. "Keys
        # keep coming" is a last key stamped a second ahead, so a slow machine (a pause
        # overrunning SIDES_QUIET_S) cannot turn it into a pause before then.
        app.last_key_at = time.monotonic() + 1.0
        code.set_active(True)
        assert code._sides_pending
        for _ in range(2):
            await pilot.pause(SIDES_QUIET_S)
            assert code._sides_pending
        await wait_for(pilot, lambda: not code._sides_pending, what="the sides painted")
