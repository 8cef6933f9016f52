"""A review pane waiting for its review names its reviewer as its border does (A, B).

Its header said "review 1" and "review 2" under the borders "review A" and
"review B": "review 2" reads as the second round.
"""

from __future__ import annotations

from pathlib import Path

from duo_tui.ui.app import DuoApp
from duo_tui.ui.widgets.stream_pane import StreamPane

from ._helpers import at_checkpoint


async def test_waiting_review_panes_name_reviewers_a_and_b(tmp_path: Path) -> None:
    app = DuoApp(demo=True, repo=tmp_path / "demo", pace=0)
    async with app.run_test(size=(160, 48)) as pilot:
        wb = await at_checkpoint(pilot, app)
        for i, name in enumerate("AB"):
            header = wb.query_one(f"#stream-review-{i}", StreamPane).header_text
            assert header.startswith(f"review {name} "), header
            assert "waiting" in header and f"review {i + 1}" not in header, header
        await pilot.press("q")
