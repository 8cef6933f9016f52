"""Built-in eval suite, cases 1-9: one seeded defect each, in Python (data for build.py)."""

from registry import case

# ---------------------------------------------------------------- 1 race
case("rate-limiter", "Add a per-client rate limiter to the API gateway",
"Requests from one client above the configured rate per minute are refused with 429. The gateway serves requests from a thread pool.",
"python",
{"gateway/limits.py": '''
"""Request limits for the gateway."""

MAX_BODY_BYTES = 1 << 20
'''},
{"gateway/limits.py": '''
"""Request limits for the gateway."""

import time

MAX_BODY_BYTES = 1 << 20


class RateLimiter:
    """Allow at most `per_minute` requests per client in each minute window."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._windows: dict[str, tuple[int, int]] = {}

    def allow(self, client_id: str) -> bool:
        window = int(time.time() // 60)
        start, count = self._windows.get(client_id, (window, 0))  #!K1
        if start != window:  #!K1
            start, count = window, 0  #!K1
        if count >= self.per_minute:  #!K1
            return False  #!K1
        self._windows[client_id] = (start, count + 1)  #!K1
        return True
'''},
{"K1": ("high", "concurrency",
 "Race condition: allow() reads, checks and writes the client's counter without a lock while the gateway calls it from a thread pool, so concurrent requests read the same count and all pass, exceeding the limit. Guard the read-modify-write with a threading.Lock.")})

# ---------------------------------------------------------------- 2 injection
case("order-search", "Let support staff search orders by customer email",
"Adds a search function used by the support console's search box.",
"python",
{"shop/orders.py": '''
"""Order queries."""

import sqlite3


def get_order(db: sqlite3.Connection, order_id: int) -> tuple | None:
    cur = db.execute("SELECT id, email, total_cents FROM orders WHERE id = ?", (order_id,))
    return cur.fetchone()
'''},
{"shop/orders.py": '''
"""Order queries."""

import sqlite3


def get_order(db: sqlite3.Connection, order_id: int) -> tuple | None:
    cur = db.execute("SELECT id, email, total_cents FROM orders WHERE id = ?", (order_id,))
    return cur.fetchone()


def search_orders(db: sqlite3.Connection, email_fragment: str, limit: int = 50) -> list[tuple]:
    """Orders whose customer email contains `email_fragment`, newest first."""
    query = (
        "SELECT id, email, total_cents FROM orders "
        f"WHERE email LIKE '%{email_fragment}%' "  #!K1
        "ORDER BY created_at DESC LIMIT ?"
    )
    return db.execute(query, (limit,)).fetchall()
'''},
{"K1": ("critical", "security",
 "SQL injection: the search text from the support console is formatted into the SQL string, so a quote in it changes the query (e.g. reads or deletes other tables). Pass it as a parameter: LIKE ? with '%' + fragment + '%'.")})

# ---------------------------------------------------------------- 3 off-by-one
case("paginate", "Paginate the audit log listing",
"The audit log page shows `page_size` entries per page and a page count in the footer.",
"python",
{"audit/listing.py": '''
"""The audit log listing."""

from dataclasses import dataclass


@dataclass
class Entry:
    at: str
    actor: str
    action: str


def all_entries(entries: list[Entry]) -> list[Entry]:
    return sorted(entries, key=lambda e: e.at, reverse=True)
'''},
{"audit/listing.py": '''
"""The audit log listing."""

from dataclasses import dataclass


@dataclass
class Entry:
    at: str
    actor: str
    action: str


def all_entries(entries: list[Entry]) -> list[Entry]:
    return sorted(entries, key=lambda e: e.at, reverse=True)


def page_count(total: int, page_size: int) -> int:
    """How many pages `total` entries fill."""
    return total // page_size  #!K1


def page(entries: list[Entry], number: int, page_size: int) -> list[Entry]:
    """Page `number` (1-based) of the newest-first listing."""
    ordered = all_entries(entries)
    start = (number - 1) * page_size
    return ordered[start : start + page_size]
'''},
{"K1": ("medium", "logic",
 "Off-by-one: page_count uses floor division, so a partial last page is not counted (25 entries at 10 per page gives 2 pages, and the last 5 entries are unreachable). Use ceiling division: (total + page_size - 1) // page_size.")})

