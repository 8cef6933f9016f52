"""The shopping cart."""

from dataclasses import dataclass, field


@dataclass
class Line:
    sku: str
    unit_price_cents: int
    quantity: int


@dataclass
class Cart:
    lines: list[Line] = field(default_factory=list)
    discount_percent: float = 0.0

    def subtotal_cents(self) -> int:
        return sum(line.unit_price_cents * line.quantity for line in self.lines)

    def total_cents(self) -> int:
        """What the card is charged, after the discount."""
        dollars = self.subtotal_cents() / 100
        discounted = dollars * (1 - self.discount_percent / 100)
        return int(discounted * 100)
