"""Quit while the workbench's pipeline thread imports what the session's opener needs.

On a busy machine those imports take most of a second, or several (an app
process of `duo-tui serve` among ten others starting at once). Issue 21: the
program waited for them, up to its three-second bound, and when it gave up
the thread went on and opened a session that nobody closed. Now `q` ends the
app without waiting, and the session is never opened.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from duo_tui.ui import app as app_module
from duo_tui.ui.app import DuoApp
from tests.lifecycle.sessions import session_dirs
from tests.pilot._helpers import wait_for


async def test_q_while_the_opener_imports_leaves_at_once_and_opens_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    importing, imports_done = threading.Event(), threading.Event()

    def slow_imports() -> None:
        importing.set()
        assert imports_done.wait(30)

    monkeypatch.setattr(app_module, "prepare_opening", slow_imports)
    repo = tmp_path / "demo"
    app = DuoApp(demo=True, repo=repo, pace=0)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_for(pilot, importing.is_set, what="the opener's imports")
            await pilot.press("q")
        asked = time.monotonic()
        assert app.close_session(timeout=10) is None  # no session: nothing to resume
        assert time.monotonic() - asked < 1.0, "the exit waited for the imports"
        pipeline = app.workbench.pipeline if app.workbench is not None else None
        assert pipeline is not None and pipeline.abandoned
    finally:
        imports_done.set()  # the imports end after the program gave up on them
    pipeline.thread.join(30)
    assert not pipeline.thread.is_alive()
    assert session_dirs(repo) == [], "a session was opened after the program quit"
    assert not repo.exists() or not any(repo.iterdir()), "the demo repository was written"
