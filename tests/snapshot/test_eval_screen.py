"""SVG snapshots of the eval screen with the finished demo report, at 80×24 and 200×50.

The demo's numbers are deterministic; its times are not, so the report's times
are set to fixed values before it is shown.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from duo_tui.cli_parser import build_parser
from duo_tui.eval.command import plan_eval, run_plan
from duo_tui.eval.results import EvalReport
from duo_tui.eval.suite import Suite
from tests.pilot._helpers import wait_for


@pytest.fixture(scope="module")
def demo_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Suite, EvalReport]:
    cache: Path = tmp_path_factory.mktemp("evalsnap")
    plan = plan_eval(build_parser().parse_args(["eval", "--demo", "--cache", str(cache)]))
    report = asyncio.run(run_plan(plan))
    for k, cfg in enumerate(report.configs):
        cfg.review_s = 2.0 + 0.5 * k
    report.wall_s = 3.4
    return plan.suite, report


def _table_filled(app) -> bool:  # type: ignore[no-untyped-def]
    tables = app.screen.query("#eval-table")
    return bool(tables) and tables.first().row_count > 0


async def _settle(pilot) -> None:  # type: ignore[no-untyped-def]
    """The eval screen's table filled, then the screen laid out and its animations done."""
    await wait_for(pilot, lambda: _table_filled(pilot.app), what="the eval table's rows")
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()


@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
def test_eval_demo_report(
    snap_compare, demo_report: tuple[Suite, EvalReport], size: tuple[int, int]
) -> None:
    from duo_tui.ui.app import DuoApp

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await _settle(pilot)
        await pilot.press("down", "down", "down")  # the first pair: who found what
        await _settle(pilot)

    app = DuoApp(eval_report=demo_report)
    assert snap_compare(app, terminal_size=size, run_before=run_before)
