"""The demo's throw-away project: a tiny shopping cart with room for real bugs."""

from __future__ import annotations

FILES: dict[str, str] = {
    "README.md": """# shop

A tiny shopping cart used by the duo-tui demo.

Run the tests with `python -m unittest discover -s tests`.
""",
    "shop/__init__.py": '''"""A tiny shopping cart."""

from shop.cart import Cart

__all__ = ["Cart"]
''',
    "shop/cart.py": '''"""The cart: items with prices in cents."""


class Cart:
    """A shopping cart. Prices are integer cents."""

    def __init__(self) -> None:
        self.items: dict[str, tuple[int, int]] = {}

    def add(self, sku: str, price_cents: int, qty: int = 1) -> None:
        if qty <= 0:
            raise ValueError("qty must be positive")
        _, old_qty = self.items.get(sku, (price_cents, 0))
        self.items[sku] = (price_cents, old_qty + qty)

    def remove(self, sku: str) -> None:
        self.items.pop(sku, None)

    def total_cents(self) -> int:
        return sum(price * qty for price, qty in self.items.values())
''',
    "tests/__init__.py": "",
    "tests/test_cart.py": """import unittest

from shop.cart import Cart


class CartTest(unittest.TestCase):
    def test_total(self) -> None:
        cart = Cart()
        cart.add("apple", 120, 2)
        cart.add("pear", 80)
        self.assertEqual(cart.total_cents(), 320)

    def test_add_rejects_zero(self) -> None:
        with self.assertRaises(ValueError):
            Cart().add("apple", 120, 0)


if __name__ == "__main__":
    unittest.main()
""",
}

REQUEST = (
    "Add percentage discount codes to the cart (SAVE10, SAVE25): a code applies once, "
    "unknown codes are refused, and the total can never go below zero."
)
