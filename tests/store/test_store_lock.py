"""SessionLock: one process per session; the lock dies with its holder."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from duo_tui.errors import SessionLockedError
from duo_tui.store import SessionLock, repo_lock, session_lock
from duo_tui.store.lock import read_holder

Spawn = Callable[..., subprocess.Popen[str]]
Wait = Callable[..., None]

HOLDER = """
import sys, time
from pathlib import Path
from duo_tui.store import session_lock
lock = session_lock(Path(sys.argv[1]), sys.argv[2]).acquire()
print("LOCKED", flush=True)
time.sleep(60)
"""


def test_lock_in_same_process_and_release(tmp_path: Path) -> None:
    path = tmp_path / "lock"
    with SessionLock(path, what="session S") as first:
        assert first.held
        assert read_holder(path)["pid"] == os.getpid()  # type: ignore[index]
        with pytest.raises(SessionLockedError) as info:
            SessionLock(path, what="session S").acquire()
        message = str(info.value)
        assert message.startswith("session S is in use by this very process")
        assert str(os.getpid()) in message and "try again" in message
    assert not first.held
    with SessionLock(path):  # released: can be taken again
        pass
    assert path.exists()  # never deleted


def test_lock_held_by_other_process_then_freed_by_sigkill(
    tmp_path: Path, spawn: Spawn, wait_for_line: Wait
) -> None:
    repo = tmp_path
    proc = spawn(HOLDER, str(repo), "2026-11-21-x", "--marker-for-test")
    wait_for_line(proc, "LOCKED")
    with pytest.raises(SessionLockedError) as info:
        session_lock(repo, "2026-11-21-x").acquire()
    message = str(info.value)
    assert "session 2026-11-21-x is in use by" in message
    assert f"pid {proc.pid}" in message
    assert "--marker-for-test" in message  # the holder's command line
    assert "lock frees itself" in message

    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    with session_lock(repo, "2026-11-21-x") as lock:
        assert lock.held
        assert read_holder(lock.path)["pid"] == os.getpid()  # type: ignore[index]


def test_store_lock_and_repo_lock(tmp_path: Path) -> None:
    from duo_tui.store import SessionStore

    store = SessionStore(tmp_path, "2026-11-21-y")
    with store.lock(), pytest.raises(SessionLockedError):
        session_lock(tmp_path, "2026-11-21-y").acquire()
    with repo_lock(tmp_path) as lock:
        assert lock.path == tmp_path / ".duo" / "lock"
        with pytest.raises(SessionLockedError, match="repository lock"):
            repo_lock(tmp_path).acquire()
