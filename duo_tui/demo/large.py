"""The demo's L scenario: one requirement decomposed into three atomic tasks.

`duo-tui run "add discount codes and printable receipts" --demo` (any request
mentioning receipts) plays it: the plan is sized L, split into three tasks of
at most three files, and each task ends in its own reviewed commit.
"""

from __future__ import annotations

import json

from duo_tui.demo.script import EXECUTOR, PLANNER, _u
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

PLAN = f"""## Goal
Discount codes and printable receipts, as three small reviewed commits.

## Steps
1. [S1] `shop/discounts.py`: the code table; tests in `tests/test_codes.py`.
2. [S2] `shop/cart.py`: `Cart.apply_code`; tests in `tests/test_apply.py`.
3. [S3] `shop/receipt.py`: `render_receipt(cart)`; tests in `tests/test_receipt.py`.
4. [S4] Mention receipts in `README.md`.

## Interfaces
- `DISCOUNT_CODES: dict[str, int]`, `Cart.apply_code(code)`, `render_receipt(cart) -> str`

## Risks
- Rounding cents; a second code.

## Completion criteria
- `python -m unittest discover -s tests` passes after every task.

## Prohibitions
- No new dependencies.

```json
{json.dumps(_MANIFEST, indent=1)}
```
"""

_T1 = '''shop/discounts.py
```python
<<<<<<< SEARCH
=======
"""Discount codes: code -> percent off."""

DISCOUNT_CODES: dict[str, int] = {"SAVE10": 10, "SAVE25": 25}
>>>>>>> REPLACE
```

tests/test_codes.py
```python
<<<<<<< SEARCH
=======
import unittest

from shop.discounts import DISCOUNT_CODES


class CodesTest(unittest.TestCase):
    def test_percentages_are_sane(self) -> None:
        self.assertTrue(all(0 < p < 100 for p in DISCOUNT_CODES.values()))
>>>>>>> REPLACE
```
'''

_T2 = """shop/cart.py
```python
<<<<<<< SEARCH
        self.items: dict[str, tuple[int, int]] = {}
=======
        self.items: dict[str, tuple[int, int]] = {}
        self.discount_pct = 0
>>>>>>> REPLACE
```

shop/cart.py
```python
<<<<<<< SEARCH
    def total_cents(self) -> int:
        return sum(price * qty for price, qty in self.items.values())
=======
    def apply_code(self, code: str) -> None:
        from shop.discounts import DISCOUNT_CODES

        pct = DISCOUNT_CODES.get(code.upper())
        if pct is None or self.discount_pct:
            raise ValueError(f"cannot apply discount code {code!r}")
        self.discount_pct = pct

    def total_cents(self) -> int:
        total = sum(price * qty for price, qty in self.items.values())
        return max(0, total * (100 - self.discount_pct) // 100)
>>>>>>> REPLACE
```

tests/test_apply.py
```python
<<<<<<< SEARCH
=======
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
>>>>>>> REPLACE
```
"""

_T3 = '''shop/receipt.py
```python
<<<<<<< SEARCH
=======
"""A printable text receipt of a cart."""

from shop.cart import Cart


def render_receipt(cart: Cart) -> str:
    lines = [f"{sku:<12}{qty:>3} x {price / 100:>7.2f}" for sku, (price, qty) in sorted(cart.items.items())]
    if cart.discount_pct:
        lines.append(f"discount {cart.discount_pct}%")
    lines.append(f"TOTAL {cart.total_cents() / 100:.2f}")
    return "\\n".join(lines)
>>>>>>> REPLACE
```

tests/test_receipt.py
```python
<<<<<<< SEARCH
=======
import unittest

from shop.cart import Cart
from shop.receipt import render_receipt


class ReceiptTest(unittest.TestCase):
    def test_total_line(self) -> None:
        cart = Cart()
        cart.add("apple", 250, 2)
        self.assertTrue(render_receipt(cart).endswith("TOTAL 5.00"))
>>>>>>> REPLACE
```

README.md
```markdown
<<<<<<< SEARCH
Run the tests with `python -m unittest discover -s tests`.
=======
Run the tests with `python -m unittest discover -s tests`.

`shop.receipt.render_receipt(cart)` prints a receipt.
>>>>>>> REPLACE
```
'''


def _clean_review(reviewer: str, file: str, title: str) -> str:
    return json.dumps(
        {
            "reviewer": reviewer,
            "verdict": "approve",
            "score": 8,
            "summary": "Small, tested, does what the task says.",
            "findings": [
                {
                    "id": "F1",
                    "severity": "low",
                    "category": "style",
                    "file": file,
                    "line_start": 1,
                    "line_end": 3,
                    "title": title,
                    "detail": "A nit, not a blocker.",
                    "suggestion": "Optional.",
                }
            ],
        },
        indent=2,
    )


def large_script() -> Script:
    a, b = (15.0, 75.0), (1.25, 10.0)
    reviews = [
        ("shop/discounts.py", "Module docstring could list the codes"),
        ("shop/cart.py", "Error message could say why the code was refused"),
        ("shop/receipt.py", "Receipt width is hard-coded"),
    ]
    return {
        "plan": [ScriptedAnswer(PLAN, _u(1900, 900, *a))],
        "align": [
            ScriptedAnswer(
                "Every task names its files; criteria are checkable.\n\nVERDICT: ready\n",
                _u(2400, 60, *b),
            )
        ],
        "execute": [ScriptedAnswer(t, _u(2800, 600, *b)) for t in (_T1, _T2, _T3)],
        ("review", PLANNER): [
            ScriptedAnswer(_clean_review(PLANNER, f, t), _u(3000, 200, *a)) for f, t in reviews
        ],
        ("review", EXECUTOR): [
            ScriptedAnswer(
                _clean_review(EXECUTOR, f, "Nothing blocking; " + t.lower()), _u(3000, 180, *b)
            )
            for f, t in reviews
        ],
    }


def wants_large(request: str) -> bool:
    return "receipt" in request.lower()
