"""The scripted demo session: what each model "says" at each stage.

The answers are realistic: a plan with a manifest, a plan check that objects
once, SEARCH/REPLACE edits that really apply to `project.FILES`, two reviews
that agree on some findings and disagree on others (only-A, only-B, a
severity conflict), a fix round, and clean second reviews. A finding of those the
human marks fix gets a later fix round too (`later_rounds`).
"""

from __future__ import annotations

from duo_tui.demo.answers import (
    ADD_DISCOUNT_FIELD,
    EXECUTOR,
    EXECUTOR_RATES,
    PLANNER,
    PLANNER_RATES,
    TOTAL_CENTS,
    edit,
    edits,
    plan_text,
    review,
    usage,
)
from duo_tui.demo.declined import after_decline
from duo_tui.demo.later_rounds import findings_of, fix_asked, review_after
from duo_tui.demo.scoped import keep_task_blocks, plan_with_feedback
from duo_tui.providers.scripted import Script, ScriptedAnswer

__all__ = ["EXECUTOR", "PLANNER", "REVIEW_A1", "REVIEW_A2", "REVIEW_B1", "REVIEW_B2", "demo_script"]

_MANIFEST = {
    "size": "M",
    "commit": "feat(cart): add percentage discount codes",
    "steps": [
        {
            "id": "S1",
            "text": "Add the code table in shop/discounts.py",
            "files": ["shop/discounts.py"],
        },
        {"id": "S2", "text": "Cart.apply_code and the discounted total", "files": ["shop/cart.py"]},
        {"id": "S3", "text": "Tests for codes", "files": ["tests/test_discounts.py"]},
    ],
    "tasks": [
        {
            "id": "T1",
            "title": "Add percentage discount codes to the cart",
            "goal": "Codes SAVE10/SAVE25 reduce the total once; unknown codes are refused",
            "files": ["shop/discounts.py", "shop/cart.py", "tests/test_discounts.py"],
            "criteria": ["unittest passes", "total never below zero"],
            "steps": ["S1", "S2", "S3"],
            "est_lines": 45,
            "commit": "feat(cart): add percentage discount codes",
        }
    ],
}


def _plan(version: int) -> str:
    interfaces = [
        "`Cart.apply_code(code: str) -> None`",
        "`Cart.discount_pct: int` (0 when no code is applied)",
    ]
    if version > 1:
        interfaces.append(
            "Codes are matched case-insensitively (`save10` works), as the check asked."
        )
    return plan_text(
        goal="Let a shopper apply one percentage discount code (SAVE10, SAVE25) to the cart.",
        steps=[
            "[S1] Create `shop/discounts.py` with `DISCOUNT_CODES: dict[str, int]` (code → percent).",
            "[S2] In `shop/cart.py` add `Cart.apply_code(code)`; refuse unknown codes with `ValueError`; make `total_cents()` apply the discount.",
            "[S3] Add `tests/test_discounts.py`: a known code, an unknown code, the total.",
        ],
        interfaces=interfaces,
        risks=[
            "Rounding of cents when a percentage does not divide the total.",
            "Applying several codes.",
        ],
        criteria=["`python -m unittest discover -s tests` passes.", "The total is never negative."],
        prohibitions=["No floating point money in stored state; no new dependencies."],
        manifest=_MANIFEST,
    )


_ALIGN_BLOCKING = """Plan check (executability):

- [blocking] The plan does not say whether codes are case-sensitive: is `save10` valid? The tests in S3 depend on it.
- [minor] "Applying several codes" is listed as a risk but no step says what happens; I will assume the last code wins unless told.

VERDICT: blocking
"""

_ALIGN_READY = """Plan check (executability), v2:

- [minor] Step S2 could name the exact rounding rule; I will round down to whole cents.

No blocking objection: every step names its files and the completion criteria are checkable.

VERDICT: ready
"""

