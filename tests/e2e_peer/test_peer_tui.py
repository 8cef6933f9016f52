"""Issue 3 in the TUI: the demo request walked to a commit with `a`, the models behind the peer.

`DuoApp` opens a new manual session on the demo repository with the peer
config (anthropic planner, openai executor, both reviewers); the pipeline
thread streams every call through the real SDKs to the peer.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from duo_tui.demo.project import REQUEST
from duo_tui.demo.script import EXECUTOR, PLANNER
from duo_tui.store.session_store import SessionStore
from duo_tui.ui.app import DuoApp
from duo_tui.ui.screens.workbench import WorkbenchScreen
from tests.pilot._helpers import wait_for

from .peer import DemoPeer
from .support import FAKE_KEYS, files_containing


async def test_tui_walk_with_accept_commits(
    peer: DemoPeer, peer_config: Path, demo_repo: Path, fake_keys: dict[str, str]
) -> None:
    """`a` at every checkpoint takes the peer-backed session to its commit."""
    app = DuoApp(repo=demo_repo, config_path=peer_config, request=REQUEST, mode="manual")
    seen: list[str] = []
    async with app.run_test(size=(200, 60)) as pilot:
        await wait_for(pilot, lambda: any(isinstance(s, WorkbenchScreen) for s in app.screen_stack))
        wb = next(s for s in app.screen_stack if isinstance(s, WorkbenchScreen))
        while wb.ended is None:
            await wait_for(pilot, lambda: wb.checkpoint is not None or wb.ended is not None)
            if wb.ended is not None:
                break
            assert wb.checkpoint is not None
            seen.append(wb.checkpoint.stage.value)
            sent = len(wb.decisions_sent)
            await pilot.press("a")
            await wait_for(pilot, lambda n=sent + 1: len(wb.decisions_sent) == n)
        ended = wb.ended
    assert ended.status == "converged", ended.stop_reason
    report = ended.report
    for stage in ("plan", "align", "execute", "gate", "review", "triage", "fix", "commit"):
        assert stage in seen, seen
    assert report["rounds"] == 2
    branch = report["branch"]
    log = subprocess.run(
        ["git", "log", "--format=%H %s", branch],
        cwd=demo_repo,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert log[0] == f"{report['commit']} feat(cart): add percentage discount codes"
    # every model call went to the peer, on the wire of its model, and is in the transcript
    calls = SessionStore.open(demo_repo, report["session"]).calls()
    assert len(calls) == len(peer.served) == 10
    assert {c.model for c in calls} == {PLANNER, EXECUTOR}
    assert all(c.usage.input_tokens and c.usage.output_tokens for c in calls)
    assert peer.credentials() == set(FAKE_KEYS.values())
    assert files_containing(demo_repo / ".duo", list(fake_keys.values())) == []
