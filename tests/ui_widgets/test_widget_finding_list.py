"""FindingList: glyphs, selection message, counterpart highlight, details, decisions."""

from __future__ import annotations

from textual.containers import Horizontal

from duo_tui.ui.widgets.finding_list import FindingList, FindingRow

from ._support import HostApp, sample_rows


def _host() -> HostApp:
    return HostApp(
        lambda: [
            Horizontal(
                FindingList(sample_rows("a"), side="a", id="list-a"),
                FindingList(sample_rows("b"), side="b", id="list-b"),
            )
        ]
    )


def _row_text(finding_list: FindingList, key: str) -> str:
    option = finding_list.get_option(key)
    return str(option.prompt)


async def test_rows_show_glyph_severity_location_and_decision() -> None:
    app = _host()
    async with app.run_test():
        list_a = app.query_one("#list-a", FindingList)
        agree = _row_text(list_a, "a:F1")
        assert agree.startswith("=") and "CRIT" in agree
        assert "app/webhooks.py:41-46" in agree and "fix" in agree
        assert _row_text(list_a, "a:F2").startswith("≠")
        only = _row_text(list_a, "a:F3")
        assert only.startswith("◀") and "app/webhooks.py:1" in only and "dismissed" in only
        assert "deferred" in _row_text(list_a, "a:F4")
        assert [row.key for row in list_a.rows] == ["a:F1", "a:F2", "a:F3", "a:F4"]


async def test_selection_posts_message_and_counterpart_is_highlighted_quietly() -> None:
    app = _host()
    async with app.run_test() as pilot:
        list_a = app.query_one("#list-a", FindingList)
        list_b = app.query_one("#list-b", FindingList)
        list_a.focus()
        await pilot.pause()
        await pilot.press("down")
        await pilot.pause()
        selected = app.of(FindingList.Selected)
        assert selected[-1].key == "a:F2"
        assert selected[-1].counterpart_key == "b:F1"
        assert selected[-1].control is list_a

        count = len(selected)
        list_b.highlight_counterpart("b:F1")
        await pilot.pause()
        assert list_b.counterpart_key == "b:F1"
        assert list_b.selected_key == "b:F1"
        assert "⇄ match" in _row_text(list_b, "b:F1")
        # moving the other list's highlight did not post a Selected (no ping-pong)
        assert len(app.of(FindingList.Selected)) == count

        list_b.highlight_counterpart(None)
        assert list_b.counterpart_key is None
        assert "⇄" not in _row_text(list_b, "b:F1")
        # the user moving in list B does post
        list_b.focus()
        await pilot.press("down")
        await pilot.pause()
        assert app.of(FindingList.Selected)[-1].key == "b:F2"


async def test_enter_expands_details_inline() -> None:
    app = _host()
    async with app.run_test() as pilot:
        list_a = app.query_one("#list-a", FindingList)
        list_a.focus()
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        toggled = app.of(FindingList.DetailsToggled)
        assert toggled[-1].key == "a:F1" and toggled[-1].expanded
        text = _row_text(list_a, "a:F1")
        assert "SEEN is process-local" in text and "Suggestion:" in text
        await pilot.press("enter")
        await pilot.pause()
        assert not app.of(FindingList.DetailsToggled)[-1].expanded
        assert "SEEN is process-local" not in _row_text(list_a, "a:F1")


async def test_set_decision_and_set_rows() -> None:
    app = _host()
    async with app.run_test():
        list_a = app.query_one("#list-a", FindingList)
        list_a.set_decision("a:F2", "accept-risk")
        assert "accept-risk" in _row_text(list_a, "a:F2")
        list_a.set_decision("a:F2", None)
        assert "accept-risk" not in _row_text(list_a, "a:F2")
        list_a.set_rows(
            [FindingRow(key="a:X", finding_id="X", severity="medium", title="t", kind="only")]
        )
        assert [row.key for row in list_a.rows] == ["a:X"]
        assert "MED" in _row_text(list_a, "a:X")
        list_a.set_rows([])
        assert list_a.rows == [] and list_a.option_count == 1  # the "no findings" line
