"""Order queries."""

import sqlite3


def get_order(db: sqlite3.Connection, order_id: int) -> tuple | None:
    cur = db.execute("SELECT id, email, total_cents FROM orders WHERE id = ?", (order_id,))
    return cur.fetchone()


def search_orders(db: sqlite3.Connection, email_fragment: str, limit: int = 50) -> list[tuple]:
    """Orders whose customer email contains `email_fragment`, newest first."""
    query = (
        "SELECT id, email, total_cents FROM orders "
        f"WHERE email LIKE '%{email_fragment}%' "
        "ORDER BY created_at DESC LIMIT ?"
    )
    return db.execute(query, (limit,)).fetchall()
