"""The triage screen's columns at 80, 120 and 200 columns: the finding's title is in
view and so is where it points (`file:line`), the last column, which a title sized to
the whole table's room used to push off the screen (at 120 columns and below; at 200
it showed 7 characters of it)."""

from __future__ import annotations

import pytest
from textual.app import App
from textual.widgets import DataTable

from duo_tui.core.models import Finding, Review
from duo_tui.ui.screens.triage import TriageScreen

from ._helpers import wait_for

LONG = "Retry loop in the payment client re-sends the charge request without any backoff"
WHERE = "src/payments/client.py:120-140"


def _reviews() -> tuple[Review, Review]:
    def f(fid: str, title: str, file: str, line: int) -> Finding:
        return Finding(id=fid, severity="high", title=title, file=file, line_start=line,
                       line_end=line + 20 if line == 120 else None)  # fmt: skip

    a = Review(reviewer="a", findings=[
        f("F1", LONG, "src/payments/client.py", 120),
        f("F2", "SQL built by string concatenation in the report export", "src/reports/export.py", 42),
    ])  # fmt: skip
    b = Review(reviewer="b", findings=[
        f("F1", "Cache key ignores the tenant so users see each other's data", "src/cache.py", 7),
    ])  # fmt: skip
    return a, b


class _Host(App[None]):
    def on_mount(self) -> None:
        self.push_screen(TriageScreen.standalone(*_reviews()))


def _table_lines(app: App[None]) -> list[str]:
    """The table's rows as shown now, one string per screen line."""
    region = app.screen.query_one(DataTable).region
    update = app.screen._compositor.render_full_update()
    lines = ["".join(seg.text for strip in line for seg in strip) for line in update.strips]
    return [line[region.x : region.right] for line in lines[region.y : region.bottom]]


@pytest.mark.parametrize("width", [80, 120, 200])
async def test_where_is_in_view_beside_the_title(width: int) -> None:
    app = _Host()
    async with app.run_test(size=(width, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, TriageScreen))
        table = app.screen.query_one(DataTable)
        await wait_for(pilot, lambda: table.row_count == 3, what="the rows")
        await pilot.pause()
        text = "\n".join(_table_lines(app))
        # at 80 columns a long place is cut from its start: the file's name and line stay
        whole = width >= 120
        for where in (WHERE, "src/reports/export.py:42", "src/cache.py:7"):
            assert (where if whole else where.split("/")[-1]) in text, (width, text)
        # and the title is not squeezed to nothing: its first words stay in view
        assert "Retry loop in the pay" in text, (width, text)
