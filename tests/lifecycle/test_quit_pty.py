"""Quit at any moment, as a user does it on a real terminal: the program ends promptly,
the session saved, closed and resumable, and the exit message says how to resume it.

Issue 21: `q` pressed while the session was opening hung `duo-tui --demo` (the
pipeline ran in Textual's default executor and `stop_pipeline()` did nothing
before the opener returned). The sweep sends `q` at moments spread over the
session's opening (it starts once the first frame is drawn and takes about half
a second) and the first of the stream.
"""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest

from tests.lifecycle.conftest import demo
from tests.lifecycle.ptyrun import PtyProgram
from tests.lifecycle.sessions import assert_saved_and_closed, session_dirs

FIRST_FRAME = "waiting for the session"
EXIT_WITHIN_S = 2.5
SWEEP = [i * 0.04 for i in range(16)]
"""Seconds after the first frame (0 .. 0.6 s): before, while and just after the session opens."""


def _quit_and_wait(p: PtyProgram, keys: str) -> float:
    p.send(keys)
    sent = time.monotonic()
    rc = p.wait(EXIT_WITHIN_S + 3)
    took = time.monotonic() - sent
    assert rc is not None, f"still running {took:.1f}s after {keys!r}: {p.output[-300:]!r}"
    assert rc == 0, p.output[-1000:]
    assert took < EXIT_WITHIN_S, f"took {took:.2f}s to end"
    return took


def test_q_at_every_moment_of_start_up(tmp_path: Path, programs: list[PtyProgram]) -> None:
    opened = 0
    for i, offset in enumerate(SWEEP):
        tmp = tmp_path / f"run{i}"
        tmp.mkdir()
        p = demo(programs, tmp)
        assert p.wait_output(FIRST_FRAME, 20), p.output[-500:]
        time.sleep(offset)
        _quit_and_wait(p, "q")
        p.wait_output("duo-tui resume", 0.3)
        out = p.output
        assert "Traceback" not in out
        repo = tmp / "demo"
        if session_dirs(repo):  # the session had begun to open: it is saved and said so
            assert_saved_and_closed(repo, out)
            opened += 1
        else:
            assert "duo-tui resume" not in out
        p.kill()
    # The sweep reached the moments that matter: most runs quit while or after it opened.
    assert opened >= len(SWEEP) // 2


@pytest.mark.parametrize(
    ("keys", "why"),
    [("q", "at a checkpoint"), ("?\x11", "with the help open"), ("x\x11", "in the reject dialog")],
)
def test_quit_at_a_checkpoint(
    tmp_path: Path, programs: list[PtyProgram], keys: str, why: str
) -> None:
    p = demo(programs, tmp_path, DUO_TUI_DEMO_PACE="0")
    assert p.wait_output("◆ plan", 30), p.output[-500:]
    for k in keys[:-1]:
        p.send(k)
        time.sleep(0.3)
    _quit_and_wait(p, keys[-1])
    p.wait_output("duo-tui resume", 0.5)
    assert_saved_and_closed(tmp_path / "demo", p.output)


def test_quit_mid_stream(tmp_path: Path, programs: list[PtyProgram]) -> None:
    p = demo(programs, tmp_path, DUO_TUI_DEMO_PACE="150")  # the plan streams for seconds
    assert p.wait_output("duo/", 30)
    time.sleep(0.5)
    _quit_and_wait(p, "q")
    p.wait_output("duo-tui resume", 0.5)
    assert_saved_and_closed(tmp_path / "demo", p.output)


def test_sigterm_ends_it_as_q_does(tmp_path: Path, programs: list[PtyProgram]) -> None:
    p = demo(programs, tmp_path, DUO_TUI_DEMO_PACE="150")
    assert p.wait_output("duo/", 30)
    time.sleep(0.3)
    p.signal(signal.SIGTERM)
    sent = time.monotonic()
    rc = p.wait(EXIT_WITHIN_S + 3)
    assert rc == 143, (rc, p.output[-500:])
    assert time.monotonic() - sent < EXIT_WITHIN_S
    p.wait_output("duo-tui resume", 0.5)
    assert_saved_and_closed(tmp_path / "demo", p.output)


def test_closing_the_terminal_saves_the_session(tmp_path: Path, programs: list[PtyProgram]) -> None:
    p = demo(programs, tmp_path, DUO_TUI_DEMO_PACE="150")
    assert p.wait_output("duo/", 30)
    time.sleep(0.3)
    p.close_terminal()  # SIGHUP, and the terminal is gone for every later write
    sent = time.monotonic()
    rc = p.wait(EXIT_WITHIN_S + 3)
    assert rc == 129, rc
    assert time.monotonic() - sent < EXIT_WITHIN_S
    assert_saved_and_closed(tmp_path / "demo", None)
