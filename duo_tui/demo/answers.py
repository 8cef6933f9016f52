"""How the demo's scripted models write their answers, for both scenarios.

`script.py` (one task, a fix round) and `large.py` (three tasks) share the two
models and their illustrative prices, the plan document with its JSON
manifest, SEARCH/REPLACE edit blocks, a review as JSON, and the two edits both
make to `project.FILES`' cart (a `discount_pct` field; `total_cents` as it is
before the discount).
"""

from __future__ import annotations

import json
from typing import Any

from duo_tui.core.models import Usage

PLANNER = "anthropic/claude-opus-4-7"
EXECUTOR = "openai/gpt-5.5"

PLANNER_RATES = (15.0, 75.0)
"""Illustrative $/Mtok (input, output) for the scripted planner."""
EXECUTOR_RATES = (1.25, 10.0)
"""And for the scripted executor."""


def usage(inp: int, out: int, rate_in: float, rate_out: float) -> Usage:
    """The usage of one scripted call, its cost at the given $/Mtok rates."""
    return Usage(
        input_tokens=inp,
        output_tokens=out,
        cost_usd=round(inp * rate_in / 1e6 + out * rate_out / 1e6, 6),
    )


def _bullets(lines: list[str]) -> str:
    return "".join(f"- {line}\n" for line in lines)


def plan_text(
    *,
    goal: str,
    steps: list[str],
    interfaces: list[str],
    risks: list[str],
    criteria: list[str],
    prohibitions: list[str],
    manifest: dict[str, Any],
) -> str:
    """A plan as the planner writes it: its sections, numbered steps, then the manifest."""
    numbered = "".join(f"{n}. {step}\n" for n, step in enumerate(steps, 1))
    return (
        f"## Goal\n{goal}\n\n"
        f"## Steps\n{numbered}\n"
        f"## Interfaces\n{_bullets(interfaces)}\n"
        f"## Risks\n{_bullets(risks)}\n"
        f"## Completion criteria\n{_bullets(criteria)}\n"
        f"## Prohibitions\n{_bullets(prohibitions)}\n"
        f"```json\n{json.dumps(manifest, indent=1)}\n```\n"
    )


def edit(path: str, search: str, replace: str, lang: str = "python") -> str:
    """One SEARCH/REPLACE block as the executor writes it; an empty `search` creates the file.

    `search` and `replace` are whole lines, each ending in a newline.
    """
    return f"{path}\n```{lang}\n<<<<<<< SEARCH\n{search}=======\n{replace}>>>>>>> REPLACE\n```\n"


def edits(*blocks: str) -> str:
    """Edit blocks one after another, a blank line between them."""
    return "\n".join(blocks)


def review(reviewer: str, verdict: str, score: int, summary: str, findings: list[dict]) -> str:
    """A review as the reviewer's JSON document."""
    doc = {
        "reviewer": reviewer,
        "verdict": verdict,
        "score": score,
        "summary": summary,
        "findings": findings,
    }
    return json.dumps(doc, indent=2)


_CART_ITEMS = "        self.items: dict[str, tuple[int, int]] = {}\n"

ADD_DISCOUNT_FIELD = edit(
    "shop/cart.py", _CART_ITEMS, _CART_ITEMS + "        self.discount_pct = 0\n"
)
"""The cart gets its `discount_pct` (both scenarios)."""

TOTAL_CENTS = """\
    def total_cents(self) -> int:
        return sum(price * qty for price, qty in self.items.values())
"""
"""`Cart.total_cents` as the demo project has it: what both scenarios replace."""
