"""The eval screen: the demo's table and chart, per-case detail, live progress, stop, quit."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from textual.widgets import DataTable

from duo_tui.cli import eval_on_screen
from duo_tui.cli_parser import build_parser
from duo_tui.eval.command import EvalPlan, plan_eval
from duo_tui.ui.app import DuoApp
from duo_tui.ui.screens.eval import EvalScreen
from duo_tui.ui.screens.eval_detail import EvalDetailScreen
from duo_tui.ui.widgets.eval_detail import EvalDetail
from tests.eval.helpers import CASE_TOML, write_case

from ._helpers import wait_for


def _plan(tmp_path: Path, *extra: str, pace: float = 0.0) -> EvalPlan:
    args = build_parser().parse_args(["eval", "--demo", "--cache", str(tmp_path / "c"), *extra])
    return plan_eval(args, demo_pace=pace)


def _rows(table: DataTable) -> list[list[str]]:  # type: ignore[type-arg]
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


async def _finished(pilot, app: DuoApp) -> EvalScreen:  # type: ignore[no-untyped-def]
    await wait_for(pilot, lambda: app.eval_screen is not None and app.eval_screen.finished)
    assert app.eval_screen is not None
    return app.eval_screen


async def test_demo_table_chart_and_pair_detail(tmp_path: Path) -> None:
    app = DuoApp(eval_plan=_plan(tmp_path))
    async with app.run_test(size=(200, 50)) as pilot:
        screen = await _finished(pilot, app)
        rows = _rows(screen.query_one("#eval-table", DataTable))
        assert [r[0] for r in rows] == [
            "demo/alpha",
            "demo/beta",
            "demo/gamma",
            "demo/alpha + demo/beta",
            "demo/alpha + demo/gamma",
            "demo/beta + demo/gamma",
        ]
        # recall, precision, agreed vs one-only precision, cost, tokens (the deterministic demo)
        assert rows[0][1:8] == ["14/14", "77% (10/13)", "67% (10/15)", "-", "-", "$0.0672", "12.7k"]
        assert rows[3][1:8] == [
            "14/14",
            "85% (11/13)",
            "58% (11/19)",
            "100% (4/4)",
            "47% (7/15)",
            "$0.0951",
            "24.6k",
        ]
        assert rows[4][2] == "100% (13/13)" and rows[5][4:6] == ["75% (3/4)", "39% (7/18)"]
        assert all(r[8].endswith("s") for r in rows)  # review time
        assert screen.status_text.startswith("✓ done: 42 reviews in ")
        assert "spent $0.102" in screen.status_text
        chart = screen.query_one("#eval-chart")
        assert [(r.label, r.recall) for r in chart.rows][3:4] == [("alpha + beta", 0.8462)]  # type: ignore[attr-defined]

        # the large terminal shows the highlighted configuration's detail below
        await pilot.press("down", "down", "down")
        pane = screen.query_one("#eval-pane", EvalDetail)
        await wait_for(pilot, lambda: pane.config is not None and len(pane.config.models) == 2)

        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, EvalDetailScreen))
        detail = app.screen.query_one(EvalDetail)
        head = str(detail.query_one(".eval-detail-head").render())
        assert "demo/alpha + demo/beta" in head
        assert "agreed 100% (4/4) vs one only 47% (7/15)" in head
        assert "the pair found 7 issue(s) one of them alone missed: ◀ 6 only alpha" in head
        assert "▶ 1 only beta" in head
        by_case: dict[str, list[list[str]]] = {}
        case = ""
        for r in _rows(detail.query_one(DataTable)):
            case = r[0] or case
            by_case.setdefault(case, []).append(r)
        assert len(by_case) == 14
        assert by_case["cart-total"][0][2:5] == ["K1", "high", "◀ only alpha"]
        assert by_case["invoice-download"][0][4] == "▶ only beta"
        assert by_case["js-attachments"][0][4] == "✓ both"
        assert [r[4] for r in by_case["job-queue"]] == ["◀ only alpha", "✗ missed"]
        assert by_case["clean-backoff"][0][1:5] == ["1 · 1 false", "", "", "clean change"]
        assert by_case["paginate"][0][4] == "✗ missed"
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)


async def test_small_terminal_compact_table_and_detail_on_enter(tmp_path: Path) -> None:
    app = DuoApp(eval_plan=_plan(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _finished(pilot, app)
        table = screen.query_one("#eval-table", DataTable)
        rows = _rows(table)
        assert rows[3][:8] == [
            "alpha + beta",
            "14/14",
            "85%",
            "58%",
            "100%",
            "47%",
            "$0.0951",
            "24.6k",
        ]
        assert [str(c.label) for c in table.ordered_columns][:4] == [
            "configuration",
            "cases",
            "recall",
            "prec.",
        ]
        assert not screen.query_one("#eval-pane").display  # no room: enter opens it
        assert "enter: which known issues" in screen.cases_text
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, EvalDetailScreen))
        detail = app.screen.query_one(EvalDetail)
        assert detail.config is not None and detail.config.name == "demo/beta"
        assert "✓ found" in {r[4] for r in _rows(detail.query_one(DataTable))}


async def test_progress_spend_against_the_cap_then_partial(tmp_path: Path) -> None:
    app = DuoApp(eval_plan=_plan(tmp_path, "--max-cost", "0.05", pace=4000.0))
    async with app.run_test(size=(200, 50)) as pilot:
        await wait_for(pilot, lambda: app.eval_screen is not None)
        screen = app.eval_screen
        assert screen is not None
        await wait_for(pilot, lambda: screen.snap is not None and screen.snap.running != ())
        # while it runs: reviews and cases done, the spend against the cap, what is under way
        assert "▶ reviewing" in screen.status_text
        assert " reviews · " in screen.status_text and "of $0.0500 max" in screen.status_text
        assert "now: demo/" in screen.status_text
        assert screen.cases_text.startswith("cases cart-total ")
        assert not screen.finished
        await _finished(pilot, app)
        assert screen.report is not None and screen.report.stopped
        assert "PARTIAL: cost cap reached" in screen.status_text
        assert screen.status_text.startswith("■ stopped: "), screen.status_text
        assert all(c.cases < 14 for c in screen.report.configs)
        assert screen.report.spent_usd <= 0.05


async def test_stop_keeps_what_is_done_and_quit_ends_the_run(tmp_path: Path) -> None:
    app = DuoApp(eval_plan=_plan(tmp_path, pace=600.0))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.eval_screen is not None)
        screen = app.eval_screen
        assert screen is not None
        await wait_for(pilot, lambda: screen.snap is not None and screen.snap.done >= 3)
        await pilot.press("s")
        await _finished(pilot, app)
        assert screen.report is not None
        assert screen.report.stopped == "stopped by you before the end"
        assert "PARTIAL: stopped by you" in screen.status_text
        assert screen.status_text.startswith("■ stopped: "), screen.status_text
        assert screen.done_event.wait(10)
        assert screen.check_action("stop", ()) is False  # the key leaves the footer

    app = DuoApp(eval_plan=_plan(tmp_path / "2", pace=300.0))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.eval_screen is not None)
        screen = app.eval_screen
        assert screen is not None
        await wait_for(pilot, lambda: screen.snap is not None and screen.snap.running != ())
        await pilot.press("q")
    assert screen.done_event.wait(10)  # the run's thread ended with the app


async def test_a_quit_before_the_run_began_stops_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 21's race, in the eval: a stop that came before the run's thread had made its
    task was dropped, and the run (minutes of model calls) kept the exiting program alive
    in Textual's executor until it ended."""
    mount = EvalScreen.on_mount

    def quit_first(screen: EvalScreen) -> None:
        screen.stop_run()  # the quit arrives as the screen opens, before its run's task
        mount(screen)

    monkeypatch.setattr(EvalScreen, "on_mount", quit_first)
    app = DuoApp(eval_plan=_plan(tmp_path, pace=50.0))  # the demo at this pace: minutes
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.eval_screen is not None)
        screen = app.eval_screen
        assert screen is not None
        await wait_for(pilot, lambda: screen.finished, timeout=20, what="the run to stop")
        assert screen.report is not None
        assert screen.report.stopped == "stopped by you before the end"
        assert screen.done_event.wait(10)
        assert all(c.cases == 0 for c in screen.report.configs)


