"""The demo's round-2 triage starts fresh in the workbench: nothing of round 1's
decisions shows or is sent again, and only what the human chose is sent as chosen."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable

from duo_tui.core.models import Stage
from duo_tui.ui.app import DuoApp
from duo_tui.ui.screens.triage import TriageScreen

from ._helpers import at_checkpoint, press_decision, wait_for


async def test_round_two_triage_does_not_inherit_round_one(tmp_path: Path) -> None:
    app = DuoApp(demo=True, repo=tmp_path / "demo", pace=0)
    async with app.run_test(size=(200, 60)) as pilot:
        wb = await at_checkpoint(pilot, app)
        triages = 0
        while wb.ended is None:
            cp = wb.checkpoint
            assert cp is not None
            if cp.stage == Stage.TRIAGE:
                triages += 1
                if triages == 1:
                    # round 1: the human accepts the risk of the last finding, then
                    # changes that to dismiss
                    await pilot.press("t")
                    await wait_for(pilot, lambda: isinstance(app.screen, TriageScreen))
                    last = len(wb.triage_groups) - 1
                    key = wb.triage_groups[last].key
                    app.screen.query_one(DataTable).move_cursor(row=last)
                    await pilot.press("k")
                    await wait_for(pilot, lambda: not isinstance(app.screen, TriageScreen))
                    await pilot.press(*"known and fine")
                    await pilot.press("enter")
                    await wait_for(
                        pilot, lambda k=key: wb.finding_decisions.get(k) == "accept_risk"
                    )
                    assert wb.finding_reasons == {key: "known and fine"}
                    app.screen.query_one(DataTable).move_cursor(row=last)
                    await pilot.press("d")
                    await wait_for(pilot, lambda k=key: wb.finding_decisions.get(k) == "dismiss")
                    # a dismissed finding keeps no accept-risk reason
                    assert wb.finding_reasons == {}
                    await press_decision(pilot, wb, "a")
                    sent = wb.decisions_sent[-1]
                    # only what the human chose is sent as chosen
                    assert sent.findings == {key: "dismiss"}
                    assert sent.finding_reasons == {}
                else:
                    keys = {g.key for g in wb.triage_groups}
                    # round 2's findings only, each from its own suggestion
                    assert set(wb.finding_decisions) == keys
                    assert all(wb.finding_decisions[g.key] == g.decision for g in wb.triage_groups)
                    assert wb.finding_decisions == {"G1": "defer", "G2": "defer"}
                    await press_decision(pilot, wb, "a")
                    assert wb.decisions_sent[-1].findings == {}
            else:
                await press_decision(pilot, wb, "a")
            await wait_for(pilot, lambda: wb.checkpoint is not None or wb.ended is not None)
        assert triages == 2
        assert wb.ended.status == "converged"


async def test_a_carried_decision_is_marked_until_the_human_decides() -> None:
    from textual.app import App
    from textual.widgets import Static

    from duo_tui.core.carry_over import preselect, previous_findings
    from duo_tui.core.convergence import group_table, merge_reviews
    from duo_tui.core.models import Review

    nit = {"id": "F2", "severity": "low", "category": "docs", "file": "shop/cart.py"}
    before = Review.model_validate(
        {"reviewer": "a", "findings": [dict(nit, title="apply_code has no docstring")]}
    )
    now = Review.model_validate(
        {"reviewer": "a", "findings": [dict(nit, id="F9", title="apply_code lacks a docstring")]}
    )
    empty = Review(reviewer="b")
    m1 = merge_reviews([before, empty])
    stored = {
        "groups": group_table(m1, {}),
        "decisions": {"G1": "accept_risk"},
        "reasons": {"G1": "docs come later"},
    }
    m2 = merge_reviews([now, empty])
    pre = preselect(m2, previous_findings(stored), 1)
    groups = group_table(m2, {k: v.value for k, v in pre.decisions.items()})
    groups[0]["carried"] = pre.carried["G1"].as_dict()
    decisions = {"G1": "accept_risk"}
    screen = TriageScreen(groups, {0: now, 1: empty}, decisions, {}, {})

    class Host(App[None]):
        def on_mount(self) -> None:
            self.push_screen(screen)

    app = Host()
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_for(pilot, lambda: app.screen is screen)
        table = screen.query_one(DataTable)
        assert "(carried)" in str(table.get_cell_at((0, 2)))
        detail = str(screen.query_one("#detail-a", Static).render())
        assert "carried over" in detail and "round 1" in detail and "docs come later" in detail
        await pilot.press("d")
        await pilot.pause()
        assert "(carried)" not in str(table.get_cell_at((0, 2)))
        assert screen.chosen == {"G1"}
