"""What a newcomer still met after issue 19 (session 7's audit in a real terminal).

A retried model call that answered says it recovered (the pane's notice, a toast,
the headless progress), not only "attempt n/N" while it waited; at 80 columns the
"converged" bar and the checkpoint's key hints fit without a line broken inside a
phrase; the history shows the whole session id at 80 columns; the triage table keeps
each finding's place in view after a decision widens its column, at any size.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from textual.widgets import DataTable, Static

from duo_tui.core.events import Event, Recovered, Retrying
from duo_tui.providers.base import ModelRequest, ProviderEvent, RetryNotice
from duo_tui.providers.scripted import ScriptedProvider
from duo_tui.ui.app import DuoApp
from duo_tui.ui.widgets.stream_pane import StreamPane
from tests.snapshot.replay import record_demo, replay_app, replayed, until

from ._helpers import at_checkpoint, dialog_ready, wait_for
from .test_layout_fit import screen_text


@pytest.fixture(scope="module")
def events(tmp_path_factory: pytest.TempPathFactory) -> list[Event]:
    import os

    home = tmp_path_factory.mktemp("leftovers-home")  # the demo commits: git needs a name
    (home / ".gitconfig").write_text("[user]\n\tname = t\n\temail = t@duo-tui.invalid\n")
    os.environ["GIT_CONFIG_GLOBAL"] = str(home / ".gitconfig")
    return record_demo(tmp_path_factory.mktemp("leftovers") / "demo")


@pytest.fixture
def plan_retried_twice(monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo's first plan call is refused twice (529) before it answers, as a wire
    provider's retry loop reports it: two RetryNotices, then the text."""
    stream = ScriptedProvider.stream
    seen: list[str] = []

    async def retried(
        self: ScriptedProvider, request: ModelRequest
    ) -> AsyncIterator[ProviderEvent]:
        if request.purpose == "plan" and "plan" not in seen:
            seen.append("plan")
            for attempt in (2, 3):
                yield RetryNotice(attempt, 5, 0.0, "the provider is overloaded (529)")
        async for ev in stream(self, request):
            yield ev

    monkeypatch.setattr(ScriptedProvider, "stream", retried)


async def test_a_retried_call_that_answers_says_it_recovered(
    tmp_path: Path, plan_retried_twice: None
) -> None:
    app = DuoApp(demo=True, repo=tmp_path / "demo", pace=0)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        wb = await at_checkpoint(pilot, app)
        plan = wb.query_one("#stream-plan", StreamPane)
        await wait_for(pilot, lambda: bool(plan.query("#stream-error")), what="the notice")
        notice = str(plan.query_one("#stream-error", Static).render())
        assert "recovered" in notice and "attempt 3/5" in notice, notice
        assert "overloaded" not in notice, "the stale retry reason is gone"
        toasts = [str(n.message) for n in app._notifications]
        assert any("recovered" in t and "attempt 3/5" in t for t in toasts), toasts


def test_the_headless_progress_says_a_retried_call_recovered() -> None:
    import io

    from duo_tui.headless import ProgressPrinter

    out = io.StringIO()
    printer = ProgressPrinter(out)
    printer(Retrying("plan", 3, 5, 0.0, "the provider is overloaded (529)"))
    printer(Recovered("plan", 3, 5))
    lines = out.getvalue().splitlines()
    assert "attempt 3/5" in lines[0]
    assert "recovered" in lines[1] and "attempt 3/5" in lines[1], lines


def _bar_lines(app) -> list[str]:  # type: ignore[no-untyped-def]
    """The checkpoint bar's text lines as shown (the rows between its rule and the footer)."""
    rows = screen_text(app).splitlines()
    rule = max(i for i, row in enumerate(rows) if row.startswith("─" * 20))
    return [row.strip() for row in rows[rule + 1 : -1]]


