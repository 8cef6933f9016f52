"""What a newcomer still met after issue 19 (session 7's audit in a real terminal).

A retried model call that answered says it recovered (the pane's notice, a toast,
the headless progress), not only "attempt n/N" while it waited; at 80 columns the
"converged" bar and the checkpoint's key hints fit without a line broken inside a
phrase; the history shows the whole session id at 80 columns.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from textual.widgets import Static

from duo_tui.core.events import Recovered, Retrying
from duo_tui.providers.base import ModelRequest, ProviderEvent, RetryNotice
from duo_tui.providers.scripted import ScriptedProvider
from duo_tui.ui.app import DuoApp
from duo_tui.ui.widgets.stream_pane import StreamPane

from ._helpers import at_checkpoint, wait_for


@pytest.fixture
def plan_retried_twice(monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo's first plan call is refused twice (529) before it answers, as a wire
    provider's retry loop reports it: two RetryNotices, then the text."""
    stream = ScriptedProvider.stream
    seen: list[str] = []

    async def retried(
        self: ScriptedProvider, request: ModelRequest
    ) -> AsyncIterator[ProviderEvent]:
        if request.purpose == "plan" and "plan" not in seen:
            seen.append("plan")
            for attempt in (2, 3):
                yield RetryNotice(attempt, 5, 0.0, "the provider is overloaded (529)")
        async for ev in stream(self, request):
            yield ev

    monkeypatch.setattr(ScriptedProvider, "stream", retried)


async def test_a_retried_call_that_answers_says_it_recovered(
    tmp_path: Path, plan_retried_twice: None
) -> None:
    app = DuoApp(demo=True, repo=tmp_path / "demo", pace=0)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        wb = await at_checkpoint(pilot, app)
        plan = wb.query_one("#stream-plan", StreamPane)
        await wait_for(pilot, lambda: bool(plan.query("#stream-error")), what="the notice")
        notice = str(plan.query_one("#stream-error", Static).render())
        assert "recovered" in notice and "attempt 3/5" in notice, notice
        assert "overloaded" not in notice, "the stale retry reason is gone"
        toasts = [str(n.message) for n in app._notifications]
        assert any("recovered" in t and "attempt 3/5" in t for t in toasts), toasts


def test_the_headless_progress_says_a_retried_call_recovered() -> None:
    import io

    from duo_tui.headless import ProgressPrinter

    out = io.StringIO()
    printer = ProgressPrinter(out)
    printer(Retrying("plan", 3, 5, 0.0, "the provider is overloaded (529)"))
    printer(Recovered("plan", 3, 5))
    lines = out.getvalue().splitlines()
    assert "attempt 3/5" in lines[0]
    assert "recovered" in lines[1] and "attempt 3/5" in lines[1], lines
