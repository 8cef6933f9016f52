"""What a newcomer sees fits and speaks their language (issue 19, items 13 and 14).

Help is grouped by what the user is doing and never shows a widget id; at 80x24
nothing important is cut (the footer's keys, the checkpoint's instructions under
a toast, decision labels, task titles); at 200x50 the active stage's pane gets
the room that empty panes do not need.
"""

from __future__ import annotations

import re

import pytest

from duo_tui.core.events import Event
from duo_tui.ui.help_groups import ANYWHERE, DECIDE, LOOK, ORDER
from tests.pilot._helpers import dialog_ready, wait_for
from tests.snapshot.replay import record_demo, replay_app, replayed, until


@pytest.fixture(scope="module")
def events(tmp_path_factory: pytest.TempPathFactory) -> list[Event]:
    import os

    home = tmp_path_factory.mktemp("fithome")
    (home / ".gitconfig").write_text("[user]\n\tname = t\n\temail = t@duo-tui.invalid\n")
    os.environ["GIT_CONFIG_GLOBAL"] = str(home / ".gitconfig")
    return record_demo(tmp_path_factory.mktemp("fit") / "demo")


def screen_text(app) -> str:  # type: ignore[no-untyped-def]
    """Every cell of the screen now (toasts and the top modal included), one line per row."""
    update = app.screen._compositor.render_full_update()
    return "\n".join(
        "".join(segment.text for strip in line for segment in strip) for line in update.strips
    )


def _wb(app):  # type: ignore[no-untyped-def]
    from duo_tui.ui.screens.workbench import WorkbenchScreen

    return next(s for s in app.screen_stack if isinstance(s, WorkbenchScreen))


# -- item 14: help ---------------------------------------------------------------------


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
async def test_help_is_grouped_by_activity_and_names_no_widget(
    events: list[Event], size: tuple[int, int]
) -> None:
    from duo_tui.ui.screens.help import HelpScreen

    app = replay_app(until(events, "plan"))
    async with app.run_test(size=size) as pilot:
        await replayed(pilot)
        await pilot.press("question_mark")
        await wait_for(
            pilot,
            lambda: isinstance(app.screen, HelpScreen) and DECIDE in screen_text(app),
            what="the help screen",
        )
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        titles = [g.title for g in help_screen.groups]
        assert titles[0] == DECIDE, "help opens on deciding the stage"
        assert titles == [t for t in ORDER if t in titles]
        assert titles[-1] == ANYWHERE
        text = "\n".join(
            f"{g.title}\n" + "\n".join(f"{e.key} {e.description}" for e in g.entries)
            for g in help_screen.groups
        )
        # no widget ids, no class names: not in the groups, not on the screen
        shown = screen_text(app)
        for internal in ("#", "MarkdownView", "StreamPane", "Screen:", "stream-"):
            assert internal not in text
            assert internal not in shown
        keys = {g.title: {e.description: e.key for e in g.entries} for g in help_screen.groups}
        assert keys[DECIDE]["Accept"] == "a" and keys[DECIDE]["Reject"] == "x"
        assert "Plan" in keys[LOOK] and "Scroll the pane" in keys[LOOK]
        assert "q" in keys[ANYWHERE]["Quit"].split()
        # scrolling is one line, not ten
        lines = [e.description for g in help_screen.groups for e in g.entries]
        assert sum(d.startswith(("Scroll", "Page")) for d in lines) == 1
        # the help opens on the stage's keys: they are on the first screen
        assert DECIDE in shown and "Accept" in shown


async def test_help_on_the_triage_screen_opens_on_the_findings(events: list[Event]) -> None:
    from duo_tui.ui.help_groups import FINDINGS
    from duo_tui.ui.screens.help import HelpScreen

    app = replay_app(until(events, "triage"))
    async with app.run_test(size=(80, 24)) as pilot:
        await replayed(pilot)
        await pilot.press("t")
        await dialog_ready(pilot, "TriageScreen")
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), what="the help screen")
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        first = help_screen.groups[0]
        assert first.title == FINDINGS
        described = {e.description for e in first.entries}
        assert {"Fix", "Dismiss", "Defer"} <= described
        # Textual's own screen keys are where they belong, not among the findings
        assert not described & {"Focus Next", "Focus Previous", "Copy selected text"}


# -- item 13: nothing important is cut -----------------------------------------------------


