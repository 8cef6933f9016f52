"""Issue 19 item 7: at the review checkpoint both reviews are in, so their matches
show at once (agree / severity / only markers, rail counts) and `t` opens the
triage as a preview; accepting from there leads straight into the triage."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Static

from duo_tui.core.models import Stage
from duo_tui.ui.app import DuoApp
from duo_tui.ui.screens.triage import TriageScreen
from duo_tui.ui.screens.workbench import WorkbenchScreen
from duo_tui.ui.widgets.finding_list import FindingList

from ._helpers import at_checkpoint, press_decision, wait_for


async def _to_review(pilot, app) -> WorkbenchScreen:  # type: ignore[no-untyped-def]
    wb = await at_checkpoint(pilot, app)
    while wb.checkpoint is not None and wb.checkpoint.stage != Stage.REVIEW:
        await press_decision(pilot, wb, "a")
        await wait_for(pilot, lambda: wb.checkpoint is not None or wb.ended is not None)
    assert wb.checkpoint is not None and wb.checkpoint.stage == Stage.REVIEW
    return wb


async def test_t_at_the_review_checkpoint_previews_the_triage(tmp_path: Path) -> None:
    app = DuoApp(demo=True, repo=tmp_path / "demo", pace=0)
    async with app.run_test(size=(200, 60)) as pilot:
        wb = await _to_review(pilot, app)
        # the markers show as soon as both reviews are in
        kinds = {row.kind for row in wb.query_one("#findings-0", FindingList).rows}
        assert kinds & {"agree", "severity"}, kinds
        rail = str(wb.query_one("#disagree", Static).render())
        assert "agreed" in rail and "only A" in rail and "running" not in rail
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, TriageScreen))
        screen = app.screen
        assert isinstance(screen, TriageScreen) and screen.preview
        head = str(screen.query_one("#triage-head", Static).render())
        # the preview says whose matches these are: the offline matcher's (issue 18)
        assert "triage preview" in head and "the offline matcher's matches" in head, head
        # nothing is decided in the preview
        before = dict(wb.finding_decisions)
        await pilot.press("f")
        await pilot.pause()
        assert wb.finding_decisions == before and not wb.finding_chosen
        # accepting here accepts the reviews; the triage then opens by itself
        await press_decision(pilot, wb, "a")
        assert wb.decisions_sent[-1].action == "accept"
        await wait_for(
            pilot,
            lambda: (
                wb.checkpoint is not None
                and wb.checkpoint.stage == Stage.TRIAGE
                and isinstance(app.screen, TriageScreen)
            ),
        )
        assert not app.screen.preview  # type: ignore[attr-defined]
        await pilot.press("f")
        await wait_for(pilot, lambda: bool(wb.finding_chosen))


async def test_r_at_review_asks_which_reviewer_and_which_model(tmp_path: Path) -> None:
    from textual.widgets import Button

    from duo_tui.demo.script import EXECUTOR, PLANNER
    from duo_tui.ui.screens.dialogs import ChooseDialog, ModelPicker, ReviewerPicker

    app = DuoApp(demo=True, repo=tmp_path / "demo", pace=0)
    async with app.run_test(size=(200, 60)) as pilot:
        wb = await _to_review(pilot, app)
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, ReviewerPicker))
        await pilot.press("down", "down", "enter")  # all · only A · only B
        await wait_for(pilot, lambda: isinstance(app.screen, ModelPicker))
        await press_decision(pilot, wb, "down", "enter")  # same model · the other one
        sent = wb.decisions_sent[-1]
        assert (sent.action, sent.target, sent.model) == ("rerun", 1, PLANNER)
        await wait_for(
            pilot,
            lambda: (
                wb.checkpoint is not None
                and wb.checkpoint.stage == Stage.REVIEW
                and len(wb.checkpoint.alternatives) == 2
            ),
        )
        # the pane names the reviewer's new model
        assert "claude-opus-4-7" in str(wb.query_one("#pane-review-1").border_title)
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, ChooseDialog))
        # each side names its attempt's models in full, whatever the width; the buttons
        # under them are short ("use 1", "use 2") so that none is cut mid-word
        labels = [str(w.render()) for w in app.screen.query(".side-label")]
        assert any(EXECUTOR.split("/")[1] in label for label in labels), labels
        assert not any("machine" in label for label in labels), labels
        buttons = [str(b.label) for b in app.screen.query(Button)]
        assert buttons == ["use 1", "use 2"], buttons


async def test_the_align_checkpoint_keeps_every_plan_check_round(tmp_path: Path) -> None:
    from duo_tui.ui.panes import CodePane

    app = DuoApp(demo=True, repo=tmp_path / "demo", pace=0)
    async with app.run_test(size=(200, 60)) as pilot:
        wb = await at_checkpoint(pilot, app)
        while wb.checkpoint is not None and wb.checkpoint.stage != Stage.ALIGN:
            await press_decision(pilot, wb, "a")
            await wait_for(pilot, lambda: wb.checkpoint is not None or wb.ended is not None)
        pane = wb.stream_pane("exec")
        assert pane is not None
        await wait_for(pilot, lambda: pane.showing_markdown)
        shown = pane._markdown_text or ""
        # round 1's objection, round 2's verdict, and the diff between the plan versions
        assert "case-sensitive" in shown and "VERDICT: blocking" in shown
        assert "Round 2: plan v2" in shown and "+++ plan v2" in shown
        assert wb.query_one(CodePane).query_one("#stream-exec").display


async def test_the_palette_at_review_reruns_one_reviewer_with_a_model(tmp_path: Path) -> None:
    from duo_tui.demo.script import PLANNER
    from duo_tui.ui.commands import duo_commands

    app = DuoApp(demo=True, repo=tmp_path / "demo", pace=0)
    async with app.run_test(size=(200, 60)) as pilot:
        wb = await _to_review(pilot, app)
        commands = {c.title: c for c in duo_commands(app, wb)}
        assert not any(t.startswith("Rerun with model") for t in commands)
        command = commands[f"Rerun review B with model {PLANNER}"]
        sent = len(wb.decisions_sent)
        command.callback()
        await wait_for(pilot, lambda: len(wb.decisions_sent) > sent)
        d = wb.decisions_sent[-1]
        assert (d.action, d.target, d.model) == ("rerun", 1, PLANNER)