_EXECUTE = "I will add the code table, then the cart method and the tests.\n\n" + edits(
    edit(
        "shop/discounts.py",
        "",
        '''"""Discount codes: code -> percent off."""

DISCOUNT_CODES: dict[str, int] = {
    "SAVE10": 10,
    "SAVE25": 25,
}
''',
    ),
    edit(
        "shop/cart.py",
        '''"""The cart: items with prices in cents."""

''',
        '''"""The cart: items with prices in cents."""

from shop.discounts import DISCOUNT_CODES

''',
    ),
    ADD_DISCOUNT_FIELD,
    edit(
        "shop/cart.py",
        TOTAL_CENTS,
        """\
    def apply_code(self, code: str) -> None:
        pct = DISCOUNT_CODES.get(code.upper())
        if pct is None:
            raise ValueError(f"unknown discount code: {code}")
        self.discount_pct += pct

    def total_cents(self) -> int:
        total = sum(price * qty for price, qty in self.items.values())
        return int(total * (1 - self.discount_pct / 100))
""",
    ),
    edit(
        "tests/test_discounts.py",
        "",
        """\
import unittest

from shop.cart import Cart


class DiscountTest(unittest.TestCase):
    def test_save10(self) -> None:
        cart = Cart()
        cart.add("apple", 1000)
        cart.apply_code("SAVE10")
        self.assertEqual(cart.total_cents(), 900)

    def test_lowercase_code(self) -> None:
        cart = Cart()
        cart.add("apple", 1000)
        cart.apply_code("save25")
        self.assertEqual(cart.total_cents(), 750)

    def test_unknown_code(self) -> None:
        with self.assertRaises(ValueError):
            Cart().apply_code("FREE")


if __name__ == "__main__":
    unittest.main()
""",
    ),
)

_FIX = (
    "Fixing the stacking bug (critical): a second code is refused, and the total is clamped"
    " at zero with integer arithmetic.\n\n"
) + edits(
    edit(
        "shop/cart.py",
        """\
        if pct is None:
            raise ValueError(f"unknown discount code: {code}")
        self.discount_pct += pct
""",
        """\
        if pct is None:
            raise ValueError(f"unknown discount code: {code}")
        if self.discount_pct:
            raise ValueError("a discount code is already applied")
        self.discount_pct = pct
""",
    ),
    edit(
        "shop/cart.py",
        "        return int(total * (1 - self.discount_pct / 100))\n",
        "        return max(0, total * (100 - self.discount_pct) // 100)\n",
    ),
    edit(
        "tests/test_discounts.py",
        "    def test_unknown_code(self) -> None:\n",
        """\
    def test_second_code_refused(self) -> None:
        cart = Cart()
        cart.add("apple", 1000)
        cart.apply_code("SAVE25")
        with self.assertRaises(ValueError):
            cart.apply_code("SAVE25")
        self.assertEqual(cart.total_cents(), 750)

    def test_unknown_code(self) -> None:
""",
    ),
)


REVIEW_A1 = review(
    PLANNER,
    "request_changes",
    5,
    "The feature works for one code, but codes stack without limit and the total can go negative.",
    [
        {
            "id": "F1",
            "severity": "critical",
            "category": "correctness",
            "file": "shop/cart.py",
            "line_start": 23,
            "line_end": 27,
            "title": "Discount codes stack: repeated codes push the total below zero",
            "detail": "`apply_code` does `self.discount_pct += pct`, so applying SAVE25 five times gives 125% off and `total_cents()` returns a negative amount.",
            "suggestion": "Allow one code: refuse a second one (or replace it) and clamp the total at zero.",
        },
        {
            "id": "F2",
            "severity": "medium",
            "category": "correctness",
            "file": "shop/cart.py",
            "line_start": 31,
            "line_end": 31,
            "title": "Float arithmetic on money",
            "detail": "`int(total * (1 - pct / 100))` goes through a float; for large totals the product can land just below an integer and lose a cent.",
            "suggestion": "Use integer arithmetic: `total * (100 - pct) // 100`.",
        },
        {
            "id": "F3",
            "severity": "low",
            "category": "design",
            "file": "shop/discounts.py",
            "line_start": 3,
            "line_end": 6,
            "title": "Codes are hard-coded in the module",
            "detail": "Adding a code needs a release; a config file or a table would do.",
            "suggestion": "Fine for now; note it in the README.",
        },
    ],
)

