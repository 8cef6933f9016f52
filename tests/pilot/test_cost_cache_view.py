"""The workbench shows how many prompt tokens came from the provider's cache.

Cached tokens are billed at their own rate, so the cost view and a finished
stream's header say how many there were (and nothing when there were none).
"""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Static

from duo_tui.core.events import StreamFinished, UsageUpdate
from duo_tui.core.models import Usage
from duo_tui.ui.app import DuoApp
from duo_tui.ui.widgets.stream_pane import StreamPane

from ._helpers import at_checkpoint, wait_for


async def test_cost_view_and_stream_header_show_cached_tokens(tmp_path: Path) -> None:
    app = DuoApp(demo=True, repo=tmp_path / "demo", pace=0)
    async with app.run_test(size=(160, 48)) as pilot:
        wb = await at_checkpoint(pilot, app)
        costs = wb.query_one("#costs", Static)
        assert "cache" not in str(costs.render()), "no cache line without cached tokens"
        usage = Usage(
            input_tokens=20_000,
            output_tokens=1_000,
            cost_usd=0.058,
            cache_read_tokens=16_000,
            cache_write_tokens=1_200,
        )
        wb.handle(
            UsageUpdate(
                by_model={"openai/gpt-5.5": usage},
                cost_usd=0.058,
                cost_known=True,
                by_stage={"execute": usage},
            )
        )
        wb.handle(StreamFinished(stream="exec", model="openai/gpt-5.5", usage=usage))
        await wait_for(
            pilot, lambda: "16.0k" in str(costs.render()), what="the cost view's cache lines"
        )
        lines = str(costs.render()).splitlines()
        assert lines[-3:] == ["cache tokens", " read     16.0k", " write     1.2k"], lines
        # the rail column is narrow: every line fits in it, none wraps
        assert costs.content_size.width >= max(len(line) for line in lines), lines
        pane = wb.query_one("#stream-exec", StreamPane)
        assert "20.0k→1.0k tok (16.0k cached, 1.2k cache write) · $0.0580" in pane._usage_text
        await pilot.press("q")
