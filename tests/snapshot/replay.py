"""Record a real (scripted) demo session's events, and replay them into the workbench.

Snapshots must not depend on the clock: the replay pins every stream's
latency and drops notifications, so the SVG is the same on every run.
"""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING, Any

from duo_tui.core.events import (
    AwaitingDecision,
    Event,
    Notice,
    StreamFinished,
    UserDecision,
)
from duo_tui.core.runner import QueueDriver

if TYPE_CHECKING:
    from duo_tui.ui.screens.workbench import WorkbenchScreen


class _AcceptAll(QueueDriver):
    async def decide(self, checkpoint):  # type: ignore[no-untyped-def]
        return UserDecision("accept")


def record_demo(repo: Path) -> list[Event]:
    """Run the demo in manual mode (accepting everything) and keep every event."""
    from duo_tui.demo.project import REQUEST
    from duo_tui.service import create_demo_repo, demo_config, open_new

    events: list[Event] = []
    create_demo_repo(repo)
    ws = open_new(
        repo, REQUEST, demo_config(), driver=_AcceptAll(), demo=True, listeners=[events.append]
    )
    try:
        asyncio.run(ws.pipeline.run())
    finally:
        ws.close()
    return events


def until(events: list[Event], stage: str, nth: int = 1) -> list[Event]:
    """Events up to and including the nth checkpoint of `stage`."""
    out: list[Event] = []
    seen = 0
    for ev in events:
        if isinstance(ev, Notice):
            continue
        if isinstance(ev, StreamFinished):
            ev = dataclasses.replace(ev, latency_s=2.4)
        out.append(ev)
        if isinstance(ev, AwaitingDecision) and ev.checkpoint.stage.value == stage:
            seen += 1
            if seen == nth:
                break
    return out


async def replayed(pilot) -> WorkbenchScreen:  # type: ignore[no-untyped-def]
    """The replay app's workbench, once it has handled every event and laid them out."""
    from tests.pilot._helpers import wait_for

    app = pilot.app
    await wait_for(pilot, lambda: app.replayed is not None, what="the replayed events")
    await pilot.pause()  # the refresh and layout of what the events brought
    return app.replayed


def replay_app(events: list[Event], **app_kw: Any):  # type: ignore[no-untyped-def]
    """A DuoApp that shows the workbench fed with `events` instead of a live pipeline."""
    from duo_tui.ui.app import DuoApp
    from duo_tui.ui.screens.workbench import WorkbenchScreen, _Opened

    class ReplayApp(DuoApp):
        replayed: WorkbenchScreen | None = None
        """The workbench, once it has handled every event."""

        def _open_workbench(self) -> None:
            screen = WorkbenchScreen()
            self.push_screen(screen)

            def feed() -> None:
                screen.handle(
                    _Opened(
                        "2026-11-21-add-percentage-discount-codes",
                        "duo/add-percentage-discount",
                        "manual",
                        False,
                        [
                            "anthropic/claude-opus-4-7",
                            "openai/gpt-5.5",
                            "anthropic/claude-opus-4-7",
                            "openai/gpt-5.5",
                        ],
                        [],
                    )
                )
                for ev in events:
                    screen.handle(ev)
                self.replayed = screen

            screen.call_after_refresh(feed)

    return ReplayApp(demo=True, **app_kw)
