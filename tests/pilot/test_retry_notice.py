"""Unreachable providers: one retry notice, updated in place (the pane's header counts the
attempts, the line under it says why), not a toast per retry; and the words agree:
"attempt 5/5" then "gave up after 4 retries, 5 attempts in all", in the TUI and headless."""

from __future__ import annotations

import io
import json
import socket
from pathlib import Path

import pytest

from duo_tui.demo.project import REQUEST
from duo_tui.demo.script import EXECUTOR, PLANNER
from duo_tui.service import create_demo_repo
from duo_tui.ui.app import DuoApp
from duo_tui.ui.widgets.stream_pane import StreamPane, StreamState

from ._helpers import at_checkpoint, wait_for

FAKE_KEYS = {
    "ANTHROPIC_API_KEY": "sk-ant-dead-" + "k" * 36,
    "OPENAI_API_KEY": "sk-dead-" + "q" * 40,
}


def _dead_port() -> int:
    """A local port nothing listens on (bound, then closed): connections are refused."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def dead_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    from duo_tui.providers import registry

    for name, value in FAKE_KEYS.items():
        monkeypatch.setenv(name, value)
    for name in ("ANTHROPIC_BASE_URL", "OPENAI_BASE_URL", "OPENAI_API_BASE"):
        monkeypatch.delenv(name, raising=False)
    registry.clear_cache()
    base = f"http://127.0.0.1:{_dead_port()}"
    q = json.dumps
    path = tmp_path / "dead.toml"
    path.write_text(
        f"""[roles]
planner = {q(PLANNER)}
executor = {q(EXECUTOR)}
reviewers = [{q(PLANNER)}, {q(EXECUTOR)}]

[providers.anthropic]
api_base = {q(base)}
max_retry_wait_s = 0.2

[providers.openai]
api_base = {q(base)}
max_retry_wait_s = 0.2
""",
        encoding="utf-8",
    )
    return path


async def test_retries_update_one_notice_in_place(tmp_path: Path, dead_config: Path) -> None:
    repo = create_demo_repo(tmp_path / "demo")
    app = DuoApp(repo=repo, config_path=dead_config, request=REQUEST, mode="manual")
    toasts: list[str] = []
    notify = app.notify

    def spy(message: str, **kw):  # type: ignore[no-untyped-def]
        toasts.append(message)
        notify(message, **kw)

    app.notify = spy  # type: ignore[method-assign]
    async with app.run_test(size=(80, 24)) as pilot:
        wb = await at_checkpoint(pilot, app)
        plan = wb.query_one("#stream-plan", StreamPane)
        await wait_for(pilot, lambda: plan.state is StreamState.ERROR, what="the plan's failure")
        error = plan.query_one("#stream-error")
        shown = str(error.render())
        assert "gave up after 4 retries, 5 attempts in all" in shown, shown
        assert len(plan.query("#stream-error")) == 1  # one notice line, reused
    retry_toasts = [t for t in toasts if "attempt" in t or "retry" in t.split("(")[0]]
    # the first retry's toast only (then the pane counts), and the failure's
    assert len([t for t in retry_toasts if "attempt 2/5" in t]) == 1, toasts
    assert not [t for t in toasts if "attempt 3/5" in t or "attempt 5/5" in t], toasts
    assert not [t for t in toasts if "retry 2/5" in t or "retry 5/5" in t], toasts


async def test_the_pane_counts_the_attempts_under_one_header(
    tmp_path: Path, dead_config: Path
) -> None:
    repo = create_demo_repo(tmp_path / "demo")
    app = DuoApp(repo=repo, config_path=dead_config, request=REQUEST, mode="manual")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: hasattr(app.screen, "stream_pane"), what="the workbench")
        wb = app.screen
        plan = wb.query_one("#stream-plan", StreamPane)
        seen: list[tuple[str, str]] = []
        countdown = plan.retry_countdown

        def record(*args, **kw):  # type: ignore[no-untyped-def]
            countdown(*args, **kw)
            seen.append((plan.header_text, str(plan.query_one("#stream-error").render())))

        plan.retry_countdown = record  # type: ignore[method-assign]
        await wait_for(pilot, lambda: plan.state is StreamState.ERROR, what="the plan's failure")
    assert [h.split("attempt ")[1].split()[0] for h, _ in seen] == ["2/5", "3/5", "4/5", "5/5"]
    for header, line in seen:
        assert "retry" not in header, header
        assert line.startswith("↻ ") and "connect" in line.lower(), line


async def test_headless_progress_says_attempt_n_of_n(tmp_path: Path, dead_config: Path) -> None:
    from duo_tui.config import load_config
    from duo_tui.headless import run_headless

    repo = create_demo_repo(tmp_path / "demo")
    err = io.StringIO()
    code = await run_headless(
        repo, REQUEST, load_config(repo, dead_config), json_path=tmp_path / "r.json", err=err
    )
    progress = err.getvalue()
    assert code != 0
    # the first call's retries (headless, a failed plan is tried once more)
    retries = [line for line in progress.splitlines() if "↻" in line][:4]
    assert [line.split("attempt ")[1].split()[0] for line in retries] == [
        "2/5",
        "3/5",
        "4/5",
        "5/5",
    ], progress
    assert "gave up after 4 retries, 5 attempts in all" in progress, progress
