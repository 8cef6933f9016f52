"""Ending the program on a signal: first ask it to stop cleanly, on a second signal force it.

SIGTERM (`kill`, a service manager), SIGHUP (the terminal closed, an ssh link
dropped, tmux killed) and, outside the TUI, SIGINT (Ctrl+C) end duo-tui the
way `q` does: the pipeline is stopped at the point it has reached, the
session is saved and closed, gate commands are killed with their whole
process group, and the exit status is 128 + the signal number (143 for
SIGTERM, 129 for SIGHUP, 130 for SIGINT). A second signal while that is under
way forces the exit at once (the gate's process groups are still killed).

Plain Python: the TUI and headless `duo-tui run` both use it.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Callable, Iterable

from duo_tui import process_groups

STOP_SIGNALS: tuple[signal.Signals, ...] = (signal.SIGTERM, signal.SIGHUP)
"""The signals that end the TUI like `q` (the TUI reads Ctrl+C as a key)."""


def exit_status(signum: int) -> int:
    """The conventional exit status of a program ended by `signum`."""
    return 128 + int(signum)


def force_exit(status: int) -> None:
    """Leave now: kill the gate's process groups, flush what can be flushed, `_exit`."""
    process_groups.kill_all()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(status)


class StopOnSignal:
    """Calls `stop(signum)` on the first of `signals`, forces the exit on the next one.

    `received` is the first signal's number (None until one came).
    """

    def __init__(
        self,
        stop: Callable[[int], None],
        signals: Iterable[int] = STOP_SIGNALS,
        *,
        force: Callable[[int], None] = force_exit,
    ) -> None:
        self._stop = stop
        self._force = force
        self.signals = tuple(signals)
        self.received: int | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def status(self) -> int | None:
        """The exit status the signal asks for (None if no signal came)."""
        return None if self.received is None else exit_status(self.received)

    def install(self, loop: asyncio.AbstractEventLoop) -> bool:
        """Handle the signals on `loop` (the main thread's). False where that is impossible."""
        try:
            for sig in self.signals:
                loop.add_signal_handler(sig, self._handle, int(sig))
        except (NotImplementedError, RuntimeError, ValueError):
            return False  # not the main thread, or no signals on this platform
        self._loop = loop
        return True

    def uninstall(self) -> None:
        loop, self._loop = self._loop, None
        if loop is None or loop.is_closed():
            return
        for sig in self.signals:
            try:
                loop.remove_signal_handler(sig)
            except (NotImplementedError, RuntimeError, ValueError):
                pass

    def _handle(self, signum: int) -> None:
        if self.received is not None:
            self._force(exit_status(self.received))
            return
        self.received = signum
        self._stop(signum)
