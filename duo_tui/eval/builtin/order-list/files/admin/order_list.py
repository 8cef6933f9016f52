"""The admin order list."""

from shop.db import Database


def order_rows(db: Database, limit: int = 500) -> list[dict]:
    orders = db.fetch_all("SELECT id, customer_id, total_cents FROM orders ORDER BY id DESC LIMIT ?", (limit,))
    rows = []
    for o in orders:
        customer = db.fetch_one("SELECT name FROM customers WHERE id = ?", (o["customer_id"],))
        rows.append(
            {
                "id": o["id"],
                "customer": customer["name"] if customer else "(deleted)",
                "total_cents": o["total_cents"],
            }
        )
    return rows
