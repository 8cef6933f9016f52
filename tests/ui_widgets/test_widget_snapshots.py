"""SVG snapshots of the diff view and the finding lists at 80×24 (duo-dark)."""

from __future__ import annotations

from typing import Any

from textual.containers import Horizontal
from textual.pilot import Pilot

from duo_tui.ui.widgets.diff_view import DiffView
from duo_tui.ui.widgets.finding_list import FindingList
from duo_tui.ui.widgets.stage_rail import StageRail

from ._support import HostApp, sample_files, sample_rows


def test_diff_view_with_a_rejected_hunk(snap_compare: Any) -> None:
    app = HostApp(lambda: [DiffView(sample_files())])

    async def run_before(pilot: Pilot[None]) -> None:
        pilot.app.query_one(DiffView).focus()
        await pilot.press("down", "space")

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_diff_view_focus_location(snap_compare: Any) -> None:
    app = HostApp(lambda: [DiffView(sample_files())], theme="duo-light")

    async def run_before(pilot: Pilot[None]) -> None:
        view = pilot.app.query_one(DiffView)
        view.focus()
        view.focus_location("app/ratelimit.py", 13, 16)
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_finding_lists_with_counterpart(snap_compare: Any) -> None:
    def make() -> list[Any]:
        rail = StageRail()
        rail.set_stage("plan", "accepted")
        rail.set_stage("align", "accepted")
        rail.set_stage("execute", "accepted")
        rail.set_stage("gate", "accepted")
        rail.set_stage("review", "accepted")
        rail.set_stage("triage", "awaiting_decision")
        rail.set_round("T1", 2)
        return [
            Horizontal(
                rail,
                FindingList(sample_rows("a"), side="a", id="list-a"),
                FindingList(sample_rows("b"), side="b", id="list-b"),
            )
        ]

    app = HostApp(make)

    async def run_before(pilot: Pilot[None]) -> None:
        list_a = pilot.app.query_one("#list-a", FindingList)
        list_a.focus()
        await pilot.press("down", "enter")
        pilot.app.query_one("#list-b", FindingList).highlight_counterpart("b:F1")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
