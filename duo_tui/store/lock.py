"""Inter-process locks on a session (and on a repository's `.duo/`), via `flock`.

One duo-tui process at a time may work on a session: `SessionLock` takes an
exclusive, non-blocking `fcntl.flock` on `.duo/sessions/<id>/lock`. A second
process gets `SessionLockedError` naming the holder (its pid and command line,
which the holder writes into the lock file) and what to do about it.

`flock` locks belong to the open file, so the kernel releases them when the
holding process dies, however it dies (even SIGKILL): a crash never leaves a
stale lock behind. The lock file itself is never deleted (deleting a lock file
that another process is about to lock is a classic race); an empty or stale
holder note in it is harmless.

`repo_lock(repo)` is the same on `<repo>/.duo/lock`, for short repository-wide
critical sections such as creating a session or a git worktree.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shlex
import socket
import sys
from pathlib import Path
from types import TracebackType
from typing import Any

from duo_tui.core.models import utcnow
from duo_tui.errors import SessionLockedError
from duo_tui.limits import SESSION_JSON_DEPTH, InputError, loads_json, read_regular_file
from duo_tui.redact import redact

__all__ = ["SessionLock", "read_holder", "repo_lock", "session_lock"]

#: A holder note is a pid, a host and a command line: never more than this.
_HOLDER_BYTES = 64_000


def read_holder(path: Path | str) -> dict[str, Any] | None:
    """The holder note written in a lock file, or None if there is none."""
    try:
        raw = read_regular_file(Path(path), _HOLDER_BYTES)
    except InputError:  # missing, not a file, or far bigger than a holder note
        return None
    text = raw.decode("utf-8", errors="replace").strip()
    if not text:
        return None
    try:
        value = loads_json(text, SESSION_JSON_DEPTH)
    except (json.JSONDecodeError, InputError):
        return None
    return value if isinstance(value, dict) else None


def _describe_holder(holder: dict[str, Any] | None) -> str:
    if not holder:
        return "another process (its pid is not recorded yet)"
    if holder.get("pid") == os.getpid() and holder.get("host") == socket.gethostname():
        return f"this very process (pid {os.getpid()}): another part of it already holds it"
    parts = [f"pid {holder.get('pid', '?')}"]
    host = holder.get("host")
    if host and host != socket.gethostname():
        parts.append(f"on host {host}")
    command = holder.get("command")
    desc = "process " + " ".join(parts)
    if command:
        desc += f" ({command})"
    since = holder.get("since")
    if since:
        desc += f", since {since}"
    return desc


class SessionLock:
    """Exclusive lock on a lock file; a context manager.

    >>> with SessionLock(store.path / "lock", what="session 2026-11-21-x"):
    ...     ...  # only this process works on the session here

    Raises `SessionLockedError` on entry if another process (or another
    `SessionLock` on the same file in this process) holds it. The lock is held
    until `release()`/the end of the `with` block or the death of the process;
    dropping the object without releasing keeps it held (the fd stays open).
    """

    def __init__(self, path: Path | str, *, what: str | None = None) -> None:
        self.path = Path(path)
        self.what = what or f"the lock {self.path}"
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> SessionLock:
        """Take the lock now or raise `SessionLockedError`."""
        if self._fd is not None:
            return self
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            holder = read_holder(self.path)
            raise SessionLockedError(
                f"{self.what} is in use by {_describe_holder(holder)}. "
                "Switch to that duo-tui, or close it and try again; "
                "if that process has died, the lock frees itself - just retry. "
                f"(lock file: {self.path})"
            ) from None
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        note = {
            "pid": os.getpid(),
            "command": redact(shlex.join(sys.argv)) if sys.argv else "python",
            "host": socket.gethostname(),
            "since": utcnow(),
        }
        payload = (json.dumps(note) + "\n").encode("utf-8")
        with contextlib.suppress(OSError):  # the note is informative only
            os.ftruncate(fd, 0)
            os.pwrite(fd, payload, 0)
        return self

    def release(self) -> None:
        """Drop the lock (idempotent)."""
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    def __enter__(self) -> SessionLock:
        return self.acquire()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()

    def __repr__(self) -> str:
        return f"SessionLock({str(self.path)!r}, held={self.held})"


def session_lock(repo: Path | str, session_id: str) -> SessionLock:
    """The lock of one session: `<repo>/.duo/sessions/<id>/lock`."""
    path = Path(repo) / ".duo" / "sessions" / session_id / "lock"
    return SessionLock(path, what=f"session {session_id}")


def repo_lock(repo: Path | str) -> SessionLock:
    """The repository-wide lock `<repo>/.duo/lock` (session creation, worktrees)."""
    path = Path(repo) / ".duo" / "lock"
    return SessionLock(path, what=f"the duo-tui repository lock of {Path(repo)}")
