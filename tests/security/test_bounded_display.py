"""A finding holding a multi-megabyte word is shown cut, in bounded time and memory (issue 16).

`duo-tui triage --json` matched a 5 MB word in a fraction of a second, but the
triage screen (what `duo-tui triage A B` opens in a terminal) and the
workbench's review panes drew every field whole: Textual wrapped the 5 MB
title and detail into tens of thousands of lines on each render (95 s and
370 MB before the screen answered). Each field is now cut to what is worth
drawing, and says how much more there is; the review file keeps all of it.
"""

from __future__ import annotations

from textual.containers import Horizontal
from textual.widgets import Static

from duo_tui.core.models import Finding, Review, Severity
from duo_tui.ui.app import DuoApp
from duo_tui.ui.screens.triage import TriageScreen
from duo_tui.ui.visible import SHOWN_CHARS
from duo_tui.ui.widgets.finding_list import FindingList, FindingRow
from tests.pilot._helpers import wait_for
from tests.ui_widgets._support import HostApp

WORD = 2_000_000
MORE = "more characters not shown"


def _huge(reviewer: str) -> Review:
    return Review(
        reviewer=reviewer,
        summary="s",
        findings=[
            Finding(
                id="F1",
                severity=Severity.HIGH,
                title="cache eviction " + "t" * WORD,
                file="app/" + "f" * WORD + ".py",
                line_start=3,
                detail="d" * WORD,
                suggestion="s" * WORD,
            )
        ],
    )


def _small(reviewer: str) -> Review:
    finding = Finding(id="F1", severity=Severity.LOW, title="cache eviction is wrong")
    return Review(reviewer=reviewer, summary="s", findings=[finding])


async def test_the_triage_screen_shows_a_huge_finding_cut() -> None:
    app = DuoApp(triage=(_huge("claude"), _small("gpt")))
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, TriageScreen), what="triage")
        detail = app.screen.query_one("#detail-a", Static)
        await wait_for(pilot, lambda: MORE in str(detail.content), what="the detail")
        text = str(detail.content)
        assert len(text) < 4 * SHOWN_CHARS, len(text)
        assert f"{WORD - SHOWN_CHARS:,} {MORE}" in text  # the detail says how much is left
        # ... and the table's cells are cut too (a 2 MB title is never measured whole)
        cells = [str(c) for c in app.screen.query_one("DataTable").get_row_at(0)]  # type: ignore[attr-defined]
        assert all(len(c) < 1000 for c in cells), [len(c) for c in cells]


async def test_a_review_pane_row_shows_a_huge_finding_cut() -> None:
    big = _huge("claude").findings[0]
    row = FindingRow(
        key="a:F1",
        finding_id="F1",
        severity="high",
        title=big.title,
        file=big.file,
        line_start=3,
        detail=big.detail,
        suggestion=big.suggestion,
    )
    app = HostApp(lambda: [Horizontal(FindingList([row], side="a", id="list-a"))])
    async with app.run_test() as pilot:
        rows = app.query_one("#list-a", FindingList)
        rows.toggle_details("a:F1")  # the detail and suggestion shown too
        await pilot.pause()
        prompt = str(rows.get_option("a:F1").prompt)
        assert len(prompt) < 4 * SHOWN_CHARS, len(prompt)
        assert prompt.count(MORE) == 4  # the title, the location, the detail, the suggestion
