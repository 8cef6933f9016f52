"""Issue 16 in the TUI: model and repository text is rendered with its control characters
made visible and never as markup, on every screen that shows it.

The hostile demo session (tests/security/hostile.py) is walked with the keyboard;
at each surface every cell of the screen (what would reach the terminal, toasts
included) is checked: no raw ESC, BEL, 8-bit
CSI, CR or bidi override, and the visible escape (`␛`) where the text is.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from textual.pilot import Pilot

import duo_tui.demo.large as large_module
import duo_tui.demo.script as demo_module
from duo_tui.core.models import Finding, Review, Severity, Stage
from duo_tui.providers.base import FaultKind
from duo_tui.providers.scripted import Script, ScriptedAnswer
from duo_tui.ui.app import DuoApp
from duo_tui.ui.screens.dialogs import ChooseDialog, ConfirmDialog, EditDialog, ModelPicker
from duo_tui.ui.screens.new_session import NewSessionScreen
from duo_tui.ui.screens.sessions import SessionsScreen
from duo_tui.ui.screens.task_detail import TaskDetailScreen
from duo_tui.ui.screens.tasks import TasksScreen
from duo_tui.ui.screens.triage import TriageScreen
from duo_tui.ui.screens.workbench import WorkbenchScreen
from duo_tui.ui.widgets.stream_pane import StreamPane
from tests.pilot._helpers import wait_for

from .hostile import MARKUP, PAYLOAD, forbidden_in, hostile_large_script, hostile_script

LARGE = large_module.REQUEST

#: Part of the payload as `clean` shows it, short enough not to be wrapped.
SHOWN = "␛]0;pwned␇"

pytestmark = pytest.mark.usefixtures("_quiet_pace")


@pytest.fixture
def _quiet_pace(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DUO_TUI_DEMO_PACE", raising=False)


def screen_text(app: DuoApp) -> str:
    """Every cell of the screen now (toasts and the top modal included), one line per row:
    the text the terminal would get, from a full update of the screen's compositor."""
    update = app.screen._compositor.render_full_update()
    return "\n".join(
        "".join(segment.text for strip in line for segment in strip) for line in update.strips
    )


def assert_shown_safely(app: DuoApp, *needles: str) -> str:
    text = screen_text(app)
    assert forbidden_in(text) == [], "raw control characters reach the terminal"
    for needle in needles or (SHOWN,):
        assert needle in text, f"{needle!r} is not on the screen"
    return text


async def shown_safely(
    pilot: Pilot[None],
    app: DuoApp,
    *needles: str,
    ready: Callable[[], bool] = lambda: True,
    what: str = "the screen",
) -> str:
    """Once `ready()` holds and every needle is on the screen: the screen's text, checked."""
    wanted = needles or (SHOWN,)
    await wait_for(
        pilot,
        lambda: ready() and all(needle in screen_text(app) for needle in wanted),
        what=f"{what} to show {wanted}",
    )
    return assert_shown_safely(app, *needles)


def on_top(app: DuoApp, screen: type) -> Callable[[], bool]:
    return lambda: isinstance(app.screen, screen)


@asynccontextmanager
async def hostile_tui(
    tmp_path: Path, script: Script | None = None, *, large: bool = False
) -> AsyncIterator[tuple[DuoApp, Pilot[None], WorkbenchScreen]]:
    """The workbench on the hostile demo session (manual mode), as soon as it is up;
    `large`: the large demo (three tasks) with `script` or the hostile large script."""
    chosen = script if script is not None else hostile_large_script() if large else hostile_script()
    with pytest.MonkeyPatch.context() as mp:
        module, name = (large_module, "large_script") if large else (demo_module, "demo_script")
        mp.setattr(module, name, lambda: chosen)
        app = DuoApp(demo=True, repo=tmp_path / "demo", pace=0, request=LARGE if large else None)
        async with app.run_test(size=(200, 60), notifications=True) as pilot:
            await wait_for(
                pilot,
                lambda: any(isinstance(s, WorkbenchScreen) for s in app.screen_stack),
                what="the workbench",
            )
            wb = next(s for s in app.screen_stack if isinstance(s, WorkbenchScreen))
            yield app, pilot, wb