def _pane_widths(app) -> list[int]:  # type: ignore[no-untyped-def]
    return [p.outer_size.width for p in _wb(app)._panes()]


@pytest.mark.parametrize(
    ("stage", "active"),
    [("plan", [0]), ("execute", [1]), ("triage", [2, 3])],
)
async def test_the_active_stage_pane_gets_the_room_at_200x50(
    events: list[Event], stage: str, active: list[int]
) -> None:
    app = replay_app(until(events, stage))
    async with app.run_test(size=(200, 50)) as pilot:
        await replayed(pilot)
        widths = _pane_widths(app)
        others = [w for i, w in enumerate(widths) if i not in active]
        for i in active:
            assert widths[i] > max(others), widths
        if len(active) == 1:
            # one pane at work: it gets about half the 180 columns beside the rail
            assert widths[active[0]] >= 80, widths
        # an empty pane still shows its title
        assert min(widths) >= 20, widths
        # the code pane's view tabs are never split in the middle ("g" / "gate")
        text = screen_text(app)
        assert re.search(r"g[ \u00a0]gate", text), text


async def test_the_footer_keeps_help_and_quit_whole_at_80x24(events: list[Event]) -> None:
    app = replay_app(until(events, "plan"))
    async with app.run_test(size=(80, 24)) as pilot:
        await replayed(pilot)
        footer = screen_text(app).splitlines()[-1]
        assert "? Help" in footer and "q Quit" in footer, footer
        assert "a Accept" in footer, footer
        # whatever is shown is whole: every description is followed by a space or the end
        for word in re.findall(r"[A-Za-z/]+", footer):
            assert word in {
                "a",
                "x",
                "r",
                "e",
                "t",
                "q",
                "m",
                "p",
                "Accept",
                "Reject",
                "Rerun",
                "Edit",
                "Triage",
                "Help",
                "Quit",
                "Raw/Markdown",
                "palette",
            }, (word, footer)


async def test_a_toast_does_not_cover_the_checkpoint_instructions_at_80x24(
    events: list[Event],
) -> None:
    app = replay_app(until(events, "plan"))
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await replayed(pilot)
        before = screen_text(app).splitlines()
        bar = [i for i, line in enumerate(before) if "x reject" in line or "◆ plan" in line]
        assert len(bar) == 2, before
        app.notify(
            "retrying the executor: the provider is overloaded (529); next try in 8 s",
            severity="warning",
            timeout=30,
        )
        await wait_for(pilot, lambda: "overloaded" in screen_text(app), what="the toast")
        after = screen_text(app).splitlines()
        for i in bar:
            assert after[i] == before[i], (before[i], after[i])


async def test_triage_decision_labels_are_whole(events: list[Event]) -> None:
    app = replay_app(until(events, "triage"))
    async with app.run_test(size=(200, 50)) as pilot:
        wb = await replayed(pilot)
        await pilot.press("t")
        await dialog_ready(pilot, "TriageScreen")
        await pilot.press("down", "d")  # dismiss the second finding
        await wait_for(
            pilot, lambda: "dismiss" in wb.finding_decisions.values(), what="the dismissal"
        )
        await pilot.pause()
        text = screen_text(app)
        assert "○ dismiss " in text, text[:1200]


async def test_task_titles_wrap_at_words_at_80x24(events: list[Event]) -> None:
    app = replay_app(until(events, "plan", nth=2))  # the task checkpoint
    async with app.run_test(size=(80, 24)) as pilot:
        await replayed(pilot)
        await pilot.press("T")
        await dialog_ready(pilot, "TasksScreen")
        await pilot.pause()
        text = screen_text(app)
        task = _wb(app).tasks[0]
        for word in task.title.split():
            assert re.search(rf"(^|\s){re.escape(word)}(\s|$)", text, re.M), (word, text)
        for path in task.files:
            assert path in text, (path, text)


def test_a_long_request_makes_a_task_title_cut_after_a_word() -> None:
    from duo_tui.core.plan_manifest import short_title

    request = (
        "Add percentage discount codes to the cart (SAVE10, SAVE25): a code applies "
        "a percentage off the total"
    )
    title = short_title(request)
    assert len(title) <= 72 and title.endswith("…")
    assert request.startswith(title[:-1]) and request[len(title) - 1] == " "
    assert short_title("short request\nsecond line") == "short request"
    assert short_title("x" * 100) == "x" * 71 + "…"
