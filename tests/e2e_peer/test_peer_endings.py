"""Issue 17 end to end: `duo-tui run` when the executor's first reply and a review are cut off.

The peer (sse_peer.py) speaks the documented SSE shapes of both APIs and cuts
chosen replies half way with the API's own truncation: `finish_reason: "length"`
for the OpenAI executor, `stop_reason: "max_tokens"` for the Anthropic review.
The session retries each once with a larger budget and then uses the whole
answers; cut off every time, it stops and names the truncation.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from duo_tui.demo.project import REQUEST
from duo_tui.demo.script import PLANNER, demo_script
from duo_tui.store.session_store import SessionStore

from .sse_peer import SsePeer
from .support import git, write_peer_config

pytestmark = pytest.mark.usefixtures("fake_keys")


@pytest.fixture
def sse_peer() -> Iterator[SsePeer]:
    peer = SsePeer()
    peer.start()
    try:
        yield peer
    finally:
        peer.stop()


def run_cli(repo: Path, peer: SsePeer, tmp_path: Path) -> tuple[int, str, dict[str, object]]:
    """`python -m duo_tui run` against the peer; (exit code, stderr, the JSON report)."""
    config = write_peer_config(tmp_path / "peer.toml", peer)  # type: ignore[arg-type]
    report = tmp_path / "report.json"
    args = ["run", REQUEST, "--repo", str(repo), "--config", str(config), "--json", str(report)]
    proc = subprocess.run(
        [sys.executable, "-m", "duo_tui", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(os.environ),
    )
    return proc.returncode, proc.stderr, json.loads(report.read_text())


def test_cut_off_execute_and_review_are_retried_then_used_whole(
    sse_peer: SsePeer, demo_repo: Path, tmp_path: Path
) -> None:
    sse_peer.cut = {("execute", "openai"): 1, ("review", "anthropic"): 1}
    code, err, report = run_cli(demo_repo, sse_peer, tmp_path)
    assert code == 0, err
    assert report["converged"] is True and report["committed"] is True
    # Each cut-off reply was asked again once, with twice the budget.
    assert sse_peer.budgets("execute", "openai") == [32000, 64000]
    assert sse_peer.budgets("review", "anthropic")[:2] == [32000, 64000]
    assert "cut off ('length')" in err and "retrying once with a budget of 64000 tokens" in err
    assert "cut off ('max_tokens')" in err
    # The report and the transcript say how every call ended.
    endings = [(c["stage"], c["ending"], c["complete"]) for c in report["calls"]]  # type: ignore[index,union-attr]
    assert ("execute", "length", False) in endings and ("execute", "stop", True) in endings
    assert ("review", "max_tokens", False) in endings and ("review", "end_turn", True) in endings
    calls = SessionStore.open(demo_repo, str(report["session"])).calls()
    cut = [c for c in calls if not c.complete]
    assert sorted(c.ending or "" for c in cut) == ["length", "max_tokens"]
    assert all(c.response_text for c in cut), "the partial text is kept"
    # The whole answers were used: the planner's round-1 review has every finding it sent.
    store = SessionStore.open(demo_repo, str(report["session"]))
    stored = sorted(store.path.rglob("round-1/review-*claude*.json"))
    assert len(stored) == 1, stored
    sent = json.loads(demo_script()[("review", PLANNER)][0].text)["findings"]
    kept = json.loads(stored[0].read_text())["findings"]
    assert [f["id"] for f in kept] == [f["id"] for f in sent] and len(sent) >= 2


def test_execute_cut_off_every_time_stops_naming_the_truncation(
    sse_peer: SsePeer, demo_repo: Path, tmp_path: Path
) -> None:
    sse_peer.cut = {("execute", "openai"): 99}
    code, err, report = run_cli(demo_repo, sse_peer, tmp_path)
    assert code == 1, err
    assert report["converged"] is False and report["committed"] is False
    reason = str(report["stop_reason"])
    assert "execute failed" in reason and "cut off ('length')" in reason, reason
    assert "the output token limit of 64000 allowed was reached" in reason
    assert "no SEARCH/REPLACE" not in reason and "could not be parsed" not in reason
    assert sse_peer.budgets("execute", "openai") == [32000, 64000], "one retry, then it stops"
    assert f"■ session stopped: {reason}" in err
    assert git(demo_repo, "rev-list", "--count", str(report["branch"])) == "1", "nothing committed"
