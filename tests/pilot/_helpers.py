"""Shared Pilot helpers: wait for a condition, for the workbench at a checkpoint, for a decision."""

from __future__ import annotations

from duo_tui.ui.screens.workbench import WorkbenchScreen


async def wait_for(pilot, predicate, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    waited = 0.0
    while not predicate():
        await pilot.pause(0.05)
        waited += 0.05
        assert waited < timeout, "timed out"


async def at_checkpoint(pilot, app) -> WorkbenchScreen:  # type: ignore[no-untyped-def]
    """The workbench, once it waits at a checkpoint (or the session ended)."""
    await wait_for(pilot, lambda: any(isinstance(s, WorkbenchScreen) for s in app.screen_stack))
    wb = next(s for s in app.screen_stack if isinstance(s, WorkbenchScreen))
    await wait_for(pilot, lambda: wb.checkpoint is not None or wb.ended is not None)
    return wb


async def press_decision(pilot, wb, *keys: str) -> None:  # type: ignore[no-untyped-def]
    """Press keys that send one decision; return once it was sent."""
    sent = len(wb.decisions_sent)
    await pilot.press(*keys)
    await wait_for(pilot, lambda: len(wb.decisions_sent) > sent)
