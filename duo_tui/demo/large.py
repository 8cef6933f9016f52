"""The demo's L scenario: one requirement decomposed into three atomic tasks.

`duo-tui run "add discount codes and printable receipts" --demo` (any request
mentioning receipts) plays it: the plan is sized L, split into three tasks of
at most three files, and each task ends in its own reviewed commit. Each review
reports its task's nit while the change still has it, so a nit the human marks
fix gets a fix round the script answers, and the next review sees it fixed.
"""

from __future__ import annotations

from collections.abc import Callable

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
from duo_tui.providers.base import ModelRequest
from duo_tui.providers.scripted import Script, ScriptedAnswer

REQUEST = "Add discount codes and printable receipts to the shop, each with tests."

_MANIFEST = {
    "size": "L",
    "commit": "feat(shop): discount codes and receipts",
    "steps": [
        {
            "id": "S1",
            "text": "Discount code table",
            "files": ["shop/discounts.py", "tests/test_codes.py"],
        },
        {"id": "S2", "text": "Cart.apply_code", "files": ["shop/cart.py", "tests/test_apply.py"]},
        {
            "id": "S3",
            "text": "Receipt rendering",
            "files": ["shop/receipt.py", "tests/test_receipt.py"],
        },
        {"id": "S4", "text": "Document receipts in the README", "files": ["README.md"]},
    ],
    "tasks": [
        {
            "id": "T1",
            "title": "Discount code table",
            "goal": "codes and their percentages",
            "files": ["shop/discounts.py", "tests/test_codes.py"],
            "criteria": ["unittest passes"],
            "steps": ["S1"],
            "est_lines": 25,
            "commit": "feat(discounts): add the discount code table",
        },
        {
            "id": "T2",
            "title": "Apply a code to the cart",
            "goal": "Cart.apply_code, once",
            "files": ["shop/cart.py", "tests/test_apply.py"],
            "criteria": ["unittest passes"],
            "steps": ["S2"],
            "est_lines": 40,
            "commit": "feat(cart): apply one discount code",
        },
        {
            "id": "T3",
            "title": "Printable receipts",
            "goal": "a text receipt of the cart",
            "files": ["shop/receipt.py", "tests/test_receipt.py", "README.md"],
            "criteria": ["unittest passes"],
            "steps": ["S3", "S4"],
            "est_lines": 60,
            "commit": "feat(receipt): render a printable receipt",
        },
    ],
}

PLAN = plan_text(
    goal="Discount codes and printable receipts, as three small reviewed commits.",
    steps=[
        "[S1] `shop/discounts.py`: the code table; tests in `tests/test_codes.py`.",
        "[S2] `shop/cart.py`: `Cart.apply_code`; tests in `tests/test_apply.py`.",
        "[S3] `shop/receipt.py`: `render_receipt(cart)`; tests in `tests/test_receipt.py`.",
        "[S4] Mention receipts in `README.md`.",
    ],
    interfaces=[
        "`DISCOUNT_CODES: dict[str, int]`, `Cart.apply_code(code)`, `render_receipt(cart) -> str`"
    ],
    risks=["Rounding cents; a second code."],
    criteria=["`python -m unittest discover -s tests` passes after every task."],
    prohibitions=["No new dependencies."],
    manifest=_MANIFEST,
)

_T1 = edits(
    edit(
        "shop/discounts.py",
        "",
        '''"""Discount codes: code -> percent off."""

DISCOUNT_CODES: dict[str, int] = {"SAVE10": 10, "SAVE25": 25}
''',
    ),
    edit(
        "tests/test_codes.py",
        "",
        """\
import unittest

from shop.discounts import DISCOUNT_CODES


class CodesTest(unittest.TestCase):
    def test_percentages_are_sane(self) -> None:
        self.assertTrue(all(0 < p < 100 for p in DISCOUNT_CODES.values()))
""",
    ),
)

_T2 = edits(
    ADD_DISCOUNT_FIELD,
    edit(
        "shop/cart.py",
        TOTAL_CENTS,
        """\
    def apply_code(self, code: str) -> None:
        from shop.discounts import DISCOUNT_CODES

        pct = DISCOUNT_CODES.get(code.upper())
        if pct is None or self.discount_pct:
            raise ValueError(f"cannot apply discount code {code!r}")
        self.discount_pct = pct

    def total_cents(self) -> int:
        total = sum(price * qty for price, qty in self.items.values())
        return max(0, total * (100 - self.discount_pct) // 100)
""",
    ),
    edit(
        "tests/test_apply.py",
        "",
        """\
import unittest

from shop.cart import Cart


class ApplyTest(unittest.TestCase):
    def test_once(self) -> None:
        cart = Cart()
        cart.add("apple", 1000)
        cart.apply_code("save10")
        self.assertEqual(cart.total_cents(), 900)
        with self.assertRaises(ValueError):
            cart.apply_code("SAVE25")
""",
    ),
)

_README_TESTS = "Run the tests with `python -m unittest discover -s tests`.\n"

