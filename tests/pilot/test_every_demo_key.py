"""Every key the workbench offers, pressed at every checkpoint of the demo.

The newcomer's promise: the demo survives every key it offers, and a key never
does nothing. At each stage's first checkpoint, each workbench binding is pressed
once; afterwards the app must still run and the screen must have changed (a pane,
a dialog, a toast saying why the key does not apply here, or a decision sent).
Keys that send a decision move the walk on, so the walk always reaches the end.
"""

from __future__ import annotations

from pathlib import Path

from textual.app import App

from duo_tui.ui.app import DuoApp
from duo_tui.ui.screens.workbench import WorkbenchScreen

from ._helpers import wait_for

# These answer the checkpoint; the demo walk tests cover them. Here they would end the
# walk at the first stage, so they are pressed last, as the walk's own step.
_DECIDING = {"a", "x", "r", "e", "E", "p"}  # p: autopilot would take the walk over
_QUIT = {"q", "ctrl+c", "ctrl+q"}


def _screen_text(app: App[None]) -> str:
    """What the user sees, as text (styles dropped: a key that only recolours still counts)."""
    return app.export_screenshot()


async def _stable(pilot, app: App[None]) -> str:  # type: ignore[no-untyped-def]
    """The screen once it stopped changing on its own (streams and toasts settled)."""
    before = _screen_text(app)
    for _ in range(40):
        await pilot.pause(0.03)
        now = _screen_text(app)
        if now == before:
            return now
        before = now
    return before


async def _back_to_workbench(pilot, app: App[None], wb: WorkbenchScreen) -> None:  # type: ignore[no-untyped-def]
    for _ in range(6):
        if app.screen is wb:
            return
        await pilot.press("escape")
        await pilot.pause()
    assert app.screen is wb, f"escape does not leave {type(app.screen).__name__}"


async def test_every_workbench_key_does_something_visible_at_every_stage(tmp_path: Path) -> None:
    app = DuoApp(demo=True, repo=tmp_path / "demo", pace=0)
    bindings = [b for b in WorkbenchScreen.BINDINGS if b.key not in _DECIDING | _QUIT]
    silent: list[str] = []
    visited: set[str] = set()
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await wait_for(pilot, lambda: any(isinstance(s, WorkbenchScreen) for s in app.screen_stack))
        wb = next(s for s in app.screen_stack if isinstance(s, WorkbenchScreen))
        while True:
            await wait_for(
                pilot, lambda: wb.checkpoint is not None or wb.ended is not None, timeout=60
            )
            if wb.ended is not None:
                break
            cp = wb.checkpoint
            assert cp is not None
            if cp.stage.value not in visited:
                visited.add(cp.stage.value)
                for binding in bindings:
                    key = binding.key
                    await _back_to_workbench(pilot, app, wb)
                    if wb.checkpoint is None or wb.ended is not None:
                        break  # the previous key answered the checkpoint
                    if binding.action == f"focus_pane({wb.active_pane})":
                        continue  # the pane it chooses is already the chosen one
                    before = await _stable(pilot, app)
                    sent = len(wb.decisions_sent)
                    depth = len(app.screen_stack)
                    await pilot.press(key)

                    def changed(sent: int = sent, depth: int = depth, before: str = before) -> bool:
                        return (
                            len(wb.decisions_sent) != sent
                            or len(app.screen_stack) != depth
                            or _screen_text(app) != before
                        )

                    for _ in range(25):  # up to half a second for the answer to show
                        if changed():
                            break
                        await pilot.pause(0.02)
                    assert app.is_running, f"{key!r} at {cp.stage.value} ended the app"
                    if not changed():
                        silent.append(f"{key} at {cp.stage.value}")
                await _back_to_workbench(pilot, app, wb)
                if wb.checkpoint is None or wb.ended is not None:
                    continue
            sent = len(wb.decisions_sent)
            await pilot.press("a")
            await wait_for(pilot, lambda n=sent: len(wb.decisions_sent) > n or wb.ended is not None)
        assert wb.ended.status in {"converged", "stopped"}, wb.ended.stop_reason
    assert {"plan", "execute", "review", "triage", "commit"} <= visited, visited
    assert not silent, "keys that did nothing visible: " + ", ".join(silent)
