"""The process groups of the commands this process started, to kill them on a forced exit.

The gate runs each command as the leader of its own process group
(`start_new_session`), so a terminal's SIGHUP or a Ctrl+C never reaches it by
accident. That also means nothing kills it when duo-tui dies: the gate kills
its group itself when its task is cancelled, and a forced exit (a second
SIGTERM, SIGHUP or SIGINT) kills every group still registered here before the
process goes.
"""

from __future__ import annotations

import os
import signal
import threading

_lock = threading.Lock()
_groups: set[int] = set()


def register(pgid: int) -> None:
    with _lock:
        _groups.add(pgid)


def unregister(pgid: int) -> None:
    with _lock:
        _groups.discard(pgid)


def live() -> list[int]:
    with _lock:
        return sorted(_groups)


def kill_all() -> None:
    """SIGKILL every registered process group (they are gone or not ours otherwise)."""
    for pgid in live():
        try:
            os.killpg(pgid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        unregister(pgid)
