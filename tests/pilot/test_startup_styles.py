"""Start-up CSS work: one parse with the starting theme, no second restyle of the workbench."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual import events
from textual.color import Color
from textual.css.stylesheet import Stylesheet

from duo_tui.ui.app import DuoApp
from duo_tui.ui.screens.workbench import WorkbenchScreen
from duo_tui.ui.themes import builtin_theme


@pytest.mark.parametrize("theme", [None, "duo-light"])
async def test_the_starting_theme_is_in_the_first_parse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, theme: str | None
) -> None:
    reparses: list[int] = []
    real = Stylesheet.reparse

    def counted(self: Stylesheet) -> None:
        reparses.append(1)
        real(self)

    monkeypatch.setattr(Stylesheet, "reparse", counted)
    app = DuoApp(demo=True, repo=tmp_path / "demo", pace=0, theme_name=theme)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause(0.2)
        name = theme or "duo-dark"
        start = builtin_theme(name)
        assert start is not None
        assert app.theme == name
        assert reparses == []  # the theme was current before any CSS was parsed
        dark = "-dark-mode" if start.dark else "-light-mode"
        light = "-light-mode" if start.dark else "-dark-mode"
        assert app.has_class(f"-theme-{name}", dark) and not app.has_class(light)
        # The workbench's status line is painted with this theme's $panel.
        status = app.screen.query_one("#status")
        assert status.styles.background == Color.parse(app.theme_variables["panel"])
        assert app.theme_variables["panel"] == start.to_color_system().generate()["panel"]
        # Switching themes later still re-parses and restyles.
        await pilot.press("ctrl+t")
        await pilot.pause(0.2)
        assert app.theme != name
        assert reparses
        assert status.styles.background == Color.parse(app.theme_variables["panel"])


async def test_only_the_workbench_s_first_resume_skips_the_restyle(tmp_path: Path) -> None:
    """Right after mounting every node is styled; later resumes keep Textual's restyle."""
    app = DuoApp(demo=True, repo=tmp_path / "demo", pace=0)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause(0.3)
        screen = app.screen
        assert isinstance(screen, WorkbenchScreen)
        # The first resume happened as the app opened the workbench.
        later = events.ScreenResume()
        screen._on_screen_resume(later)
        assert later.refresh_styles is True
    fresh = WorkbenchScreen()
    first = events.ScreenResume()
    fresh._on_screen_resume(first)
    assert first.refresh_styles is False
    second = events.ScreenResume()
    fresh._on_screen_resume(second)
    assert second.refresh_styles is True


async def test_no_frame_is_rendered_while_the_app_batches_updates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The workbench mounts inside Textual's start-up batch: its first frame is rendered
    once, in full, when the batch ends (a frame rendered during a batch is dropped)."""
    from duo_tui.ui.compositor import BoxCompositor

    app = DuoApp(demo=True, repo=tmp_path / "demo", pace=0)
    renders: list[tuple[str, int]] = []
    real_full = BoxCompositor.render_full_update
    real_partial = BoxCompositor.render_partial_update

    def full(self: BoxCompositor, simplify: bool = False) -> object:
        renders.append(("full", app._batch_count))
        return real_full(self, simplify)

    def partial(self: BoxCompositor) -> object:
        renders.append(("partial", app._batch_count))
        return real_partial(self)

    monkeypatch.setattr(BoxCompositor, "render_full_update", full)
    monkeypatch.setattr(BoxCompositor, "render_partial_update", partial)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause(0.3)
        await pilot.press("2")
        await pilot.pause(0.1)
    assert renders[0] == ("full", 0)
    assert [r for r in renders if r[1]] == []
    assert ("partial", 0) in renders


async def test_hidden_views_are_mounted_right_after_the_first_frame(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Views that start hidden are not part of the first frame, and exist right after it."""
    from duo_tui.ui.panes import CodePane, ReviewPane
    from duo_tui.ui.widgets.diff_view import DiffView
    from duo_tui.ui.widgets.finding_list import FindingList
    from duo_tui.ui.widgets.stream_pane import MarkdownView

    app = DuoApp(demo=True, repo=tmp_path / "demo", pace=0)
    at_first_frame: list[tuple[int, int, int, int]] = []
    real = DuoApp._display

    def display(self: DuoApp, screen: object, renderable: object) -> None:
        if renderable is not None and not at_first_frame and isinstance(screen, WorkbenchScreen):
            counts = [len(screen.query(kind)) for kind in (DiffView, FindingList, MarkdownView)]
            at_first_frame.append((*counts, len(screen.query("#stream-gate"))))  # type: ignore[arg-type]
        real(self, screen, renderable)

    monkeypatch.setattr(DuoApp, "_display", display)
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.pause(0.3)
        screen = app.screen
        assert at_first_frame == [(0, 0, 0, 0)]
        assert len(screen.query(DiffView)) == 1 and len(screen.query(FindingList)) == 2
        assert len(screen.query(MarkdownView)) == 5
        code = screen.query_one(CodePane)
        assert code.showing == "stream-exec"
        assert not code.diff_view().display and not code.gate_stream().display
        review = screen.query_one(ReviewPane)
        assert [type(w).__name__ for w in review.children] == [
            "Static",
            "FindingList",
            "StreamPane",
        ]
        code.show("diff")
        await pilot.pause(0.1)
        assert code.diff_view().display and not code.query_one("#stream-exec").display


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


