"""Checks that a session was left saved, closed and resumable."""

from __future__ import annotations

from pathlib import Path

from duo_tui.store.session_store import SessionStore


def session_dirs(repo: Path) -> list[Path]:
    root = repo / ".duo" / "sessions"
    return sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []


def assert_saved_and_closed(repo: Path, output: str | None) -> str:
    """The one session in `repo` loads, its lock was released by the program (not by its
    death: the holder note is cleared only by a clean release), and, when the terminal's
    output is given, the exit message names it with the exact resume command."""
    (sdir,) = session_dirs(repo)
    store = SessionStore.open(repo, sdir.name)
    session, _problems = store.load()
    assert session.id == sdir.name
    assert session.status.value == "active"
    assert (sdir / "lock").read_text() == "", "the lock was not released: the session never closed"
    if output is not None:
        flat = " ".join(output.split())
        assert f"duo-tui resume {session.id} --repo {repo}" in flat, flat[-600:]
        assert f"on branch {session.branch}" in flat
        assert f"demo repository: {repo}" in flat
    return session.id
