"""A failed execute (the model refused) names only the keys that do something there.

With no change to decide on, the checkpoint bar must not offer `space hunk ✓/✗ ·
f file`: those keys did nothing visible. The retry keys stay, and the stage rail
marks the refusal.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import duo_tui.demo.script as demo_module
from duo_tui.core.models import Stage, StageState, Usage
from duo_tui.providers.scripted import Script, ScriptedAnswer
from duo_tui.ui.app import DuoApp
from duo_tui.ui.widgets.stage_rail import StageRail

from .test_loop_actions import accept_until


@pytest.fixture
def execute_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    original = demo_module.demo_script

    def script() -> Script:
        s = original()
        usage = Usage(input_tokens=3100, output_tokens=12)
        s["execute"] = [ScriptedAnswer("I can't help with that.", usage, stop_reason="refusal")]
        return s

    monkeypatch.setattr(demo_module, "demo_script", script)


@pytest.mark.usefixtures("execute_refused")
async def test_failed_execute_offers_no_hunk_keys(tmp_path: Path) -> None:
    app = DuoApp(demo=True, repo=tmp_path / "demo", pace=0)
    async with app.run_test(size=(160, 48)) as pilot:
        wb = await accept_until(pilot, app, Stage.EXECUTE)
        cp = wb.checkpoint
        assert cp is not None and cp.state == StageState.FAILED
        bar = wb._bar_text
        assert "the model refused" in bar
        assert "r rerun" in bar and "x reject" in bar
        assert "hunk ✓/✗" not in bar and "f file" not in bar, bar
        assert "! execute ⊘" in str(wb.query(StageRail).first().render()).splitlines()
        await pilot.press("q")
