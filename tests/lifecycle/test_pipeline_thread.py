"""`PipelineThread`: one way to stop the pipeline, at any moment, that always ends the thread.

Real sessions in real git repositories, with the demo's scripted models and
real gate commands; the thread is stopped before the session opens, while it
prepares to open (imports), while it opens, and while a gate command runs
(whose whole process group must die).
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from duo_tui import process_groups
from duo_tui.core.models import Mode
from duo_tui.core.runner import HeadlessDriver
from duo_tui.service import demo_config, open_new
from duo_tui.ui.pipeline_thread import PipelineThread
from tests.lifecycle.sessions import assert_saved_and_closed, session_dirs

REQUEST = "Add percentage discount codes to the cart"


def _opener(repo: Path, gate: list[str] | None = None, events: list[Any] | None = None) -> Any:
    config = demo_config()
    if gate is not None:
        config.gate.commands = gate

    def open_() -> Any:
        return open_new(
            repo,
            REQUEST,
            config,
            driver=HeadlessDriver(),
            mode=Mode.AUTO,
            autopilot=True,
            demo=True,
            listeners=[events.append] if events is not None else None,
        )

    return open_


def _alive(pgid: int) -> bool:
    """A process of group `pgid` still runs (zombies waiting for their reaper do not)."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            return True
    return False


def test_stop_before_the_thread_runs_never_opens_the_session(demo_repo: Path) -> None:
    t = PipelineThread(_opener(demo_repo))
    t.stop()
    t.start()
    assert t.join(5)
    assert session_dirs(demo_repo) == []
    assert t.info is None


def test_stop_while_preparing_abandons_the_thread_before_it_writes(demo_repo: Path) -> None:
    """A stop during the opener's imports (most of the opening's time) is not waited for,
    and nothing is written when the imports end after the program has given up on them:
    such a thread used to go on and open a session nobody would close (issue 21)."""
    preparing, go_on = threading.Event(), threading.Event()
    opened: list[bool] = []
    inner = _opener(demo_repo)

    def slow_prepare() -> None:  # imports on a busy machine
        preparing.set()
        assert go_on.wait(10)

    def open_() -> Any:
        opened.append(True)
        return inner()

    t = PipelineThread(open_, prepare=slow_prepare)
    t.start()
    assert preparing.wait(5)
    t.stop()
    asked = time.monotonic()
    assert t.join(5)
    assert time.monotonic() - asked < 1.0, "join waited for the preparation"
    assert t.thread.is_alive() and t.abandoned
    go_on.set()  # the imports end: the thread must not open the session now
    t.thread.join(5)
    assert not t.thread.is_alive()
    assert opened == [] and session_dirs(demo_repo) == []
    assert t.info is None


def test_stop_while_the_session_opens(demo_repo: Path) -> None:
    opening, go_on = threading.Event(), threading.Event()
    events: list[Any] = []
    inner = _opener(demo_repo, events=events)

    def slow_open() -> Any:
        opening.set()
        assert go_on.wait(10)
        return inner()

    t = PipelineThread(slow_open)
    t.start()
    assert opening.wait(5)
    t.stop()  # the opener is synchronous git work: it cannot be interrupted, only followed
    assert not t.abandoned
    go_on.set()
    assert t.join(5), "the thread kept running after stop() while the session opened"
    assert not t.thread.is_alive()
    assert t.info is not None and t.info.status == "active"
    assert_saved_and_closed(demo_repo, None)
    assert not any(type(e).__name__ == "StageStarted" for e in events), "the pipeline ran"


def test_stop_during_a_gate_run_kills_its_process_group(demo_repo: Path) -> None:
    marker = demo_repo.parent / "grandchild-survived"
    # A command whose child outlives its shell unless the whole group is killed.
    gate = [f"(sleep 4 && touch {marker}) & sleep 60"]
    t = PipelineThread(_opener(demo_repo, gate=gate))
    t.start()
    deadline = time.monotonic() + 30
    while not process_groups.live() and time.monotonic() < deadline:
        time.sleep(0.02)
    (pgid,) = process_groups.live()
    assert _alive(pgid)
    t.stop()
    stopped = time.monotonic()
    assert t.join(5)
    assert time.monotonic() - stopped < 1.5
    assert not _alive(pgid), "the gate's process group outlived the stop"
    assert process_groups.live() == []
    time.sleep(4.5)
    assert not marker.exists(), "a gate grandchild kept running"
    assert t.info is not None and t.info.status == "active"
    assert_saved_and_closed(demo_repo, None)
