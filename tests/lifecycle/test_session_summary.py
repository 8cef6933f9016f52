"""What is printed when the workbench closes, and `duo-tui sessions --demo` (issue 19 item 5)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from duo_tui.cli import main
from duo_tui.core.runner import HeadlessDriver
from duo_tui.service import create_demo_repo, demo_config, open_new
from duo_tui.session_summary import SessionInfo, exit_message


def test_exit_message_of_a_demo_session(tmp_path: Path) -> None:
    info = SessionInfo("2026-12-06-x", "duo/x", str(tmp_path / "my demo"), demo=True)
    text = exit_message(info, cwd=tmp_path)
    assert "session 2026-12-06-x saved, on branch duo/x" in text
    assert f"demo repository: {tmp_path / 'my demo'}" in text
    # The exact command, quoted for the shell.
    assert f"continue it: duo-tui resume 2026-12-06-x --repo '{tmp_path / 'my demo'}'" in text


def test_exit_message_names_the_repository_only_when_needed(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "src").mkdir(parents=True)
    info = SessionInfo("s1", "duo/s1", str(repo), demo=False, status="converged")
    assert "open it again: duo-tui resume s1\n" in exit_message(info, cwd=repo / "src")
    assert f"duo-tui resume s1 --repo {repo}" in exit_message(info, cwd=tmp_path)
    assert "demo repository" not in exit_message(info, cwd=repo)


def test_sessions_demo_lists_the_demo_repositories(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    repo = create_demo_repo()  # where `duo-tui --demo` makes it
    ws = open_new(repo, "Add discount codes", demo_config(), driver=HeadlessDriver(), demo=True)
    ws.close()
    (tmp / "duo-demo-elsewhere").symlink_to(tmp_path)  # planted by someone: not listed
    monkeypatch.chdir(tmp_path)  # not a repository: the demo listing needs none
    assert main(["sessions", "--demo"]) == 0
    out = capsys.readouterr().out
    assert str(repo) in out
    assert f"duo-tui resume {ws.session.id} --repo {repo}" in out
    assert "duo-demo-elsewhere" not in out


def test_exit_message_shows_hostile_names_harmlessly(tmp_path: Path) -> None:
    # A resumed session's id and branch are read from files in the repository.
    info = SessionInfo("s\x1b]52;c;AAAA\x07", "duo/\x1b[2Jx", str(tmp_path), demo=False)
    text = exit_message(info, cwd=tmp_path)
    assert "\x1b" not in text and "\x07" not in text
    assert "␛[2Jx" in text
