"""Start-up CSS work: one parse with the starting theme, no second restyle of the workbench."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.color import Color

from duo_tui.ui.app import DuoApp
from duo_tui.ui.screens.workbench import WorkbenchScreen

from ._helpers import wait_for


async def test_hidden_views_are_mounted_on_demand_when_needed_sooner(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Before the deferred mount runs, the accessors mount what they return."""
    from textual.app import App, ComposeResult

    import duo_tui.ui.panes as panes
    from duo_tui.ui.panes import CodePane, ReviewPane

    monkeypatch.setattr(panes, "after_first_frame", lambda widget, callback: None)

    class Panes(App[None]):
        def get_theme_variable_defaults(self) -> dict[str, str]:
            from duo_tui.ui.themes import duo_variable_defaults

            return duo_variable_defaults()

        def compose(self) -> ComposeResult:
            yield CodePane(id="code")
            yield ReviewPane(0, id="review")

    app = Panes()
    async with app.run_test(size=(120, 40)):
        code = app.query_one(CodePane)
        review = app.query_one(ReviewPane)
        assert not code.query("#diff") and not review.query("#review-summary")
        code.show("stream-gate")  # may run before the deferred mount: must not fail
        assert code.showing == "stream-gate"
        review.findings().set_rows([])
        review.summary().update("ok")
        assert len(review.query("#review-summary")) == 1
        code._mount_hidden_views()  # the deferred call later finds them there
        assert len(code.query("#diff")) == 1


async def test_the_narrow_layout_s_rail_and_tabs_mount_when_it_first_turns_narrow(
    tmp_path: Path,
) -> None:
    from textual.widgets import Tabs

    from duo_tui.ui.widgets.stage_rail import StageRail

    app = DuoApp(demo=True, repo=tmp_path / "demo", pace=0)
    async with app.run_test(size=(200, 50)) as pilot:
        screen = app.screen
        assert isinstance(screen, WorkbenchScreen)
        # the plan has run: the rail shows progress
        await wait_for(pilot, lambda: screen.checkpoint is not None, what="the plan's checkpoint")
        await pilot.pause()
        assert not screen.query("#pane-tabs") and not screen.query("#rail-top")
        await pilot.press("2")
        await pilot.resize_terminal(80, 24)
        await wait_for(
            pilot,
            lambda: screen.layout_mode == "narrow" and bool(screen.query("#rail-top")),
            what="the narrow layout",
        )
        await pilot.pause()
        tabs = screen.query_one("#pane-tabs", Tabs)
        assert tabs.display and tabs.active == "tab-1"  # the active pane's tab
        rail = screen.query_one("#rail", StageRail)
        top = screen.query_one("#rail-top", StageRail)
        assert top.states == rail.states and "pending" in top.states.values()
        assert top.states != dict.fromkeys(top.states, "pending")  # it mirrored, not reset
        await pilot.press("3")
        await wait_for(pilot, lambda: screen.active_pane == 2, what="the third pane")
        await pilot.pause()
        assert tabs.active == "tab-2"
        await pilot.resize_terminal(200, 50)
        await wait_for(pilot, lambda: screen.layout_mode == "wide", what="the wide layout")
        await pilot.pause()
        assert not tabs.display and len(screen.query("#pane-tabs")) == 1


async def test_a_user_theme_named_on_the_command_line_is_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not shipped, so not adopted in __init__: it is found among the user's themes."""
    config = tmp_path / "config"
    (config / "themes").mkdir(parents=True)
    shipped = Path(__file__).resolve().parents[2] / "themes" / "duo-light.toml"
    text = shipped.read_text(encoding="utf-8").replace('name = "duo-light"', 'name = "mine"')
    (config / "themes" / "mine.toml").write_text(text.replace("#e6e9ef", "#123456"))
    monkeypatch.setenv("DUO_TUI_CONFIG_DIR", str(config))
    app = DuoApp(demo=True, repo=tmp_path / "demo", pace=0, theme_name="mine")
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, WorkbenchScreen), what="the workbench")
        await pilot.pause()
        assert app.theme == "mine"
        status = app.screen.query_one("#status")
        assert status.styles.background == Color.parse("#123456")


async def test_an_unknown_theme_falls_back_to_duo_dark_and_says_so(tmp_path: Path) -> None:
    app = DuoApp(demo=True, repo=tmp_path / "demo", pace=0, theme_name="no-such-theme")
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, WorkbenchScreen), what="the workbench")
        await pilot.pause()
        assert app.theme == "duo-dark"
        assert any("no-such-theme" in str(n.message) for n in app._notifications)
