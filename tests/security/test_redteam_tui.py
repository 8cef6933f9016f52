"""Red-team attacks on what the TUI shows, beyond issue 16's examples.

A repository can carry its own `.duo/config.toml` (a cloned project may commit one):
its text is repository text. When it stops the session from starting, the error
that quotes it is shown where the checkpoint would be, for good.
"""

from __future__ import annotations

import json
from pathlib import Path

from duo_tui.service import create_demo_repo
from duo_tui.ui.app import DuoApp
from duo_tui.ui.screens.workbench import WorkbenchScreen
from tests.pilot._helpers import wait_for

from .hostile import forbidden_in
from .test_sanitise_tui import screen_text

HOSTILE_MODEL = "\x1b]0;pwned\x07\x1b[2J[@click=app.quit]evil[/]/m"


async def test_a_start_error_quoting_the_repository_s_config_is_shown_visibly(
    tmp_path: Path,
) -> None:
    repo = create_demo_repo(tmp_path / "repo")
    (repo / ".duo").mkdir(exist_ok=True)
    (repo / ".duo" / "config.toml").write_text(
        f"[roles]\nplanner = {json.dumps(HOSTILE_MODEL)}\n", encoding="utf-8"
    )
    app = DuoApp(repo=repo, request="add discount codes")
    async with app.run_test(size=(200, 50), notifications=True) as pilot:
        await wait_for(pilot, lambda: any(isinstance(s, WorkbenchScreen) for s in app.screen_stack))
        wb = next(s for s in app.screen_stack if isinstance(s, WorkbenchScreen))
        await wait_for(pilot, lambda: bool(wb.start_error), what="the start error")
        await wait_for(pilot, lambda: "␛]0;pwned" in screen_text(app), what="the error on screen")
        text = screen_text(app)
        assert forbidden_in(text) == [], "raw control characters reach the terminal"
        assert "␛]0;pwned" in text
        assert "[@click=app.quit]" in text  # shown as text, not taken as markup