# ---------------------------------------------------------------- 4 swallowed error
case("settings-save", "Save user settings to disk when they change",
"The desktop client writes the settings file after each change in the preferences dialog.",
"python",
{"client/settings.py": '''
"""User settings of the desktop client."""

import json
from pathlib import Path


def load_settings(path: Path) -> dict:
    if not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))
'''},
{"client/settings.py": '''
"""User settings of the desktop client."""

import json
import os
from pathlib import Path


def load_settings(path: Path) -> dict:
    if not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def save_settings(path: Path, settings: dict) -> bool:
    """Write `settings` to `path`; True when they were saved."""
    tmp = path.with_suffix(".tmp")
    try:
        tmp.write_text(json.dumps(settings, indent=2), encoding="utf-8")
        os.replace(tmp, path)
    except Exception:  #!K1
        pass  #!K1
    return True  #!K1
'''},
{"K1": ("high", "error-handling",
 "Swallowed error: every failure to write the settings (disk full, permission denied, unserialisable value) is silently ignored and save_settings still returns True, so the user's changes are lost without notice and the temp file is left behind. Let the error propagate or return False and report it.")})

# ---------------------------------------------------------------- 5 authz gap
case("invoice-download", "Add an endpoint to download an invoice PDF",
"Logged-in customers can download their invoices from the billing page.",
"python",
{"billing/views.py": '''
"""Billing views."""

from billing.models import Invoice
from web.auth import login_required
from web.http import Request, Response, json_response


@login_required
def list_invoices(request: Request) -> Response:
    invoices = Invoice.objects.filter(customer_id=request.user.customer_id)
    return json_response([inv.summary() for inv in invoices])
'''},
{"billing/views.py": '''
"""Billing views."""

from billing.models import Invoice
from web.auth import login_required
from web.http import FileResponse, NotFound, Request, Response, json_response


@login_required
def list_invoices(request: Request) -> Response:
    invoices = Invoice.objects.filter(customer_id=request.user.customer_id)
    return json_response([inv.summary() for inv in invoices])


@login_required
def download_invoice(request: Request, invoice_id: int) -> Response:
    invoice = Invoice.objects.filter(id=invoice_id).first()  #!K1
    if invoice is None:
        raise NotFound("no such invoice")
    return FileResponse(invoice.pdf_path, filename=f"invoice-{invoice.number}.pdf")
'''},
{"K1": ("critical", "security",
 "Authorization gap (IDOR): the invoice is looked up by id only, so any logged-in customer can download any other customer's invoice by changing the id. Filter by customer_id=request.user.customer_id as list_invoices does.")})

# ---------------------------------------------------------------- 6 resource leak
case("report-export", "Export the monthly report as CSV files",
"Writes one CSV per region into the export folder; the job runs nightly for hundreds of regions.",
"python",
{"reports/export.py": '''
"""Report exports."""

from pathlib import Path

HEADER = ["region", "month", "orders", "revenue_cents"]
'''},
{"reports/export.py": '''
"""Report exports."""

import csv
from pathlib import Path

HEADER = ["region", "month", "orders", "revenue_cents"]


def export_region(folder: Path, region: str, rows: list[list[object]]) -> Path | None:
    """Write `rows` for `region` to folder/region.csv; None when there is nothing to write."""
    path = folder / f"{region}.csv"
    handle = open(path, "w", newline="", encoding="utf-8")  #!K1
    if not rows:  #!K1
        return None  #!K1
    writer = csv.writer(handle)
    writer.writerow(HEADER)
    writer.writerows(rows)
    handle.close()
    return path


def export_all(folder: Path, data: dict[str, list[list[object]]]) -> list[Path]:
    return [p for region, rows in data.items() if (p := export_region(folder, region, rows))]
'''},
{"K1": ("medium", "resource-leak",
 "Resource leak: the file is opened before the empty check, so a region without rows returns without closing it (and leaves an empty CSV), and an exception from the writer also leaks the handle; over hundreds of regions the job can run out of file descriptors. Check rows first and use a with block.")})

