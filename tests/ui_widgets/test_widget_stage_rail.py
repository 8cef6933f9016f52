"""StageRail: glyph per state, task and round, mode, compact variant."""

from __future__ import annotations

import pytest

from duo_tui.core.models import Stage, StageState
from duo_tui.ui.widgets.stage_rail import STAGES, StageRail

from ._support import HostApp


def _host(compact: bool = False) -> HostApp:
    return HostApp(lambda: [StageRail(id="rail", compact=compact)])


async def test_states_round_and_mode_are_shown() -> None:
    app = _host()
    async with app.run_test(size=(80, 24)) as pilot:
        rail = app.query_one(StageRail)
        rail.set_stage("plan", "accepted")
        rail.set_stage(Stage.ALIGN, StageState.REJECTED)
        rail.set_stage("execute", "failed")
        rail.set_stage("gate", "awaiting_decision")
        rail.set_stage("review", "running")
        rail.set_round("T2", 2)
        rail.set_mode("auto", autopilot=True)
        await pilot.pause()
        lines = str(rail.render()).splitlines()
        assert lines[0] == "T2 · round 2"
        by_stage = {line.split()[1]: line.split()[0] for line in lines if len(line.split()) == 2}
        assert by_stage["plan"] == "✓"
        assert by_stage["align"] == "✗"
        assert by_stage["execute"] == "!"
        assert by_stage["gate"] == "◆"
        assert by_stage["review"] in "◐◓◑◒"
        assert by_stage["commit"] == "○"
        assert "auto" in lines and "autopilot on" in lines
        assert rail.size.width <= 18
        assert rail.states["review"] == "running"
        rail.reset()
        assert set(rail.states.values()) == {"pending"}


async def test_compact_is_one_line() -> None:
    app = _host(compact=True)
    async with app.run_test(size=(60, 24)) as pilot:
        rail = app.query_one(StageRail)
        rail.set_stage("plan", "accepted")
        rail.set_stage("execute", "running")
        await pilot.pause()
        assert rail.size.height == 1
        text = str(rail.render())
        assert "\n" not in text and "✓P" in text and "execute" in text
        rail.compact = False
        await pilot.pause()
        assert rail.size.height > len(STAGES)


def test_unknown_stage_or_state_is_refused() -> None:
    rail = StageRail()
    with pytest.raises(ValueError, match="unknown stage"):
        rail.set_stage("deploy", "running")
    with pytest.raises(ValueError, match="unknown stage state"):
        rail.set_stage("plan", "sleeping")


async def test_a_call_that_did_not_end_normally_is_marked() -> None:
    """Issue 17: the rail records a stage whose last call was cut off, refused or ended oddly."""
    app = _host()
    async with app.run_test(size=(80, 24)) as pilot:
        rail = app.query_one(StageRail)
        rail.set_stage("execute", "failed")
        rail.set_ending("execute", "length")
        rail.set_ending(Stage.REVIEW, "refusal")
        rail.set_ending("plan", "pause_turn")
        # a stream that broke (dropped, stalled, failed mid-answer) is not an unknown ending
        rail.set_ending("align", "truncated")
        rail.set_ending("fix", "stall")
        await pilot.pause()
        lines = str(rail.render()).splitlines()
        assert "! execute ✂" in lines
        assert "○ review ⊘" in lines and "○ plan ?" in lines
        assert "○ align ↯" in lines and "○ fix ↯" in lines
        assert max(len(line) for line in lines) <= 16, "it still fits the rail"
        rail.set_ending("execute", None)  # the retry ended normally
        await pilot.pause()
        assert "! execute" in str(rail.render()).splitlines()
        assert rail.endings == {
            "review": "refusal",
            "plan": "pause_turn",
            "align": "truncated",
            "fix": "stall",
        }
        rail.reset()
        assert rail.endings == {}


def test_a_stage_that_starts_again_puts_the_later_stages_back_to_pending() -> None:
    """Round 2's gate (or a review rerun) runs again before triage and fix: the rail must
    not keep showing round 1's triage and fix as done while round 2's review runs."""
    rail = StageRail()
    for stage in ("plan", "align", "execute", "gate", "review", "triage", "fix"):
        rail.set_stage(stage, "running")
        rail.set_stage(stage, "accepted")
    rail.set_ending("triage", "length")
    rail.set_stage("gate", "running")  # round 2
    assert rail.states == {
        "plan": "accepted",
        "align": "accepted",
        "execute": "accepted",
        "gate": "running",
        "review": "pending",
        "triage": "pending",
        "fix": "pending",
        "commit": "pending",
    }
    assert "triage" not in rail.endings
    # a finished stage set again (a checkpoint re-shown) leaves the later ones alone
    rail.set_stage("gate", "accepted")
    rail.set_stage("review", "running")
    rail.set_stage("review", "accepted")
    rail.set_stage("gate", "accepted")
    assert rail.states["review"] == "accepted"
