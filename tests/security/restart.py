"""A session stopped at a chosen event and resumed: for the hostile-file tests (issue 16).

`until` plays a scripted session until `stop(event)` and then cancels it, as a
process going away would (the session is saved); the test then damages a file
of the session folder, and `resume` opens the session again and plays it to
its end, recording every event.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from duo_tui.config import Config
from duo_tui.core.events import AwaitingDecision, Event, Notice, UserDecision
from duo_tui.core.models import Mode
from duo_tui.core.runner import QueueDriver
from duo_tui.providers.scripted import Script, ScriptedProvider
from duo_tui.service import open_existing, open_new
from tests.core.helpers import REQUEST


def until(
    repo: Path, stop: Callable[[Event], bool], cfg: Config, script: Script, mode: Mode = Mode.FAST
) -> None:
    """Run a session until `stop(event)`, then let the process go away (a restart)."""
    provider = ScriptedProvider(script)

    async def go() -> None:
        driver = QueueDriver()
        reached = asyncio.Event()

        def answer(ev: Event) -> None:
            if stop(ev):
                reached.set()
            elif isinstance(ev, AwaitingDecision) and not reached.is_set():
                driver.answer(UserDecision("accept"))

        ws = open_new(
            repo,
            REQUEST,
            cfg,
            driver=driver,
            mode=mode,
            listeners=[answer],
            providers=lambda _m: provider,
        )
        task = asyncio.create_task(ws.pipeline.run())
        await asyncio.wait_for(reached.wait(), 60)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        ws.close()

    asyncio.run(go())


def resume(
    repo: Path, cfg: Config, script: Script
) -> tuple[dict[str, Any], list[Event], ScriptedProvider]:
    """Open the stopped session again and play it to its end: (report, events, provider)."""
    provider = ScriptedProvider(script)
    events: list[Event] = []

    async def go() -> dict[str, Any]:
        driver = QueueDriver()

        def answer(ev: Event) -> None:
            events.append(ev)
            if isinstance(ev, AwaitingDecision):
                driver.answer(UserDecision("accept"))

        ws = open_existing(
            repo, None, cfg, driver=driver, listeners=[answer], providers=lambda _m: provider
        )
        try:
            return await asyncio.wait_for(ws.pipeline.run(), 60)
        finally:
            ws.close()

    return asyncio.run(go()), events, provider


def session_dir(repo: Path) -> Path:
    """The folder of the repository's one session."""
    (folder,) = [p for p in (repo / ".duo" / "sessions").iterdir() if p.is_dir()]
    return folder


def warnings(events: list[Event]) -> str:
    """Every warning notice of `events`, one a line."""
    return "\n".join(e.message for e in events if isinstance(e, Notice) and e.severity == "warning")
