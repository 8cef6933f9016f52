"""Issue 18: a one-to-many group is one row of the triage screen, showing every finding."""

from __future__ import annotations

from textual.app import App
from textual.widgets import DataTable, Static

from duo_tui.ui.screens.triage import TriageScreen
from tests.triage.test_groups import A, B

from ._helpers import wait_for


class _Host(App[None]):
    def on_mount(self) -> None:
        self.push_screen(TriageScreen.standalone(A, B))


async def test_a_group_is_one_row_and_its_detail_shows_both_covered_findings() -> None:
    app = _Host()
    async with app.run_test(size=(180, 50)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, TriageScreen))
        table = app.screen.query_one(DataTable)
        await wait_for(pilot, lambda: table.row_count == 3)  # group, only A, only B
        screen = app.screen
        assert isinstance(screen, TriageScreen)
        row = next(i for i, g in enumerate(screen.groups) if len(g["members"]) == 3)
        table.move_cursor(row=row)
        await pilot.pause()
        side_b = str(screen.query_one("#detail-b", Static).render())
        assert "B1" in side_b and "B2" in side_b
        assert "A1" in str(screen.query_one("#detail-a", Static).render())
