"""Shared Pilot helpers: wait for a condition, for the workbench at a checkpoint, for a decision."""

from __future__ import annotations

import time

from duo_tui.ui.screens.workbench import WorkbenchScreen


async def wait_for(pilot, predicate, timeout: float = 30.0, what: str = "") -> None:  # type: ignore[no-untyped-def]
    """Let the app run until `predicate()` holds; fail after `timeout` s (wall clock), naming `what`.

    The one fixed pause of the Pilot tests lives here: the poll interval.
    """
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, (
            f"timed out after {timeout:g} s waiting for {what or 'the condition'}"
        )
        await pilot.pause(0.05)


async def at_checkpoint(pilot, app) -> WorkbenchScreen:  # type: ignore[no-untyped-def]
    """The workbench, once it waits at a checkpoint (or the session ended)."""
    await wait_for(
        pilot,
        lambda: any(isinstance(s, WorkbenchScreen) for s in app.screen_stack),
        what="the workbench",
    )
    wb = next(s for s in app.screen_stack if isinstance(s, WorkbenchScreen))
    await wait_for(
        pilot,
        lambda: wb.checkpoint is not None or wb.ended is not None,
        what="a checkpoint (or the end of the session)",
    )
    return wb


async def press_decision(pilot, wb, *keys: str) -> None:  # type: ignore[no-untyped-def]
    """Press keys that send one decision; return once it was sent."""
    sent = len(wb.decisions_sent)
    await pilot.press(*keys)
    await wait_for(pilot, lambda: len(wb.decisions_sent) > sent, what=f"the decision of {keys}")


async def dialog_ready(pilot, name: str) -> None:  # type: ignore[no-untyped-def]
    """Wait until the screen on top (a dialog, or a screen such as the task list) is the class
    `name` with a widget focused: mounted and ready for keys."""
    app = pilot.app
    await wait_for(
        pilot,
        lambda: type(app.screen).__name__ == name and app.screen.focused is not None,
        what=f"the {name} with a widget focused",
    )