# ---------------------------------------------------------------- 7 money in floats
case("cart-total", "Apply percentage discount codes to the cart total",
"Discount codes take a percentage off the cart; the total is charged to the card in cents.",
"python",
{"shop/cart.py": '''
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

    def subtotal_cents(self) -> int:
        return sum(line.unit_price_cents * line.quantity for line in self.lines)
'''},
{"shop/cart.py": '''
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
        dollars = self.subtotal_cents() / 100  #!K1
        discounted = dollars * (1 - self.discount_percent / 100)  #!K1
        return int(discounted * 100)  #!K1
'''},
{"K1": ("high", "money",
 "Money in floats: the total is converted to float dollars, discounted and truncated with int(), so binary rounding error loses a cent on many totals (a 115-cent cart with no discount is charged 114) and the truncation always rounds down instead of to the nearest cent. Compute in integer cents or Decimal with an explicit rounding rule.")})

# ---------------------------------------------------------------- 8 timezone slip
case("token-expiry", "Expire password reset tokens after one hour",
"Reset tokens store their creation time; a token older than one hour is refused. Servers run in several time zones.",
"python",
{"accounts/reset.py": '''
"""Password reset tokens."""

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass
class ResetToken:
    value: str
    user_id: int
    created_at: datetime  # timezone-aware, UTC


def new_token(user_id: int) -> ResetToken:
    return ResetToken(secrets.token_urlsafe(32), user_id, datetime.now(UTC))
'''},
{"accounts/reset.py": '''
"""Password reset tokens."""

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

TOKEN_LIFETIME = timedelta(hours=1)


@dataclass
class ResetToken:
    value: str
    user_id: int
    created_at: datetime  # timezone-aware, UTC


def new_token(user_id: int) -> ResetToken:
    return ResetToken(secrets.token_urlsafe(32), user_id, datetime.now(UTC))


def is_expired(token: ResetToken) -> bool:
    created = token.created_at.replace(tzinfo=None)  #!K1
    return datetime.now() - created > TOKEN_LIFETIME  #!K1
'''},
{"K1": ("high", "timezone",
 "Timezone slip: the UTC creation time is made naive and compared with datetime.now(), which is local time, so on a server east of UTC tokens expire early (or at once) and west of UTC they live for hours longer than one hour. Compare aware datetimes: datetime.now(UTC) - token.created_at.")})

# ---------------------------------------------------------------- 9 N+1
case("order-list", "Show the customer's name on the admin order list",
"The admin order list gains a customer column; the list shows up to 500 orders.",
"python",
{"admin/order_list.py": '''
"""The admin order list."""

from shop.db import Database


def order_rows(db: Database, limit: int = 500) -> list[dict]:
    orders = db.fetch_all("SELECT id, customer_id, total_cents FROM orders ORDER BY id DESC LIMIT ?", (limit,))
    return [{"id": o["id"], "total_cents": o["total_cents"]} for o in orders]
'''},
{"admin/order_list.py": '''
"""The admin order list."""

from shop.db import Database


def order_rows(db: Database, limit: int = 500) -> list[dict]:
    orders = db.fetch_all("SELECT id, customer_id, total_cents FROM orders ORDER BY id DESC LIMIT ?", (limit,))
    rows = []
    for o in orders:
        customer = db.fetch_one("SELECT name FROM customers WHERE id = ?", (o["customer_id"],))  #!K1
        rows.append(
            {
                "id": o["id"],
                "customer": customer["name"] if customer else "(deleted)",
                "total_cents": o["total_cents"],
            }
        )
    return rows
'''},
{"K1": ("medium", "performance",
 "N+1 queries: one customers query per order, so the 500-order list makes 501 database round trips. Join customers in the orders query or fetch all needed customers in one query with WHERE id IN (...).")})
