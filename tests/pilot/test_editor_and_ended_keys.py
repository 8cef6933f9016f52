"""`E` (edit in $EDITOR) never takes the app down, and decision keys after the end say why.

Found by a newcomer walk: `EDITOR=/nonexistent-editor duo-tui --demo`, `E` at the
plan checkpoint, ended the app with a FileNotFoundError traceback; and once the
session had converged, `x`, `r` and `e` did nothing at all.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from duo_tui.ui.app import DuoApp

from ._helpers import at_checkpoint, press_decision, wait_for


def _record_toasts(app: DuoApp) -> list[str]:
    said: list[str] = []
    real = app.notify

    def notify(message: str, **kwargs: object) -> None:
        said.append(str(message))
        real(message, **kwargs)  # type: ignore[arg-type]

    app.notify = notify  # type: ignore[method-assign]
    return said


@pytest.mark.parametrize(
    "editor", ["/nonexistent-editor", "no-such-editor-anywhere --wait", "'unclosed"]
)
async def test_a_missing_editor_is_a_toast_not_a_crash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, editor: str
) -> None:
    monkeypatch.setenv("VISUAL", editor)
    app = DuoApp(demo=True, repo=tmp_path / "demo", pace=0)
    async with app.run_test(size=(160, 48)) as pilot:
        wb = await at_checkpoint(pilot, app)
        said = _record_toasts(app)
        await pilot.press("E")
        await wait_for(pilot, lambda: any("editor" in s for s in said), what="a toast")
        assert app.is_running and wb.checkpoint is not None and not wb.decisions_sent
        assert "$VISUAL or $EDITOR" in said[-1]
    assert not list(tmp_path.glob("*.md"))


async def test_an_editor_the_terminal_cannot_hand_over_to_is_a_toast(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VISUAL", "true")  # exists; the test driver cannot suspend
    app = DuoApp(demo=True, repo=tmp_path / "demo", pace=0)
    async with app.run_test(size=(160, 48)) as pilot:
        wb = await at_checkpoint(pilot, app)
        said = _record_toasts(app)
        await pilot.press("E")
        await wait_for(pilot, lambda: bool(said), what="a toast")
        assert app.is_running and not wb.decisions_sent
        assert "edit here" in said[-1]


async def test_decision_keys_after_the_end_say_the_session_has_ended(tmp_path: Path) -> None:
    app = DuoApp(demo=True, repo=tmp_path / "demo", pace=0)
    async with app.run_test(size=(160, 48)) as pilot:
        wb = await at_checkpoint(pilot, app)
        await press_decision(pilot, wb, "p")  # autopilot to the end
        await wait_for(pilot, lambda: wb.ended is not None, timeout=60, what="the end")
        said = _record_toasts(app)
        for key in ("x", "r", "e", "a"):
            before = len(said)
            await pilot.press(key)
            await wait_for(pilot, lambda n=before: len(said) > n, what=f"an answer to {key}")
            assert "the session has ended" in said[-1]
        assert app.is_running
