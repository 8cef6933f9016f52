"""Issue 18: the triage screen shows the judge's verdict with its reason, and the human
splits a pair (s) or joins two unpaired findings (j, then j on the other).

Standalone the corrections change the rows, the counts and the saved decisions; in
a session they go to the core with the accepted triage, which logs each one as a
human correction and keeps it in the round's triage.json.
"""

from __future__ import annotations

import json
from pathlib import Path

from textual.app import App
from textual.widgets import DataTable, Static

from duo_tui.core.models import Review, Stage, TriageResult
from duo_tui.core.triage import match_reviews
from duo_tui.core.triage_judge import apply_verdicts, select_candidates
from duo_tui.store.session_store import SessionStore
from duo_tui.ui.app import DuoApp
from duo_tui.ui.screens.triage import TriageScreen
from tests.triage.test_judge import reviews

from ._helpers import at_checkpoint, press_decision, wait_for

#: Model text with markup and a control character: shown as written, never interpreted.
REASON = "[bold red]both[/] say the token check \x1b[31mis not constant-time"


def judged() -> tuple[Review, Review, TriageResult]:
    a, b = reviews()
    base = match_reviews(a, b)
    cands = select_candidates(a, b, base)
    verdicts = {c.cid: (True, REASON) for c in cands if not c.paired}
    return a, b, apply_verdicts(a, b, base, cands, verdicts, "anthropic/claude-haiku-4-5")


class _Host(App[None]):
    def __init__(self, a: Review, b: Review, result: TriageResult | None, out: Path) -> None:
        super().__init__()
        self.args = (a, b, result, out)

    def on_mount(self) -> None:
        a, b, result, out = self.args
        self.push_screen(TriageScreen.standalone(a, b, out=out, result=result))


def _head(screen: TriageScreen) -> str:
    return str(screen.query_one("#triage-head", Static).render())


def _row_of(screen: TriageScreen, word: str) -> int:
    return next(i for i, g in enumerate(screen.groups) if word in g["title"])


async def test_the_judges_pair_shows_its_reason_as_plain_text(tmp_path: Path) -> None:
    a, b, result = judged()
    assert any(p.by == "judge" for p in result.pairs)
    app = _Host(a, b, result, tmp_path / "d.json")
    async with app.run_test(size=(180, 50)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, TriageScreen))
        screen = app.screen
        assert isinstance(screen, TriageScreen)
        table = screen.query_one(DataTable)
        row = _row_of(screen, "Token")
        table.move_cursor(row=row)
        await pilot.pause()
        kind = str(table.get_row_at(row)[0])
        assert kind.endswith("⚖"), kind
        detail = str(screen.query_one("#detail-a", Static).render())
        assert "⚖ judge: F2/F2 same (joined)" in detail
        # markup in the reason is text; the escape character is made visible
        assert "[bold red]both[/] say the token check" in detail
        assert "\x1b" not in detail


async def test_split_and_join_by_key_update_rows_counts_and_saved_decisions(
    tmp_path: Path,
) -> None:
    a, b = reviews()
    out = tmp_path / "d.json"
    app = _Host(a, b, None, out)
    async with app.run_test(size=(180, 50)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, TriageScreen))
        screen = app.screen
        assert isinstance(screen, TriageScreen)
        table = screen.query_one(DataTable)
        assert "= 1 agreed" in _head(screen) and table.row_count == 4
        shown = {
            ab.binding.description: ab.binding.key
            for ab in screen.active_bindings.values()
            if ab.binding.show
        }
        assert shown["Split pair"] == "s" and shown["Join"] == "j", "both keys are in the footer"

        # s on the matcher's retry pair: two only-findings, one agreed fewer
        table.move_cursor(row=_row_of(screen, "Retry"))
        await pilot.press("s")
        await wait_for(pilot, lambda: table.row_count == 5)
        assert "= 0 agreed" in _head(screen)
        assert [g["kind"] for g in screen.groups if "Retry" in g["title"]] == ["only", "only"]

        # j on the timing leak of A, j on B's: one pair, marked as the human's
        leak_a = next(
            i
            for i, g in enumerate(screen.groups)
            if g["members"][0]["reviewer"] == 0 and "Token" in g["title"]
        )
        table.move_cursor(row=leak_a)
        await pilot.press("j")
        await wait_for(pilot, lambda: "joining" in _head(screen))
        leak_b = next(
            i
            for i, g in enumerate(screen.groups)
            if g["members"][0]["reviewer"] == 1 and "constant time" in g["title"]
        )
        table.move_cursor(row=leak_b)
        await pilot.press("j")
        await wait_for(pilot, lambda: table.row_count == 4)
        assert "≠ 1 severity" in _head(screen)
        joined = next(g for g in screen.groups if len(g["members"]) == 2)
        assert joined["by"] == "human" and joined["kind"] == "severity"
        assert str(table.get_row_at(screen.groups.index(joined))[0]).endswith("✎")
        assert [c["op"] for c in screen.corrections] == ["split", "join"]

        await pilot.press("escape")  # leaves, saving the decisions to --out
    saved = json.loads(out.read_text())
    by = {(r["a"], r["b"]): r.get("by") for r in saved["decisions"]}
    assert by[("F2", "F2")] == "human"
    assert by[("F1", None)] == "human" and by[(None, "F1")] == "human"