async def test_suite_text_is_shown_as_text_never_markup(tmp_path: Path) -> None:
    hostile = CASE_TOML.replace(
        "SQL injection: the name is formatted into the query string",
        "SQL [bold red]injection[/] \\u001b]0;owned\\u0007 [@click=app.quit]x[/]",
    )
    write_case(tmp_path / "suite", toml=hostile)
    app = DuoApp(eval_plan=_plan(tmp_path, "--suite", str(tmp_path / "suite")))
    async with app.run_test(size=(200, 50)) as pilot:
        screen = await _finished(pilot, app)
        pane = screen.query_one("#eval-pane", EvalDetail)
        await wait_for(pilot, lambda: pane.rows != [])
        cell = pane.query_one(DataTable).get_row_at(0)[5]
        assert str(cell).startswith("SQL [bold red]injection[/] ␛]0;owned␇ [@click=app.quit]x[/]")
        assert cell.spans == []  # no style came from the text


@pytest.mark.parametrize(
    ("argv", "tty", "screen"),
    [
        (["eval", "--demo"], True, True),
        (["eval", "--demo"], False, False),
        (["eval", "--demo", "--json", "r.json"], True, False),
        (["eval", "--demo", "--format", "md"], True, False),
        (["eval", "--demo", "--format", "text"], True, False),
    ],
)
def test_the_screen_only_in_a_terminal_without_json_or_format(
    monkeypatch: pytest.MonkeyPatch, argv: list[str], tty: bool, screen: bool
) -> None:
    class Stream:
        def isatty(self) -> bool:
            return tty

    monkeypatch.setattr(sys, "stdin", Stream())
    monkeypatch.setattr(sys, "stdout", Stream())
    assert eval_on_screen(build_parser().parse_args(argv)) is screen


