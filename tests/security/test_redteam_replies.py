"""Red-team attacks with hostile model replies, beyond issue 16's examples.

A review reply is parsed forgivingly (JSON dug out of prose, damaged JSON
repaired). Parsing must stay fast on any reply under the reply size limit:
a reply built to make the digging or the repair quadratic must end in a clear
error within seconds, not hold the review stage for minutes.
"""

from __future__ import annotations

import time

import pytest

from duo_tui.core.reviews import parse_review_text
from duo_tui.errors import ReviewParseError

#: Seconds any parse may take here (each reply below took minutes before).
BUDGET_S = 15.0


@pytest.mark.parametrize(
    "reply",
    [
        pytest.param('["' * 20_000, id="40 KB of unclosed strings (json_repair: 90 s)"),
        pytest.param("{" * 400_000, id="400 KB of braces (finding each start: quadratic)"),
        pytest.param(
            "Here is my review:\n```json\n" + '{"findings": [' + '{"title": "' * 30_000 + "\n```",
            id="a fenced, damaged review",
        ),
    ],
)
def test_a_hostile_reply_is_refused_quickly(reply: str) -> None:
    start = time.monotonic()
    with pytest.raises(ReviewParseError):
        parse_review_text(reply, "m")
    took = time.monotonic() - start
    assert took < BUDGET_S, f"parsing took {took:.1f} s"


def test_damaged_json_of_a_real_size_is_still_repaired() -> None:
    findings = ",".join(
        f'{{"id": "F{i}", "severity": "low", "title": "t{i}", "detail": "d",}}' for i in range(200)
    )
    review = parse_review_text('```json\n{"findings": [' + findings + "]\n```", "m")
    assert len(review.findings) == 200
    assert "repaired" in " ".join(getattr(review, "parse_notes", []))
