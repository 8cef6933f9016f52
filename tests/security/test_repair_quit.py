"""A quit while a hostile review reply is being repaired kills the repair at once (issue 16).

`json_repair` runs in a child with a deadline (5 s; `["` x 20,000 would take it
90 s). The review stage used to wait for that child synchronously, blocking the
pipeline's event loop: a quit could not even be delivered until the deadline.
Now the stage awaits the child; cancelled, it kills the child's process group,
reaps it, and the cancellation goes on.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from pathlib import Path

import pytest

from duo_tui import process_groups
from duo_tui.core import review_repair
from duo_tui.core.models import Mode
from duo_tui.core.runner import HeadlessDriver
from duo_tui.providers.scripted import ScriptedProvider
from duo_tui.service import open_new
from tests.core.helpers import EXECUTOR, PLANNER, REQUEST, config, make_script, review

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")

#: json_repair takes about 90 s on this (the digging for clean JSON gives up at once).
PATHOLOGICAL = '["' * 20_000


def _repair_children() -> list[int]:
    """This process's children running the repair (their command line names json_repair)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            cmdline = (entry / "cmdline").read_bytes()
        except (OSError, IndexError, ValueError):
            continue
        if ppid == os.getpid() and b"json_repair" in cmdline:
            found.append(int(entry.name))
    return found


def _gone(pid: int) -> bool:
    """No such process (killed and reaped), or a zombie no one will run again."""
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return True
    return state == "Z"


async def test_cancelling_a_repair_kills_its_child_and_propagates() -> None:
    task = asyncio.create_task(review_repair.repair_review_async([PATHOLOGICAL], timeout_s=60))
    for _ in range(600):
        await asyncio.sleep(0.05)
        if process_groups.live():
            break
    (pid,) = process_groups.live()
    assert not _gone(pid)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert _gone(pid) and process_groups.live() == []


def test_a_quit_during_a_review_repair_ends_the_session_task_at_once(
    demo_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The session's own loop, as in the TUI: the quit is delivered while the child runs."""
    monkeypatch.setattr(review_repair, "REPAIR_TIMEOUT_S", 60.0)
    provider = ScriptedProvider(
        make_script({("review", PLANNER): PATHOLOGICAL, ("review", EXECUTOR): review(EXECUTOR)})
    )
    ws = open_new(
        demo_repo,
        REQUEST,
        config(),
        driver=HeadlessDriver(),
        mode=Mode.FAST,
        autopilot=True,
        providers=lambda _m: provider,
    )
    loop = asyncio.new_event_loop()
    task = loop.create_task(ws.pipeline.run())
    outcome: list[BaseException | None] = []

    def play() -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(task)
            outcome.append(None)
        except BaseException as exc:  # the cancellation, expected
            outcome.append(exc)

    thread = threading.Thread(target=play, daemon=True)
    thread.start()
    try:
        children: list[int] = []
        for _ in range(1200):  # the plan, execute and gate stages come first
            children = _repair_children()
            if children or not thread.is_alive():
                break
            time.sleep(0.05)
        assert children, f"no repair child was started ({outcome})"
        asked = time.monotonic()
        loop.call_soon_threadsafe(task.cancel)
        thread.join(30)
        took = time.monotonic() - asked
        assert not thread.is_alive()
        assert len(outcome) == 1 and isinstance(outcome[0], asyncio.CancelledError), outcome
        assert all(_gone(pid) for pid in children)
        # the repair's deadline is 60 s here: the quit did not wait for it (nor for 5 s)
        assert took < 3.0, f"the quit waited {took:.1f} s"
    finally:
        if thread.is_alive():
            thread.join(90)
        loop.close()
        ws.close()