_T3 = edits(
    edit(
        "shop/receipt.py",
        "",
        '''"""A printable text receipt of a cart."""

from shop.cart import Cart


def render_receipt(cart: Cart) -> str:
    lines = [f"{sku:<12}{qty:>3} x {price / 100:>7.2f}" for sku, (price, qty) in sorted(cart.items.items())]
    if cart.discount_pct:
        lines.append(f"discount {cart.discount_pct}%")
    lines.append(f"TOTAL {cart.total_cents() / 100:.2f}")
    return "\\n".join(lines)
''',
    ),
    edit(
        "tests/test_receipt.py",
        "",
        """\
import unittest

from shop.cart import Cart
from shop.receipt import render_receipt


class ReceiptTest(unittest.TestCase):
    def test_total_line(self) -> None:
        cart = Cart()
        cart.add("apple", 250, 2)
        self.assertTrue(render_receipt(cart).endswith("TOTAL 5.00"))
""",
    ),
    edit(
        "README.md",
        _README_TESTS,
        _README_TESTS + "\n`shop.receipt.render_receipt(cart)` prints a receipt.\n",
        lang="markdown",
    ),
)


_RECEIPT_LINES = (
    '    lines = [f"{{sku:<{width}}}{{qty:>3}} x {{price / 100:>7.2f}}" '
    "for sku, (price, qty) in sorted(cart.items.items())]\n"
)
"""`render_receipt`'s first line as T3 writes it, its width a slot."""

# Each task's nit: (task id, file, title, what the fix changes, the fixed text).
_NITS = [
    (
        "T1",
        "shop/discounts.py",
        "Module docstring could list the codes",
        '"""Discount codes: code -> percent off."""\n',
        '"""Discount codes: code -> percent off (SAVE10: 10%, SAVE25: 25%)."""\n',
    ),
    (
        "T2",
        "shop/cart.py",
        "Error message could say why the code was refused",
        "        if pct is None or self.discount_pct:\n"
        '            raise ValueError(f"cannot apply discount code {code!r}")\n',
        "        if pct is None:\n"
        '            raise ValueError(f"unknown discount code {code!r}")\n'
        "        if self.discount_pct:\n"
        '            raise ValueError(f"a discount code is already applied: {code!r} refused")\n',
    ),
    (
        "T3",
        "shop/receipt.py",
        "Receipt width is hard-coded",
        "def render_receipt(cart: Cart) -> str:\n" + _RECEIPT_LINES.format(width="12"),
        "def render_receipt(cart: Cart, width: int = 12) -> str:\n"
        + _RECEIPT_LINES.format(width="{width}"),
    ),
]


def _prompt(request: ModelRequest) -> str:
    return "\n".join(m.content for m in request.messages)


def _review_of_task(reviewer: str, nit: str) -> Callable[[str, ModelRequest], str]:
    """A reviewer's answer for whichever task is under review: that task's nit, while the
    change still has it (a fix the human asked for makes it go)."""

    def adapt(_text: str, request: ModelRequest) -> str:
        prompt = _prompt(request)
        for tid, file, title, before, _after in _NITS:
            if f"Task {tid}:" not in prompt:
                continue
            findings = []
            if before in prompt:
                findings.append(
                    {
                        "id": "F1",
                        "severity": "low",
                        "category": "style",
                        "file": file,
                        "line_start": 1,
                        "line_end": 3,
                        "title": nit + (title.lower() if nit else title),
                        "detail": "A nit, not a blocker.",
                        "suggestion": "Optional.",
                    }
                )
            words = "Small, tested, does what the task says."
            return review(reviewer, "approve", 8 if findings else 9, words, findings)
        return review(reviewer, "approve", 9, "Small, tested, does what the task says.", [])

    return adapt


def _fix_nits(_text: str, request: ModelRequest) -> str:
    """The executor's answer to a fix the human asked for: the named nits, fixed."""
    prompt = _prompt(request)
    blocks = [
        edit(file, before, after)
        for _tid, file, title, before, after in _NITS
        if title.lower() in prompt.lower() and before in prompt
    ]
    if not blocks:
        return "Every finding listed is already addressed in the files as they are now."
    return "Addressing the findings you marked fix.\n\n" + edits(*blocks)


def large_script() -> Script:
    a, b = PLANNER_RATES, EXECUTOR_RATES
    return {
        "plan": [ScriptedAnswer(PLAN, usage(1900, 900, *a))],
        "align": [
            ScriptedAnswer(
                "Every task names its files; criteria are checkable.\n\nVERDICT: ready\n",
                usage(2400, 60, *b),
            )
        ],
        "execute": [ScriptedAnswer(t, usage(2800, 600, *b)) for t in (_T1, _T2, _T3)],
        # a nit the human marks fix gets its fix round; the reviews follow the task
        "fix": [ScriptedAnswer("", usage(3200, 240, *b), adapt=_fix_nits)],
        ("review", PLANNER): [
            ScriptedAnswer("", usage(3000, 200, *a), adapt=_review_of_task(PLANNER, ""))
        ],
        ("review", EXECUTOR): [
            ScriptedAnswer(
                "", usage(3000, 180, *b), adapt=_review_of_task(EXECUTOR, "Nothing blocking; ")
            )
        ],
    }


def wants_large(request: str) -> bool:
    return "receipt" in request.lower()