async def test_a_detail_opened_while_the_run_goes_follows_it(tmp_path: Path) -> None:
    app = DuoApp(eval_plan=_plan(tmp_path, pace=2500.0))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.eval_screen is not None)
        screen = app.eval_screen
        assert screen is not None
        await wait_for(pilot, lambda: screen.snap is not None and screen.snap.cases_done >= 1)
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, EvalDetailScreen))
        detail = app.screen
        assert isinstance(detail, EvalDetailScreen) and detail.config.cases < 14
        await _finished(pilot, app)
        await wait_for(pilot, lambda: detail.config.cases == 14)
        assert "not reviewed" not in {r[4] for r in _rows(detail.query_one(DataTable))}


async def test_the_detail_shows_who_matched_each_issue_and_the_judges_reason(
    tmp_path: Path,
) -> None:
    import json

    from duo_tui.eval.results import build_report
    from duo_tui.eval.runner import EvalCache, run_reviews
    from duo_tui.eval.suite import load_suite
    from tests.eval.test_judge import JUDGE, Judged

    write_case(tmp_path / "suite")
    suite = load_suite(tmp_path / "suite")
    hostile = "same money bug [bold red]loud[/] \x1b]0;owned\x07 [@click=app.quit]x[/]"
    verdicts = {"verdicts": [{"id": "C1", "verdict": "same", "reason": hostile}]}
    provider = Judged(suite, judge_text=json.dumps(verdicts))
    run = await run_reviews(suite, ["x/a"], provider, cache=EvalCache(tmp_path / "c"), judge=JUDGE)
    app = DuoApp(eval_report=(suite, build_report(suite, ["x/a"], run)))
    async with app.run_test(size=(200, 50)) as pilot:
        screen = await _finished(pilot, app)
        pane = screen.query_one("#eval-pane", EvalDetail)
        await wait_for(pilot, lambda: len(pane.rows) == 2)
        table = pane.query_one(DataTable)
        assert [str(r[4]) for r in _rows(table)] == ["✓ found", "✓ found · judge"]
        text = pane.query_one(".eval-issue-text")
        first = str(text.render())
        assert "✓ a F1 “SQL injection" in first and "· matcher 1.00" in first
        table.move_cursor(row=1)
        await wait_for(pilot, lambda: "judge (joined)" in str(text.render()))
        shown = text.render()
        assert "✓ a F2 “Use Decimal for currency amounts in total()” · judge (joined): " in str(
            shown
        )
        assert "same money bug [bold red]loud[/] ␛]0;owned␇ [@click=app.quit]x[/]" in str(shown)
        assert all("red" not in str(s.style) for s in getattr(shown, "spans", []))


async def test_help_from_the_eval_screen_and_its_detail_lists_their_keys(tmp_path: Path) -> None:
    """`?` reaches the help through the app (the eval screens import no help screen)."""
    from duo_tui.ui.screens.help import HelpScreen

    async def keys_in_help(pilot) -> set[str]:  # type: ignore[no-untyped-def]
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), what="the help")
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        await wait_for(pilot, lambda: bool(help_screen.groups), what="the keys")
        return {e.description for g in help_screen.groups for e in g.entries}

    app = DuoApp(eval_plan=_plan(tmp_path))
    async with app.run_test(size=(200, 50)) as pilot:
        screen = await _finished(pilot, app)
        assert "Stop the run" in await keys_in_help(pilot)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen, what="back on the eval screen")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, EvalDetailScreen))
        assert "Back" in await keys_in_help(pilot)
