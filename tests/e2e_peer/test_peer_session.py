"""Issue 3 and 6: the demo session end to end through the real anthropic and openai SDKs.

A wire-compatible peer (llm-mock-api, see peer.py) answers every prompt of the
demo session on 127.0.0.1: an `anthropic/...` planner, an `openai/...`
executor, both as reviewers. The session runs headless through the real CLI
in a subprocess, headless in-process, and in the TUI, and converges after one
fix round; faults of the peer (a 500, a refused key) show up as the user
would see them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from duo_tui.demo.project import REQUEST
from duo_tui.demo.script import EXECUTOR, PLANNER
from duo_tui.store.session_store import SessionStore

from .peer import DemoPeer
from .support import files_containing, git, run_in_process

pytestmark = pytest.mark.usefixtures("fake_keys")

COMMIT_SUBJECT = "feat(cart): add percentage discount codes"

#: (wire, purpose) of what the converged demo session asks of the peer, in order;
#: "either" for a review: the two reviews of a round may arrive in either order.
SESSION_CALLS = [
    ("anthropic", "plan"),
    ("openai", "align"),
    ("anthropic", "revise"),
    ("openai", "align"),
    ("openai", "execute"),
    ("either", "review"),
    ("either", "review"),
    ("openai", "fix"),
    ("either", "review"),
    ("either", "review"),
]


def run_cli(repo: Path, config: Path, report: Path) -> subprocess.CompletedProcess[str]:
    """`python -m duo_tui run` in a subprocess; it reaches the peer over 127.0.0.1."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "duo_tui",
            "run",
            REQUEST,
            "--repo",
            str(repo),
            "--config",
            str(config),
            "--json",
            str(report),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env=dict(os.environ),
    )


def assert_session_calls(peer: DemoPeer) -> None:
    """The peer answered exactly the demo session's calls, each on the right wire."""
    got = [(s.api, s.purpose) for s in peer.served]
    for i, ((api, purpose), (want_api, want_purpose)) in enumerate(
        zip(got, SESSION_CALLS, strict=True)
    ):
        assert purpose == want_purpose, (i, got)
        if want_api != "either":
            assert api == want_api, (i, got)
    reviews = [(s.round, s.api) for s in peer.served if s.purpose == "review"]
    assert sorted(reviews) == [(1, "anthropic"), (1, "openai"), (2, "anthropic"), (2, "openai")]


def assert_converged_commit(repo: Path, report: dict[str, object]) -> None:
    """Converged after one fix round, committed on the session's duo/ branch only."""
    assert report["converged"] is True, report
    assert report["committed"] is True, report
    assert report["rounds"] == 2
    assert report["stop_reason"] is None
    assert report["errors"] == []
    branch = str(report["branch"])
    assert branch.startswith("duo/")
    assert git(repo, "rev-parse", branch) == report["commit"]
    assert git(repo, "log", "-1", "--format=%s", branch) == COMMIT_SUBJECT
    assert git(repo, "rev-list", "--count", "main") == "1", "the user's branch was touched"


def assert_usage_from_peer(peer: DemoPeer, report: dict[str, object]) -> None:
    """The report's tokens per model are exactly what the peer reported, with a cost."""
    usage = report["usage"]
    assert isinstance(usage, dict)
    assert set(usage) == {PLANNER, EXECUTOR}
    for model, (inp, out) in peer.usage_by_model().items():
        assert usage[model]["input_tokens"] == inp, model
        assert usage[model]["output_tokens"] == out, model
        assert usage[model]["cost_usd"] is not None and usage[model]["cost_usd"] > 0


def test_headless_cli_converges_against_the_peer(
    peer: DemoPeer, peer_config: Path, demo_repo: Path, tmp_path: Path, fake_keys: dict[str, str]
) -> None:
    """`duo-tui run` against the peer: exit 0, converged and committed, real usage, no key in .duo."""
    report_path = tmp_path / "report.json"
    proc = run_cli(demo_repo, peer_config, report_path)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(report_path.read_text())
    assert_converged_commit(demo_repo, report)
    assert_usage_from_peer(peer, report)
    assert_session_calls(peer)
    assert f"committed {str(report['commit'])[:10]} on {report['branch']}" in proc.stderr
    # the keys went to the peer, and nowhere into the session's files or the output
    secrets = list(fake_keys.values())
    assert files_containing(demo_repo / ".duo", secrets) == []
    for text in (proc.stdout, proc.stderr, report_path.read_text()):
        assert not any(s in text for s in secrets)