REVIEW_B1 = review(
    EXECUTOR,
    "request_changes",
    6,
    "Small and readable. Percentages accumulate across calls, rounding goes through floats, and one path is untested.",
    [
        {
            "id": "F1",
            "severity": "high",
            "category": "bug",
            "file": "shop/cart.py",
            "line_start": 22,
            "line_end": 26,
            "title": "apply_code adds percentages instead of replacing them",
            "detail": "Each call adds to `discount_pct`; two SAVE25 and three SAVE10 exceed 100% and `total_cents` becomes negative.",
            "suggestion": "Set the percentage instead of adding, refuse a second code, and never return a negative total.",
        },
        {
            "id": "F2",
            "severity": "medium",
            "category": "numeric",
            "file": "shop/cart.py",
            "line_start": 30,
            "line_end": 31,
            "title": "Truncating a float loses cents",
            "detail": "`int()` of a float product truncates; 0.1 is not representable so some totals come out one cent low.",
            "suggestion": "Compute in integers (`total * (100 - pct) // 100`) or use Decimal with an explicit rounding rule.",
        },
        {
            "id": "F3",
            "severity": "medium",
            "category": "testing",
            "file": "tests/test_discounts.py",
            "line_start": None,
            "line_end": None,
            "title": "No test applies two codes",
            "detail": "The stacking behaviour is exactly what the tests do not cover.",
            "suggestion": "Add a test that applies a second code and asserts it is refused.",
        },
    ],
)

REVIEW_A2 = review(
    PLANNER,
    "approve",
    9,
    "Stacking is fixed, the total is integer arithmetic and clamped. One cosmetic note.",
    [
        {
            "id": "F1",
            "severity": "low",
            "category": "style",
            "file": "shop/cart.py",
            "line_start": 27,
            "line_end": 28,
            "title": "Error message could name the applied code",
            "detail": "'a discount code is already applied' does not say which one.",
            "suggestion": "Keep the applied code and include it in the message.",
        },
    ],
)

REVIEW_B2 = review(
    EXECUTOR,
    "approve",
    9,
    "The fix addresses stacking with a test; rounding is now exact.",
    [
        {
            "id": "F1",
            "severity": "info",
            "category": "docs",
            "file": "README.md",
            "line_start": None,
            "line_end": None,
            "title": "README does not mention discount codes",
            "detail": "Users will not know SAVE10/SAVE25 exist.",
            "suggestion": "Add one line to the README.",
        },
    ],
)


def demo_script() -> Script:
    """A fresh script (answers are consumed as the session plays)."""
    a, b = PLANNER_RATES, EXECUTOR_RATES
    return {
        # the planner's reruns and revisions show the human's rejection reason
        "plan": [
            ScriptedAnswer(_plan(1), usage(1850, 720, *a), adapt=plan_with_feedback),
            ScriptedAnswer(_plan(1), usage(1900, 730, *a), adapt=plan_with_feedback),
        ],
        "align": [
            ScriptedAnswer(_ALIGN_BLOCKING, usage(2300, 160, *b)),
            ScriptedAnswer(_ALIGN_READY, usage(2350, 110, *b)),
        ],
        "revise": [ScriptedAnswer(_plan(2), usage(2600, 760, *a), adapt=plan_with_feedback)],
        # the executor keeps to its task's files (a split task gets its part only)
        "execute": [ScriptedAnswer(_EXECUTE, usage(3100, 890, *b), adapt=keep_task_blocks)],
        # ... answers the hunks the human declined (declined.py), and a later fix (the
        # human marked a finding of a clean round fix) answers what it asks (later_rounds.py)
        "fix": [
            ScriptedAnswer(_FIX, usage(4200, 420, *b), adapt=after_decline(_EXECUTE, _FIX)),
            ScriptedAnswer(
                _FIX, usage(4300, 260, *b), adapt=fix_asked(_FIX, after_decline(_EXECUTE, _FIX))
            ),
        ],
        ("review", PLANNER): [
            ScriptedAnswer(REVIEW_A1, usage(3900, 650, *a)),
            ScriptedAnswer(REVIEW_A2, usage(4100, 240, *a)),
            ScriptedAnswer(
                REVIEW_A2, usage(4200, 200, *a), adapt=review_after(PLANNER, findings_of(REVIEW_A2))
            ),
        ],
        ("review", EXECUTOR): [
            ScriptedAnswer(REVIEW_B1, usage(3900, 610, *b)),
            ScriptedAnswer(REVIEW_B2, usage(4050, 220, *b)),
            ScriptedAnswer(
                REVIEW_B2,
                usage(4150, 190, *b),
                adapt=review_after(EXECUTOR, findings_of(REVIEW_B2)),
            ),
        ],
        ("rebuttal", PLANNER): [ScriptedAnswer(REVIEW_A1, usage(4500, 650, *a))],
        ("rebuttal", EXECUTOR): [ScriptedAnswer(REVIEW_B1, usage(4500, 610, *b))],
    }
