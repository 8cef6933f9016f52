"""Every screen, dialog and toast that shows model or repository text shows each field cut.

The triage screen and the review panes cut their fields (test_bounded_display.py);
the others drew them whole: a task's detail, the task list, the eval report's
per-case detail (pane and full screen), the choose and confirm dialogs, the toasts,
the review pane's summary line and the triage detail's judge and carried-over
reasons. A plan, a review, a judge's reply or a suite file may hold a
multi-megabyte word, which Textual wraps into thousands of lines on every render
(a 5 MB task title: minutes and hundreds of MB before the screen answered). Each
field is now cut by `duo_tui.ui.visible.shown` and says how much more there is.
The words here are 200,000 characters: enough that what is drawn is 20 times
the cut, small enough that the code before the cut fails in seconds, not minutes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.screen import Screen
from textual.widgets import DataTable, Static, TextArea

from duo_tui.core.artifacts import GroupMember, TaskRow, TriageGroup
from duo_tui.core.models import Finding, Review, Severity
from duo_tui.core.session import Task
from duo_tui.store.task_view import RoundView, TaskDetail
from duo_tui.ui.app import DuoApp
from duo_tui.ui.screens.dialogs import ChooseDialog, ConfirmDialog
from duo_tui.ui.screens.eval_detail import EvalDetailScreen
from duo_tui.ui.screens.task_detail import TaskDetailScreen
from duo_tui.ui.screens.tasks import TasksScreen
from duo_tui.ui.task_state import TaskListState
from duo_tui.ui.triage_detail import detail_sides, provenance
from duo_tui.ui.visible import SHOWN_CHARS
from duo_tui.ui.widgets.eval_detail import EvalDetail, match_line
from tests.eval.helpers import CASE_TOML, write_case
from tests.pilot._helpers import wait_for

WORD = 200_000
MORE = "more characters not shown"
BOUND = 4 * SHOWN_CHARS  # a few cut fields, never a whole word


def _w(c: str) -> str:
    return c * WORD


class Host(App[None]):
    """Opens the screen under test over a bare one (no workbench, no core)."""

    def __init__(self) -> None:
        super().__init__()
        self.opener = Screen[None]()

    def on_mount(self) -> None:
        self.push_screen(self.opener)


def _huge_row() -> TaskRow:
    return TaskRow(
        "T1",
        "title " + _w("t"),
        goal="goal " + _w("g"),
        files=("app/" + _w("f") + ".py",),
        criteria=("criterion " + _w("c"),),
        steps=("step " + _w("s"),),
        oversize="too big " + _w("o"),
    )


def _huge_detail(task: Task) -> TaskDetail:
    finding = Finding(
        id="F1", severity=Severity.HIGH, title="bug " + _w("b"), file=_w("p"), line_start=3
    )
    review = Review(reviewer="claude " + _w("r"), summary="s", verdict=_w("v"), findings=[finding])
    group = TriageGroup(
        key="G1",
        kind="only",
        severity="high",
        title="group " + _w("x"),
        members=(GroupMember(0, finding),),
        decision="fix",
    )
    diff = "--- a/app.py\n+++ b/app.py\n@@ -1 +1 @@\n-old\n+" + _w("d") + "\n"
    return TaskDetail(
        task=task,
        rounds=[RoundView(round=1, diff=diff, gate="passed", reviews=[review], triage=[group])],
        commit="abc1234",
        commit_message="subject " + _w("m"),
    )


async def test_a_task_detail_shows_a_huge_task_its_reviews_and_diff_cut(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    row = _huge_row()
    task = Task.model_validate(
        {
            "id": row.id,
            "title": row.title,
            "goal": row.goal,
            "files": list(row.files),
            "criteria": list(row.criteria),
            "steps": list(row.steps),
            "oversize": row.oversize,
        }
    )
    detail = _huge_detail(task)
    monkeypatch.setattr(TaskDetailScreen, "_load", lambda self: (task, detail, ""))
    app = Host()
    async with app.run_test(size=(140, 40)) as pilot:
        screen = TaskDetailScreen(TaskListState(tasks=(row,)), "T1", app.opener)
        app.push_screen(screen)
        await wait_for(pilot, lambda: screen.is_mounted and screen.detail is not None)
        texts = {
            name: str(screen.query_one(f"#{name}", Static).content)
            for name in ("task-head", "task-info", "task-rounds", "task-diff")
        }
        for name, text in texts.items():
            assert len(text) < BOUND, (name, len(text))
            assert MORE in text, name
        assert texts["task-info"].count(MORE) == 5  # goal, file, criterion, steps, oversize
        # the reviewer, its verdict, the finding's title and file, the group, the commit message
        assert texts["task-rounds"].count(MORE) == 6
        assert "+ddd" in texts["task-diff"]  # the diff line keeps its start (and its colour)


async def test_the_task_list_shows_huge_plan_text_cut() -> None:
    app = Host()
    async with app.run_test(size=(140, 40)) as pilot:
        state = TaskListState(tasks=(_huge_row(),), size="M", size_why="why " + _w("y"))
        screen = TasksScreen(state, app.opener)
        app.push_screen(screen)
        await wait_for(pilot, lambda: screen.is_mounted and screen.query_one(DataTable).row_count)
        cells = [str(c) for c in screen.query_one(DataTable).get_row_at(0)]
        assert all(len(c) < 1000 for c in cells), [len(c) for c in cells]
        assert sum(MORE in c for c in cells) == 3  # the title, the file, the oversize flag


async def test_the_eval_detail_shows_a_huge_known_issue_cut(tmp_path: Path) -> None:
    """A suite's case.toml is repository text: its issue's description is shown cut, in
    the eval screen's pane and full screen."""
    from duo_tui.eval.results import build_report
    from duo_tui.eval.runner import EvalCache, run_reviews
    from duo_tui.eval.suite import load_suite
    from tests.eval.test_judge import Judged

    toml = CASE_TOML.replace(
        '"SQL injection: the name is formatted into the query string"',
        f'"SQL injection {_w("q")}"',
    )
    write_case(tmp_path / "suite", toml=toml)
    suite = load_suite(tmp_path / "suite")
    run = await run_reviews(suite, ["x/a"], Judged(suite), cache=EvalCache(tmp_path / "c"))
    app = DuoApp(eval_report=(suite, build_report(suite, ["x/a"], run)))
    async with app.run_test(size=(200, 50)) as pilot:
        await wait_for(pilot, lambda: app.eval_screen is not None and app.eval_screen.finished)
        assert app.eval_screen is not None
        pane = app.eval_screen.query_one("#eval-pane", EvalDetail)
        await wait_for(pilot, lambda: len(pane.rows) == 2)
        text = pane.query_one(".eval-issue-text", Static)
        await wait_for(pilot, lambda: MORE in str(text.content), what="the issue's text")
        assert len(str(text.content)) < BOUND
        assert all(len(str(c)) < 1000 for c in pane.query_one(DataTable).get_row_at(0))
        await pilot.press("enter")  # the same, full screen
        await wait_for(pilot, lambda: isinstance(app.screen, EvalDetailScreen))
        full = app.screen.query_one(EvalDetail).query_one(".eval-issue-text", Static)
        await wait_for(pilot, lambda: MORE in str(full.content), what="the full screen's text")
        assert len(str(full.content)) < BOUND