async def test_the_converged_bar_fits_80_columns(events: list[Event]) -> None:
    app = replay_app(events)  # the whole session: converged and committed
    async with app.run_test(size=(80, 24)) as pilot:
        wb = await replayed(pilot)
        await wait_for(pilot, lambda: wb.ended is not None, what="the end of the session")
        await wait_for(pilot, lambda: "q quit" in screen_text(app), what="the converged bar")
        lines = _bar_lines(app)
        assert len(lines) == 2, lines  # the verdict and the keys: nothing wrapped
        assert lines[0].startswith("✓ converged") and "commit " in lines[0], lines
        assert lines[0].endswith(f"${wb.ended.report['cost_usd']:.2f}"), lines
        assert lines[1].startswith("q quit"), lines
    wide = replay_app(events)
    async with wide.run_test(size=(200, 50)) as pilot:
        wb = await replayed(pilot)
        await wait_for(pilot, lambda: wb.ended is not None, what="the end of the session")
        await wait_for(pilot, lambda: "q quit" in screen_text(wide), what="the converged bar")
        branch = str(wb.ended.report["branch"])
        assert f"on {branch} ·" in _bar_lines(wide)[0], "wide enough: the branch is named"


async def test_key_hints_at_80_columns_break_between_keys_never_inside_one(
    events: list[Event],
) -> None:
    app = replay_app(until(events, "execute"))  # the longest hint line of the demo
    async with app.run_test(size=(80, 24)) as pilot:
        await replayed(pilot)
        lines = _bar_lines(app)
        hints = ["space hunk ✓/✗", "f file", "a accept", "x reject", "r rerun", "e edit"]
        hints += ["s swap", "p autopilot"]
        for hint in hints:
            assert any(hint in line for line in lines), (hint, lines)
        assert all(len(line) <= 78 for line in lines), lines


async def test_the_history_shows_the_whole_session_id_at_80_columns(tmp_path: Path) -> None:
    import subprocess

    from duo_tui.core.session import Session
    from duo_tui.store.session_store import SessionStore
    from duo_tui.ui.screens.sessions import SessionsScreen

    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    # the longest id a request makes: the date, a 36-character slug and a -2 suffix
    sid = "2026-12-06-add-percentage-discount-codes-to-the-2"
    SessionStore.create(repo, Session(id=sid, slug=sid[11:], request="add discount codes"))
    app = DuoApp(demo=True, repo=tmp_path / "demo", pace=0)
    async with app.run_test(size=(80, 24)) as pilot:
        await at_checkpoint(pilot, app)
        screen = SessionsScreen(repo)
        await app.push_screen(screen)
        table = screen.query_one(DataTable)
        await wait_for(pilot, lambda: table.row_count == 1, what="the session's row")
        await wait_for(pilot, lambda: "enter copies:" in screen_text(app), what="the command")
        rows = [row for row in screen_text(app).splitlines() if "active" in row]
        assert len(rows) == 1 and sid in rows[0], rows  # in the table's row, not only below
        for word in ("state", "rounds", "cost", "age", "active"):
            assert word in screen_text(app), word

        # the command under the table is whole, --repo and the folder included (wrapped)
        def shown_words() -> str:
            return " ".join(screen_text(app).replace("│", " ").split())

        command = f"enter copies: duo-tui resume {sid} --repo"
        await wait_for(pilot, lambda: command in shown_words(), timeout=5, what="the command")
        words = shown_words()
        assert str(repo).replace("/", "")[-12:] in words.replace("/", "").replace(" ", ""), words


