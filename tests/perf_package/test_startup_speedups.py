"""Start-up speed-ups of `duo_tui.ui.perf`: one CSS parse with the starting theme, no
second restyle of the workbench, no frame rendered inside an update batch, the first
frame written paints the whole screen, hidden views mount after the first frame."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual import events
from textual.color import Color
from textual.css.stylesheet import Stylesheet

from duo_tui.ui.app import DuoApp
from duo_tui.ui.screens.workbench import WorkbenchScreen
from duo_tui.ui.themes import builtin_theme
from tests.pilot._helpers import wait_for


async def workbench_up(pilot) -> WorkbenchScreen:  # type: ignore[no-untyped-def]
    """The workbench, once it is the screen and has handled what its mounting queued."""
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, WorkbenchScreen), what="the workbench")
    await pilot.pause()
    return app.screen


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
        await workbench_up(pilot)
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
        await wait_for(pilot, lambda: app.theme != name, what="the next theme")
        await pilot.pause()  # the restyle
        assert app.theme != name
        assert reparses
        assert status.styles.background == Color.parse(app.theme_variables["panel"])


async def test_only_the_workbench_s_first_resume_skips_the_restyle(tmp_path: Path) -> None:
    """Right after mounting every node is styled; later resumes keep Textual's restyle."""
    app = DuoApp(demo=True, repo=tmp_path / "demo", pace=0)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await workbench_up(pilot)
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
    from duo_tui.ui.perf.compositor import BoxCompositor

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
        wb = await workbench_up(pilot)
        await pilot.press("2")
        await wait_for(pilot, lambda: wb.active_pane == 1, what="the code pane")
        await pilot.pause()  # its frame
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
        await wait_for(pilot, lambda: bool(at_first_frame), what="the workbench's first frame")
        screen = await workbench_up(pilot)
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
        await pilot.pause()
        assert code.diff_view().display and not code.query_one("#stream-exec").display


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
        await wait_for(
            pilot,
            lambda: any(w[0] == "NewSessionScreen" for w in written),
            what="a frame of the new-session screen",
        )
        assert type(app.screen).__name__ == "NewSessionScreen"
    first = next(w for w in written if w[0] == "NewSessionScreen")
    assert first[1] == LayoutUpdate.__name__
