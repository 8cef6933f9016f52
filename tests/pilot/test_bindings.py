"""Every workbench key does something visible (Pilot), and 3+ reviewers get their own panes."""

from __future__ import annotations

from pathlib import Path

import pytest

from duo_tui.core.events import Event, StreamReset, TextDelta
from tests.pilot._helpers import wait_for
from tests.snapshot.replay import record_demo, replay_app, replayed, until


@pytest.fixture(scope="module")
def events(tmp_path_factory: pytest.TempPathFactory) -> list[Event]:
    import os

    home = tmp_path_factory.mktemp("bindhome")
    (home / ".gitconfig").write_text("[user]\n\tname = t\n\temail = t@duo-tui.invalid\n")
    os.environ["GIT_CONFIG_GLOBAL"] = str(home / ".gitconfig")
    return record_demo(tmp_path_factory.mktemp("bind") / "demo")


def notified(app, words: str) -> bool:  # type: ignore[no-untyped-def]
    return any(words in n.message for n in app._notifications)


async def test_pane_keys_zoom_resize_and_code_views(events: list[Event]) -> None:
    app = replay_app(until(events, "execute"))
    async with app.run_test(size=(200, 60)) as pilot:
        wb = await replayed(pilot)
        assert wb.layout_mode == "wide"
        await pilot.press("3")
        assert wb.active_pane == 2
        await pilot.press("z")
        assert wb.maximized is not None
        await pilot.press("z")
        assert wb.maximized is None
        await pilot.press("1", "greater_than_sign", "greater_than_sign")
        assert wb.weights[0] == 1.5
        await pilot.press("less_than_sign")
        assert wb.weights[0] == 1.25
        from duo_tui.ui.panes import CodePane

        await pilot.press("g")
        assert wb.query_one(CodePane).showing == "stream-gate"
        await pilot.press("o")
        assert wb.query_one(CodePane).showing == "stream-exec"
        await pilot.press("d")
        assert wb.query_one(CodePane).showing == "diff"
        await pilot.press("space")  # decline the selected hunk
        from duo_tui.ui.widgets.diff_view import DiffView

        assert len(wb.query_one(DiffView).rejected_hunks) == 1


async def test_help_triage_copy_and_refusals(events: list[Event], tmp_path: Path) -> None:
    app = replay_app(until(events, "triage"))
    async with app.run_test(size=(160, 48)) as pilot:
        wb = await replayed(pilot)
        await pilot.press("question_mark")
        assert type(app.screen).__name__ == "HelpScreen"
        await pilot.press("escape")
        await pilot.press("t")
        assert type(app.screen).__name__ == "TriageScreen"
        await pilot.press("d")  # dismiss the first finding
        first = wb.triage_groups[0].key
        assert wb.finding_decisions[first] == "dismiss"
        await pilot.press("escape")
        await pilot.press("1", "y")  # copy the plan pane
        await wait_for(pilot, lambda: notified(app, "copied"), what="the copy's notification")
        await pilot.press("c")  # no alternatives yet: says so, sends nothing
        await wait_for(
            pilot,
            lambda: notified(app, "no alternatives"),
            what="the choose refusal's notification",
        )
        assert wb.decisions_sent == []


async def test_at_80x24_panes_become_tabs(events: list[Event]) -> None:
    app = replay_app(until(events, "review"))
    async with app.run_test(size=(80, 24)) as pilot:
        wb = await replayed(pilot)
        assert wb.layout_mode == "narrow"
        await pilot.press("4")
        visible = [p.id for p in wb.query(".pane") if p.display and p.has_class("-active")]
        assert visible == ["pane-review-1"]


async def test_three_reviewers_get_three_review_panes() -> None:
    from duo_tui.ui.screens.workbench import _Opened

    app = replay_app([])
    async with app.run_test(size=(220, 60)) as pilot:
        wb = await replayed(pilot)
        wb.handle(
            _Opened(
                "s",
                "duo/x",
                "manual",
                False,
                ["anthropic/a", "openai/b", "anthropic/a", "openai/b", "gemini/c"],
                [],
            )
        )
        await wait_for(
            pilot, lambda: bool(wb.query("#stream-review-2")), what="the third review pane"
        )
        wb.handle(StreamReset("review:2", "review", "gemini/c"))
        wb.handle(TextDelta("review:2", "third opinion"))
        await pilot.pause()
        assert wb.reviewers == 3
        assert wb.stream_pane("review:2") is not None
        assert wb.stream_pane("review:2").text == "third opinion"  # type: ignore[union-attr]