@pytest.mark.parametrize("size", [(200, 50), (120, 40), (80, 24)])
async def test_the_triage_table_keeps_each_place_in_view_after_a_wider_decision(
    events: list[Event], size: tuple[int, int]
) -> None:
    from duo_tui.ui.triage_table import where_text

    app = replay_app(until(events, "triage"))
    async with app.run_test(size=size) as pilot:
        await replayed(pilot)
        await pilot.press("t")
        await dialog_ready(pilot, "TriageScreen")
        screen = app.screen
        await pilot.press("k")  # accept-risk: the widest decision label, after a reason
        await dialog_ready(pilot, "ReasonDialog")
        await pilot.press(*"fine", "enter")
        await wait_for(
            pilot, lambda: screen.decisions.get("G1") == "accept_risk", what="the accept-risk"
        )
        table = screen.query_one(DataTable)
        await wait_for(
            pilot,
            lambda: (
                sum(c.get_render_width(table) for c in table.ordered_columns)
                <= table.scrollable_content_region.width
            ),
            timeout=5,
            what="every column inside the table",
        )
        shown = screen_text(app)
        for g in screen.groups:  # each place's end (the file's name and line) is in view
            tail = where_text(g)[-8:]
            assert tail in shown, (tail, shown)


@pytest.mark.parametrize("stage", ["review", "triage"])
async def test_the_rails_counts_and_trace_lines_fit_the_rail(
    events: list[Event], stage: str
) -> None:
    app = replay_app(until(events, stage))
    async with app.run_test(size=(200, 50)) as pilot:
        wb = await replayed(pilot)
        for name in ("#disagree", "#trace"):
            widget = wb.query_one(name, Static)
            lines = str(widget.render()).splitlines()
            assert len(lines) > 1, (name, lines)
            # as many rows as lines: no line of the rail had to wrap
            assert widget.content_region.height == len(lines), (name, lines)
            assert all(len(line) <= widget.content_region.width for line in lines), lines


async def test_a_dialogs_question_wraps_at_80_columns_instead_of_being_cut(
    events: list[Event],
) -> None:
    app = replay_app(until(events, "plan"))
    async with app.run_test(size=(80, 24)) as pilot:
        await replayed(pilot)
        await pilot.press("x")
        await dialog_ready(pilot, "ReasonDialog")
        await wait_for(pilot, lambda: "why?" in screen_text(app), what="the question")
        words = " ".join(screen_text(app).replace("│", " ").split())  # lines joined
        assert "(the reason goes into the rerun prompt)" in words, words


async def test_the_task_list_at_80_columns_keeps_its_main_keys_and_a_whole_guide(
    events: list[Event],
) -> None:
    from textual.widgets._footer import FooterKey

    app = replay_app(until(events, "plan", nth=2))  # the task checkpoint
    async with app.run_test(size=(80, 24)) as pilot:
        await replayed(pilot)
        await pilot.press("T")
        await dialog_ready(pilot, "TasksScreen")
        screen = app.screen
        await wait_for(pilot, lambda: bool(screen.query(FooterKey)), what="the footer")
        shown = {k.description for k in screen.query(FooterKey)}
        assert {"Open task", "Edit", "Split", "Accept tasks", "Help"} <= shown, shown
        # moving is a pair: both keys or neither
        assert ("Move up" in shown) == ("Move down" in shown), shown
        rows = screen_text(app).splitlines()
        assert any("S M L resize" in row and "s skip" in row for row in rows), rows


async def test_a_failed_gate_says_failed_in_its_badge_at_80_columns(events: list[Event]) -> None:
    import dataclasses

    from duo_tui.core.artifacts import GateArtifact
    from duo_tui.core.events import ArtifactReady
    from duo_tui.ui.panes import CodePane

    failed = [
        dataclasses.replace(ev, data=dataclasses.replace(ev.data, passed=False))
        if isinstance(ev, ArtifactReady) and isinstance(ev.data, GateArtifact)
        else ev
        for ev in until(events, "gate")
    ]
    app = replay_app(failed)
    async with app.run_test(size=(80, 24)) as pilot:
        wb = await replayed(pilot)
        gate = wb.query_one(CodePane).gate_stream()
        await wait_for(pilot, lambda: "failed" in gate.header_text, what="the gate's badge")
        assert "✓ done" not in gate.header_text, gate.header_text
