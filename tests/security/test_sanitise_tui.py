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
from duo_tui.ui.screens.workbench import WorkbenchScreen

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


async def wait_for(pilot: Pilot[None], predicate: Callable[[], bool], timeout: float = 30) -> None:
    waited = 0.0
    while not predicate():
        await pilot.pause(0.05)
        waited += 0.05
        assert waited < timeout, "timed out"


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
                pilot, lambda: any(isinstance(s, WorkbenchScreen) for s in app.screen_stack)
            )
            wb = next(s for s in app.screen_stack if isinstance(s, WorkbenchScreen))
            yield app, pilot, wb


async def walk_to(pilot: Pilot[None], wb: WorkbenchScreen, stage: Stage, *, nth: int = 1) -> None:
    """Accept every checkpoint until the `nth` one of `stage` waits."""
    seen = 0
    while True:
        await wait_for(pilot, lambda: wb.checkpoint is not None or wb.ended is not None)
        assert wb.ended is None, wb.ended.stop_reason
        assert wb.checkpoint is not None
        if wb.checkpoint.stage == stage:
            seen += 1
            if seen == nth:
                await pilot.pause(0.2)  # let the panes show what arrived
                return
        sent = len(wb.decisions_sent)
        await pilot.press("a")
        await wait_for(pilot, lambda n=sent + 1: len(wb.decisions_sent) == n)


async def test_workbench_plan_pane_shows_the_plan_visibly(tmp_path: Path) -> None:
    async with hostile_tui(tmp_path) as (app, pilot, wb):
        await walk_to(pilot, wb, Stage.PLAN)
        assert_shown_safely(app, "shopper␛]52;c;")  # the rendered Markdown
        await pilot.press("1", "m", "home")  # the raw stream of the same plan, from the top
        await pilot.pause(0.2)
        assert_shown_safely(app, "shopper␛]52;c;")


async def test_workbench_review_panes_show_findings_visibly(tmp_path: Path) -> None:
    async with hostile_tui(tmp_path) as (app, pilot, wb):
        await walk_to(pilot, wb, Stage.TRIAGE)
        text = assert_shown_safely(app, "code␛]52;c;", "adds␛]52;c;")  # summary, titles
        # markup in a title is shown as typed, not applied
        assert "[@click=app.quit]click[/]" in text and "[$error]red[/]" in text


async def test_triage_screen_shows_findings_visibly(tmp_path: Path) -> None:
    async with hostile_tui(tmp_path) as (app, pilot, wb):
        await walk_to(pilot, wb, Stage.TRIAGE)
        await pilot.press("t")
        await pilot.pause(0.3)
        text = assert_shown_safely(app)
        assert "[@click=app.quit]click[/]" in text and "[$error]red[/]" in text
        # R: the rule made of the finding's title, in the confirm dialog
        await pilot.press("R")
        await pilot.pause(0.3)
        assert_shown_safely(app, "Avoid: Discount codes stack")


async def test_diff_view_shows_the_executor_s_file_visibly(tmp_path: Path) -> None:
    async with hostile_tui(tmp_path) as (app, pilot, wb):
        await walk_to(pilot, wb, Stage.EXECUTE)
        await pilot.press("2", "d", "z")  # the code pane, zoomed: diff lines are not wrapped
        await pilot.pause(0.3)
        assert_shown_safely(app, "percent off.␛]0;pwned␇<U+202E>")


async def test_choose_dialog_shows_both_plans_visibly(tmp_path: Path) -> None:
    async with hostile_tui(tmp_path) as (app, pilot, wb):
        await walk_to(pilot, wb, Stage.PLAN)
        sent = len(wb.decisions_sent)
        await pilot.press("r")  # rerun: the model picker, then "same model"
        await pilot.pause(0.2)
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(wb.decisions_sent) > sent)
        await walk_to(pilot, wb, Stage.PLAN)
        await pilot.press("c")
        await pilot.pause(0.3)
        text = assert_shown_safely(app, "shopper␛]52;c;")
        assert text.count("shopper␛]52;c;") >= 2  # both alternatives


async def test_commit_checkpoint_bar_and_toast_show_the_subject_visibly(tmp_path: Path) -> None:
    async with hostile_tui(tmp_path) as (app, pilot, wb):
        await walk_to(pilot, wb, Stage.COMMIT)
        assert_shown_safely(app, "codes␛]52;c;")  # the checkpoint bar
        await pilot.press("e")  # the commit message in the edit dialog
        await pilot.pause(0.3)
        assert_shown_safely(app, "codes␛]52;c;")
        await pilot.press("escape")
        await pilot.pause(0.1)
        sent = len(wb.decisions_sent)
        await pilot.press("a")
        await wait_for(pilot, lambda: len(wb.decisions_sent) > sent and wb.ended is not None)
        await pilot.pause(0.3)
        assert wb.ended.status == "converged"
        assert_shown_safely(app, "codes␛]52;c;")  # the toast naming the commit


async def test_task_list_and_task_detail_show_the_task_visibly(tmp_path: Path) -> None:
    async with hostile_tui(tmp_path, large=True) as (app, pilot, wb):
        await walk_to(pilot, wb, Stage.EXECUTE)
        await pilot.press("T")
        await pilot.pause(0.3)
        assert_shown_safely(app, "table␛]52;c;")
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert_shown_safely(app, "table␛]52;c;")


async def test_provider_error_pane_and_toast_show_the_message_visibly(tmp_path: Path) -> None:
    script = hostile_script()
    script["plan"] = [
        ScriptedAnswer("", fail=FaultKind.AUTH, fail_message=f"{MARKUP} denied {PAYLOAD}")
    ]
    async with hostile_tui(tmp_path, script) as (app, pilot, wb):
        await wait_for(pilot, lambda: wb.checkpoint is not None or wb.ended is not None)
        await pilot.pause(0.3)
        text = assert_shown_safely(app, "denied ␛]52;c;")
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
        await pilot.pause(0.5)
        text = assert_shown_safely(app, "detail ␛]52;c;")
        assert MARKUP in text


async def test_sessions_screen_shows_session_files_visibly(tmp_path: Path, demo_repo: Path) -> None:
    """The history lists what `.duo/sessions` holds: repository text."""
    folder = demo_repo / ".duo" / "sessions" / "2026-01-01-hostile"
    folder.mkdir(parents=True)
    (folder / "session.json").write_text("{")
    (folder / "request.md").write_text("add codes " + PAYLOAD)
    from duo_tui.ui.screens.sessions import SessionsScreen

    app = DuoApp(repo=demo_repo)
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.pause(0.3)
        await app.push_screen(SessionsScreen(demo_repo))
        await pilot.pause(0.5)
        assert_shown_safely(app, "add codes ␛]52;c;")


async def test_status_line_shows_a_resumed_session_s_names_visibly(tmp_path: Path) -> None:
    """A resumed session's id and branch are read from its files (repository text)."""
    async with hostile_tui(tmp_path) as (app, pilot, wb):
        await wait_for(pilot, lambda: bool(wb.branch))  # the real branch has arrived
        wb.branch = "duo/x" + MARKUP + PAYLOAD
        wb._render_status()
        await pilot.pause(0.2)
        text = assert_shown_safely(app, "duo/x[@click=app.quit]click[/]")
        assert "[$error]red[/]" in text
