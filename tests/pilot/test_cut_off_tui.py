"""Issue 17 in the workbench: a plan cut off at the token limit, even after the retry.

The pane keeps the partial text and says how the call ended; the stage rail
marks the stage; the checkpoint offers a rerun and refuses to accept.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import duo_tui.demo.script as demo_module
from duo_tui.core.models import Stage, StageState, Usage
from duo_tui.providers.scripted import Script, ScriptedAnswer
from duo_tui.ui.app import DuoApp
from duo_tui.ui.widgets.stage_rail import StageRail

from .test_loop_actions import next_checkpoint


@pytest.fixture
def plan_cut_off(monkeypatch: pytest.MonkeyPatch) -> str:
    """The demo's plan answer cut off half way at max_tokens, every time it is asked."""
    original = demo_module.demo_script

    def script() -> Script:
        s = original()
        plan = s["plan"][0].text
        half = plan[: len(plan) // 2]
        usage = Usage(input_tokens=100, output_tokens=32000)
        s["plan"] = [ScriptedAnswer(half, usage, stop_reason="max_tokens")]
        return s

    monkeypatch.setattr(demo_module, "demo_script", script)
    plan = original()["plan"][0].text
    return plan[: len(plan) // 2]


async def test_a_cut_off_plan_is_shown_as_cut_off(tmp_path: Path, plan_cut_off: str) -> None:
    app = DuoApp(demo=True, repo=tmp_path / "demo", pace=0)
    async with app.run_test(size=(160, 48)) as pilot:
        wb = await next_checkpoint(pilot, app)
        cp = wb.checkpoint
        assert cp is not None and cp.stage == Stage.PLAN and cp.state == StageState.FAILED
        assert cp.error and "cut off ('max_tokens')" in cp.error
        assert "after retrying once with a budget of 64000 tokens" in cp.error
        pane = wb.stream_pane("plan")
        assert pane is not None
        assert pane.text == plan_cut_off, "the partial text is kept in the pane"
        assert "error" in pane.header_text
        shown = str(pane.query_one("#stream-error").render())
        assert "cut off ('max_tokens')" in shown and "max_output_tokens" in shown
        rails = list(wb.query(StageRail))
        assert rails and all(r.endings.get("plan") == "max_tokens" for r in rails)
        assert "! plan ✂" in str(rails[0].render()).splitlines()
        await pilot.press("q")
