"""`FastApp.gate_driver_input`: a key at the driver holds background imports until a frame answers it."""

from __future__ import annotations

import sys
from pathlib import Path

from textual import events

from duo_tui.ui.app import DuoApp
from duo_tui.ui.screens.workbench import WorkbenchScreen
from tests.pilot._helpers import wait_for


def _gate_installed() -> bool:
    return any(type(f).__name__ == "_GateFinder" for f in sys.meta_path)


async def test_a_key_at_the_driver_holds_imports_until_a_frame_answers_it(tmp_path: Path) -> None:
    app = DuoApp(demo=True, repo=tmp_path / "demo", pace=0)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(
            pilot,
            lambda: isinstance(app.screen, WorkbenchScreen) and _gate_installed(),
            what="the workbench with the import gate installed",
        )
        gate = app.import_gate
        assert not gate.held
        driver = app._driver
        assert driver is not None
        # What the terminal driver's input thread does with a key press.
        driver.process_message(events.Key("2", "2"))
        assert gate.held  # at once, before the app has even seen the key
        await wait_for(pilot, lambda: not gate.held, what="a frame to answer the key")
        assert app.screen.active_pane == 1
    assert not _gate_installed()