async def test_join_refuses_a_pair_and_escape_cancels_a_half_made_join(tmp_path: Path) -> None:
    a, b = reviews()
    app = _Host(a, b, None, tmp_path / "d.json")
    async with app.run_test(size=(180, 50)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, TriageScreen))
        screen = app.screen
        assert isinstance(screen, TriageScreen)
        table = screen.query_one(DataTable)
        table.move_cursor(row=_row_of(screen, "Retry"))
        await pilot.press("j")
        await pilot.pause()
        assert screen.join_mark is None and screen.corrections == []
        table.move_cursor(row=_row_of(screen, "README"))
        await pilot.press("j")
        await wait_for(pilot, lambda: screen.join_mark is not None)
        await pilot.press("escape")
        await wait_for(pilot, lambda: screen.join_mark is None)
        assert isinstance(app.screen, TriageScreen), "escape cancelled the join, not the screen"


async def test_a_correction_in_the_workbench_reaches_the_log_and_triage_json(
    tmp_path: Path,
) -> None:
    repo = tmp_path / "demo"
    app = DuoApp(demo=True, repo=repo, pace=0)
    async with app.run_test(size=(200, 60)) as pilot:
        wb = await at_checkpoint(pilot, app)
        while wb.checkpoint is not None and wb.checkpoint.stage != Stage.TRIAGE:
            await press_decision(pilot, wb, "a")
            await wait_for(pilot, lambda: wb.checkpoint is not None or wb.ended is not None)
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, TriageScreen))
        screen = app.screen
        assert isinstance(screen, TriageScreen)
        table = screen.query_one(DataTable)
        pair = next(i for i, g in enumerate(screen.groups) if len(g["members"]) == 2)
        key = screen.groups[pair]["key"]
        table.move_cursor(row=pair)
        await pilot.press("s")
        # the workbench hears of it (a message) and counts the findings anew
        await wait_for(pilot, lambda: len(wb.triage_corrections) == 1)
        assert any(g.key == key + "b" and g.by == "human" for g in wb.triage_groups)
        await press_decision(pilot, wb, "a")  # accept the triage on its screen
        sent = wb.decisions_sent[-1]
        assert sent.action == "accept" and [c["op"] for c in sent.regroup] == ["split"]
        await wait_for(pilot, lambda: wb.checkpoint is not None or wb.ended is not None)
    store = SessionStore.latest(repo)
    assert store is not None
    log = [d for d in store.read_decisions()[0] if d.action == "correct"]
    assert len(log) == 1 and log[0].by == "human" and log[0].stage == Stage.TRIAGE
    saved = json.loads(store.read_artifact("T1/round-1/triage.json") or "{}")
    assert {key, key + "b"} <= {g["key"] for g in saved["groups"]}
    assert saved["corrections"][0]["key"] == key


async def test_a_triage_checkpoint_shown_again_keeps_the_humans_split(tmp_path: Path) -> None:
    """The core shows the triage checkpoint again (here: roles swapped there) with the
    matcher's groups; the workbench's panel and review panes keep showing the split made
    on the triage screen (it goes with the accept), not the uncorrected pair."""
    app = DuoApp(demo=True, repo=tmp_path / "demo", pace=0)
    async with app.run_test(size=(200, 60)) as pilot:
        wb = await at_checkpoint(pilot, app)
        while wb.checkpoint is not None and wb.checkpoint.stage != Stage.TRIAGE:
            await press_decision(pilot, wb, "a")
            await wait_for(pilot, lambda: wb.checkpoint is not None or wb.ended is not None)
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, TriageScreen))
        screen = app.screen
        assert isinstance(screen, TriageScreen)
        pair = next(i for i, g in enumerate(screen.groups) if len(g["members"]) == 2)
        key = screen.groups[pair]["key"]
        screen.query_one(DataTable).move_cursor(row=pair)
        await pilot.press("s")
        await wait_for(pilot, lambda: len(wb.triage_corrections) == 1, what="the split")
        split_panel = str(wb.query_one("#disagree", Static).render())
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is wb, what="the workbench")
        shown = wb.checkpoint
        await press_decision(pilot, wb, "s")  # swap roles: the checkpoint comes again
        await wait_for(
            pilot,
            lambda: wb.checkpoint is not None and wb.checkpoint is not shown,
            what="the triage checkpoint shown again",
        )
        assert wb.checkpoint is not None and wb.checkpoint.stage == Stage.TRIAGE
        # the checkpoint itself still carries the matcher's pair ...
        assert not any(g.key == key + "b" for g in wb.checkpoint.data.groups)
        # ... the workbench shows the human's split at once
        assert any(g.key == key + "b" and g.by == "human" for g in wb.triage_groups)
        assert str(wb.query_one("#disagree", Static).render()) == split_panel
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, TriageScreen))
        again = app.screen
        assert isinstance(again, TriageScreen)
        assert {key, key + "b"} <= {g["key"] for g in again.groups}
        assert all(len(g["members"]) == 1 for g in again.groups if g["key"] in (key, key + "b"))