def test_a_match_of_the_eval_detail_shows_a_huge_title_and_reason_cut() -> None:
    """A report file (`duo-tui eval --report`) may hold any match record."""
    from duo_tui.eval.results import MatchRecord

    record = MatchRecord(
        model="a",
        finding="F" + _w("i"),
        issue="K1",
        matched=True,
        by="judge",
        reason="same " + _w("j"),
        applied="joined" + _w("v"),
        title="bug " + _w("b"),
    )
    line = match_line(record, "a").plain
    assert len(line) < BOUND and line.count(MORE) == 3, len(line)  # id, verdict, reason


async def test_the_choose_and_confirm_dialogs_show_huge_text_cut() -> None:
    app = Host()
    async with app.run_test(size=(140, 40)) as pilot:
        choose = ChooseDialog([("label " + _w("l"), "plan " + _w("a")), ("two", "plan b")])
        app.push_screen(choose)
        await wait_for(pilot, lambda: choose.is_mounted)
        area = choose.query(TextArea).first()
        assert len(area.text) < BOUND and MORE in area.text
        labels = [str(s.content) for s in choose.query(".side-label").results(Static)]
        assert len(labels[0]) < 1000 and MORE in labels[0]
        app.pop_screen()
        confirm = ConfirmDialog("title " + _w("t"), "body " + _w("b"))
        app.push_screen(confirm)
        await wait_for(pilot, lambda: confirm.is_mounted)
        shown = [str(w.render()) for w in confirm.query(Static)]
        assert all(len(s) < BOUND for s in shown), [len(s) for s in shown]
        assert sum(MORE in s for s in shown) == 2  # the title and the body


async def test_a_toast_shows_a_huge_message_cut() -> None:
    small = Review(
        reviewer="a", summary="s", findings=[Finding(id="F1", severity=Severity.LOW, title="t")]
    )
    app = DuoApp(triage=(small, small))
    async with app.run_test(size=(120, 40)) as pilot:
        app.notify("provider said " + _w("e"), title="error " + _w("t"))
        await pilot.pause()
        toast: Any = list(app._notifications)[-1]
        assert len(toast.message) < BOUND and MORE in toast.message
        assert len(toast.title) < 1000 and MORE in toast.title


def test_the_triage_detail_cuts_the_judges_and_the_carried_reasons() -> None:
    f = {"id": "F1", "severity": "high", "title": "t", "detail": "d"}
    group: dict[str, Any] = {
        "members": [{"reviewer": 0, "finding": f}],
        "judge": [
            {"a": "F1", "b": "F2", "verdict": "same", "applied": "joined", "reason": _w("j")}
        ],
    }
    said = provenance(group)
    assert said is not None and len(said.plain) < BOUND and MORE in said.plain
    carried = {"key": "G1", "round": 1, "decision": "fix", "reason": _w("c")}
    sides = detail_sides(group, {}, carried)
    assert sides[0] is not None and len(sides[0].plain) < BOUND
    assert sides[0].plain.count(MORE) == 2  # the judge's reason, the carried-over reason


async def test_a_review_panes_summary_line_shows_a_huge_summary_cut() -> None:
    """The workbench's review pane: its findings were cut, its summary line was not."""
    from duo_tui.core.artifacts import ReviewArtifact
    from duo_tui.core.events import ArtifactReady
    from duo_tui.ui.panes import ReviewPane
    from tests.snapshot.replay import replay_app, replayed

    review = Review(reviewer="claude", summary="summary " + _w("s"), verdict=_w("v"), findings=[])
    app = replay_app([ArtifactReady(ReviewArtifact(index=0, review=review))])
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await replayed(pilot)
        summary = str(screen.query_one("#pane-review-0", ReviewPane).summary().content)
        assert len(summary) < BOUND and summary.count(MORE) == 2, len(summary)