async def walk_to(pilot: Pilot[None], wb: WorkbenchScreen, stage: Stage, *, nth: int = 1) -> None:
    """Accept every checkpoint until the `nth` one of `stage` waits."""
    seen = 0
    while True:
        await wait_for(
            pilot,
            lambda: wb.checkpoint is not None or wb.ended is not None,
            what=f"a checkpoint on the way to {stage.value}",
        )
        assert wb.ended is None, wb.ended.stop_reason
        assert wb.checkpoint is not None
        if wb.checkpoint.stage == stage:
            seen += 1
            if seen == nth:
                return
        sent = len(wb.decisions_sent)
        await pilot.press("a")
        await wait_for(
            pilot, lambda n=sent + 1: len(wb.decisions_sent) == n, what="the accept to be sent"
        )


async def test_workbench_plan_pane_shows_the_plan_visibly(tmp_path: Path) -> None:
    async with hostile_tui(tmp_path) as (app, pilot, wb):
        await walk_to(pilot, wb, Stage.PLAN)
        await shown_safely(pilot, app, "shopper␛]52;c;")  # the rendered Markdown
        await pilot.press("1", "m", "home")  # the raw stream of the same plan, from the top
        plan = wb.query_one("#stream-plan", StreamPane)
        raw = plan.query_one("#stream-body")
        await shown_safely(
            pilot,
            app,
            "shopper␛]52;c;",
            ready=lambda: not plan.showing_markdown and raw.is_on_screen,
            what="the raw plan",
        )


async def test_workbench_review_panes_show_findings_visibly(tmp_path: Path) -> None:
    async with hostile_tui(tmp_path) as (app, pilot, wb):
        await walk_to(pilot, wb, Stage.TRIAGE)
        text = await shown_safely(pilot, app, "code␛]52;c;", "adds␛]52;c;")  # summary, titles
        # markup in a title is shown as typed, not applied
        assert "[@click=app.quit]click[/]" in text and "[$error]red[/]" in text


async def test_triage_screen_shows_findings_visibly(tmp_path: Path) -> None:
    async with hostile_tui(tmp_path) as (app, pilot, wb):
        await walk_to(pilot, wb, Stage.TRIAGE)
        await pilot.press("t")
        text = await shown_safely(
            pilot, app, ready=on_top(app, TriageScreen), what="the triage screen"
        )
        assert "[@click=app.quit]click[/]" in text and "[$error]red[/]" in text
        # R: the rule made of the finding's title, in the confirm dialog
        await pilot.press("R")
        await shown_safely(
            pilot,
            app,
            "Avoid: Discount codes stack",
            ready=on_top(app, ConfirmDialog),
            what="the confirm dialog",
        )


async def test_diff_view_shows_the_executor_s_file_visibly(tmp_path: Path) -> None:
    async with hostile_tui(tmp_path) as (app, pilot, wb):
        await walk_to(pilot, wb, Stage.EXECUTE)
        await pilot.press("2", "d", "z")  # the code pane, zoomed: diff lines are not wrapped
        await shown_safely(
            pilot,
            app,
            "percent off.␛]0;pwned␇<U+202E>",
            ready=lambda: wb.maximized is not None,
            what="the zoomed diff",
        )


async def test_choose_dialog_shows_both_plans_visibly(tmp_path: Path) -> None:
    async with hostile_tui(tmp_path) as (app, pilot, wb):
        await walk_to(pilot, wb, Stage.PLAN)
        sent = len(wb.decisions_sent)
        await pilot.press("r")  # rerun: the model picker, then "same model"
        await wait_for(pilot, on_top(app, ModelPicker), what="the model picker")
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(wb.decisions_sent) > sent)
        await walk_to(pilot, wb, Stage.PLAN)
        await pilot.press("c")
        text = await shown_safely(
            pilot, app, "shopper␛]52;c;", ready=on_top(app, ChooseDialog), what="the choose dialog"
        )
        assert text.count("shopper␛]52;c;") >= 2  # both alternatives


async def test_commit_checkpoint_bar_and_toast_show_the_subject_visibly(tmp_path: Path) -> None:
    async with hostile_tui(tmp_path) as (app, pilot, wb):
        await walk_to(pilot, wb, Stage.COMMIT)
        await shown_safely(pilot, app, "codes␛]52;c;")  # the checkpoint bar
        await pilot.press("e")  # the commit message in the edit dialog
        await shown_safely(
            pilot, app, "codes␛]52;c;", ready=on_top(app, EditDialog), what="the edit dialog"
        )
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is wb, what="the edit dialog to close")
        sent = len(wb.decisions_sent)
        await pilot.press("a")
        await wait_for(
            pilot,
            lambda: len(wb.decisions_sent) > sent and wb.ended is not None,
            what="the commit to end the session",
        )
        assert wb.ended.status == "converged"
        await shown_safely(  # the toast naming the commit
            pilot,
            app,
            "codes␛]52;c;",
            ready=lambda: any("codes␛]52;c;" in str(t.render()) for t in app.screen.query("Toast")),
            what="the commit's toast",
        )


