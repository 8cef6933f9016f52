"""Issue 16: what can be refused is refused before a branch exists; lost decisions show.

`duo-tui run` in-process against the wire-compatible peer (tests/e2e_peer):
an unknown provider, a non-positive timeout, negative retries, an unusable
key, a repository without commits and a `--json` path that cannot be written
are each exit 2 with nothing created. A deleted decisions.jsonl is named on
resume and in the report.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from duo_tui.cli import main
from duo_tui.core.events import Event, StageStarted
from duo_tui.core.models import Stage
from duo_tui.core.runner import HeadlessDriver
from duo_tui.demo.project import REQUEST
from duo_tui.demo.script import EXECUTOR
from duo_tui.service import demo_config, open_new
from tests.e2e_peer.conftest import _peer_server, fake_keys, peer  # noqa: F401
from tests.e2e_peer.peer import DemoPeer
from tests.e2e_peer.support import write_peer_config

from .checkout import (
    checkout_files,
    demo_project_without_commits,
    duo_branches,
    linked_worktrees,
    play,
    resume_demo,
    session_dirs,
)

UNUSABLE_KEY = "sk-ant-" + "ключ" * 8


def edit(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new, 1)


CASES = {
    "unknown provider": (
        lambda t: edit(t, f"executor = {json.dumps(EXECUTOR)}", 'executor = "nosuch/model-1"'),
        "unknown provider 'nosuch'",
    ),
    "call timeout 0": (
        lambda t: edit(t, "[providers.anthropic]\n", "[providers.anthropic]\ntimeout_s = 0\n"),
        "timeout_s",
    ),
    "negative retries": (
        lambda t: edit(t, "[providers.openai]\n", "[providers.openai]\nmax_retries = -1\n"),
        "max_retries",
    ),
    "gate timeout below 0": (
        lambda t: edit(t, "timeout_s = 120", "timeout_s = -5"),
        "gate.timeout_s",
    ),
    "unusable key": (lambda t: t, "ANTHROPIC_API_KEY cannot be used"),
}


@pytest.mark.usefixtures("fake_keys")
@pytest.mark.parametrize("case", list(CASES))
def test_what_would_fail_later_is_refused_before_a_branch_exists(
    case: str,
    demo_repo: Path,
    tmp_path: Path,
    peer: DemoPeer,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    change, expected = CASES[case]
    config = write_peer_config(tmp_path / "peer.toml", peer, loop={"max_rounds": 1})
    config.write_text(change(config.read_text()))
    if case == "unusable key":
        monkeypatch.setenv("ANTHROPIC_API_KEY", UNUSABLE_KEY)
    before = checkout_files(demo_repo)

    code = main(["run", REQUEST, "--repo", str(demo_repo), "--config", str(config)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert expected in err
    assert UNUSABLE_KEY not in err
    assert session_dirs(demo_repo) == []
    assert duo_branches(demo_repo) == []
    assert linked_worktrees(demo_repo) == []
    assert peer.history() == []  # no model was asked anything
    assert checkout_files(demo_repo) == before


@pytest.mark.usefixtures("fake_keys")
def test_run_in_a_repository_without_commits_is_exit_2_with_nothing_left(
    tmp_path: Path,
    peer: DemoPeer,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    repo = demo_project_without_commits(tmp_path / "repo")
    config = write_peer_config(tmp_path / "peer.toml", peer)
    code = main(["run", REQUEST, "--repo", str(repo), "--config", str(config)])
    assert code == 2
    assert "no commits yet" in capsys.readouterr().err
    assert session_dirs(repo) == []
    assert duo_branches(repo) == []


@pytest.mark.parametrize("where", ["a directory", "a missing folder"])
def test_a_json_report_path_that_cannot_be_written_is_refused_before_anything_runs(
    where: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    demo = tmp_path / "demo"
    target = tmp_path if where == "a directory" else tmp_path / "no" / "such" / "r.json"
    code = main(["run", REQUEST, "--demo", "--repo", str(demo), "--json", str(target)])
    assert code == 2
    assert "--json" in capsys.readouterr().err
    assert not demo.exists()  # not even the demo repository was made
    assert not (tmp_path / "no").exists()  # and no folder was created for the report


class _Interrupt(Exception):
    """Stands in for the process dying mid-session."""


def test_a_deleted_decision_log_is_named_on_resume_and_in_the_report(demo_repo: Path) -> None:
    def die_at_execute(ev: Event) -> None:
        if isinstance(ev, StageStarted) and ev.stage == Stage.EXECUTE:
            raise _Interrupt

    ws = open_new(
        demo_repo,
        REQUEST,
        demo_config(),
        driver=HeadlessDriver(),
        autopilot=True,
        demo=True,
        listeners=[die_at_execute],
    )
    with pytest.raises(_Interrupt):
        asyncio.run(ws.pipeline.run())
    ws.close()
    log = demo_repo / ".duo" / "sessions" / ws.session.id / "decisions.jsonl"
    assert log.read_text().strip()  # plan and align were decided
    log.unlink()

    resumed = resume_demo(demo_repo)
    assert any("decisions.jsonl" in p and "lost" in p for p in resumed.problems)
    report = play(resumed)
    assert any("decisions.jsonl" in w for w in report["warnings"])
