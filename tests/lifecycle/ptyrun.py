"""The real `duo-tui` on a real pseudo-terminal, for the quit and signal tests.

`PtyProgram` starts `python -m duo_tui ...` as the session leader of a new
pseudo-terminal (the terminal is its controlling terminal, so closing the
master side sends SIGHUP as a closed terminal window or a dropped ssh link
does), keeps reading what it draws (a full terminal buffer would block it),
and can type keys, send signals, close the terminal and wait for the exit.
"""

from __future__ import annotations

import fcntl
import os
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path


def _become_terminal_owner() -> None:  # runs in the child, after setsid
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


class PtyProgram:
    """`python -m duo_tui ARGS` on a pty of `width`x`height`."""

    def __init__(
        self,
        args: list[str],
        *,
        cwd: Path,
        width: int = 120,
        height: int = 40,
        env: dict[str, str] | None = None,
    ) -> None:
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", height, width, 0, 0))
        full_env = dict(os.environ)
        full_env.update({"TERM": "xterm-256color", "COLUMNS": str(width), "LINES": str(height)})
        full_env.update(env or {})
        self.started = time.monotonic()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "duo_tui", *args],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            cwd=cwd,
            env=full_env,
            start_new_session=True,
            preexec_fn=_become_terminal_owner,
            close_fds=True,
        )
        os.close(slave)
        self.master: int | None = master
        self._out = bytearray()
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            fd = self.master
            if fd is None:
                return
            try:
                data = os.read(fd, 65536)
            except OSError:
                return
            if not data:
                return
            with self._lock:
                self._out += data

    @property
    def output(self) -> str:
        with self._lock:
            return self._out.decode("utf-8", "replace")

    def wait_output(self, text: str, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.output:
                return True
            time.sleep(0.02)
        return False

    def send(self, keys: str) -> None:
        assert self.master is not None
        os.write(self.master, keys.encode())

    def signal(self, sig: int) -> None:
        self.proc.send_signal(sig)

    def close_terminal(self) -> None:
        """Close the master side: the kernel hangs the terminal up (SIGHUP)."""
        fd, self.master = self.master, None
        if fd is not None:
            os.close(fd)

    def wait(self, timeout: float) -> int | None:
        """The exit status, or None if it is still running after `timeout` seconds."""
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def kill(self) -> None:
        """Leave nothing behind: the program's whole process group."""
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait(5)
        self.close_terminal()
