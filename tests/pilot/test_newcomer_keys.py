"""What a newcomer meets on the triage screen and the task list: the finding's title in
view at 80 and 120 columns, the decision keys in a narrow footer, a help screen that
lists only the keys that work there (and, in the workbench, says on which screen a
borrowed key works), `?` and `e` answering on the task list."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual.widgets import DataTable, Static
from textual.widgets._footer import FooterKey

from duo_tui.core.events import Event
from duo_tui.core.models import Review
from duo_tui.ui.app import DuoApp
from duo_tui.ui.help_groups import FINDINGS, ON_TASKS, ON_TRIAGE, TASKS
from duo_tui.ui.screens.help import HelpScreen
from duo_tui.ui.screens.tasks import TasksScreen
from duo_tui.ui.screens.triage import TriageScreen
from duo_tui.ui.task_state import NO_TASKS, TaskListState
from duo_tui.ui.triage_detail import detail_sides
from tests.snapshot.replay import record_demo, replay_app, replayed, until

from ._helpers import wait_for

CASE = Path(__file__).parents[1] / "fixtures" / "triage-dev-mini" / "case-12.json"


def _reviews() -> tuple[Review, Review]:
    case = json.loads(CASE.read_text(encoding="utf-8"))
    return Review.model_validate(case["a"]), Review.model_validate(case["b"])


async def _triage(pilot, app: DuoApp) -> TriageScreen:  # type: ignore[no-untyped-def]
    await wait_for(pilot, lambda: isinstance(app.screen, TriageScreen), what="the triage")
    screen = app.screen
    assert isinstance(screen, TriageScreen)
    await wait_for(pilot, lambda: screen.query_one(DataTable).row_count > 0, what="its rows")
    return screen


async def test_the_findings_title_is_in_view_at_80_and_120_columns() -> None:
    for size in ((80, 24), (120, 40)):
        app = DuoApp(triage=_reviews())
        async with app.run_test(size=size) as pilot:
            screen = await _triage(pilot, app)
            table = screen.query_one(DataTable)
            labels = [str(c.label) for c in table.ordered_columns]
            title = labels.index("finding")
            end = sum(c.get_render_width(table) for c in table.ordered_columns[: title + 1])
            # the title's text is in view (its right padding cell may be the edge)
            assert end - 1 <= table.scrollable_content_region.width, (size, labels, end)
            first = str(table.get_row_at(0)[title])
            assert first.startswith("pull_request_target"), first


async def test_a_narrow_triage_footer_keeps_the_decision_keys() -> None:
    app = DuoApp(triage=_reviews())
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _triage(pilot, app)
        await wait_for(pilot, lambda: bool(screen.query(FooterKey)), what="the footer")
        shown = {k.description for k in screen.query(FooterKey)}
        assert {"Fix", "Dismiss", "Accept risk", "Help", "Quit"} <= shown, shown
        assert "Recurring" not in shown  # a minor key gave way


async def test_the_triage_help_lists_only_the_triage_screens_keys() -> None:
    app = DuoApp(triage=_reviews())
    async with app.run_test(size=(120, 40)) as pilot:
        await _triage(pilot, app)
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), what="the help")
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        await wait_for(pilot, lambda: bool(help_screen.groups), what="the keys")
        by_key: dict[str, set[str]] = {}
        for group in help_screen.groups:
            for entry in group.entries:
                for key in entry.key.split():
                    by_key.setdefault(key, set()).add(entry.description)
        assert by_key["j"] == {"Join"}, by_key["j"]
        assert by_key["k"] == {"Accept risk"}, by_key["k"]
        assert by_key["m"] == {"Export md"}, by_key["m"]
        titles = [g.title for g in help_screen.groups]
        assert not any("hunk" in t for t in titles), titles


async def test_the_task_list_answers_help_and_edit_when_empty() -> None:
    app = DuoApp(triage=_reviews())
    async with app.run_test(size=(100, 30)) as pilot:
        opener = await _triage(pilot, app)
        screen = TasksScreen(TaskListState(), opener)
        await app.push_screen(screen)
        await wait_for(pilot, lambda: screen.query(DataTable), what="the task list")
        head = str(screen.query_one("#tasks-size", Static).render())
        assert head.startswith("0 task(s)") and NO_TASKS in head, head
        await pilot.press("e")
        await wait_for(
            pilot,
            lambda: any(n.message == NO_TASKS for n in app._notifications),
            what="the empty list's answer to e",
        )
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), what="the help")
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        await wait_for(pilot, lambda: bool(help_screen.groups), what="the keys")
        described = {e.description for g in help_screen.groups for e in g.entries}
        assert {"Move up", "Skip", "Resize to S"} <= described, described


def test_an_empty_category_or_suggestion_leaves_nothing_dangling() -> None:
    a, b = _reviews()
    finding = a.findings[0].model_dump(mode="json") | {"category": "", "suggestion": None}
    group = {"key": "G1", "members": [{"reviewer": 0, "finding": finding}]}
    side = detail_sides(group, {0: a, 1: b}, None)[0]
    assert side is not None
    first = side.plain.splitlines()[0]
    assert first.endswith(str(finding["severity"])), first
    assert "suggestion:" not in side.plain
    full = finding | {"category": "security", "suggestion": "pin the action"}
    shown = detail_sides({"key": "G1", "members": [{"reviewer": 0, "finding": full}]}, {0: a}, None)
    assert shown[0] is not None and "suggestion: pin the action" in shown[0].plain
    assert shown[0].plain.splitlines()[0].endswith("· security")


@pytest.fixture(scope="module")
def events(tmp_path_factory: pytest.TempPathFactory) -> list[Event]:
    import os

    home = tmp_path_factory.mktemp("newcomer-home")  # the demo commits: git needs a name
    (home / ".gitconfig").write_text("[user]\n\tname = t\n\temail = t@duo-tui.invalid\n")
    os.environ["GIT_CONFIG_GLOBAL"] = str(home / ".gitconfig")
    return record_demo(tmp_path_factory.mktemp("newcomer") / "demo")


async def test_the_workbench_help_names_the_screen_each_borrowed_key_works_on(
    events: list[Event],
) -> None:
    app = replay_app(until(events, "triage"))
    async with app.run_test(size=(120, 40)) as pilot:
        await replayed(pilot)
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), what="the help")
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        await wait_for(pilot, lambda: bool(help_screen.groups), what="the keys")
        groups = {g.title: {e.description: e.key for e in g.entries} for g in help_screen.groups}
        # the findings list's j moves down; the triage screen's j joins: two groups, not one
        assert groups[FINDINGS]["Down"].split()[-1] == "j"
        assert "Join" not in groups[FINDINGS] and "Accept risk" not in groups[FINDINGS]
        assert groups[ON_TRIAGE]["Join"] == "j" and groups[ON_TRIAGE]["Split pair"] == "s"
        assert groups[ON_TASKS]["Move up"] == "K" and "Move up" not in groups[TASKS]
        for title, entries in groups.items():  # within a group, one key does one thing
            keys = [k for key in entries.values() for k in key.split() if len(key) < 12]
            assert len(keys) == len(set(keys)), (title, entries)


async def test_a_triage_opened_after_it_was_accepted_is_read_only_and_says_so(
    events: list[Event],
) -> None:
    app = replay_app(until(events, "fix"))  # round 1's triage was accepted
    async with app.run_test(size=(120, 40)) as pilot:
        await replayed(pilot)
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, TriageScreen), what="the triage")
        screen = app.screen
        assert isinstance(screen, TriageScreen)
        await wait_for(pilot, lambda: screen.query_one(DataTable).row_count > 0, what="rows")
        head = str(screen.query_one("#triage-head", Static).render())
        assert "read-only" in head, head
        before = (dict(screen.decisions), [g["key"] for g in screen.groups])
        for key in ("f", "d", "s", "j"):
            await pilot.press(key)
        await wait_for(
            pilot,
            lambda: any("no longer open" in str(n.message) for n in app._notifications),
            what="the refusal",
        )
        assert (dict(screen.decisions), [g["key"] for g in screen.groups]) == before


async def test_the_history_fits_80_columns_and_copies_a_command_that_works_anywhere(
    tmp_path: Path,
) -> None:
    import subprocess

    from textual.widgets import Label

    from duo_tui.core.session import Session
    from duo_tui.store.session_store import SessionStore
    from duo_tui.ui.screens.sessions import SessionsScreen

    repo = tmp_path / "elsewhere"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    sid = "2026-12-06-add-percentage-discount-codes-to-the"
    SessionStore.create(repo, Session(id=sid, slug=sid[11:], request="add discount codes"))
    app = DuoApp(triage=_reviews())
    async with app.run_test(size=(80, 24)) as pilot:
        await _triage(pilot, app)
        screen = SessionsScreen(repo)
        await app.push_screen(screen)
        table = screen.query_one(DataTable)
        await wait_for(pilot, lambda: table.row_count == 1, what="the session's row")
        labels = [str(c.label).strip() for c in table.ordered_columns]
        cost = labels.index("cost")
        # the short columns are in view; the long id starts in view (enter copies it whole)
        starts = sum(c.get_render_width(table) for c in table.ordered_columns[: labels.index("id")])
        assert starts + 20 <= table.scrollable_content_region.width, (labels, starts)
        assert str(table.get_row_at(0)[cost]).strip().startswith("$")
        to_age = sum(
            c.get_render_width(table) for c in table.ordered_columns[: labels.index("age") + 1]
        )
        assert to_age <= table.scrollable_content_region.width, (labels, to_age)
        assert "copies" in str(screen.query_one(Label).render())
        await pilot.press("enter")
        command = f"duo-tui resume {sid} --repo {repo}"
        await wait_for(
            pilot,
            lambda: any(command in str(n.message) for n in app._notifications),
            what="the copied resume command",
        )
