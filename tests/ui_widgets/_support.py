"""Tiny host apps and fixtures for the widget tests (no workbench, no core)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from textual.app import App, ComposeResult
from textual.message import Message
from textual.widget import Widget

from duo_tui.ui.themes import builtin_theme_dirs, duo_variable_defaults, register_themes
from duo_tui.ui.widgets.finding_list import FindingRow


@dataclass
class FakeHunk:
    """Same fields as `duo_tui.vcs.diff.Hunk`."""

    id: str
    header: str
    old_start: int
    old_len: int
    new_start: int
    new_len: int
    lines: list[str]


@dataclass
class FakeFileDiff:
    """Same fields as `duo_tui.vcs.diff.FileDiff`."""

    path: str
    old_path: str | None
    status: str
    hunks: list[FakeHunk] = field(default_factory=list)
    binary: bool = False


class HostApp(App[None]):
    """Hosts the widgets made by `make`, with the duo themes registered, and records messages."""

    def __init__(self, make: Callable[[], list[Widget]], theme: str = "duo-dark") -> None:
        super().__init__()
        self._make = make
        self.messages: list[Message] = []
        self.theme_problems = register_themes(self, builtin_theme_dirs())
        self.theme = theme

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return duo_variable_defaults()

    def compose(self) -> ComposeResult:
        yield from self._make()

    # The widgets' messages bubble up to the app; record them in order.
    def on_diff_view_hunk_decision_changed(self, message: Message) -> None:
        self.messages.append(message)

    def on_diff_view_hunk_highlighted(self, message: Message) -> None:
        self.messages.append(message)

    def on_finding_list_selected(self, message: Message) -> None:
        self.messages.append(message)

    def on_finding_list_details_toggled(self, message: Message) -> None:
        self.messages.append(message)

    def of(self, kind: type[Any]) -> list[Any]:
        return [m for m in self.messages if isinstance(m, kind)]


PY_NEW = '''\
"""Rate limiting for webhook deliveries."""

import time
from dataclasses import dataclass


@dataclass
class Bucket:
    capacity: int
    tokens: float = 0.0
    updated: float = 0.0

    def take(self, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        self.tokens = min(self.capacity, self.tokens + (now - self.updated))
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False
'''


def sample_files() -> list[FakeFileDiff]:
    """Two files, three hunks: a modified Python file and a new file."""
    webhooks = FakeFileDiff(
        path="app/webhooks.py",
        old_path="app/webhooks.py",
        status="modified",
        hunks=[
            FakeHunk(
                id="app/webhooks.py#1",
                header="@@ -1,5 +1,6 @@",
                old_start=1,
                old_len=5,
                new_start=1,
                new_len=6,
                lines=[
                    " import json",
                    "-import os",
                    "+from app.ratelimit import Bucket",
                    "+",
                    " ",
                    " LIMIT = 10",
                    " SEEN: set[str] = set()",
                ],
            ),
            FakeHunk(
                id="app/webhooks.py#2",
                header="@@ -40,6 +41,9 @@ def handle(delivery):",
                old_start=40,
                old_len=6,
                new_start=41,
                new_len=9,
                lines=[
                    " def handle(delivery):",
                    '-    payload = json.loads(delivery["body"])',
                    '+    if delivery["id"] in SEEN:',
                    "+        return None  # duplicate delivery",
                    '+    SEEN.add(delivery["id"])',
                    '+    payload = json.loads(delivery["body"])',
                    "     process(payload)",
                    "     return payload",
                    " ",
                ],
            ),
        ],
    )
    new_lines = PY_NEW.splitlines()
    ratelimit = FakeFileDiff(
        path="app/ratelimit.py",
        old_path=None,
        status="added",
        hunks=[
            FakeHunk(
                id="app/ratelimit.py#1",
                header=f"@@ -0,0 +1,{len(new_lines)} @@",
                old_start=0,
                old_len=0,
                new_start=1,
                new_len=len(new_lines),
                lines=["+" + line for line in new_lines],
            )
        ],
    )
    return [webhooks, ratelimit]


def big_new_file(lines: int = 10_000) -> list[FakeFileDiff]:
    """One added Python file of `lines` lines."""
    body = [
        f"def function_{i}(x: int) -> int:  # line {i}" if i % 3 == 0 else f"    return x + {i}"
        for i in range(lines)
    ]
    return [
        FakeFileDiff(
            path="gen/big.py",
            old_path=None,
            status="added",
            hunks=[
                FakeHunk(
                    id="gen/big.py#1",
                    header=f"@@ -0,0 +1,{lines} @@",
                    old_start=0,
                    old_len=0,
                    new_start=1,
                    new_len=lines,
                    lines=["+" + line for line in body],
                )
            ],
        )
    ]


def sample_rows(side: str = "a") -> list[FindingRow]:
    """A review pane's worth of findings, one of each kind and decision."""
    other = "b" if side == "a" else "a"
    return [
        FindingRow(
            key=f"{side}:F1",
            finding_id="F1",
            severity="critical",
            title="duplicate webhook deliveries are processed twice",
            file="app/webhooks.py",
            line_start=41,
            line_end=46,
            kind="agree",
            counterpart_key=f"{other}:F3",
            decision="fix",
            detail="SEEN is process-local; two workers both process the same delivery id.",
            suggestion="Record delivery ids in the database with a unique constraint.",
        ),
        FindingRow(
            key=f"{side}:F2",
            finding_id="F2",
            severity="high",
            title="token bucket never refills before the first call",
            file="app/ratelimit.py",
            line_start=13,
            line_end=16,
            kind="severity",
            counterpart_key=f"{other}:F1",
        ),
        FindingRow(
            key=f"{side}:F3",
            finding_id="F3",
            severity="low",
            title="unused import json",
            file="app/webhooks.py",
            line_start=1,
            kind="only",
            decision="dismiss",
        ),
        FindingRow(
            key=f"{side}:F4",
            finding_id="F4",
            severity="info",
            title="consider documenting the rate limit in the README",
            kind="only",
            decision="defer",
        ),
    ]