async def test_headless_in_process_transcript_and_concurrent_reviews(
    peer: DemoPeer, peer_config: Path, demo_repo: Path, tmp_path: Path, fake_keys: dict[str, str]
) -> None:
    """`run_headless`: every call is in the transcript with role, model, usage and timings;
    the two reviews of a round were in flight at the same time."""
    report_path = tmp_path / "report.json"
    run = await run_in_process(demo_repo, peer_config, report_path)
    assert run.code == 0, run.progress
    report = run.report
    assert_converged_commit(demo_repo, report)
    assert_usage_from_peer(peer, report)
    assert_session_calls(peer)
    assert peer.credentials() == set(fake_keys.values())

    calls = SessionStore.open(demo_repo, report["session"]).calls()
    assert len(calls) == len(peer.served) == len(SESSION_CALLS)
    roles = {
        "plan": {("planner", PLANNER)},
        "align": {("executor", EXECUTOR), ("planner", PLANNER)},
        "execute": {("executor", EXECUTOR)},
        "fix": {("executor", EXECUTOR)},
        "review": {("reviewer", PLANNER), ("reviewer", EXECUTOR)},
    }
    served_usage = sorted((s.model, s.input_tokens, s.output_tokens) for s in peer.served)
    assert served_usage == sorted(
        (c.model, c.usage.input_tokens, c.usage.output_tokens) for c in calls
    )
    for c in calls:
        assert c.ok and c.complete and c.error is None, c.call_id
        assert (c.role, c.model) in roles[c.stage.value], (c.stage, c.role, c.model)
        assert c.usage.cost_usd is not None and c.usage.cost_usd > 0, c.call_id
        assert c.latency_s is not None and c.ttft_s is not None, c.call_id
        assert 0 <= c.ttft_s <= c.latency_s, c.call_id
        assert c.response_text, c.call_id
    reviews = [c for c in calls if c.stage.value == "review"]
    assert sorted((c.round, c.model) for c in reviews) == sorted(
        (r, m) for r in (1, 2) for m in (PLANNER, EXECUTOR)
    )
    # Each review request arrived while the other model's review of that round was
    # already waiting at the peer: they were requested concurrently, not one after the other.
    assert [s.other_review_seen for s in peer.served if s.purpose == "review"] == [True] * 4


async def test_a_500_for_the_executor_is_retried_and_the_session_converges(
    peer: DemoPeer, peer_config: Path, demo_repo: Path, tmp_path: Path
) -> None:
    """The executor's first request gets HTTP 500: the user sees a retry, the session converges."""
    peer.fail("openai", 500, "upstream hiccup", "server_error", times=1)
    report_path = tmp_path / "report.json"
    run = await run_in_process(demo_repo, peer_config, report_path)
    assert run.code == 0, run.progress
    assert_converged_commit(demo_repo, run.report)
    retry_lines = [line for line in run.progress.splitlines() if "↻" in line]
    assert len(retry_lines) == 1, run.progress
    assert "server error (HTTP 500)" in retry_lines[0]
    assert "upstream hiccup" in retry_lines[0]
    assert "attempt 2/5" in retry_lines[0]
    history = peer.history()
    assert history[1] == ("openai", "align", "{format=openai}")  # the 500
    assert history[2][:2] == ("openai", "align")  # the retry, answered
    assert len(history) == len(SESSION_CALLS) + 1


def test_a_refused_key_stops_the_session_and_says_so(
    peer: DemoPeer, peer_config: Path, demo_repo: Path, tmp_path: Path, fake_keys: dict[str, str]
) -> None:
    """The peer answers the planner with HTTP 401: exit 1, the key problem in the report and
    on stderr, nothing built, and the key itself nowhere."""
    peer.fail("anthropic", 401, "invalid x-api-key", "authentication_error")
    report_path = tmp_path / "report.json"
    proc = run_cli(demo_repo, peer_config, report_path)
    assert proc.returncode == 1, proc.stderr
    report = json.loads(report_path.read_text())
    assert report["converged"] is False and report["committed"] is False
    assert report["commit"] is None
    stop = report["stop_reason"]
    assert stop and "plan failed" in stop and "API key refused (HTTP 401)" in stop, stop
    assert "invalid x-api-key" in stop
    assert "API key refused (HTTP 401)" in proc.stderr
    assert "The API key was refused; check the key's environment variable." in proc.stderr
    assert "■ session stopped" in proc.stderr
    # only the planner was asked (the auto rerun asks once more), the executor never
    assert {(api, purpose) for api, purpose, _ in peer.history()} == {("anthropic", "plan")}
    secrets = list(fake_keys.values())
    assert files_containing(demo_repo / ".duo", secrets) == []
    for text in (proc.stdout, proc.stderr, report_path.read_text()):
        assert not any(s in text for s in secrets)
