"""HelpScreen: lists the app's, the screen's and the focused widget's bindings; closes."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.screen import Screen

from duo_tui.ui.help_groups import ANYWHERE, CHANGE, DECIDE, ORDER
from duo_tui.ui.screens.help import HelpScreen
from duo_tui.ui.themes import duo_variable_defaults
from duo_tui.ui.widgets.diff_view import DiffView

from ._support import sample_files


class _Workbench(Screen[None]):
    BINDINGS = [
        Binding("a", "accept", "Accept stage"),
        Binding("x", "reject", "Reject stage"),
        Binding("t", "triage", "Triage view", show=False),
    ]

    def compose(self) -> ComposeResult:
        yield DiffView(sample_files())

    def action_accept(self) -> None: ...
    def action_reject(self) -> None: ...
    def action_triage(self) -> None: ...


class _HelpApp(App[None]):
    BINDINGS = [
        Binding("question_mark", "help", "Help"),
        Binding("q", "quit", "Quit"),
    ]

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return duo_variable_defaults()

    def on_mount(self) -> None:
        self.push_screen(_Workbench())

    def action_help(self) -> None:
        self.push_screen(HelpScreen())


async def test_help_lists_bindings_grouped_and_closes() -> None:
    app = _HelpApp()
    async with app.run_test(size=(100, 40)) as pilot:
        app.screen.query_one(DiffView).focus()
        await pilot.press("question_mark")
        await pilot.pause()
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        titles = [group.title for group in help_screen.groups]
        # grouped by what the user is doing, in a fixed order; never by widget
        assert titles[0] == DECIDE
        assert titles[-1] == ANYWHERE
        assert CHANGE in titles
        assert titles == [t for t in ORDER if t in titles]
        assert not any(t.startswith("Screen:") or "#" in t for t in titles)
        by_group = {g.title: {e.description for e in g.entries} for g in help_screen.groups}
        assert "Next hunk" in by_group[CHANGE] and "Accept stage" in by_group[DECIDE]
        described = {
            (entry.key, entry.description)
            for group in help_screen.groups
            for entry in group.entries
        }
        keys = {key for entry_keys, _ in described for key in entry_keys.split()}
        assert {"a", "x", "t", "q", "?", "space", "f"} <= keys
        assert ("↓ j", "Next hunk") in described  # keys for one action are merged
        assert any(desc.startswith("Accept stage") for _, desc in described)
        assert any(desc.startswith("Accept/reject hunk") for _, desc in described)
        assert any(desc.startswith("Triage view") for _, desc in described)  # hidden binding too
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)

        for key in ("question_mark", "q"):
            await pilot.press("question_mark")
            assert isinstance(app.screen, HelpScreen)
            await pilot.press(key)
            assert not isinstance(app.screen, HelpScreen)
        assert app.is_running  # q closed the help, it did not quit the app
