"""Issue 19 item 8: a finding only A raised and one only B raised look different
without colour: distinct glyphs and the reviewer's letter, in every place they show."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import DataTable, Static

from duo_tui.core.models import Review
from duo_tui.ui.screens.triage import TriageScreen
from duo_tui.ui.widgets.finding_list import FindingList, FindingRow

from ._helpers import wait_for


def _reviews() -> tuple[Review, Review]:
    a = Review.model_validate(
        {
            "reviewer": "model-a",
            "findings": [
                {
                    "id": "F1",
                    "severity": "high",
                    "title": "SQL injection in the login query",
                    "file": "app/db.py",
                    "line_start": 10,
                }
            ],
        }
    )
    b = Review.model_validate(
        {
            "reviewer": "model-b",
            "findings": [
                {
                    "id": "F1",
                    "severity": "low",
                    "title": "README typo in install section",
                    "file": "README.md",
                    "line_start": 3,
                }
            ],
        }
    )
    return a, b


class _TriageHost(App[None]):
    def on_mount(self) -> None:
        self.push_screen(TriageScreen.standalone(*_reviews()))


async def test_triage_screen_names_each_reviewers_own_findings_by_glyph() -> None:
    app = _TriageHost()
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, TriageScreen))
        table = app.screen.query_one(DataTable)
        await wait_for(pilot, lambda: table.row_count == 2)
        kinds = sorted(str(table.get_row_at(i)[0]) for i in range(2))
        # plain text, no colour: the two differ by glyph and by letter
        assert kinds == ["▶ only B", "◀ only A"]
        head = str(app.screen.query_one("#triage-head", Static).render())
        assert "◀ 1 only A" in head and "▶ 1 only B" in head
        assert "◆" not in head


class _ListsHost(App[None]):
    def compose(self) -> ComposeResult:
        row = FindingRow(key="k", finding_id="F1", severity="high", title="t", kind="only")
        yield FindingList([row], side="a", id="a")
        yield FindingList([FindingRow(**{**row.__dict__, "key": "k"})], side="b", id="b")
        yield FindingList([row], side="b", reviewer=2, id="c")


async def test_finding_lists_mark_only_a_and_only_b_with_different_glyphs() -> None:
    app = _ListsHost()
    async with app.run_test() as pilot:
        await pilot.pause()
        first = {
            w: str(app.query_one(f"#{w}", FindingList).get_option("k").prompt)[0]
            for w in ("a", "b", "c")
        }
        assert first == {"a": "◀", "b": "▶", "c": "◆"}
