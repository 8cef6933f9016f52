"""The workbench's header keeps the session's cost at every width, and is chosen again on
every resize: the fullest form that fits, never one cut off mid-word."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Static

from duo_tui.ui.app import DuoApp

from ._helpers import at_checkpoint, wait_for


def _row(app, y: int) -> str:  # type: ignore[no-untyped-def]
    """Row `y` of the screen as it is drawn now."""
    update = app.screen._compositor.render_full_update()
    return "".join(segment.text for segment in update.strips[y])


def _header(wb) -> str:  # type: ignore[no-untyped-def]
    """The header's whole text (what it would show given room enough)."""
    return str(wb.query_one("#status", Static).render()).strip()


async def test_the_header_shows_the_cost_at_every_width_and_after_a_resize(
    tmp_path: Path,
) -> None:
    app = DuoApp(demo=True, repo=tmp_path / "demo", pace=0)
    async with app.run_test(size=(200, 50)) as pilot:
        wb = await at_checkpoint(pilot, app)
        await wait_for(pilot, lambda: wb.cost > 0, what="the plan's cost")
        cost = f"${wb.cost:.2f}"
        # 120 -> 80 is the resize the QA pass saw lose the branch, mode and cost
        for width in (80, 100, 120, 160, 200, 120, 80):
            await pilot.resize_terminal(width, 40)
            await wait_for(
                pilot,
                lambda w=width: app.size.width == w and len(_row(app, 0)) == w,
                what=f"the {width}-column frame",
            )
            await pilot.pause()
            row = _row(app, 0)
            header = _header(wb)
            assert cost in row, (width, row)
            # the header shown is whole: nothing of it is cut at the right edge
            assert row.strip() == header, (width, row, header)
            assert wb.branch in row, (width, row)
            assert "manual" in row, (width, row)
            if width >= 160:
                # room enough: the full form, with the session id and the tokens
                assert wb.session_id in row and " tok" in row, (width, row)