async def test_task_list_and_task_detail_show_the_task_visibly(tmp_path: Path) -> None:
    async with hostile_tui(tmp_path, large=True) as (app, pilot, wb):
        await walk_to(pilot, wb, Stage.EXECUTE)
        await pilot.press("T")
        await shown_safely(
            pilot, app, "table␛]52;c;", ready=on_top(app, TasksScreen), what="the task list"
        )
        await pilot.press("enter")
        await shown_safely(
            pilot, app, "table␛]52;c;", ready=on_top(app, TaskDetailScreen), what="the task detail"
        )


async def test_provider_error_pane_and_toast_show_the_message_visibly(tmp_path: Path) -> None:
    script = hostile_script()
    script["plan"] = [
        ScriptedAnswer("", fail=FaultKind.AUTH, fail_message=f"{MARKUP} denied {PAYLOAD}")
    ]
    async with hostile_tui(tmp_path, script) as (app, pilot, wb):
        await wait_for(
            pilot,
            lambda: wb.checkpoint is not None or wb.ended is not None,
            what="the failed plan",
        )
        text = await shown_safely(
            pilot,
            app,
            "denied ␛]52;c;",
            ready=lambda: bool(app.screen.query("Toast")),
            what="the error and its toast",
        )
        assert MARKUP in text.replace("\n", "")
        # the toasts themselves: plain text, controls visible, markup as typed
        toasts = [str(toast.render()) for toast in app.screen.query("Toast")]
        assert toasts and all(f"{MARKUP} denied ␛]52;c;" in toast for toast in toasts)


def _review_file(path: Path, reviewer: str, title: str) -> Review:
    review = Review(
        reviewer=reviewer,
        summary="s",
        findings=[
            Finding(
                id="F1",
                severity=Severity.HIGH,
                title=title,
                file="app/x.py",
                line_start=3,
                detail="detail " + PAYLOAD,
                suggestion="suggest " + PAYLOAD,
            )
        ],
    )
    path.write_text(review.model_dump_json())
    return review


async def test_standalone_triage_shows_review_files_visibly(tmp_path: Path) -> None:
    """`duo-tui triage A B`: review files are repository text."""
    a = _review_file(
        tmp_path / "a.json", "claude" + PAYLOAD, "token not checked " + MARKUP + PAYLOAD
    )
    b = _review_file(tmp_path / "b.json", "gpt", "missing token check " + PAYLOAD)
    app = DuoApp(triage=(a, b))
    async with app.run_test(size=(200, 50)) as pilot:
        text = await shown_safely(
            pilot, app, "detail ␛]52;c;", ready=on_top(app, TriageScreen), what="the triage screen"
        )
        assert MARKUP in text


async def test_sessions_screen_shows_session_files_visibly(tmp_path: Path, demo_repo: Path) -> None:
    """The history lists what `.duo/sessions` holds: repository text."""
    folder = demo_repo / ".duo" / "sessions" / "2026-01-01-hostile"
    folder.mkdir(parents=True)
    (folder / "session.json").write_text("{")
    (folder / "request.md").write_text("add codes " + PAYLOAD)
    app = DuoApp(repo=demo_repo)
    async with app.run_test(size=(200, 50)) as pilot:
        await wait_for(pilot, on_top(app, NewSessionScreen), what="the new-session screen")
        await app.push_screen(SessionsScreen(demo_repo))
        await shown_safely(
            pilot,
            app,
            "add codes ␛]52;c;",
            ready=on_top(app, SessionsScreen),
            what="the sessions screen",
        )


async def test_status_line_shows_a_resumed_session_s_names_visibly(tmp_path: Path) -> None:
    """A resumed session's id and branch are read from its files (repository text)."""
    async with hostile_tui(tmp_path) as (app, pilot, wb):
        await wait_for(pilot, lambda: bool(wb.branch), what="the session's branch")
        wb.branch = "duo/x" + MARKUP + PAYLOAD
        wb._render_status()
        await shown_safely(pilot, app, "duo/x[@click=app.quit]click[/]", "[$error]red[/]")
