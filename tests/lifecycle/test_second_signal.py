"""A second SIGTERM/SIGHUP forces the exit, and still kills the gate's process groups.

A real process installs `StopOnSignal` whose clean stop never finishes (as if
the session could not be saved), with a real gate-like child in its own
process group; the first signal starts the clean stop, the second ends it.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

STUCK = textwrap.dedent(
    """
    import asyncio, subprocess, sys
    from duo_tui import process_groups
    from duo_tui.shutdown import StopOnSignal

    async def main():
        child = subprocess.Popen(["sleep", "60"], start_new_session=True)
        process_groups.register(child.pid)
        stopper = StopOnSignal(lambda signum: print("stopping", signum, flush=True))
        assert stopper.install(asyncio.get_running_loop())
        print("child", child.pid, flush=True)
        await asyncio.sleep(60)  # the clean stop never comes

    asyncio.run(main())
    """
)


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.parametrize(("sig", "status"), [(signal.SIGTERM, 143), (signal.SIGHUP, 129)])
def test_second_signal_forces_the_exit(sig: signal.Signals, status: int) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", STUCK], stdout=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        assert proc.stdout is not None
        child = int(proc.stdout.readline().split()[1])
        proc.send_signal(sig)
        assert proc.stdout.readline().strip() == f"stopping {int(sig)}"
        time.sleep(0.3)
        assert proc.poll() is None  # the first signal asks; it does not kill
        proc.send_signal(sig)
        assert proc.wait(5) == status
        deadline = time.monotonic() + 5
        while _running(child) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _running(child), "the gate's process group outlived the forced exit"
    finally:
        proc.kill()
