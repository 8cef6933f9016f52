"""What a newcomer sees fits and speaks their language (issue 19, items 13 and 14).

Help is grouped by what the user is doing and never shows a widget id; at 80x24
nothing important is cut (the footer's keys, the checkpoint's instructions under
a toast, decision labels, task titles); at 200x50 the active stage's pane gets
the room that empty panes do not need.
"""

from __future__ import annotations

import pytest

from duo_tui.core.events import Event
from duo_tui.ui.help_groups import ANYWHERE, DECIDE, LOOK, ORDER
from tests.snapshot.replay import record_demo, replay_app, until


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
        await pilot.pause(0.3)
        await pilot.press("question_mark")
        await pilot.pause(0.2)
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
