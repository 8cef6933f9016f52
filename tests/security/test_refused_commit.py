"""A commit refused for a secret: the report is written, the session blocked, the way on
offered; fixing the file and resuming commits.

Played headless against the wire-compatible peer: the executor's change adds a live
Stripe key (built at runtime) to `shop/discounts.py`; both reviewers approve.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from duo_tui.config import load_config
from duo_tui.demo.project import REQUEST
from duo_tui.demo.script import demo_script
from duo_tui.headless import run_headless
from duo_tui.providers import registry
from duo_tui.store.session_store import SessionStore
from tests.core.helpers import CLEAN_REVIEWS, ans, make_script
from tests.e2e_peer.peer import DemoPeer
from tests.e2e_peer.support import FAKE_KEYS, files_containing, write_peer_config

STRIPE_LIVE = "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc"
SECRET_LINE = f'STRIPE_KEY = "{STRIPE_LIVE}"'


@pytest.fixture
def peer(monkeypatch: pytest.MonkeyPatch) -> Iterator[DemoPeer]:
    for name, value in FAKE_KEYS.items():
        monkeypatch.setenv(name, value)
    server = DemoPeer()
    server.start()
    registry.clear_cache()
    try:
        yield server
    finally:
        server.stop()
        registry.clear_cache()


def _script_with_a_secret() -> dict:  # type: ignore[type-arg]
    execute = demo_script()["execute"][0].text
    anchor = '    "SAVE25": 25,\n}\n'
    assert anchor in execute
    return make_script(
        {**CLEAN_REVIEWS, "execute": ans(execute.replace(anchor, anchor + SECRET_LINE + "\n"))}
    )


async def test_a_refused_commit_blocks_reports_and_resumes_once_fixed(
    peer: DemoPeer, demo_repo: Path, tmp_path: Path
) -> None:
    peer.play(_script_with_a_secret())
    config = load_config(demo_repo, write_peer_config(tmp_path / "peer.toml", peer))
    report_path = tmp_path / "report.json"
    err = io.StringIO()
    code = await run_headless(demo_repo, REQUEST, config, json_path=report_path, err=err)
    progress = err.getvalue()
    assert code == 1, progress
    report = json.loads(report_path.read_text())  # the report is written
    assert report["committed"] is False and report["converged"] is False
    reason = report["stop_reason"]
    assert "shop/discounts.py:" in reason and "(Stripe Access Key)" in reason, reason
    assert "drop it" in reason and "git checkout -- shop/discounts.py" in reason
    assert f"duo-tui run --resume {report['session']}" in reason
    assert f"■ session blocked: {reason}" in progress
    # never the value: not in the report, the output or any session file
    assert STRIPE_LIVE not in report_path.read_text() and STRIPE_LIVE not in progress
    assert files_containing(demo_repo / ".duo" / "sessions", [STRIPE_LIVE]) == []
    store = SessionStore.open(demo_repo, report["session"])
    assert store.load()[0].status.value == "blocked"

    # the way on: fix the file in the session worktree, then resume
    worktree = Path(store.load()[0].worktree or "")
    target = worktree / "shop" / "discounts.py"
    target.write_text(target.read_text().replace(SECRET_LINE + "\n", ""))
    calls = len(peer.served)
    err2 = io.StringIO()
    code = await run_headless(
        demo_repo, None, config, resume=report["session"], json_path=report_path, err=err2
    )
    assert code == 0, err2.getvalue()
    after = json.loads(report_path.read_text())
    assert after["committed"] is True and after["stop_reason"] is None
    assert len(peer.served) == calls  # resumed at the commit: no model asked again
    assert SessionStore.open(demo_repo, report["session"]).load()[0].status.value == "converged"


async def test_the_workbench_shows_the_block_and_the_way_on(tmp_path: Path) -> None:
    """The same session in the TUI (the scripted demo, every checkpoint accepted)."""
    from duo_tui.demo import script as demo_module
    from duo_tui.ui.app import DuoApp
    from duo_tui.ui.screens.workbench import WorkbenchScreen
    from tests.pilot._helpers import wait_for

    chosen = _script_with_a_secret()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(demo_module, "demo_script", lambda: chosen)
        app = DuoApp(demo=True, repo=tmp_path / "demo", pace=0)
        async with app.run_test(size=(200, 60)) as pilot:
            await wait_for(
                pilot, lambda: any(isinstance(s, WorkbenchScreen) for s in app.screen_stack)
            )
            wb = next(s for s in app.screen_stack if isinstance(s, WorkbenchScreen))
            while wb.ended is None:
                await wait_for(pilot, lambda: wb.checkpoint is not None or wb.ended is not None)
                if wb.ended is not None:
                    break
                sent = len(wb.decisions_sent)
                await pilot.press("a")
                await wait_for(pilot, lambda n=sent + 1: len(wb.decisions_sent) >= n)
            assert wb.ended.status == "blocked", wb.ended.stop_reason
            await wait_for(pilot, lambda: "■ blocked" in wb._bar_text, what="the blocked bar")
            bar = wb._bar_text
    assert "■ blocked" in bar and "(Stripe Access Key)" in bar and "drop it" in bar, bar
    assert "resume" in bar and STRIPE_LIVE not in bar