async def test_the_first_frame_written_paints_the_whole_screen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A frame Textual drops during its start-up batch is made up by a full one after it.

    Without that, the first frame of the new-session screen covered only what changed
    after the dropped one: 461 of 10,000 cells.
    """
    from textual._compositor import LayoutUpdate

    app = DuoApp(repo=tmp_path)  # no demo, no request: the new-session screen first
    written: list[tuple[str, str]] = []
    real = DuoApp._display

    def display(self: DuoApp, screen: object, renderable: object) -> None:
        if renderable is not None and not self._batch_count:
            written.append((type(screen).__name__, type(renderable).__name__))
        real(self, screen, renderable)

    monkeypatch.setattr(DuoApp, "_display", display)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause(0.3)
        assert type(app.screen).__name__ == "NewSessionScreen"
    first = next(w for w in written if w[0] == "NewSessionScreen")
    assert first[1] == LayoutUpdate.__name__


async def test_the_narrow_layout_s_rail_and_tabs_mount_when_it_first_turns_narrow(
    tmp_path: Path,
) -> None:
    from textual.widgets import Tabs

    from duo_tui.ui.widgets.stage_rail import StageRail

    app = DuoApp(demo=True, repo=tmp_path / "demo", pace=0)
    async with app.run_test(size=(200, 50)) as pilot:
        screen = app.screen
        assert isinstance(screen, WorkbenchScreen)
        await pilot.pause(0.5)  # the plan has run: the rail shows progress
        assert not screen.query("#pane-tabs") and not screen.query("#rail-top")
        await pilot.press("2")
        await pilot.resize_terminal(80, 24)
        await pilot.pause(0.3)
        tabs = screen.query_one("#pane-tabs", Tabs)
        assert tabs.display and tabs.active == "tab-1"  # the active pane's tab
        rail = screen.query_one("#rail", StageRail)
        top = screen.query_one("#rail-top", StageRail)
        assert top.states == rail.states and "pending" in top.states.values()
        assert top.states != dict.fromkeys(top.states, "pending")  # it mirrored, not reset
        await pilot.press("3")
        await pilot.pause(0.1)
        assert tabs.active == "tab-2"
        await pilot.resize_terminal(200, 50)
        await pilot.pause(0.1)
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
        await pilot.pause(0.2)
        assert app.theme == "mine"
        status = app.screen.query_one("#status")
        assert status.styles.background == Color.parse("#123456")


async def test_an_unknown_theme_falls_back_to_duo_dark_and_says_so(tmp_path: Path) -> None:
    app = DuoApp(demo=True, repo=tmp_path / "demo", pace=0, theme_name="no-such-theme")
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause(0.2)
        assert app.theme == "duo-dark"
        assert any("no-such-theme" in str(n.message) for n in app._notifications)
